/**
 * The plugin's files between its short runs, shared with the GNOME extension: the state document (core's
 * {@link StateDocument}: last good capture, failures and back-off per source, what was notified; never a token) and
 * the usage history. Written atomically (temp file + rename), mode 0600 in a 0700 directory.
 *
 * Location: `$SWIFTBAR_PLUGIN_DATA_PATH`, else `$XDG_STATE_HOME/headroom`, else `~/.local/state/headroom`.
 */
import { randomBytes } from 'node:crypto';
import { appendFile, chmod, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HistoryFile } from '../core/history.js';
import { type StateDocument, deserializeState, serializeState } from '../core/session.js';
import { readRegularFile } from './node-ports.js';

/** File name of the state document inside the state directory. */
export const STATE_FILE = 'state.json';
/** File name of the usage history inside the state directory. */
export const HISTORY_FILE = 'history.jsonl';

/** The state directory for this environment. */
export function stateDirectory(env: NodeJS.ProcessEnv, home: string): string {
  if (env.SWIFTBAR_PLUGIN_DATA_PATH) return env.SWIFTBAR_PLUGIN_DATA_PATH;
  return join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'headroom');
}

/** A file's text, or null when it does not exist; only regular files are read (node-ports.ts). */
const readTextOrNull = readRegularFile;

/**
 * Replaces a file atomically with mode 0600, creating its directory with mode 0700: a crash mid-write leaves the
 * previous file intact. Rejects when the directory cannot be written.
 */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await chmod(temp, 0o600);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Loads the state; a missing, unreadable or malformed file gives an empty state. */
export async function loadState(directory: string): Promise<StateDocument> {
  return deserializeState(await readTextOrNull(join(directory, STATE_FILE)).catch(() => null));
}

/** Saves the state atomically. */
export function saveState(directory: string, state: StateDocument): Promise<void> {
  return writePrivateFile(join(directory, STATE_FILE), serializeState(state));
}

/** The history file (core/history.ts) over node:fs: appends, and atomic replaces for compaction. */
export function nodeHistoryFile(path: string): HistoryFile {
  return {
    read: () => readTextOrNull(path),
    async append(text) {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await appendFile(path, text, { encoding: 'utf8', mode: 0o600 });
    },
    replace: (text) => writePrivateFile(path, text),
  };
}
