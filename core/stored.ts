/**
 * Reading stored documents entry by entry. Headroom's state, alert memory and history are shared by the CLI and the
 * GNOME extension, which may be of different versions: a newer one may write providers, sources, accounts, windows
 * or fields that this one does not know, an older one may lack fields. So a document is never parsed all or
 * nothing: each entry of a keyed collection is parsed on its own, an entry this build cannot read is kept as it was
 * and written back untouched, and objects keep the fields this build does not know (zod `looseObject`).
 */
import type * as z from 'zod/mini';

/** A JSON object, or null for anything else. */
export function asObject(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** The entries of a keyed collection that parsed, and the ones that did not, as they were. */
export interface ParsedEntries<T> {
  entries: Record<string, T>;
  /** Entries this build could not read; written back unchanged unless a parsed entry of the same key replaces them. */
  foreign: Record<string, unknown>;
}

/**
 * Parses each entry of a JSON object with `schema`. Anything that is not an object gives no entries (and nothing to
 * keep: it is not a collection this build or any other wrote). Never throws.
 */
export function parseEntries<T>(value: unknown, schema: z.ZodMiniType<T>): ParsedEntries<T> {
  const entries: Record<string, T> = {};
  const foreign: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(asObject(value) ?? {})) {
    const parsed = schema.safeParse(entry);
    if (parsed.success) entries[key] = parsed.data;
    else foreign[key] = entry;
  }
  return { entries, foreign };
}

/** Writes a collection back: the foreign entries first, then the parsed ones (which win on the same key). */
export function withForeign<T>(entries: Record<string, T>, foreign: Record<string, unknown> | undefined): object {
  return foreign && Object.keys(foreign).length > 0 ? { ...foreign, ...entries } : entries;
}
