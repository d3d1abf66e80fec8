/**
 * The incremental usage index: per log file its size, mtime, the offset read so far and a fingerprint of the bytes
 * before it, plus the deduped entries found so far, per account. Saved as JSON in Headroom's state folder
 * (`usage-index.json`), written by the CLI and by the GNOME extension alike (both go through this module), so a scan
 * reads only what was appended since the last one.
 */
import * as z from 'zod/mini';
import type { UsageEntry } from './entries.js';
import type { CodexFileMark } from './codex-entries.js';

/** File name of the index in the state folder. */
export const USAGE_INDEX_FILE = 'usage-index.json';

/** What the index remembers of one file. */
export interface FileMark {
  /** Bytes and modification time (epoch ms) when last read. */
  size: number;
  mtimeMs: number;
  /** Bytes read and counted (through the last complete line). */
  offset: number;
  /** The up to 64 bytes before `offset` (Latin-1): a changed fingerprint means the file was replaced. */
  edge: string;
  /**
   * A second fingerprint near the start: the up to 64 bytes before `headEnd` (the end of the first line read).
   * A file rewritten in place is taken for an appended one only if both fingerprints still match.
   */
  headEnd?: number;
  head?: string;
  codex?: CodexFileMark;
}

/** The index: marks by file path, deduped entries by account key. */
export interface UsageIndex {
  files: Map<string, FileMark>;
  entries: Map<string, UsageEntry[]>;
}

/** An index with nothing in it. */
export function emptyIndex(): UsageIndex {
  return { files: new Map(), entries: new Map() };
}

/** Format version; an index of another version is ignored (a cold scan rebuilds it). */
const VERSION = 4;
/** Numbers per entry row. */
const ROW = 12;

// The rows and file marks are checked value by value while they are read: a schema over a million numbers (or
// thousands of small objects) costs a large share of a warm run.
const Stored = z.object({
  version: z.literal(VERSION),
  strings: z.array(z.string()),
  files: z.record(z.string(), z.unknown()),
  accounts: z.record(z.string(), z.object({ rows: z.unknown(), keys: z.unknown() })),
});

/** A file mark as a row: `[size, mtimeMs, offset, edge, headEnd or -1, head, codex lastTotal or null, codex model]`. */
type MarkRow = [number, number, number, string, number, string, number | null, string | null];

function markRow(mark: FileMark): MarkRow {
  return [
    mark.size,
    mark.mtimeMs,
    mark.offset,
    mark.edge,
    mark.headEnd ?? -1,
    mark.head ?? '',
    mark.codex ? mark.codex.lastTotal : null,
    mark.codex?.model ?? null,
  ];
}

function readMark(row: unknown): FileMark | null {
  if (!Array.isArray(row) || row.length !== 8) return null;
  const [size, mtimeMs, offset, edge, headEnd, head, lastTotal, model] = row as unknown[];
  if (typeof size !== 'number' || typeof mtimeMs !== 'number' || typeof offset !== 'number') return null;
  if (typeof edge !== 'string' || typeof headEnd !== 'number' || typeof head !== 'string') return null;
  if (lastTotal !== null && typeof lastTotal !== 'number') return null;
  if (model !== null && typeof model !== 'string') return null;
  return {
    size,
    mtimeMs,
    offset,
    edge,
    ...(headEnd >= 0 ? { headEnd, head } : {}),
    ...(lastTotal !== null ? { codex: { lastTotal, model } } : {}),
  };
}

/**
 * Serialises an index: models, projects and sessions once in a string table; entries as flat number rows
 * `[at s, at ms part, model, input, output, cacheWrite5m, cacheWrite1h, cacheRead, flags, project, session,
 * costUSD or -1]` (the instant in two small integers: JSON.parse keeps them unboxed)
 * and their dedupe keys (`message.id` NUL `requestId`, or empty) in a parallel list.
 */
export function serializeIndex(index: UsageIndex): string {
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const id = (text: string): number => {
    let n = ids.get(text);
    if (n === undefined) {
      n = strings.length;
      strings.push(text);
      ids.set(text, n);
    }
    return n;
  };
  const accounts: Record<string, { rows: number[]; keys: string[] }> = {};
  for (const [account, entries] of index.entries) {
    const rows: number[] = [];
    const keys: string[] = [];
    for (const e of entries) {
      rows.push(
        Math.floor(e.at / 1000),
        e.at - Math.floor(e.at / 1000) * 1000,
        id(e.model),
        e.input,
        e.output,
        e.cacheWrite5m,
        e.cacheWrite1h,
        e.cacheRead,
        (e.fast ? 1 : 0) | (e.hasSpeed ? 2 : 0) | (e.sidechain ? 4 : 0),
        id(e.project),
        id(e.session),
        e.costUSD ?? -1,
      );
      keys.push(e.messageId === '' ? '' : `${e.messageId}\u0000${e.requestId}`);
    }
    accounts[account] = { rows, keys };
  }
  const files: Record<string, MarkRow> = {};
  for (const [path, mark] of index.files) files[path] = markRow(mark);
  return JSON.stringify({ version: VERSION, strings, files, accounts });
}

/** Reads a saved index; null (a cold scan follows) when the text is not a valid index of this version. */
export function parseIndex(text: string): UsageIndex | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = Stored.safeParse(raw);
  if (!parsed.success) return null;
  const { strings, files, accounts } = parsed.data;
  const index = emptyIndex();
  for (const [path, row] of Object.entries(files)) {
    const mark = readMark(row);
    if (!mark) return null;
    index.files.set(path, mark);
  }
  for (const [account, { rows, keys }] of Object.entries(accounts)) {
    if (!Array.isArray(rows) || !Array.isArray(keys) || rows.length !== keys.length * ROW) return null;
    const entries: UsageEntry[] = new Array<UsageEntry>(keys.length);
    for (let n = 0, i = 0; n < keys.length; n++, i += ROW) {
      for (let k = i; k < i + ROW; k++) if (typeof rows[k] !== 'number') return null;
      const r = rows as number[];
      const key = keys[n] as unknown;
      const model = strings[r[i + 2]!];
      const project = strings[r[i + 9]!];
      const session = strings[r[i + 10]!];
      if (typeof key !== 'string' || model === undefined || project === undefined || session === undefined) return null;
      const split = key.indexOf('\u0000');
      const flags = r[i + 8]!;
      const cost = r[i + 11]!;
      entries[n] = {
        at: r[i]! * 1000 + r[i + 1]!,
        model,
        input: r[i + 3]!,
        output: r[i + 4]!,
        cacheWrite5m: r[i + 5]!,
        cacheWrite1h: r[i + 6]!,
        cacheRead: r[i + 7]!,
        fast: (flags & 1) !== 0,
        hasSpeed: (flags & 2) !== 0,
        sidechain: (flags & 4) !== 0,
        project,
        session,
        messageId: split < 0 ? '' : key.slice(0, split),
        requestId: split < 0 ? '' : key.slice(split + 1),
        costUSD: cost < 0 ? null : cost,
      };
    }
    index.entries.set(account, entries);
  }
  return index;
}
