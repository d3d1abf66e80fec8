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
const VERSION = 1;
/** Fields of an entry in a row, after the string-table indices. */
const ROW = 13;

const Stored = z.object({
  version: z.literal(VERSION),
  strings: z.array(z.string()),
  files: z.record(
    z.string(),
    z.object({
      size: z.number(),
      mtimeMs: z.number(),
      offset: z.number(),
      edge: z.string(),
      headEnd: z.optional(z.number()),
      head: z.optional(z.string()),
      codex: z.optional(z.object({ lastTotal: z.number(), model: z.nullable(z.string()) })),
    }),
  ),
  accounts: z.record(z.string(), z.array(z.number())),
});

/**
 * Serialises an index: strings (models, projects, sessions, ids) once in a table, entries as flat number rows
 * `[at, model, input, output, cacheWrite5m, cacheWrite1h, cacheRead, flags, project, session, messageId, requestId,
 * costUSD or -1]`.
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
  const accounts: Record<string, number[]> = {};
  for (const [account, entries] of index.entries) {
    const rows: number[] = [];
    for (const e of entries) {
      rows.push(
        e.at,
        id(e.model),
        e.input,
        e.output,
        e.cacheWrite5m,
        e.cacheWrite1h,
        e.cacheRead,
        (e.fast ? 1 : 0) | (e.hasSpeed ? 2 : 0) | (e.sidechain ? 4 : 0),
        id(e.project),
        id(e.session),
        id(e.messageId),
        id(e.requestId),
        e.costUSD ?? -1,
      );
    }
    accounts[account] = rows;
  }
  return JSON.stringify({ version: VERSION, strings, files: Object.fromEntries(index.files), accounts });
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
  for (const [path, mark] of Object.entries(files)) index.files.set(path, mark);
  const str = (n: number): string | undefined => strings[n];
  for (const [account, rows] of Object.entries(accounts)) {
    if (rows.length % ROW !== 0) return null;
    const entries: UsageEntry[] = [];
    for (let i = 0; i < rows.length; i += ROW) {
      const r = rows.slice(i, i + ROW) as number[];
      const model = str(r[1]!);
      const project = str(r[8]!);
      const session = str(r[9]!);
      const messageId = str(r[10]!);
      const requestId = str(r[11]!);
      if (model === undefined || project === undefined || session === undefined) return null;
      if (messageId === undefined || requestId === undefined) return null;
      const flags = r[7]!;
      entries.push({
        at: r[0]!,
        model,
        input: r[2]!,
        output: r[3]!,
        cacheWrite5m: r[4]!,
        cacheWrite1h: r[5]!,
        cacheRead: r[6]!,
        fast: (flags & 1) !== 0,
        hasSpeed: (flags & 2) !== 0,
        sidechain: (flags & 4) !== 0,
        project,
        session,
        messageId,
        requestId,
        costUSD: r[12]! < 0 ? null : r[12]!,
      });
    }
    index.entries.set(account, entries);
  }
  return index;
}
