/**
 * Dedupe of Claude Code usage entries across all files, as ccusage 20 does it (ccusage/ccusage
 * `rust/adapters/claude/src`, `push_deduped_entry`): Claude Code writes one line per content block of a response,
 * all with the same `message.id` and `requestId` (early copies carry partial `output_tokens`), resumed sessions copy
 * earlier lines into a new file, and subagent progress repeats a subagent's lines.
 *
 * - key: `(message.id, requestId)`; when either copy is a sidechain line, `message.id` alone matches;
 * - on a collision the kept copy is replaced when it is a sidechain copy and the new one is not; else when the new
 *   copy's total tokens are larger; else when the new copy carries `speed` and the kept one does not;
 * - lines without `message.id` are never deduped.
 *
 * The keys are the entries' 53-bit hashes (`id`, `key`; key-filter.ts `responseKeys`, where the collision odds are
 * stated): numbers in the maps instead of strings.
 */
import { type UsageEntry, entryTotal } from './entries.js';
import { ENTRY_ROW, EntryTable } from './entry-table.js';

/**
 * A map from a dedupe hash (a positive integer below 2^53) to an entry's index, in typed arrays: open addressing with
 * linear probing from the key's low 32 bits (a hash already), 0 marking a free slot (so 0 is never a key). About 24
 * bytes a key, against about 50 for a Map of boxed numbers.
 */
class HashIndex {
  private keys = new Float64Array(1024);
  private slots = new Int32Array(1024);
  private used = 0;

  get(key: number): number | undefined {
    if (key === 0) return undefined;
    const mask = this.keys.length - 1;
    for (let at = (key >>> 0) & mask; ; at = (at + 1) & mask) {
      const found = this.keys[at]!;
      if (found === key) return this.slots[at];
      if (found === 0) return undefined;
    }
  }

  set(key: number, slot: number): void {
    if (key === 0) return;
    if ((this.used + 1) * 2 > this.keys.length) this.grow();
    this.put(key, slot);
  }

  private put(key: number, slot: number): void {
    const mask = this.keys.length - 1;
    for (let at = (key >>> 0) & mask; ; at = (at + 1) & mask) {
      const found = this.keys[at]!;
      if (found === key) {
        this.slots[at] = slot;
        return;
      }
      if (found === 0) {
        this.keys[at] = key;
        this.slots[at] = slot;
        this.used++;
        return;
      }
    }
  }

  private grow(): void {
    const { keys, slots } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.slots = new Int32Array(keys.length * 2);
    this.used = 0;
    for (let at = 0; at < keys.length; at++) if (keys[at] !== 0) this.put(keys[at]!, slots[at]!);
  }
}

/** The kept entries of a scan, in first-seen order, with the collision rule applied. */
export class Deduper {
  /** Kept entries; a replaced copy is overwritten in place. */
  readonly entries: EntryTable;
  private readonly byKey = new HashIndex();
  private readonly byId = new HashIndex();
  /** Lines dropped as copies of a kept entry. */
  duplicates = 0;
  /** Entries of the table it was made with whose keys are not in the maps yet (mapped on the first lookup). */
  private unmapped: number;

  /** A deduper that keeps its entries in `table`, whose entries are already deduped (from the index). */
  constructor(table: EntryTable = new EntryTable()) {
    this.entries = table;
    this.unmapped = table.length;
  }

  /** Takes entries that were already deduped (from the index); their keys are mapped only when needed. */
  load(entries: readonly UsageEntry[]): void {
    for (const entry of entries) this.entries.push(entry);
    this.unmapped = this.entries.length;
  }

  private mapLoaded(): void {
    const table = this.entries;
    for (let at = 0; at < this.unmapped; at++) {
      const id = table.id(at);
      if (id === 0) continue;
      this.byKey.set(table.key(at), at);
      if (this.byId.get(id) === undefined) this.byId.set(id, at);
    }
    this.unmapped = 0;
  }

  /** The slot of a kept copy of this entry's response, if any. */
  private find(entry: UsageEntry): number | undefined {
    return this.findKeys(entry.key, entry.id, entry.sidechain);
  }

  private findKeys(key: number, id: number, sidechain: boolean): number | undefined {
    if (this.unmapped > 0) this.mapLoaded();
    const index = this.byKey.get(key);
    if (index !== undefined) return index;
    const byId = this.byId.get(id);
    if (byId !== undefined && (sidechain || this.entries.sidechain(byId))) return byId;
    return undefined;
  }

  /** True when a copy of this entry's response is kept here. */
  has(entry: UsageEntry): boolean {
    return entry.id !== 0 && this.find(entry) !== undefined;
  }

  /**
   * Adds an entry: kept as new, kept in place of a copy (returned as `replaced`), or counted as a duplicate
   * (`kept: false`).
   */
  add(entry: UsageEntry): { kept: boolean; replaced: UsageEntry | null } {
    if (entry.id === 0) {
      this.entries.push(entry);
      return { kept: true, replaced: null };
    }
    const index = this.find(entry);
    if (index === undefined) {
      const at = this.entries.push(entry);
      this.byKey.set(entry.key, at);
      if (this.byId.get(entry.id) === undefined) this.byId.set(entry.id, at);
      return { kept: true, replaced: null };
    }
    this.duplicates++;
    if (!preferNew(this.entries, index, entry)) return { kept: false, replaced: null };
    const kept = this.entries.get(index);
    this.entries.set(index, entry);
    this.byKey.set(entry.key, index);
    return { kept: true, replaced: kept };
  }

  /**
   * Adds the entries of `rows` (rows of entry-table.ts's layout, their strings indexing `strings`) as {@link add}
   * would, without an object for any of them: a scan thread's block, on the exact path, where what was replaced is
   * not needed.
   */
  addRows(rows: Float64Array, strings: readonly string[]): void {
    const ids = strings.map((text) => this.entries.strings.id(text));
    const table = this.entries;
    for (let n = 0; n < rows.length / ENTRY_ROW; n++) {
      const o = n * ENTRY_ROW;
      const id = rows[o + 12]!;
      const key = rows[o + 13]!;
      if (id === 0) {
        table.pushRow(rows, n, ids);
        continue;
      }
      const flags = rows[o + 8]!;
      const sidechain = (flags & 4) !== 0;
      const index = this.findKeys(key, id, sidechain);
      if (index === undefined) {
        const at = table.pushRow(rows, n, ids);
        this.byKey.set(key, at);
        if (this.byId.get(id) === undefined) this.byId.set(id, at);
        continue;
      }
      this.duplicates++;
      const total = rows[o + 3]! + rows[o + 4]! + rows[o + 5]! + rows[o + 6]! + rows[o + 7]!;
      if (!prefer(table, index, sidechain, total, (flags & 2) !== 0)) continue;
      table.setRow(index, rows, n, ids);
      this.byKey.set(key, index);
    }
  }
}

/** ccusage's replacement rule for two copies of one response: the kept one at `index`, and `next`. */
function preferNew(table: EntryTable, index: number, next: UsageEntry): boolean {
  return prefer(table, index, next.sidechain, entryTotal(next), next.hasSpeed);
}

function prefer(table: EntryTable, index: number, sidechain: boolean, total: number, hasSpeed: boolean): boolean {
  const keptSidechain = table.sidechain(index);
  if (keptSidechain !== sidechain) return keptSidechain;
  const keptTotal = table.total(index);
  if (total !== keptTotal) return total > keptTotal;
  return hasSpeed && !table.hasSpeed(index);
}
