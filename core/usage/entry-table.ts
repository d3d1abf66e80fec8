/**
 * Deduped usage entries held in columns rather than as objects: a year of heavy use is about 10^6 entries, and as
 * objects each costs about 190 bytes (an object of 15 fields, its boxed epoch and hashes) spread over the JS heap,
 * which every collection walks. Here an entry is one row of {@link ENTRY_ROW} numbers in Float64Arrays of
 * {@link CHUNK_ROWS} rows (112 bytes an entry, never walked by the collector; chunks, so that growing copies nothing
 * and leaves no spare half), with its strings (model, project, session) as indices into a
 * {@link StringTable} that the tables of one scan share.
 *
 * The row is also the row of the index files (entries-file.ts, index-file.ts) and of a scan thread's block, so they
 * are written and read without building objects: `[at s, at ms part, model, input, output, cacheWrite5m,
 * cacheWrite1h, cacheRead, flags (1 fast, 2 hasSpeed, 4 sidechain), project, session, costUSD or -1, id, key]`
 * (tokens are counts, costUSD in USD, `id` and `key` the 53-bit dedupe hashes of entries.ts `UsageEntry`).
 */
import type { UsageEntry } from './entries.js';

/** Numbers per entry row. */
export const ENTRY_ROW = 14;
/** Rows per chunk (a power of two: row `i` is in chunk `i >>> CHUNK_BITS`). */
const CHUNK_BITS = 12;
const CHUNK_ROWS = 1 << CHUNK_BITS;

/** Strings by index, each stored once. */
export class StringTable {
  readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();

  /** A table holding `strings` (as read from a file; a repeated string keeps its first index). */
  static of(strings: readonly string[]): StringTable {
    const table = new StringTable();
    for (const text of strings) {
      if (!table.ids.has(text)) table.ids.set(text, table.strings.length);
      table.strings.push(text);
    }
    return table;
  }

  /** The index of `text`, added when new. */
  id(text: string): number {
    let n = this.ids.get(text);
    if (n === undefined) {
      n = this.strings.length;
      this.strings.push(text);
      this.ids.set(text, n);
    }
    return n;
  }
}

/** Usage entries as rows (see the module comment), in the order they were pushed. */
export class EntryTable {
  private readonly chunks: Float64Array[] = [];
  /** Entries held. */
  length = 0;

  constructor(readonly strings: StringTable = new StringTable()) {}

  /** A table of `entries`, in order. */
  static of(entries: Iterable<UsageEntry>, strings: StringTable = new StringTable()): EntryTable {
    const table = new EntryTable(strings);
    for (const entry of entries) table.push(entry);
    return table;
  }

  /**
   * A table of rows in the file layout (strings indexing `strings`), checked by {@link validRows}; null when any row
   * is malformed.
   */
  static fromRows(rows: ArrayLike<unknown>, strings: StringTable): EntryTable | null {
    if (!EntryTable.validRows(rows, strings.strings.length)) return null;
    const table = new EntryTable(strings);
    const r = rows as ArrayLike<number>;
    for (let i = 0; i < rows.length; i += ENTRY_ROW) {
      const n = table.grow();
      const c = table.chunks[n >>> CHUNK_BITS]!;
      const o = (n & (CHUNK_ROWS - 1)) * ENTRY_ROW;
      for (let k = 0; k < ENTRY_ROW; k++) c[o + k] = r[i + k]!;
    }
    return table;
  }

  /**
   * True when `rows` are whole rows of the layout with every value checked: numbers, finite, non-negative (but
   * costUSD's -1 for none), string indices integers below `strings`, flags 0–7.
   */
  static validRows(rows: ArrayLike<unknown>, strings: number): rows is ArrayLike<number> {
    if (rows.length % ENTRY_ROW !== 0) return false;
    for (let i = 0; i < rows.length; i += ENTRY_ROW) {
      for (let k = i; k < i + ENTRY_ROW; k++) {
        const value = rows[k];
        if (typeof value !== 'number' || !Number.isFinite(value)) return false;
        if (k - i !== 11 && value < 0) return false;
      }
      const r = rows as ArrayLike<number>;
      const [model, flags, project, session] = [r[i + 2]!, r[i + 8]!, r[i + 9]!, r[i + 10]!];
      if (!(Number.isInteger(model) && Number.isInteger(project) && Number.isInteger(session))) return false;
      if (!(model < strings && project < strings && session < strings && flags === (flags & 7))) return false;
    }
    return true;
  }

  /** Adds a row of zeros; returns its index. */
  private grow(): number {
    const n = this.length;
    const first = this.chunks[0];
    if (first === undefined) {
      this.chunks.push(new Float64Array(16 * ENTRY_ROW));
    } else if (n < CHUNK_ROWS && n * ENTRY_ROW === first.length) {
      // The first chunk starts small and doubles (a table of a few entries stays small), then chunks are whole.
      const grown = new Float64Array(first.length * 2);
      grown.set(first);
      this.chunks[0] = grown;
    } else if (n >= CHUNK_ROWS && (n & (CHUNK_ROWS - 1)) === 0 && this.chunks.length <= n >>> CHUNK_BITS) {
      this.chunks.push(new Float64Array(CHUNK_ROWS * ENTRY_ROW));
    }
    return this.length++;
  }

  /**
   * An empty table, with a new string table, that writes its rows into this table's memory (a scan thread's table of
   * one batch after another, which would otherwise leave its arrays behind for the collector at every batch). This
   * table must not be used any more.
   */
  emptied(): EntryTable {
    const table = new EntryTable();
    table.chunks.push(...this.chunks);
    return table;
  }

  /** Appends an entry; returns its index. */
  push(entry: UsageEntry): number {
    const n = this.grow();
    this.write(n, entry);
    return n;
  }

  /**
   * Appends row `at` of `rows` (the row layout, its strings indexing another table: `ids` maps those indices to this
   * table's); returns its index. The row's values are trusted: they come from {@link fromRows} or a thread's
   * {@link push}.
   */
  pushRow(rows: Float64Array, at: number, ids: readonly number[]): number {
    const n = this.grow();
    this.copyRow(n, rows, at, ids);
    return n;
  }

  /** Replaces entry `i` with row `at` of `rows` (see {@link pushRow}). */
  setRow(i: number, rows: Float64Array, at: number, ids: readonly number[]): void {
    this.copyRow(i, rows, at, ids);
  }

  private copyRow(i: number, rows: Float64Array, at: number, ids: readonly number[]): void {
    const r = this.chunks[i >>> CHUNK_BITS]!;
    const o = (i & (CHUNK_ROWS - 1)) * ENTRY_ROW;
    const from = at * ENTRY_ROW;
    for (let k = 0; k < ENTRY_ROW; k++) r[o + k] = rows[from + k]!;
    r[o + 2] = ids[r[o + 2]!]!;
    r[o + 9] = ids[r[o + 9]!]!;
    r[o + 10] = ids[r[o + 10]!]!;
  }

  /** Replaces entry `i` (0 ≤ i < length). */
  set(i: number, entry: UsageEntry): void {
    this.write(i, entry);
  }

  private write(i: number, e: UsageEntry): void {
    const r = this.chunks[i >>> CHUNK_BITS]!;
    const o = (i & (CHUNK_ROWS - 1)) * ENTRY_ROW;
    const seconds = Math.floor(e.at / 1000);
    r[o] = seconds;
    r[o + 1] = e.at - seconds * 1000;
    r[o + 2] = this.strings.id(e.model);
    r[o + 3] = e.input;
    r[o + 4] = e.output;
    r[o + 5] = e.cacheWrite5m;
    r[o + 6] = e.cacheWrite1h;
    r[o + 7] = e.cacheRead;
    r[o + 8] = (e.fast ? 1 : 0) | (e.hasSpeed ? 2 : 0) | (e.sidechain ? 4 : 0);
    r[o + 9] = this.strings.id(e.project);
    r[o + 10] = this.strings.id(e.session);
    r[o + 11] = e.costUSD ?? -1;
    r[o + 12] = e.id;
    r[o + 13] = e.key;
  }

  /** Entry `i` as a new object (an out-of-range `i` gives an object of zeros and empty strings to read into). */
  get(i: number): UsageEntry {
    const entry: UsageEntry = {
      at: 0,
      model: '',
      input: 0,
      output: 0,
      cacheWrite5m: 0,
      cacheWrite1h: 0,
      cacheRead: 0,
      fast: false,
      hasSpeed: false,
      project: '',
      session: '',
      id: 0,
      key: 0,
      sidechain: false,
      costUSD: null,
    };
    if (i >= 0 && i < this.length) this.read(i, entry);
    return entry;
  }

  /** Overwrites `entry` with entry `i` (a loop over many entries reads them all into one object). */
  read(i: number, entry: UsageEntry): void {
    const r = this.chunks[i >>> CHUNK_BITS]!;
    const o = (i & (CHUNK_ROWS - 1)) * ENTRY_ROW;
    const names = this.strings.strings;
    const flags = r[o + 8]!;
    const cost = r[o + 11]!;
    entry.at = r[o]! * 1000 + r[o + 1]!;
    entry.model = names[r[o + 2]!]!;
    entry.input = r[o + 3]!;
    entry.output = r[o + 4]!;
    entry.cacheWrite5m = r[o + 5]!;
    entry.cacheWrite1h = r[o + 6]!;
    entry.cacheRead = r[o + 7]!;
    entry.fast = (flags & 1) !== 0;
    entry.hasSpeed = (flags & 2) !== 0;
    entry.project = names[r[o + 9]!]!;
    entry.session = names[r[o + 10]!]!;
    entry.id = r[o + 12]!;
    entry.key = r[o + 13]!;
    entry.sidechain = (flags & 4) !== 0;
    entry.costUSD = cost < 0 ? null : cost;
  }

  /** Entry `i`'s request time, epoch ms. */
  at(i: number): number {
    const o = (i & (CHUNK_ROWS - 1)) * ENTRY_ROW;
    const r = this.chunks[i >>> CHUNK_BITS]!;
    return r[o]! * 1000 + r[o + 1]!;
  }

  /** Entry `i`'s dedupe hashes (entries.ts `UsageEntry.id`, `.key`; 0 for none). */
  id(i: number): number {
    return this.cell(i, 12);
  }

  key(i: number): number {
    return this.cell(i, 13);
  }

  sidechain(i: number): boolean {
    return (this.cell(i, 8) & 4) !== 0;
  }

  hasSpeed(i: number): boolean {
    return (this.cell(i, 8) & 2) !== 0;
  }

  /** Entry `i`'s tokens of all kinds (entries.ts `entryTotal`). */
  total(i: number): number {
    const r = this.chunks[i >>> CHUNK_BITS]!;
    const o = (i & (CHUNK_ROWS - 1)) * ENTRY_ROW;
    return r[o + 3]! + r[o + 4]! + r[o + 5]! + r[o + 6]! + r[o + 7]!;
  }

  /** Number `k` of row `i`. */
  private cell(i: number, k: number): number {
    return this.chunks[i >>> CHUNK_BITS]![(i & (CHUNK_ROWS - 1)) * ENTRY_ROW + k]!;
  }

  /** Rows `[from, to)` in one new array, their strings indexing {@link strings}. */
  rowsOf(from: number, to: number): Float64Array {
    const rows = new Float64Array((to - from) * ENTRY_ROW);
    let at = 0;
    for (const view of this.views(from, to)) {
      rows.set(view, at);
      at += view.length;
    }
    return rows;
  }

  /** Views of the rows `[from, to)`, one per chunk they span. */
  views(from: number, to: number): Float64Array[] {
    const parts: Float64Array[] = [];
    for (let i = from; i < to;) {
      const o = i & (CHUNK_ROWS - 1);
      const count = Math.min(to - i, CHUNK_ROWS - o);
      parts.push(this.chunks[i >>> CHUNK_BITS]!.subarray(o * ENTRY_ROW, (o + count) * ENTRY_ROW));
      i += count;
    }
    return parts;
  }

  /** Every entry as a new object, in order. */
  toArray(): UsageEntry[] {
    const entries: UsageEntry[] = [];
    for (let i = 0; i < this.length; i++) entries.push(this.get(i));
    return entries;
  }
}
