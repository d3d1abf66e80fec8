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

/** The kept entries of a scan, in first-seen order, with the collision rule applied. */
export class Deduper {
  /** Kept entries; a replaced copy is overwritten in place. */
  readonly entries: UsageEntry[] = [];
  private readonly byKey = new Map<number, number>();
  private readonly byId = new Map<number, number>();
  /** Lines dropped as copies of a kept entry. */
  duplicates = 0;
  /** Entries loaded from an index whose keys are not in the maps yet (built on the next {@link add}). */
  private unmapped = 0;

  /** Takes entries that were already deduped (from the index); their keys are mapped only when needed. */
  load(entries: readonly UsageEntry[]): void {
    for (const entry of entries) this.entries.push(entry);
    this.unmapped = this.entries.length;
  }

  private mapLoaded(): void {
    for (let at = 0; at < this.unmapped; at++) {
      const entry = this.entries[at] as UsageEntry;
      if (entry.id === 0) continue;
      this.byKey.set(entry.key, at);
      if (!this.byId.has(entry.id)) this.byId.set(entry.id, at);
    }
    this.unmapped = 0;
  }

  /** The slot of a kept copy of this entry's response, if any. */
  private find(entry: UsageEntry): number | undefined {
    if (this.unmapped > 0) this.mapLoaded();
    const index = this.byKey.get(entry.key);
    if (index !== undefined) return index;
    const byId = this.byId.get(entry.id);
    if (byId !== undefined && (entry.sidechain || (this.entries[byId] as UsageEntry).sidechain)) return byId;
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
      const at = this.entries.length;
      this.entries.push(entry);
      this.byKey.set(entry.key, at);
      if (!this.byId.has(entry.id)) this.byId.set(entry.id, at);
      return { kept: true, replaced: null };
    }
    this.duplicates++;
    const kept = this.entries[index] as UsageEntry;
    if (!preferNew(kept, entry)) return { kept: false, replaced: null };
    this.entries[index] = entry;
    this.byKey.set(entry.key, index);
    return { kept: true, replaced: kept };
  }
}

/** ccusage's replacement rule for two copies of one response. */
function preferNew(kept: UsageEntry, next: UsageEntry): boolean {
  if (kept.sidechain !== next.sidechain) return kept.sidechain;
  const keptTotal = entryTotal(kept);
  const nextTotal = entryTotal(next);
  if (nextTotal !== keptTotal) return nextTotal > keptTotal;
  return next.hasSpeed && !kept.hasSpeed;
}
