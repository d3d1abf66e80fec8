/**
 * {@link HistoryFile} implementations for tests: one in memory that counts its calls, and the plugin's own one over
 * a real file.
 */
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

/** The plugin's own history file over node:fs. */
export { nodeHistoryFile } from '../../swiftbar-plugin/state.js';
