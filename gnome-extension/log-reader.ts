/**
 * The usage scan's file access on Gio (core's {@link FileReader} port, used by core/usage/scan.ts): Claude Code's
 * transcripts (`~/.claude/projects/**\/*.jsonl`) and Codex's rollouts (`~/.codex/sessions/**\/rollout-*.jsonl`),
 * read-only. Inside GNOME Shell everything is asynchronous and cancellable: directories through
 * `enumerate_children_async` / `next_files_async`, files through `read_async` and `read_bytes_async` in pieces of at
 * most {@link PIECE_BYTES}. The completions are dispatched at {@link SCAN_PRIORITY}, below the compositor's redraw and
 * input, so a scan only runs when the main loop has nothing more urgent; {@link GioLogReader.pause} yields after each
 * time slice. In the scan's own process (usage-worker.ts) a blocking reader makes the same calls synchronously: that
 * process has nothing else to do, and each asynchronous call's round trip through GLib's thread pool cost more than
 * the call (measured on a 200 MB corpus in GNOME Shell 51's gjs: 5.3 s asynchronous, 3.2–3.6 s blocking).
 */
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import type { DirEntry, FileReader, FileStat, LineChunk, LineRequest } from '../core/ports.js';

Gio._promisify(Gio.File.prototype, 'enumerate_children_async', 'enumerate_children_finish');
Gio._promisify(Gio.FileEnumerator.prototype, 'next_files_async', 'next_files_finish');
Gio._promisify(Gio.FileEnumerator.prototype, 'close_async', 'close_finish');
Gio._promisify(Gio.File.prototype, 'query_info_async', 'query_info_finish');
Gio._promisify(Gio.File.prototype, 'load_contents_async', 'load_contents_finish');
Gio._promisify(Gio.File.prototype, 'read_async', 'read_finish');
Gio._promisify(Gio.InputStream.prototype, 'read_bytes_async', 'read_bytes_finish');
Gio._promisify(Gio.InputStream.prototype, 'close_async', 'close_finish');

/** The most bytes one `read_bytes_async` asks for: 256 KiB. */
export const PIECE_BYTES = 256 * 1024;
/** Main-loop priority of the scan's I/O completions and yields: idle, below redraws (GLib.PRIORITY_DEFAULT_IDLE). */
export const SCAN_PRIORITY = GLib.PRIORITY_DEFAULT_IDLE;
/** Work between two yields of {@link GioLogReader.pause}, ms. */
export const SLICE_MS = 4;
/** The largest file {@link GioLogReader.readText} reads, bytes. */
const MAX_TEXT_BYTES = 64 * 1024 * 1024;
/** The largest file {@link GioLogReader.readBytes} reads unless told: the usage index's entries file, 112 bytes an entry. */
const MAX_BYTES = 1024 * 1024 * 1024;

const decoder = new TextDecoder();

function isNotFound(error: unknown): boolean {
  return (
    error instanceof GLib.Error &&
    (error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND) ||
      error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_DIRECTORY))
  );
}

/** Modification time of a file info, epoch ms. */
function mtimeOf(info: Gio.FileInfo): number {
  return (
    info.get_attribute_uint64('time::modified') * 1000 +
    Math.floor(info.get_attribute_uint32('time::modified-usec') / 1000)
  );
}

/**
 * The lines of a read range holding a marker (core's {@link LineChunk}): complete lines only, the unterminated last
 * line at the end of the file as `tail`, the Latin-1 text of the 64 bytes before the last newline as `edge`. The
 * markers are searched in the decoded text with `indexOf`, so lines without one are never split out or copied.
 */
export function markedLines(
  bytes: Uint8Array,
  eof: boolean,
  markers: readonly string[],
  size: number,
  mtimeMs: number,
): LineChunk {
  const consumed = bytes.lastIndexOf(10) + 1;
  const lines: string[] = [];
  if (markers.length > 0 && consumed > 0) {
    const text = decoder.decode(bytes.subarray(0, consumed));
    const starts = new Set<number>();
    for (const marker of markers) {
      let at = text.indexOf(marker);
      while (at >= 0) {
        const start = text.lastIndexOf('\n', at) + 1;
        const end = text.indexOf('\n', at);
        starts.add(start);
        at = text.indexOf(marker, end + 1);
      }
    }
    for (const start of [...starts].sort((a, b) => a - b)) lines.push(text.slice(start, text.indexOf('\n', start)));
  }
  let tail: string | null = null;
  if (eof && consumed < bytes.length) {
    const rest = decoder.decode(bytes.subarray(consumed));
    if (markers.some((marker) => rest.includes(marker))) tail = rest;
  }
  let edge = '';
  for (const byte of bytes.subarray(Math.max(0, consumed - 64), consumed)) edge += String.fromCharCode(byte);
  return { lines, consumed, size, mtimeMs, eof, tail, edge };
}

/**
 * Core's FileReader over Gio for the usage scan. `cancel()` stops every operation in flight (they reject with
 * Gio's CANCELLED error) and makes {@link pause} reject, which ends a scan at its next chunk.
 */
export class GioLogReader implements FileReader {
  private readonly cancellable = new Gio.Cancellable();
  private sliceStart = Date.now();
  private readonly idles = new Set<number>();

  /**
   * @param blocking synchronous Gio calls and no yields: only for a process of its own (usage-worker.ts), never in
   *   GNOME Shell, whose main loop they would hold.
   */
  constructor(private readonly blocking = false) {}

  /** Cancels what is in flight; later calls fail as cancelled. */
  cancel(): void {
    this.cancellable.cancel();
    for (const id of this.idles) GLib.source_remove(id);
    this.idles.clear();
  }

  get cancelled(): boolean {
    return this.cancellable.is_cancelled();
  }

  /**
   * Yields to the main loop (an idle source at {@link SCAN_PRIORITY}) once {@link SLICE_MS} of work have passed
   * since the last yield; resolves at once otherwise. Rejects once cancelled.
   */
  readonly pause = (): Promise<void> => {
    if (this.cancellable.is_cancelled()) return Promise.reject(new Error('cancelled'));
    if (this.blocking || Date.now() - this.sliceStart < SLICE_MS) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const id = GLib.idle_add(SCAN_PRIORITY, () => {
        this.idles.delete(id);
        this.sliceStart = Date.now();
        if (this.cancellable.is_cancelled()) reject(new Error('cancelled'));
        else resolve();
        return GLib.SOURCE_REMOVE;
      });
      this.idles.add(id);
    });
  };

  /** A regular file's text (UTF-8), up to 64 MiB; null when missing. */
  async readText(path: string): Promise<string | null> {
    const bytes = await this.readBytes(path, MAX_TEXT_BYTES);
    return bytes === null ? null : decoder.decode(bytes);
  }

  /** A regular file's bytes, up to `maxBytes` (default 1 GiB); null when missing. */
  async readBytes(path: string, maxBytes = MAX_BYTES): Promise<Uint8Array | null> {
    try {
      const file = Gio.File.new_for_path(path);
      const info = await this.queryInfo(file, 'standard::type,standard::size');
      if (info.get_file_type() !== Gio.FileType.REGULAR) throw new Error(`${path} is not a regular file`);
      if (info.get_size() > maxBytes) throw new Error(`${path} is larger than ${maxBytes} bytes`);
      const [contents] = await file.load_contents_async(this.cancellable);
      return contents;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** A directory's entries (names, and whether each is a directory); null when missing or not a directory. */
  async list(path: string): Promise<DirEntry[] | null> {
    let enumerator: Gio.FileEnumerator;
    const attributes = 'standard::name,standard::type';
    try {
      const folder = Gio.File.new_for_path(path);
      enumerator = this.blocking
        ? folder.enumerate_children(attributes, Gio.FileQueryInfoFlags.NONE, this.cancellable)
        : await folder.enumerate_children_async(
            attributes,
            Gio.FileQueryInfoFlags.NONE,
            SCAN_PRIORITY,
            this.cancellable,
          );
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    try {
      const entries: DirEntry[] = [];
      for (;;) {
        const infos = this.blocking
          ? nextFiles(enumerator, 200, this.cancellable)
          : await enumerator.next_files_async(200, SCAN_PRIORITY, this.cancellable);
        if (infos.length === 0) break;
        for (const info of infos) {
          entries.push({ name: info.get_name(), isDirectory: info.get_file_type() === Gio.FileType.DIRECTORY });
        }
      }
      return entries;
    } finally {
      enumerator.close(null);
    }
  }

  /** Size (bytes) and modification time (epoch ms); null when missing. */
  async stat(path: string): Promise<FileStat | null> {
    try {
      const info = await this.queryInfo(
        Gio.File.new_for_path(path),
        'standard::size,time::modified,time::modified-usec',
      );
      return { size: info.get_size(), mtimeMs: mtimeOf(info) };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** A file's info with these attributes, blocking or not as this reader is. */
  private queryInfo(file: Gio.File, attributes: string): Promise<Gio.FileInfo> {
    if (!this.blocking) {
      return file.query_info_async(attributes, Gio.FileQueryInfoFlags.NONE, SCAN_PRIORITY, this.cancellable);
    }
    try {
      return Promise.resolve(file.query_info(attributes, Gio.FileQueryInfoFlags.NONE, this.cancellable));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * Bytes `[offset, offset + maxBytes)` of a log file, read in pieces of at most {@link PIECE_BYTES}, and the lines
   * among them holding a marker (see {@link markedLines}). Size and mtime come from the opened stream, so a file
   * replaced meanwhile is read consistently. Null when the file does not exist (it vanished); rejects when it is not
   * a regular file, cannot be read, or the reader was cancelled.
   */
  async readLines(path: string, request: LineRequest): Promise<LineChunk | null> {
    const file = Gio.File.new_for_path(path);
    let stream: Gio.FileInputStream;
    let info: Gio.FileInfo;
    try {
      info = await this.queryInfo(file, 'standard::type,standard::size,time::modified,time::modified-usec');
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    // Before opening: opening a FIFO named like a log would wait for a writer forever.
    if (info.get_file_type() !== Gio.FileType.REGULAR) throw new Error(`${path} is not a regular file`);
    try {
      stream = this.blocking ? file.read(this.cancellable) : await file.read_async(SCAN_PRIORITY, this.cancellable);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    try {
      const size = info.get_size();
      const offset = Math.max(0, request.offset);
      const length = Math.max(0, Math.min(request.maxBytes, size - offset));
      // An lseek on the open descriptor: it moves the position and does no I/O. (The typings name GLib.SeekType
      // twice, hence the cast.)
      const fromStart = GLib.SeekType.SET as unknown as Parameters<Gio.FileInputStream['seek']>[1];
      if (offset > 0) stream.seek(offset, fromStart, this.cancellable);
      const bytes = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        // Blocking: the rest at once (a scan asks for at most a few MB at a time).
        const piece = this.blocking
          ? stream.read_bytes(length - filled, this.cancellable)
          : await stream.read_bytes_async(Math.min(PIECE_BYTES, length - filled), SCAN_PRIORITY, this.cancellable);
        const data = piece.toArray();
        if (data.length === 0) break;
        bytes.set(data, filled);
        filled += data.length;
      }
      return markedLines(bytes.subarray(0, filled), offset + filled >= size, request.markers, size, mtimeOf(info));
    } finally {
      stream.close(null);
    }
  }
}

/** Up to `count` infos of an enumerator, blocking (what `next_files_async` gives, synchronously). */
function nextFiles(enumerator: Gio.FileEnumerator, count: number, cancellable: Gio.Cancellable): Gio.FileInfo[] {
  const infos: Gio.FileInfo[] = [];
  while (infos.length < count) {
    const info = enumerator.next_file(cancellable);
    if (!info) break;
    infos.push(info);
  }
  return infos;
}
