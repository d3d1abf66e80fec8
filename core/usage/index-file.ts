/**
 * The incremental usage index, in two files of Headroom's state folder, written by the CLI and by the GNOME
 * extension alike (both go through this module and entries-file.ts):
 *
 * - `usage-index.bin`, the summary read by every scan: per log file its size, mtime, the offset read so far and
 *   fingerprints of its bytes; per account the totals by quarter hour (UTC) and model (enough for days, weeks and
 *   months in any zone, since zone offsets are whole quarter hours), the last 24 hours of entries (for the current
 *   five-hour block, and to dedupe a response split across two scans), the entries added since the entries file
 *   was written, and a Bloom filter of every response id kept (key-filter.ts);
 * - `usage-entries.bin` (entries-file.ts), every deduped entry, read only when a scan needs them (a new line might
 *   repeat an old response, or a session report was asked) and rewritten only then.
 *
 * Both carry a generation number; a summary whose generation differs from the entries file's is not used.
 */
import * as z from 'zod/mini';
import type { UsageEntry } from './entries.js';
import { EntryTable, StringTable } from './entry-table.js';
import type { LineCarry } from './log-format.js';
import { blockOpeningAtOrBefore } from './blocks.js';
import { KeyFilter, filterKeys } from './key-filter.js';
import { costOf } from './pricing.js';
import { readWordFile, uint32sOf, wordFile, wordsOf } from './word-file.js';

/** The summary's file name in the state folder (the entries file: entries-file.ts). */
export const USAGE_INDEX_FILE = 'usage-index.bin';

/** What the index remembers of one file. */
export interface FileMark {
  /** Bytes and modification time (epoch ms) when last read. */
  size: number;
  mtimeMs: number;
  /** Bytes read and counted (through the last complete line). */
  offset: number;
  /** A hash of the up to 64 bytes before `offset` (key-filter.ts `fingerprint`): changed means replaced. */
  edge: number;
  /**
   * A second fingerprint near the start: of the up to 64 bytes before `headEnd` (the end of the lines within the
   * first 4 KiB). A file rewritten in place is taken for an appended one only if both fingerprints still match.
   */
  headEnd?: number;
  head?: number;
  /** What the file's lines read so far leave for its next ones, for a format that carries something (Codex). */
  carry?: LineCarry;
}

/** What the index remembers of one folder under a scan root: its listing, reused while its mtime is unchanged. */
export interface DirMark {
  /** The folder's modification time (epoch ms) when listed. */
  mtimeMs: number;
  /** When it was listed (epoch ms). */
  listedAt: number;
  /** Names of its subfolders, and of its log files (those its log format reads: `*.jsonl`; Codex `rollout-*.jsonl`). */
  dirs: string[];
  files: string[];
}

/** Totals of one model in one quarter hour. Tokens are counts, cost USD of the priced entries. */
export interface Bucket {
  /** Quarter hours since the epoch (UTC): `floor(epoch ms / 900 000)`. */
  quarter: number;
  model: string;
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
  cost: number;
  /** Some entry of it had no price. */
  unpriced: boolean;
}

/** The index (see the module comment). */
export interface UsageIndex {
  /** Increases whenever the entries file is rewritten. */
  generation: number;
  files: Map<string, FileMark>;
  /** Folder listings by path (see scan.ts `listLogs` for when one is reused). */
  dirs: Map<string, DirMark>;
  /** Every deduped entry by account (tables sharing one string table); null when only the summary was read. */
  entries: Map<string, EntryTable> | null;
  /** Totals by account, keyed `quarter|model`. */
  buckets: Map<string, Map<string, Bucket>>;
  /** Entries of the last 24 hours before the newest one, by account. */
  recent: Map<string, UsageEntry[]>;
  /** Entries kept since the entries file was written, in the order they were added, by account. */
  pending: Map<string, UsageEntry[]>;
  filter: KeyFilter;
}

/** An index with nothing in it. */
export function emptyIndex(): UsageIndex {
  return {
    generation: 0,
    files: new Map(),
    dirs: new Map(),
    entries: new Map(),
    buckets: new Map(),
    recent: new Map(),
    pending: new Map(),
    filter: KeyFilter.forCapacity(1024),
  };
}

/** How far back the summary keeps whole entries, ms. */
export const RECENT_MS = 24 * 3_600_000;
/** Pending entries beyond this make the next scan fold them into the entries file. */
export const MAX_PENDING = 50_000;

/**
 * Adds (sign 1) or removes (sign −1) an entry's tokens and cost in its account's buckets. With `owned`, a bucket not in
 * it is shared with an earlier index: it is replaced by a copy (added to `owned`) before it changes.
 */
export function addToBuckets(buckets: Map<string, Bucket>, entry: UsageEntry, sign: 1 | -1, owned?: Set<Bucket>): void {
  const quarter = Math.floor(entry.at / 900_000);
  const key = `${quarter}|${entry.model}`;
  let bucket = buckets.get(key);
  if (bucket && owned && !owned.has(bucket)) {
    bucket = { ...bucket };
    buckets.set(key, bucket);
    owned.add(bucket);
  }
  if (!bucket) {
    bucket = newBucket(quarter, entry.model);
    buckets.set(key, bucket);
    owned?.add(bucket);
  }
  addToBucket(bucket, entry, sign);
}

function newBucket(quarter: number, model: string): Bucket {
  return { quarter, model, input: 0, output: 0, cacheWrite: 0, cacheRead: 0, cost: 0, unpriced: false };
}

function addToBucket(bucket: Bucket, entry: UsageEntry, sign: 1 | -1): void {
  bucket.input += sign * entry.input;
  bucket.output += sign * entry.output;
  bucket.cacheWrite += sign * (entry.cacheWrite5m + entry.cacheWrite1h);
  bucket.cacheRead += sign * entry.cacheRead;
  const cost = costOf(entry.model, entry);
  if (cost === null) bucket.unpriced = true;
  else bucket.cost += sign * cost;
}

/** Rebuilds buckets, recent entries and the filter from the full entries; pending becomes empty. */
export function summarise(index: UsageIndex): void {
  const entries = index.entries;
  if (!entries) return;
  let total = 0;
  for (const table of entries.values()) total += table.length;
  // One key an entry, and room for a quarter more before the filter counts as full.
  index.filter = KeyFilter.forCapacity(Math.max(4096, Math.ceil(total * 1.25)));
  index.buckets = new Map();
  index.recent = new Map();
  index.pending = new Map();
  // One object read into for every row, and the last bucket kept at hand (a session's requests mostly share their
  // quarter hour and model): no garbage per entry on a cold scan's ~10^5–10^6 entries.
  const entry = new EntryTable().get(-1);
  for (const [account, table] of entries) {
    const buckets = new Map<string, Bucket>();
    let last: Bucket | undefined;
    let newest = 0;
    for (let i = 0; i < table.length; i++) {
      table.read(i, entry);
      const quarter = Math.floor(entry.at / 900_000);
      if (last?.quarter !== quarter || last.model !== entry.model) {
        const key = `${quarter}|${entry.model}`;
        last = buckets.get(key);
        if (!last) buckets.set(key, (last = newBucket(quarter, entry.model)));
      }
      addToBucket(last, entry, 1);
      for (const key of filterKeys(entry)) index.filter.add(key);
      if (entry.at > newest) newest = entry.at;
    }
    index.buckets.set(account, buckets);
    index.recent.set(account, recentOf(table, newest));
  }
}

/**
 * The entries of `table` in the {@link RECENT_MS} before `newest` (epoch ms), as objects, and those since the request
 * that opened the five-hour block holding the first of them (blocks.ts `blockOpeningAtOrBefore`): the current block
 * computed from them is the one computed from every entry, even after a day of work without a five-hour pause.
 */
export function recentOf(table: EntryTable, newest: number): UsageEntry[] {
  const times = new Float64Array(table.length);
  for (let i = 0; i < table.length; i++) times[i] = table.at(i);
  const from = Math.min(newest - RECENT_MS, blockOpeningAtOrBefore(times.sort(), newest - RECENT_MS));
  const recent: UsageEntry[] = [];
  for (let i = 0; i < table.length; i++) if (table.at(i) >= from) recent.push(table.get(i));
  return recent;
}

/** Format version; files of another version are ignored (a cold scan rebuilds them). */
const VERSION = 10;
/** The summary file's first word (word-file.ts). */
const SUMMARY_MAGIC = 0x4865616472 + 0.5;

/**
 * Entries as one transferable block (a scan thread's result, scan.ts `FileScanPool`): the entries file's rows in a
 * Float64Array, and the string table they index. {@link unpackEntries} reads it back.
 */
export function packEntries(entries: readonly UsageEntry[]): { rows: Float64Array; strings: string[] } {
  const table = EntryTable.of(entries);
  return { rows: table.rowsOf(0, table.length), strings: table.strings.strings };
}

/** The entries of a {@link packEntries} block, in order; null when it is malformed. */
export function unpackEntries(rows: Float64Array, strings: readonly string[]): UsageEntry[] | null {
  return EntryTable.fromRows(rows, StringTable.of(strings))?.toArray() ?? null;
}

/** True when every value of `words` is finite (a damaged file can hold NaN or Infinity; JSON never did). */
function finite(words: Float64Array): boolean {
  for (let i = 0; i < words.length; i++) if (!Number.isFinite(words[i])) return false;
  return true;
}

const Header = z.object({
  generation: z.number(),
  strings: z.array(z.string()),
  dirPaths: z.array(z.string()),
  dirNames: z.array(z.string()),
  extraPaths: z.array(z.string()),
  accounts: z.array(z.string()),
  filterKeys: z.number(),
  filterWords: z.number(),
});

/** A file mark's row (see {@link serializeSummary}); a row of -1s for a listed file without a mark. */
function pushMark(marks: number[], mark: FileMark | undefined, id: (text: string) => number): void {
  if (!mark) {
    for (let k = 0; k < MARK; k++) marks.push(-1);
    return;
  }
  marks.push(
    mark.size,
    mark.mtimeMs,
    mark.offset,
    mark.edge,
    mark.headEnd ?? -1,
    mark.head ?? 0,
    mark.carry ? mark.carry.lastTotal : 0,
    mark.carry ? (mark.carry.model === null ? -1 : id(mark.carry.model)) : -2,
  );
}

/** Numbers per file mark row. */
const MARK = 8;

/**
 * The summary file's bytes: a word file (word-file.ts) laid out as few, flat sections (a refresh reads it whole, and
 * many small objects cost more to build than the bytes do to read). Its header is JSON `{generation, strings,
 * dirPaths, dirNames, extraPaths, accounts, filterKeys, filterWords}`; its sections:
 * - `dirRows`: the folder listings ({@link DirMark}), 4 numbers each `[mtimeMs, listedAt, subfolder count, log file
 *   count]`, the folders' paths in the header's `dirPaths`, and each folder's subfolder names then its log file names
 *   in its `dirNames`, in order;
 * - `marks`: {@link MARK} numbers per log file, `[size, mtimeMs, offset, edge, headEnd or -1, head, carried lastTotal,
 *   carried model (index into strings; -1 none; -2 nothing carried)]` (all -1: no mark), first for every log file of
 *   the listings in order, then for the files named in `extraPaths`;
 * - the key filter's 32-bit words (`filterWords` of them, holding `filterKeys` keys);
 * - per account of `accounts`: its buckets (8 numbers each: quarter, model, input, output, cacheWrite, cacheRead,
 *   cost USD, unpriced), and its recent and pending entries as rows (entry-table.ts).
 */
export function serializeSummary(index: UsageIndex): Uint8Array {
  const table = new StringTable();
  const id = (text: string): number => table.id(text);
  const dirPaths: string[] = [];
  const dirRows: number[] = [];
  const dirNames: string[] = [];
  const marks: number[] = [];
  const covered = new Set<string>();
  for (const [path, dir] of index.dirs) {
    dirPaths.push(path);
    dirRows.push(dir.mtimeMs, dir.listedAt, dir.dirs.length, dir.files.length);
    for (const name of dir.dirs) dirNames.push(name);
    for (const name of dir.files) {
      dirNames.push(name);
      const file = `${path}/${name}`;
      covered.add(file);
      pushMark(marks, index.files.get(file), id);
    }
  }
  const extraPaths: string[] = [];
  for (const [path, mark] of index.files) {
    if (covered.has(path)) continue;
    extraPaths.push(path);
    pushMark(marks, mark, id);
  }
  const accounts = [...new Set([...index.buckets.keys(), ...index.recent.keys(), ...index.pending.keys()])];
  const sections = [[Float64Array.from(dirRows)], [Float64Array.from(marks)], [wordsOf(index.filter.words)]];
  for (const account of accounts) {
    const buckets: number[] = [];
    for (const b of index.buckets.get(account)?.values() ?? []) {
      if (b.input === 0 && b.output === 0 && b.cacheWrite === 0 && b.cacheRead === 0) continue;
      buckets.push(b.quarter, id(b.model), b.input, b.output, b.cacheWrite, b.cacheRead, b.cost, b.unpriced ? 1 : 0);
    }
    const recent = EntryTable.of(index.recent.get(account) ?? [], table);
    const pending = EntryTable.of(index.pending.get(account) ?? [], table);
    sections.push([Float64Array.from(buckets)], recent.views(0, recent.length), pending.views(0, pending.length));
  }
  const header = {
    generation: index.generation,
    strings: table.strings,
    dirPaths,
    dirNames,
    extraPaths,
    accounts,
    filterKeys: index.filter.count,
    filterWords: index.filter.words.length,
  };
  return wordFile(SUMMARY_MAGIC, VERSION, header, sections);
}

/** Reads a mark row at `i`; undefined for a row of -1s, null when malformed. */
function readMark(marks: Float64Array, i: number, strings: readonly string[]): FileMark | undefined | null {
  const size = marks[i]!;
  if (size === -1) return undefined;
  const carriedModel = marks[i + 7]!;
  const model = carriedModel >= 0 ? strings[carriedModel] : null;
  if (model === undefined) return null;
  const headEnd = marks[i + 4]!;
  return {
    size,
    mtimeMs: marks[i + 1]!,
    offset: marks[i + 2]!,
    edge: marks[i + 3]!,
    ...(headEnd >= 0 ? { headEnd, head: marks[i + 5]! } : {}),
    ...(carriedModel >= -1 ? { carry: { lastTotal: marks[i + 6]!, model } } : {}),
  };
}

/** Reads the summary file; null (a cold scan follows) when it is not a valid summary of this version. */
export function parseSummary(bytes: Uint8Array): UsageIndex | null {
  const file = readWordFile(bytes, SUMMARY_MAGIC, VERSION);
  const parsed = file && Header.safeParse(file.header);
  if (!file || !parsed?.success) return null;
  const { strings, accounts, generation, dirPaths, dirNames, extraPaths } = parsed.data;
  if (file.sections.length !== 3 + accounts.length * 3) return null;
  const [dirRows, marks, filterWords] = file.sections as [Float64Array, Float64Array, Float64Array];
  const words = uint32sOf(filterWords, parsed.data.filterWords);
  const filter = words && KeyFilter.fromWords(words, parsed.data.filterKeys);
  if (!filter || !finite(dirRows) || !finite(marks) || dirRows.length !== dirPaths.length * 4) return null;
  if (marks.length % MARK !== 0) return null;
  const table = StringTable.of(strings);
  const index: UsageIndex = { ...emptyIndex(), generation, entries: null, filter };
  let name = 0;
  let row = 0;
  const setMark = (path: string): boolean => {
    if (row + MARK > marks.length) return false;
    const mark = readMark(marks, row, strings);
    row += MARK;
    if (mark === null) return false;
    if (mark) index.files.set(path, mark);
    return true;
  };
  for (let d = 0; d < dirPaths.length; d++) {
    const path = dirPaths[d]!;
    const subdirs = dirRows[d * 4 + 2]!;
    const logs = dirRows[d * 4 + 3]!;
    if (!(subdirs >= 0 && logs >= 0 && name + subdirs + logs <= dirNames.length)) return null;
    const dirs = dirNames.slice(name, name + subdirs);
    const files = dirNames.slice(name + subdirs, name + subdirs + logs);
    name += subdirs + logs;
    index.dirs.set(path, { mtimeMs: dirRows[d * 4]!, listedAt: dirRows[d * 4 + 1]!, dirs, files });
    for (const file of files) if (!setMark(`${path}/${file}`)) return null;
  }
  for (const path of extraPaths) if (!setMark(path)) return null;
  if (row !== marks.length) return null;
  for (const [k, account] of accounts.entries()) {
    const [rows, recentRows, pendingRows] = file.sections.slice(3 + k * 3) as [
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    const recent = EntryTable.fromRows(recentRows, table)?.toArray();
    const pending = EntryTable.fromRows(pendingRows, table)?.toArray();
    if (!recent || !pending || !finite(rows) || rows.length % 8 !== 0) return null;
    const buckets = new Map<string, Bucket>();
    for (let i = 0; i < rows.length; i += 8) {
      const model = strings[rows[i + 1]!];
      if (model === undefined) return null;
      const quarter = rows[i]!;
      buckets.set(`${quarter}|${model}`, {
        quarter,
        model,
        input: rows[i + 2]!,
        output: rows[i + 3]!,
        cacheWrite: rows[i + 4]!,
        cacheRead: rows[i + 5]!,
        cost: rows[i + 6]!,
        unpriced: rows[i + 7]! === 1,
      });
    }
    index.buckets.set(account, buckets);
    index.recent.set(account, recent);
    index.pending.set(account, pending);
  }
  return index;
}
