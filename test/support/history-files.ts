/**
 * {@link HistoryFile} implementations for tests: one in memory that counts its calls, and one over a real file with
 * node:fs (append with `appendFile`, atomic replace by writing a temporary file next to it and renaming it over).
 */
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { HistoryFile } from '../../core/history.js';

/** An in-memory history file with the record of what it was asked. */
export interface MemoryHistoryFile extends HistoryFile {
  /** The file's text; null when it does not exist. */
  text: string | null;
  reads: number;
  appends: number;
  replaces: number;
  /** When set, the next write (append or replace) rejects with this message, after writing `partial` for an append. */
  failNextWrite: { message: string; partial?: string } | null;
}

/** An in-memory history file, absent unless `text` is given. */
export function memoryHistoryFile(text: string | null = null): MemoryHistoryFile {
  const file: MemoryHistoryFile = {
    text,
    reads: 0,
    appends: 0,
    replaces: 0,
    failNextWrite: null,
    async read() {
      file.reads++;
      return file.text;
    },
    async append(chunk) {
      file.appends++;
      const failure = file.failNextWrite;
      if (failure) {
        file.failNextWrite = null;
        file.text = (file.text ?? '') + (failure.partial ?? '');
        throw new Error(failure.message);
      }
      file.text = (file.text ?? '') + chunk;
    },
    async replace(whole) {
      file.replaces++;
      const failure = file.failNextWrite;
      if (failure) {
        file.failNextWrite = null;
        throw new Error(failure.message);
      }
      file.text = whole;
    },
  };
  return file;
}

/**
 * A history file over a real path with node:fs, as the SwiftBar plugin would do it: `read` gives null when the file
 * is missing, `append` creates the directory and file as needed, `replace` writes `<path>.<random>.tmp` in the same
 * directory, syncs it and renames it over the file (atomic on POSIX file systems).
 */
export function nodeHistoryFile(path: string): HistoryFile {
  return {
    async read() {
      try {
        return await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async append(text) {
      await mkdir(dirname(path), { recursive: true });
      await appendFile(path, text, 'utf8');
    },
    async replace(text) {
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        const handle = await open(temporary, 'wx');
        try {
          await handle.writeFile(text, 'utf8');
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },
  };
}
