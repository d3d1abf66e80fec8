/**
 * The usage scanner: walks each provider's log folders (Claude Code's `projects/`, Codex's `sessions/`), reads every
 * log file of the provider's format (log-format.ts) in chunks through {@link FileReader.readLines} (only lines holding
 * a usage marker reach `JSON.parse`), on threads of a {@link FileScanPool} when given, dedupes (dedupe.ts) in file
 * order, and keeps an incremental index (index.ts) so a later scan reads only appended bytes.
 *
 * Bad input never throws: non-JSON and truncated lines, lines over {@link MAX_LINE_BYTES}, files that vanish or
 * shrink during the scan and unreadable folders are skipped and counted in {@link ScanStats}. A file that shrank,
 * was replaced or vanished since the index was written makes the scan start over from nothing, so nothing is ever
 * counted twice.
 */
import type { FileReader, LineChunk } from '../ports.js';
import { Deduper } from './dedupe.js';
import type { UsageEntry } from './entries.js';
import { parseEntriesInto } from './entries-file.js';
import { EntryTable, StringTable } from './entry-table.js';
import {
  type Bucket,
  type DirMark,
  type FileMark,
  MAX_PENDING,
  type UsageIndex,
  addToBuckets,
  emptyIndex,
  recentOf,
  summarise,
  unpackEntries,
} from './index-file.js';
import { filterKeys, fingerprint } from './key-filter.js';
import type { LineCarry, LogFormat } from './log-format.js';
import { logFormatOf } from './roots.js';

/**
 * A folder to scan: one of the provider's log folders under one of an account's directories (roots.ts `rootsOf`),
 * e.g. Claude Code's `<config dir>/projects` or a Codex home's `sessions`. Plain data: it crosses to the GNOME
 * extension's scan process.
 */
export interface ScanRoot {
  /** The provider's catalog id; its log format (roots.ts `logFormatOf`) says how to read the folder. */
  provider: string;
  /** The account key the folder belongs to (core/accounts.ts), e.g. `claude`, `codex@work`. */
  account: string;
  directory: string;
}

/** What a scan read and skipped. */
export interface ScanStats {
  files: number;
  /** Folders walked, and of them those listed (the others' listings were reused: their mtime had not changed). */
  folders: number;
  foldersListed: number;
  /** Files read from an offset kept by the index (only their new bytes were read). */
  filesResumed: number;
  /** Files read by the threads of a {@link FileScanPool} (the rest were read by the scanner itself). */
  filesFromThreads: number;
  /** Bytes read in this scan. */
  bytesRead: number;
  /** Usage lines counted (before dedupe). */
  lines: number;
  duplicates: number;
  /** Lines and files skipped, by reason. */
  skipped: Record<SkipKind, number>;
  /** True when the index was dropped (a file shrank, was replaced or vanished) and everything was read again. */
  rebuilt: boolean;
}

/** Why something was skipped. */
export type SkipKind =
  'malformed' | 'invalid' | 'synthetic' | 'oversized' | 'unreadableFolder' | 'unreadableFile' | 'vanished';

/** Options of {@link scanUsage}. */
export interface ScanOptions {
  /** The index of an earlier scan (index-file.ts), or null for a cold scan. */
  index?: UsageIndex | null;
  /** Bytes per read; default {@link CHUNK_BYTES}. */
  chunkBytes?: number;
  /** Reads the entries file's bytes (entries-file.ts), when the exact path needs it; null when there is none. */
  loadEntries?: () => Promise<Uint8Array | null>;
  /** Every entry is wanted in the result (session and block reports): the entries file is read. */
  needEntries?: boolean;
  /** Awaited between chunks: the GNOME extension yields to the main loop here. */
  pause?: () => Promise<void>;
  /** Called after each file with the bytes read so far (progress on a terminal). */
  progress?: (bytesRead: number) => void;
  /** The time now, epoch ms (when folders were listed, see {@link DirMark}); default `Date.now`. */
  now?: () => number;
  /** Threads that read files while this one dedupes: used when at least {@link POOL_MIN_FILES} files are new. */
  pool?: FileScanPool;
}

/** One file to read, for {@link readLogFile} or a {@link FileScanPool}: plain data, so it can cross to a thread. */
export interface FileTask {
  root: ScanRoot;
  path: string;
  /** What the index kept of the file; null for a file not read before. */
  mark: FileMark | null;
}

/** What reading one file gave. */
export interface FileOutcome {
  /**
   * The file's new mark and an unterminated last line's entry; null when the file vanished or could not be read;
   * `rebuild` when it no longer matches its mark.
   */
  read: { mark: FileMark; tail: UsageEntry | null } | null | 'rebuild';
  /** The entries of its new complete lines, in file order (before dedupe). */
  entries: UsageEntry[];
  /**
   * Instead of `entries` (then empty), from a scan thread: the same entries as rows of entry-table.ts's layout and the
   * strings they index, which the exact path dedupes without making objects of them.
   */
  packed?: { rows: Float64Array; strings: string[] };
  /** What was read and skipped in this file (`files` and the folder counts stay 0). */
  stats: ScanStats;
}

/**
 * Reads files on other threads (the CLI's worker threads) while the scanner dedupes what they read, in file order,
 * so a pooled scan gives exactly the result of a sequential one.
 */
export interface FileScanPool {
  /** Starts threads that read files with {@link readLogFile} (see {@link PoolRun}). */
  start(chunkBytes: number): PoolRun;
}

/** A started {@link FileScanPool}. */
export interface PoolRun {
  /** Hands over the next file to read, as the scan finds it (numbered from 0 in this order), while it lists folders. */
  add(task: FileTask): void;
  /** There are no more files. */
  end(): void;
  /**
   * Resolves with file i's outcome, or rejects when the pool could not read it (a thread died): the scanner then reads
   * that file itself.
   */
  outcome(i: number): Promise<FileOutcome>;
  /** Ends the threads. */
  stop(): void;
}

/** New files a scan must have before it hands them to a {@link FileScanPool} (starting threads costs ~50 ms). */
export const POOL_MIN_FILES = 64;

/** The result of a scan. */
export interface ScanResult {
  /**
   * Every deduped entry by account key, when the exact path ran (a cold scan, `needEntries`, or a line that might
   * repeat an older response); null when only the summary was updated (then use `index.buckets` and `extra`).
   */
  entries: Map<string, EntryTable> | null;
  /**
   * Unterminated last lines (a CLI still writing), counted in this result but in neither the index nor `entries`:
   * they are read again once complete. Both paths.
   */
  extra: Map<string, UsageEntry[]>;
  /** The index to save for the next scan. */
  index: UsageIndex;
  stats: ScanStats;
  /** False when no file changed since the index was written (the summary need not be saved again). */
  changed: boolean;
  /** True when the entries file must be written (the exact path ran). */
  entriesChanged: boolean;
}

/** Bytes per read: large enough to amortise the call, small enough for a short main-loop pause. */
export const CHUNK_BYTES = 1024 * 1024;
/** Bytes at the start of a file that hold its second fingerprint (see {@link FileMark.head}). */
const HEAD_BYTES = 4096;
/** Longest line read, bytes; a longer one is skipped (`oversized`). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * How old (ms) a folder's mtime must be, against the time it was listed, for its kept listing to be trusted: file
 * systems store mtimes with coarse granularity (1–2 s on some), so a file created in the same tick as the listing
 * could leave the mtime unchanged. A younger folder is listed again on every scan.
 */
const RACY_MS = 2000;

/**
 * Lists the log files under a root, giving each to `found` in sorted order (of their paths, as `Array.prototype.sort`
 * orders them: each folder's entries are visited in that order, a subfolder's name taken with its trailing `/`) as
 * soon as its folder is listed; unreadable folders are counted, not thrown.
 *
 * The rule that makes a refresh cheap without ever missing a file: every folder is stat'ed; a folder whose mtime
 * equals the one kept in `dirs` (and was at least {@link RACY_MS} older than its listing) is not listed again,
 * because creating, removing or renaming an entry in a folder always changes its mtime (POSIX; ext4, btrfs, xfs,
 * APFS, HFS+). Appending to a file does not change its folder's mtime: that is why every known file is still
 * stat'ed by the scan (scanFile), whatever its folder. A FileReader whose `stat` gives no folder mtime (null, or 0)
 * gets every folder listed each time.
 */
async function listLogs(
  files: FileReader,
  root: ScanRoot,
  format: LogFormat,
  stats: ScanStats,
  previous: ReadonlyMap<string, DirMark>,
  next: Map<string, DirMark>,
  now: number,
  found: (path: string) => void,
): Promise<void> {
  const walk = async (directory: string, depth: number): Promise<void> => {
    if (depth > 12) return;
    let info = null;
    try {
      info = await files.stat(directory);
    } catch {
      info = null;
    }
    const kept = previous.get(directory);
    let mark: DirMark;
    if (kept && info && info.mtimeMs > 0 && info.mtimeMs === kept.mtimeMs && kept.mtimeMs < kept.listedAt - RACY_MS) {
      mark = kept;
    } else {
      let entries;
      try {
        entries = await files.list(directory);
      } catch {
        stats.skipped.unreadableFolder++;
        return;
      }
      if (!entries) return;
      stats.foldersListed++;
      mark = { mtimeMs: info?.mtimeMs ?? 0, listedAt: now, dirs: [], files: [] };
      for (const entry of entries) {
        if (entry.isDirectory) mark.dirs.push(entry.name);
        else if (format.isLog(entry.name)) mark.files.push(entry.name);
      }
    }
    stats.folders++;
    if (mark.mtimeMs > 0) next.set(directory, mark);
    const entries: string[] = [...mark.files, ...mark.dirs.map((name) => `${name}/`)].sort();
    for (const name of entries) {
      if (name.endsWith('/')) await walk(`${directory}/${name.slice(0, -1)}`, depth + 1);
      else found(`${directory}/${name}`);
    }
  };
  await walk(root.directory.replace(/\/+$/, ''), 0);
}

/** Counters at zero. */
function emptyStats(): ScanStats {
  return {
    files: 0,
    folders: 0,
    foldersListed: 0,
    filesResumed: 0,
    filesFromThreads: 0,
    bytesRead: 0,
    lines: 0,
    duplicates: 0,
    skipped: {
      malformed: 0,
      invalid: 0,
      synthetic: 0,
      oversized: 0,
      unreadableFolder: 0,
      unreadableFile: 0,
      vanished: 0,
    },
    rebuilt: false,
  };
}

/** A file's path below its root folder, as {@link LogFormat.projectOf} takes it. */
function relativeTo(root: ScanRoot, path: string): string {
  return path.slice(root.directory.replace(/\/+$/, '').length + 1);
}

function sessionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.endsWith('.jsonl') ? name.slice(0, -'.jsonl'.length) : name;
}

/**
 * Scans the roots. With an index, files whose size and mtime are unchanged are not read, grown files are read from
 * their kept offset (after checking that their fingerprints still match), and any file that shrank, changed before
 * its offset or vanished makes the whole scan start over without the index.
 *
 * With only the summary of the index loaded (`index.entries === null`), new lines are deduped against the last
 * 24 hours of entries and the key filter; when a line might repeat an older response, the entries file is read
 * (`loadEntries`) and the scan runs again exactly. `needEntries` asks for every entry in the result (sessions,
 * blocks).
 */
export async function scanUsage(
  files: FileReader,
  roots: readonly ScanRoot[],
  options: ScanOptions = {},
): Promise<ScanResult> {
  let index = options.index ?? null;
  const withEntries = async (summary: UsageIndex): Promise<UsageIndex | null> => {
    if (summary.entries !== null) return summary;
    const bytes = await (options.loadEntries?.() ?? Promise.resolve(null)).catch(() => null);
    return parseEntriesInto(summary, bytes) ? summary : null;
  };
  if (index && index.entries === null) {
    let pending = 0;
    for (const list of index.pending.values()) pending += list.length;
    if (options.needEntries || pending > MAX_PENDING || index.filter.full) index = await withEntries(index);
  }
  let result = index ? await scanOnce(files, roots, options, index) : 'rebuild';
  if (result === 'full' && index) {
    index = await withEntries(index);
    result = index ? await scanOnce(files, roots, options, index) : 'rebuild';
  }
  if (result === 'rebuild' || result === 'full') {
    const cold = await scanOnce(files, roots, options, emptyIndex());
    if (typeof cold === 'string') throw new Error('unreachable: a cold scan never starts over');
    cold.stats.rebuilt = (options.index ?? null) !== null;
    return cold;
  }
  return result;
}

/** A deduper per account, keeping its entries in the account's table of `tables` when there is one. */
function dedupers(tables: ReadonlyMap<string, EntryTable> | null): (account: string) => Deduper {
  const map = new Map<string, Deduper>();
  // One string table for every account's entries, as the entries file has.
  const strings = tables?.values().next().value?.strings ?? new StringTable();
  return (account) => {
    let deduper = map.get(account);
    if (!deduper) {
      deduper = new Deduper(tables?.get(account) ?? new EntryTable(strings));
      map.set(account, deduper);
    }
    return deduper;
  };
}

/**
 * One pass over the files. The pass builds a new index, so a pass that stops (`rebuild`: a file no longer matches;
 * `full`: the exact path is needed) leaves `previous` as it was, but for its entry tables (exact path), which the
 * pass takes over and appends to: after a `rebuild`, `previous` is not used again.
 */
async function scanOnce(
  files: FileReader,
  roots: readonly ScanRoot[],
  options: ScanOptions,
  previous: UsageIndex,
): Promise<ScanResult | 'rebuild' | 'full'> {
  const stats = emptyStats();
  const full = previous.entries !== null;
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const deduperOf = dedupers(previous.entries);
  const accounts = new Set<string>([...previous.buckets.keys(), ...(previous.entries?.keys() ?? [])]);
  if (previous.entries) {
    // Entries added since the entries file was written, through the same rule.
    for (const [account, entries] of previous.pending) for (const entry of entries) deduperOf(account).add(entry);
  } else {
    for (const [account, entries] of previous.recent) deduperOf(account).load(entries);
  }
  const accepted = new Map<string, UsageEntry[]>();
  const replaced = new Map<string, UsageEntry[]>();
  const push = (map: Map<string, UsageEntry[]>, account: string, entry: UsageEntry): void => {
    const list = map.get(account);
    if (list) list.push(entry);
    else map.set(account, [entry]);
  };
  let needFull = false;
  const add = (account: string, entry: UsageEntry): void => {
    const deduper = deduperOf(account);
    if (!full && !deduper.has(entry)) {
      if (filterKeys(entry).some((key) => previous.filter.mayContain(key))) {
        needFull = true;
        return;
      }
    }
    const outcome = deduper.add(entry);
    // The exact path rebuilds the summary from the tables: what was accepted or replaced is not needed.
    if (!outcome.kept || full) return;
    push(accepted, account, entry);
    if (outcome.replaced) push(replaced, account, outcome.replaced);
  };
  const marks = new Map(previous.files);
  let changed = previous.generation === 0 && previous.files.size === 0;
  const seen = new Set<string>();
  const tails: { account: string; entry: UsageEntry }[] = [];
  const dirs = new Map<string, DirMark>();
  const now = (options.now ?? Date.now)();
  const tasks: FileTask[] = [];
  let pooled = null as PoolRun | null;
  let fresh = 0;
  const found = (root: ScanRoot, path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    const task = { root, path, mark: marks.get(path) ?? null };
    tasks.push(task);
    if (task.mark === null) fresh++;
    if (pooled) {
      pooled.add(task);
    } else if (options.pool && fresh >= POOL_MIN_FILES) {
      // The threads start as soon as there are enough new files, and read while the folders are still being listed.
      pooled = options.pool.start(chunkBytes);
      for (const earlier of tasks) pooled.add(earlier);
    }
  };
  try {
    for (const root of roots) {
      const format = logFormatOf(root.provider);
      if (!format) continue; // a provider without local logs (a request from another version): nothing to read
      accounts.add(root.account);
      await listLogs(files, root, format, stats, previous.dirs, dirs, now, (path) => found(root, path));
    }
    pooled?.end();
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[i]!;
      stats.files++;
      let outcome: FileOutcome | null = null;
      // Most files of a refresh are unchanged: one stat, and nothing else made for them.
      if (!pooled && task.mark && (await unchanged(files, task.path, task.mark))) continue;
      if (pooled) {
        outcome = await pooled.outcome(i).catch(() => null);
        if (outcome) stats.filesFromThreads++;
      }
      // Read here: each entry is deduped as its line is read (in file order, as from a thread).
      const account = task.root.account;
      outcome ??= await readLogFile(files, task, chunkBytes, { ...options, sink: (entry) => add(account, entry) });
      addStats(stats, outcome.stats);
      if (outcome.packed && full) deduperOf(task.root.account).addRows(outcome.packed.rows, outcome.packed.strings);
      const entries = outcome.packed && !full ? unpackEntries(outcome.packed.rows, outcome.packed.strings) : null;
      for (const entry of entries ?? outcome.entries) add(task.root.account, entry);
      if (needFull) return 'full';
      const { read } = outcome;
      if (read === 'rebuild') return 'rebuild';
      if (read === null) {
        if (task.mark) return 'rebuild';
        continue;
      }
      if (read.mark !== task.mark) changed = true;
      marks.set(task.path, read.mark);
      if (read.tail) tails.push({ account: task.root.account, entry: read.tail });
      options.progress?.(stats.bytesRead);
    }
  } finally {
    pooled?.stop();
  }
  // A file the index knew that is gone now: its entries can't be taken back one by one.
  for (const path of marks.keys()) {
    if (!seen.has(path)) {
      stats.skipped.vanished++;
      return 'rebuild';
    }
  }
  // A listing taken now, or a changed folder mtime, must reach the saved index.
  if (dirs.size !== previous.dirs.size) changed = true;
  else for (const [path, mark] of dirs) if (previous.dirs.get(path) !== mark) changed = true;
  const index: UsageIndex = {
    generation: previous.generation,
    files: marks,
    dirs,
    entries: null,
    buckets: new Map(),
    recent: new Map(),
    pending: new Map(),
    filter: previous.filter,
  };
  let entriesChanged = false;
  if (full) {
    // The exact path: every entry is here; the summary is rebuilt from them and the entries file rewritten.
    index.entries = new Map();
    for (const account of accounts) {
      const deduper = deduperOf(account);
      stats.duplicates += deduper.duplicates;
      index.entries.set(account, deduper.entries);
    }
    summarise(index);
    // A fresh random generation: two runs writing at once can never pair one's summary with the other's entries.
    index.generation = Math.floor(Math.random() * 2 ** 48) + 1;
    entriesChanged = true;
    changed = true;
  } else {
    // The fast path: the summary is updated with what changed.
    for (const account of accounts) {
      const deduper = deduperOf(account);
      stats.duplicates += deduper.duplicates;
      // The previous index's buckets stay as they were: the few that change are copied first.
      const buckets = new Map(previous.buckets.get(account));
      const owned = new Set<Bucket>();
      for (const entry of replaced.get(account) ?? []) addToBuckets(buckets, entry, -1, owned);
      for (const entry of accepted.get(account) ?? []) {
        addToBuckets(buckets, entry, 1, owned);
        for (const key of filterKeys(entry)) index.filter.add(key);
      }
      index.buckets.set(account, buckets);
      index.pending.set(account, [...(previous.pending.get(account) ?? []), ...(accepted.get(account) ?? [])]);
      let newest = 0;
      for (let i = 0; i < deduper.entries.length; i++) newest = Math.max(newest, deduper.entries.at(i));
      index.recent.set(account, recentOf(deduper.entries, newest));
    }
  }
  // Unterminated last lines count in this result, but not in the index (nor in the entries file): they are read
  // again once complete. One that might repeat a response already counted (or another tail) waits for that.
  const extra = new Map<string, UsageEntry[]>();
  const tailKeys = new Set<number>();
  for (const { account, entry } of tails) {
    const deduper = deduperOf(account);
    if (deduper.has(entry) || filterKeys(entry).some((key) => tailKeys.has(key))) continue;
    if (!full && filterKeys(entry).some((key) => index.filter.mayContain(key))) continue;
    for (const key of filterKeys(entry)) tailKeys.add(key);
    push(extra, account, entry);
  }
  let entries: Map<string, EntryTable> | null = null;
  if (full) {
    entries = new Map();
    for (const account of accounts) entries.set(account, deduperOf(account).entries);
  }
  return { entries, extra, index, stats, changed, entriesChanged };
}

/**
 * Reads one file from its kept offset with its provider's log format (see {@link FileOutcome}). Never throws: a file
 * that can't be read is an outcome. `pause` (if given) is awaited between chunks. With `sink`, each entry of a
 * complete line goes there as it is read instead of into the outcome's `entries` (then empty; the object passed may
 * be kept): a scan thread writes them into rows at once, so no entry outlives its line.
 */
export async function readLogFile(
  files: FileReader,
  task: FileTask,
  chunkBytes: number = CHUNK_BYTES,
  options: Pick<ScanOptions, 'pause'> & { sink?: (entry: UsageEntry) => void } = {},
): Promise<FileOutcome> {
  const stats = emptyStats();
  const entries: UsageEntry[] = [];
  const sink = options.sink;
  const outcome = (read: FileOutcome['read']): FileOutcome => ({ read, entries, stats });
  const { root, path, mark } = task;
  const format = logFormatOf(root.provider);
  if (!format) return outcome(null);
  const reader = format.open(
    format.projectOf(relativeTo(root, path), root.provider),
    sessionOf(path),
    mark?.carry ?? null,
  );
  const markers = format.markers;
  let offset = mark?.offset ?? 0;
  if (mark) {
    let info;
    try {
      info = await files.stat(path);
    } catch {
      stats.skipped.unreadableFile++;
      return outcome('rebuild');
    }
    if (!info) return outcome('rebuild');
    if (info.size === mark.size && info.mtimeMs === mark.mtimeMs) return outcome({ mark, tail: null });
    if (info.size < mark.offset) return outcome('rebuild');
    if (!(await fingerprintMatches(files, path, mark.offset, mark.edge))) return outcome('rebuild');
    if (mark.headEnd !== undefined && !(await fingerprintMatches(files, path, mark.headEnd, mark.head ?? 0))) {
      return outcome('rebuild');
    }
    stats.filesResumed++;
  }
  let size = 0;
  let mtimeMs = 0;
  let edge = mark?.edge ?? 0;
  let headEnd = mark?.headEnd;
  let head = mark?.head;
  let tail: UsageEntry | null = null;
  // What the complete lines leave for the next scan: taken before an unterminated last line is read, since that line
  // is read again once complete (a Codex total carried past it would make its tokens count zero then).
  let carry: LineCarry | undefined;
  let want = chunkBytes;
  for (;;) {
    const chunk = await read(files, path, {
      offset,
      maxBytes: want,
      markers,
      ...(headEnd === undefined && offset === 0 ? { head: HEAD_BYTES } : {}),
    });
    if (chunk === 'error') {
      stats.skipped.unreadableFile++;
      return outcome(mark ? 'rebuild' : null);
    }
    if (chunk === null) {
      stats.skipped.vanished++;
      return outcome(mark ? 'rebuild' : null);
    }
    size = chunk.size;
    mtimeMs = chunk.mtimeMs;
    if (chunk.size < offset) return outcome(mark ? 'rebuild' : null);
    if (chunk.consumed === 0 && !chunk.eof) {
      // One line longer than the range: read more, up to the cap.
      if (want >= MAX_LINE_BYTES) {
        stats.skipped.oversized++;
        break;
      }
      want = Math.min(MAX_LINE_BYTES, want * 2);
      continue;
    }
    want = chunkBytes;
    stats.bytesRead += chunk.consumed;
    for (const line of chunk.lines) addLine(line);
    offset += chunk.consumed;
    if (chunk.consumed > 0) edge = fingerprint(chunk.edge);
    if (headEnd === undefined && chunk.consumed > HEAD_BYTES) {
      // The fingerprint near the start: the lines within its first HEAD_BYTES (from this read when the reader gave it).
      const start = chunk.head ?? (await read(files, path, { offset: 0, maxBytes: HEAD_BYTES, markers: [] }));
      if (start !== null && start !== 'error') {
        const end = 'end' in start ? start.end : start.consumed;
        if (end > 0) {
          headEnd = end;
          head = fingerprint(start.edge);
        }
      }
    }
    if (chunk.eof) {
      carry = reader.carry();
      if (chunk.tail !== null) {
        const entry = parse(chunk.tail);
        if (entry) tail = entry;
      }
      break;
    }
    await options.pause?.();
  }
  carry ??= reader.carry();
  return outcome({
    mark: {
      size,
      mtimeMs,
      offset,
      edge,
      ...(headEnd !== undefined ? { headEnd, head } : {}),
      ...(carry ? { carry } : {}),
    },
    tail,
  });

  function parse(line: string): UsageEntry | null {
    const result = reader.read(line);
    if (result === null) return null;
    if (typeof result === 'string') {
      stats.skipped[result]++;
      return null;
    }
    return result;
  }
  function addLine(line: string): void {
    const entry = parse(line);
    if (entry) {
      stats.lines++;
      if (sink) sink(entry);
      else entries.push(entry);
    }
  }
}

/** True when the file's size and mtime are still those of its mark (false too when it can't be stat'ed). */
async function unchanged(files: FileReader, path: string, mark: FileMark): Promise<boolean> {
  try {
    const info = await files.stat(path);
    return info !== null && info.size === mark.size && info.mtimeMs === mark.mtimeMs;
  } catch {
    return false;
  }
}

/** Adds the counters of `more` to `stats` (the scan's own flags stay). */
function addStats(stats: ScanStats, more: ScanStats): void {
  stats.filesResumed += more.filesResumed;
  stats.bytesRead += more.bytesRead;
  stats.lines += more.lines;
  stats.duplicates += more.duplicates;
  for (const kind of Object.keys(more.skipped) as SkipKind[]) stats.skipped[kind] += more.skipped[kind];
}

/** True when the up to 64 bytes before `end` still hash to `edge` (and end a line). */
async function fingerprintMatches(files: FileReader, path: string, end: number, edge: number): Promise<boolean> {
  if (end <= 0) return true;
  const from = Math.max(0, end - 64);
  const check = await read(files, path, { offset: from, maxBytes: end - from, markers: [] });
  return check !== null && check !== 'error' && check.consumed === end - from && fingerprint(check.edge) === edge;
}

/** One ranged read; `'error'` when the file exists but could not be read. */
async function read(
  files: FileReader,
  path: string,
  request: { offset: number; maxBytes: number; markers: readonly string[] },
): Promise<LineChunk | null | 'error'> {
  try {
    if (files.readLines) return await files.readLines(path, request);
    return await readWhole(files, path, request);
  } catch {
    return 'error';
  }
}

/** The fallback for a FileReader without readLines: whole-file text, offsets counted in UTF-16 units of it. */
async function readWhole(
  files: FileReader,
  path: string,
  request: { offset: number; markers: readonly string[] },
): Promise<LineChunk | null> {
  const text = await files.readText(path);
  if (text === null) return null;
  const end = text.lastIndexOf('\n') + 1;
  const body = text.slice(request.offset, end);
  const lines = body.split('\n').filter((line) => request.markers.some((marker) => line.includes(marker)));
  const rest = text.slice(Math.max(end, request.offset));
  return {
    lines,
    consumed: Math.max(0, end - request.offset),
    size: text.length,
    mtimeMs: 0,
    eof: true,
    tail: rest !== '' && request.markers.some((marker) => rest.includes(marker)) ? rest : null,
    edge: text.slice(Math.max(0, end - 64), end),
  };
}
