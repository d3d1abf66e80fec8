/**
 * The plugin's state between its short runs: core's refresh memory (last good capture and last failure per
 * provider and source; never a token), in one JSON file written atomically (temp file + rename), mode 0600 in a
 * 0700 directory.
 *
 * Location: `$SWIFTBAR_PLUGIN_DATA_PATH`, else `$XDG_STATE_HOME/headroom`, else `~/.local/state/headroom`.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type Memory, deserializeMemory, serializeMemory } from '../core/refresh.js';

/** File name of the state inside the state directory. */
export const STATE_FILE = 'state.json';

/** The state directory for this environment. */
export function stateDirectory(env: NodeJS.ProcessEnv, home: string): string {
  if (env.SWIFTBAR_PLUGIN_DATA_PATH) return env.SWIFTBAR_PLUGIN_DATA_PATH;
  return join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'headroom');
}

/** Loads the memory; a missing, unreadable or malformed file gives an empty memory. */
export async function loadMemory(directory: string): Promise<Memory> {
  try {
    return deserializeMemory(await readFile(join(directory, STATE_FILE), 'utf8'));
  } catch {
    return {};
  }
}

/**
 * Saves the memory atomically: a crash mid-write leaves the previous file intact. Creates the directory (0700) when
 * needed. Rejects when the directory cannot be written.
 */
export async function saveMemory(directory: string, memory: Memory): Promise<void> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const target = join(directory, STATE_FILE);
  const temp = join(directory, `.${STATE_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(serializeMemory(memory), 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await chmod(temp, 0o600);
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
