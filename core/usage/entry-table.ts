/**
 * Deduped usage entries held in columns rather than as objects: a year of heavy use is about 10^6 entries, and as
 * objects each costs about 190 bytes (an object of 15 fields, its boxed epoch and hashes) spread over the JS heap,
 * which every collection walks. Here an entry is one row of {@link ENTRY_ROW} numbers in a single Float64Array
 * (112 bytes, never walked by the collector), with its strings (model, project, session) as indices into a
 * {@link StringTable} that the tables of one scan share.
 *
 * The row is also the entries file's row (index-file.ts), so the file is written and read without building objects:
 * `[at s, at ms part, model, input, output, cacheWrite5m, cacheWrite1h, cacheRead, flags (1 fast, 2 hasSpeed,
 * 4 sidechain), project, session, costUSD or -1, id, key]`. The instant is split in two so that both parts stay
 * small integers in JSON.
 */
import type { UsageEntry } from './entries.js';

/** Numbers per entry row. */
export const ENTRY_ROW = 14;

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
  private rows: Float64Array;
  /** Entries held. */
  length = 0;

  constructor(readonly strings: StringTable = new StringTable()) {
    this.rows = new Float64Array(ENTRY_ROW * 64);
  }

  /** A table of `entries`, in order. */
  static of(entries: Iterable<UsageEntry>, strings: StringTable = new StringTable()): EntryTable {
    const table = new EntryTable(strings);
    for (const entry of entries) table.push(entry);
    return table;
  }

  /**
   * A table of rows in the file layout (strings indexing `strings`), every value checked: instants and counts finite
   * and non-negative, string indices in range, flags 0–7. Null when any row is malformed.
   */
  static fromRows(rows: ArrayLike<unknown>, strings: StringTable): EntryTable | null {
    if (rows.length % ENTRY_ROW !== 0) return null;
    const table = new EntryTable(strings);
    table.reserve(rows.length / ENTRY_ROW);
    const names = strings.strings.length;
    for (let i = 0; i < rows.length; i += ENTRY_ROW) {
      for (let k = i; k < i + ENTRY_ROW; k++) {
        const value = rows[k];
        if (typeof value !== 'number' || !Number.isFinite(value)) return null;
        if (k - i !== 11 && value < 0) return null;
      }
      const r = rows as ArrayLike<number>;
      for (const k of [2, 8, 9, 10]) if (!Number.isInteger(r[i + k])) return null;
      if (!(r[i + 2]! < names && r[i + 9]! < names && r[i + 10]! < names && r[i + 8]! <= 7)) return null;
      for (let k = 0; k < ENTRY_ROW; k++) table.rows[i + k] = r[i + k]!;
    }
    table.length = rows.length / ENTRY_ROW;
    return table;
  }

  /** Room for `count` entries in all. */
  private reserve(count: number): void {
    if (count * ENTRY_ROW <= this.rows.length) return;
    let size = this.rows.length;
    while (size < count * ENTRY_ROW) size *= 2;
    const grown = new Float64Array(size);
    grown.set(this.rows.subarray(0, this.length * ENTRY_ROW));
    this.rows = grown;
  }

  /** Appends an entry; returns its index. */
  push(entry: UsageEntry): number {
    this.reserve(this.length + 1);
    this.write(this.length, entry);
    return this.length++;
  }

  /** Replaces entry `i` (0 ≤ i < length). */
  set(i: number, entry: UsageEntry): void {
    this.write(i, entry);
  }

  private write(i: number, e: UsageEntry): void {
    const r = this.rows;
    const o = i * ENTRY_ROW;
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

  /** Entry `i` as a new object. */
  get(i: number): UsageEntry {
    const r = this.rows;
    const o = i * ENTRY_ROW;
    const names = this.strings.strings;
    const flags = r[o + 8]!;
    const cost = r[o + 11]!;
    return {
      at: r[o]! * 1000 + r[o + 1]!,
      model: names[r[o + 2]!]!,
      input: r[o + 3]!,
      output: r[o + 4]!,
      cacheWrite5m: r[o + 5]!,
      cacheWrite1h: r[o + 6]!,
      cacheRead: r[o + 7]!,
      fast: (flags & 1) !== 0,
      hasSpeed: (flags & 2) !== 0,
      project: names[r[o + 9]!]!,
      session: names[r[o + 10]!]!,
      id: r[o + 12]!,
      key: r[o + 13]!,
      sidechain: (flags & 4) !== 0,
      costUSD: cost < 0 ? null : cost,
    };
  }

  /** Entry `i`'s request time, epoch ms. */
  at(i: number): number {
    return this.rows[i * ENTRY_ROW]! * 1000 + this.rows[i * ENTRY_ROW + 1]!;
  }

  /** Entry `i`'s dedupe hashes (entries.ts `UsageEntry.id`, `.key`; 0 for none). */
  id(i: number): number {
    return this.rows[i * ENTRY_ROW + 12]!;
  }

  key(i: number): number {
    return this.rows[i * ENTRY_ROW + 13]!;
  }

  sidechain(i: number): boolean {
    return (this.rows[i * ENTRY_ROW + 8]! & 4) !== 0;
  }

  hasSpeed(i: number): boolean {
    return (this.rows[i * ENTRY_ROW + 8]! & 2) !== 0;
  }

  /** Entry `i`'s tokens of all kinds (entries.ts `entryTotal`). */
  total(i: number): number {
    const o = i * ENTRY_ROW;
    const r = this.rows;
    return r[o + 3]! + r[o + 4]! + r[o + 5]! + r[o + 6]! + r[o + 7]!;
  }

  /** Rows `[from, to)` as plain numbers, their strings indexing {@link strings}. */
  rowsOf(from: number, to: number): number[] {
    return Array.from(this.rows.subarray(from * ENTRY_ROW, to * ENTRY_ROW));
  }

  /** Every entry as a new object, in order. */
  toArray(): UsageEntry[] {
    const entries: UsageEntry[] = [];
    for (let i = 0; i < this.length; i++) entries.push(this.get(i));
    return entries;
  }
}
