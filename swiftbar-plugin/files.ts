/**
 * Small file helpers of the Node shell: reading a regular file that may be missing, and atomic replaces (temp file + fsync +
 * rename, so a crash mid-write leaves the previous file intact). Kept apart from state.ts so that light commands
 * (`headroom statusline`) need nothing else.
 */
import { constants, writeSync } from 'node:fs';
import { type FileHandle, chmod, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The largest file read, bytes: Codex's rollouts run to a few MiB; nothing Headroom reads is larger. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * A regular file's text, or null when it does not exist. Opened non-blocking, so that a FIFO (or a device, a socket)
 * in place of a credentials file is refused at once instead of waiting for a writer forever; a file that is not
 * regular or is larger than {@link MAX_FILE_BYTES} rejects.
 */
export async function readRegularFile(path: string): Promise<string | null> {
  // Bytes first, decoded once: readFile('utf8') decodes chunk by chunk, ~4 ms per MB slower (the usage index is MBs).
  return (await readRegularBytes(path))?.toString('utf8') ?? null;
}

/** {@link readRegularFile}'s bytes, up to `maxBytes`. */
export async function readRegularBytes(path: string, maxBytes = MAX_FILE_BYTES): Promise<Buffer | null> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new Error(`${path} is not a regular file`);
    if (info.size > maxBytes) throw new Error(`${path} is larger than ${maxBytes} bytes`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** Twelve random hex digits: a temporary file's name needs no cryptographic randomness ('wx' refuses a clash). */
const tempName = (): string => `.${Math.random().toString(16).slice(2, 14).padEnd(12, '0')}.tmp`;

/** A new private temporary file in `directory`, named `.<12 hex>.tmp` (single-flight.ts cleans up stale ones). */
async function openTemp(directory: string): Promise<{ temp: string; handle: FileHandle }> {
  for (let attempt = 0; ; attempt++) {
    const temp = join(directory, tempName());
    try {
      return { temp, handle: await open(temp, 'wx', 0o600) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw error;
    }
  }
}

/**
 * Replaces a file atomically with `data` and the given mode (e.g. 0o600), creating its directory with mode 0700.
 * Rejects when the directory cannot be written.
 */
export async function writeFileAtomic(path: string, data: FileData, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const { temp, handle } = await openTemp(dirname(path));
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
    else for (const part of data) await handle.write(part);
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

/**
 * What a file is written from: text (UTF-8), bytes, or bytes in pieces, each written before the next is asked for (so
 * the entries file of a year of logs, tens of MB, is never held twice).
 */
export type FileData = string | Uint8Array | Iterable<Uint8Array>;

/** Replaces a file atomically with mode 0600 (see {@link writeFileAtomic}). */
export function writePrivateFile(path: string, data: FileData): Promise<void> {
  return writeFileAtomic(path, data, 0o600);
}

/**
 * Writes `text` to standard output at once, with `write(2)` on descriptor 1: `process.stdout` would build a stream
 * and load node:stream, a few ms of every run. A descriptor set non-blocking by whoever started us (EAGAIN) gets the
 * rest through `process.stdout`; a closed pipe (EPIPE) drops it, as nobody reads any more.
 */
export function writeStdout(text: string): void {
  let bytes = Buffer.from(text, 'utf8');
  try {
    while (bytes.length > 0) bytes = bytes.subarray(writeSync(1, bytes));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') return; // nobody reads any more
    if (code !== 'EAGAIN') throw error;
    process.stdout.write(bytes);
  }
}
