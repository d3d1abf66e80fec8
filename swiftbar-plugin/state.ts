/**
 * The plugin's files between its short runs, shared with the GNOME extension: the state document (core's
 * {@link StateDocument}: last good capture, failures and back-off per source, what was notified; never a token) and
 * the usage history. Written atomically (temp file + rename), mode 0600 in a 0700 directory.
 *
 * Location: `$SWIFTBAR_PLUGIN_DATA_PATH`, else `$XDG_STATE_HOME/headroom`, else `~/.local/state/headroom`.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HistoryFile } from '../core/history.js';
import { type StateDocument, deserializeState, serializeState } from '../core/session.js';
import { readRegularFile, writePrivateFile } from './files.js';

export { writePrivateFile } from './files.js';

/** File name of the state document inside the state directory. */
export const STATE_FILE = 'state.json';
/** File name of the usage history inside the state directory. */
export const HISTORY_FILE = 'history.jsonl';

/** The state directory for this environment. */
export function stateDirectory(env: NodeJS.ProcessEnv, home: string): string {
  if (env.SWIFTBAR_PLUGIN_DATA_PATH) return env.SWIFTBAR_PLUGIN_DATA_PATH;
  return join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'headroom');
}

/** Loads the state; a missing, unreadable or malformed file gives an empty state. */
export async function loadState(directory: string): Promise<StateDocument> {
  return deserializeState(await readRegularFile(join(directory, STATE_FILE)).catch(() => null));
}

/** Saves the state atomically. */
export function saveState(directory: string, state: StateDocument): Promise<void> {
  return writePrivateFile(join(directory, STATE_FILE), serializeState(state));
}

/** The history file (core/history.ts) over node:fs: appends, and atomic replaces for compaction. */
export function nodeHistoryFile(path: string): HistoryFile {
  return {
    read: () => readRegularFile(path),
    async append(text) {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await appendFile(path, text, { encoding: 'utf8', mode: 0o600 });
    },
    replace: (text) => writePrivateFile(path, text),
  };
}
