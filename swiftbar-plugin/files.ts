/**
 * Small file helpers of the Node shell: reading a file that may be missing, and atomic replaces (temp file + fsync +
 * rename, so a crash mid-write leaves the previous file intact). Kept apart from state.ts so that light commands
 * (`headroom statusline`) need nothing else.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** A file's text, or null when it does not exist. Rejects on other errors. */
export async function readTextOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Replaces a file atomically with `text` and the given mode (e.g. 0o600), creating its directory with mode 0700.
 * Rejects when the directory cannot be written.
 */
export async function writeFileAtomic(path: string, text: string | Uint8Array, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await chmod(temp, mode);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Replaces a file atomically with mode 0600 (see {@link writeFileAtomic}). */
export function writePrivateFile(path: string, text: string): Promise<void> {
  return writeFileAtomic(path, text, 0o600);
}
