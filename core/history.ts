/**
 * The usage history: one sample per provider and window whenever the value moved, the window reset, or half an hour
 * passed, kept 60 days in a compact append-only text file under the state directory
 * (`~/.local/state/headroom/history.jsonl` is the suggested name). It feeds the trend sparkline of the current cycle
 * (core/sparkline.ts, over the cycle's samples from core/cycles.ts) and the forecast informed by the user's past
 * cycles (core/pace.ts). This module holds the file format and its reading and writing.
 *
 * ## File format (version 1)
 *
 * UTF-8 text, one JSON array per line, `\n`-terminated. The first line is the header `["headroom-history",1]`; every
 * other line is one sample:
 *
 * ```text
 * ["headroom-history",1]
 * [1790000000000,"claude","session",37.5,1790010800000,300]
 * [1790000000000,"claude","weekly",12,1790400000000,10080]
 * ```
 *
 * The fields are `[at, provider, windowId, usedPercent, resetsAt, windowMinutes]` (see {@link Sample}); `usedPercent` is
 * rounded to two decimals, `resetsAt` and `windowMinutes` may be `null`. Lines are appended in time order, but readers
 * sort and never rely on it.
 *
 * Reading is lenient: an empty line, a line that is not JSON, a line of the wrong shape (unknown provider, a string
 * where a number belongs) or a partial last line left by a crash mid-append is skipped and counted, never fatal. A
 * header of another version makes the whole file unreadable as history: its lines are ignored and the next
 * {@link recordSamples} replaces it with a version-1 file.
 *
 * Writing: new samples are appended with one {@link HistoryFile.append} per call. When the file no longer ends in a
 * newline (a crash cut the last append short), the next append starts with one, so the partial line stays alone and
 * is skipped. Compaction rewrites the whole file through {@link HistoryFile.replace}, which the shells implement
 * atomically (write a temporary file in the same directory, then rename it over the old one), so a crash leaves the
 * old or the new file, never half of one.
 */
import { parseJsonText } from './parse.js';
import { MAX_DURATION_SECONDS, checkInstant, checkPercent } from './ranges.js';
import * as z from 'zod/mini';
import { providerInfo } from './catalog.js';
import { sameCycle } from './cycles.js';
import type { ProviderId, ProviderSnapshot, UsageWindow } from './model.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** One observation of one usage window. Instants are epoch ms; percentages 0–100 (above 100 during overage). */
export interface Sample {
  /** When the value was true at the source, epoch ms. */
  at: number;
  /** The account's key (`claude`, `claude@claude-work`; core/accounts.ts): the provider id for default accounts. */
  provider: ProviderId;
  /** The window's stable id: `session`, `weekly`, `weekly-opus`, … */
  windowId: string;
  /** Percent of the window used at `at`, 0–100+, rounded to two decimals. */
  usedPercent: number;
  /** When the window resets, epoch ms; null when the source did not say. */
  resetsAt: number | null;
  /** The window's length in minutes; null when unknown. */
  windowMinutes: number | null;
  /** Fields after the sixth, written by a newer Headroom: kept and written back on compaction. */
  extra?: unknown[];
}

/**
 * The I/O the history needs, implemented by each shell over one file (Node: node:fs; GJS: Gio). Methods may reject
 * with any error; {@link recordSamples} and {@link loadHistory} catch it and report it as text.
 */
export interface HistoryFile {
  /** The file's whole text; null when it does not exist. */
  read(): Promise<string | null>;
  /** Appends text at the end, creating the file (and its directory) when missing. */
  append(text: string): Promise<void>;
  /**
   * Replaces the whole file with text atomically: a reader, or a crash at any moment, sees the old or the new text,
   * never a mixture (write a temporary file in the same directory, then rename it over the old one).
   */
  replace(text: string): Promise<void>;
}

/** The header line of version 1 of the file format, without its newline. */
export const HISTORY_HEADER = '["headroom-history",1]';
/** How long samples are kept, ms (60 days). */
export const HISTORY_RETENTION_MS = 60 * DAY_MS;
/** A window unchanged for this long gets a sample anyway, ms (30 min). */
export const HEARTBEAT_MS = 30 * MINUTE_MS;
/** A window whose used percent moved by at least this many points since its last sample gets a new one. */
export const MIN_CHANGE_POINTS = 1;
/** Compaction waits until expired samples span this long, so it runs about once a day, ms (1 day). */
export const COMPACT_SLACK_MS = DAY_MS;
/** Compaction also runs once this many unreadable lines have piled up. */
export const GARBAGE_LINE_LIMIT = 50;

/** Tuning of {@link recordSamples}; each field defaults to the constant of the same meaning. */
export interface RecordOptions {
  /** {@link HISTORY_RETENTION_MS}. */
  retentionMs?: number;
  /** {@link HEARTBEAT_MS}. */
  heartbeatMs?: number;
  /** {@link MIN_CHANGE_POINTS}. */
  minChangePoints?: number;
}

/** The parsed content of a history file. */
export interface ParsedHistory {
  /** The readable samples, oldest first (a stable sort by `at`). */
  samples: Sample[];
  /** True when the first non-empty line is the version-1 header. */
  header: boolean;
  /** True when the first non-empty line is a header of an older or unknown version: the samples are then ignored. */
  foreign: boolean;
  /**
   * True when the header names a newer version: its lines are read as far as they are understood, and the file is
   * never appended to or rewritten by this build (the newer Headroom owns it).
   */
  newer?: boolean;
  /** Non-empty lines that were skipped (not JSON, wrong shape, partial). */
  skippedLines: number;
  /** True when the text is empty or ends with a newline, so an append starts on a line of its own. */
  endsWithNewline: boolean;
}

/**
 * A history file with its in-memory index. Create one per file with {@link openHistory} and keep it as long as the
 * process lives: the GNOME extension keeps one for the session, so it reads the file once and then only appends; the
 * SwiftBar plugin makes one per run and reads the file once per run. Treat the fields as private to this module.
 */
export interface History {
  readonly file: HistoryFile;
  /** What this module knows of the file's content; null until read, and again after a failed write. */
  index: HistoryIndex | null;
}

/** The in-memory index of a history file. */
export interface HistoryIndex {
  /** Every readable sample, oldest first. */
  samples: Sample[];
  /** The newest sample of each provider and window, keyed by {@link sampleKey}. */
  last: Map<string, Sample>;
  header: boolean;
  foreign: boolean;
  /** The file was written by a newer Headroom: read only (see {@link ParsedHistory.newer}). */
  newer?: boolean;
  skippedLines: number;
  endsWithNewline: boolean;
  /** True when the file did not exist or held nothing: the next append writes the header first. */
  empty: boolean;
  /** No compaction before this instant, epoch ms (set after a failed replace); 0 for none. */
  compactAfter: number;
}

/** The outcome of {@link recordSamples}. */
export interface RecordResult {
  /** Every kept sample, oldest first, including the ones just recorded. Shared with the index: do not modify. */
  samples: readonly Sample[];
  /** The samples written by this call (none when the write failed). */
  recorded: Sample[];
  /** True when this call rewrote the file. */
  compacted: boolean;
  /** Why the file could not be read or written, for the log; null when all went well. */
  error: string | null;
}

const headerLine = z.tuple([z.literal('headroom-history'), z.number()]);

/** The key of a provider's window in {@link HistoryIndex.last}. */
export function sampleKey(provider: string, windowId: string): string {
  return `${provider}\u0000${windowId}`;
}

/** A sample as one line of the file, without its newline. */
export function formatSampleLine(sample: Sample): string {
  return JSON.stringify([
    sample.at,
    sample.provider,
    sample.windowId,
    sample.usedPercent,
    sample.resetsAt,
    sample.windowMinutes,
    ...(sample.extra ?? []),
  ]);
}

/**
 * One line of the file as a sample; null for anything else (header, garbage, partial line). Never throws.
 *
 * The 6-tuple is checked by hand rather than with zod: on a 60-day file (~40 000 lines) a zod tuple schema made the
 * first parse in a fresh process (the SwiftBar plugin's every run) take about 120 ms in Node 20, against 50 ms by hand
 * and 25 ms for `JSON.parse` alone. The header line, read once, goes through zod.
 */
export function parseSampleLine(line: string): Sample | null {
  return sampleOfValue(safeJson(line));
}

/** A parsed line's JSON value as a sample; null when it is not one. */
function sampleOfValue(value: unknown): Sample | null {
  if (!Array.isArray(value) || value.length < 6) return null;
  const [at, provider, windowId, usedPercent, resetsAt, windowMinutes, ...extra] = value as unknown[];
  if (typeof at !== 'number' || typeof provider !== 'string' || typeof windowId !== 'string') return null;
  if (provider.length < 1 || provider.length > 200) return null;
  if (typeof usedPercent !== 'number' || !nullableNumber(resetsAt) || !nullableNumber(windowMinutes)) return null;
  const sample: Sample = { at, provider, windowId, usedPercent, resetsAt, windowMinutes };
  if (extra.length > 0) sample.extra = extra;
  return validSample(sample) ? sample : null;
}

function nullableNumber(value: unknown): value is number | null {
  return value === null || typeof value === 'number';
}

/** True when a sample's values are in range (see the format in the module comment). */
function validSample(sample: Sample): boolean {
  return (
    checkInstant(sample.at) !== null &&
    typeof sample.windowId === 'string' &&
    sample.windowId.length >= 1 &&
    sample.windowId.length <= 100 &&
    checkPercent(sample.usedPercent) !== null &&
    (sample.resetsAt === null || checkInstant(sample.resetsAt) !== null) &&
    (sample.windowMinutes === null ||
      (Number.isFinite(sample.windowMinutes) &&
        sample.windowMinutes > 0 &&
        sample.windowMinutes * 60 <= MAX_DURATION_SECONDS))
  );
}

/** Parses a history file's text leniently (see the module comment). Never throws. */
export function parseHistory(text: string): ParsedHistory {
  const content = String(text);
  const endsWithNewline = content === '' || content.endsWith('\n');
  // The header: the first non-empty line.
  const headerStart = content.search(/\S/);
  let body = content;
  let header = false;
  let newer = false;
  if (headerStart >= 0) {
    const headerEnd = content.indexOf('\n', headerStart);
    const head = headerLine.safeParse(safeJson(content.slice(headerStart, headerEnd < 0 ? undefined : headerEnd)));
    if (head.success) {
      newer = head.data[1] > 1;
      if (head.data[1] !== 1 && !newer) {
        return { samples: [], header, foreign: true, skippedLines: 0, endsWithNewline };
      }
      header = true;
      body = headerEnd < 0 ? '' : content.slice(headerEnd + 1);
    }
  }
  const samples: Sample[] = [];
  let skippedLines = 0;
  for (const raw of body.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const sample = sampleOfValue(safeJson(line));
    if (sample) samples.push(sample);
    else skippedLines++;
  }
  sortByTime(samples);
  return { samples, header, foreign: false, ...(newer ? { newer } : {}), skippedLines, endsWithNewline };
}

/** The text of a complete version-1 file holding these samples (in the order given). */
export function serializeHistory(samples: readonly Sample[]): string {
  return [HISTORY_HEADER, ...samples.map(formatSampleLine)].join('\n') + '\n';
}

/** A history over a file; nothing is read until the first {@link loadHistory} or {@link recordSamples}. */
export function openHistory(file: HistoryFile): History {
  return { file, index: null };
}

/**
 * Every sample of the history, oldest first, reading the file only when this history has not read it yet. A file
 * that cannot be read gives no samples and the error.
 */
export async function loadHistory(history: History): Promise<{ samples: readonly Sample[]; error: string | null }> {
  if (history.index) return { samples: history.index.samples, error: null };
  try {
    history.index = indexOf(await history.file.read());
    return { samples: history.index.samples, error: null };
  } catch (error) {
    return { samples: [], error: describe(error) };
  }
}

/**
 * Records a sample of each window worth recording and keeps the file compact. Reads the file at most once per call
 * (not at all when this history already holds its index and no compaction is due), appends at most once and replaces
 * at most once; never throws (I/O failures come back in `error`).
 *
 * A window is sampled when its snapshot is fresh (`status` `ok`, not `stale`), its used percent is a number, and its
 * reset time (if known) is still ahead of the capture; the sample is taken at the snapshot's `fetchedAt` (or `now`),
 * and only when it is newer than the window's last sample and
 * - the window has no sample yet, or
 * - its used percent moved by at least {@link MIN_CHANGE_POINTS} since the last sample, or
 * - it is in another cycle (a reset: see {@link sameCycle}), or
 * - {@link HEARTBEAT_MS} passed since the last sample.
 * A last sample from the future (a clock that was wrong) is ignored, so a fixed clock resumes sampling at once.
 *
 * The file is compacted — rewritten with only the samples of the last {@link HISTORY_RETENTION_MS}, through the
 * atomic {@link HistoryFile.replace} — when expired samples span more than {@link COMPACT_SLACK_MS} (so about once a
 * day), when {@link GARBAGE_LINE_LIMIT} unreadable lines piled up, or when the header is missing or of another
 * version. Before compacting from an index read by an earlier call, the file is read again so that samples appended
 * meanwhile by another process (the CLI next to the GNOME extension) survive. When the replace fails, the new samples
 * are appended instead and compaction waits a day (`error` still reports the failure).
 *
 * @param snapshots the providers' snapshots after a refresh.
 * @param now the current time, epoch ms.
 */
export async function recordSamples(
  history: History,
  snapshots: readonly ProviderSnapshot[],
  now: number,
  options: RecordOptions = {},
): Promise<RecordResult> {
  const retentionMs = options.retentionMs ?? HISTORY_RETENTION_MS;
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const minChange = options.minChangePoints ?? MIN_CHANGE_POINTS;
  try {
    if (!history.index || compactionDue(history.index, now, retentionMs)) {
      history.index = indexOf(await history.file.read());
    }
  } catch (error) {
    history.index = null;
    return { samples: [], recorded: [], compacted: false, error: describe(error) };
  }
  const index = history.index;
  if (index.newer) {
    return { samples: index.samples, recorded: [], compacted: false, error: 'written by a newer Headroom; read only' };
  }

  const recorded: Sample[] = [];
  const last = new Map(index.last);
  for (const snapshot of Array.isArray(snapshots) ? snapshots : []) {
    if (!snapshot || snapshot.status !== 'ok' || snapshot.stale || !Array.isArray(snapshot.windows)) continue;
    const fetchedAt = Number.isFinite(snapshot.fetchedAt) ? (snapshot.fetchedAt as number) : now;
    const at = Math.min(fetchedAt, now);
    for (const window of snapshot.windows) {
      const sample = sampleOf(snapshot.account?.key ?? snapshot.provider, window, at);
      if (!sample) continue;
      const key = sampleKey(sample.provider, sample.windowId);
      const previous = last.get(key);
      if (!worthRecording(previous, sample, now, heartbeatMs, minChange)) continue;
      last.set(key, sample);
      recorded.push(sample);
    }
  }

  let failure: string | null = null;
  if (compactionDue(index, now, retentionMs)) {
    const cutoff = now - retentionMs;
    const kept = index.samples.filter((sample) => sample.at >= cutoff && sample.at <= now + DAY_MS);
    const samples = [...kept, ...recorded];
    sortByTime(samples);
    try {
      await history.file.replace(serializeHistory(samples));
      history.index = indexFromSamples(samples);
      return { samples, recorded, compacted: true, error: null };
    } catch (error) {
      // The old file is intact (replace is atomic). Append instead, and retry the compaction in a day.
      failure = describe(error);
      index.compactAfter = now + COMPACT_SLACK_MS;
      if (index.foreign) return { samples: index.samples, recorded: [], compacted: false, error: failure };
    }
  }
  if (recorded.length > 0) {
    const lines = recorded.map(formatSampleLine).join('\n') + '\n';
    const prefix = index.empty ? `${HISTORY_HEADER}\n` : index.endsWithNewline ? '' : '\n';
    try {
      await history.file.append(prefix + lines);
    } catch (error) {
      // The file's end is unknown now (a partial line?): read it again next time.
      history.index = null;
      return { samples: index.samples, recorded: [], compacted: false, error: failure ?? describe(error) };
    }
    addToIndex(index, recorded);
  }
  return { samples: index.samples, recorded, compacted: false, error: failure };
}

/** A window as a sample at `at`; null when it cannot be one (bad numbers, or its reset already passed). */
function sampleOf(provider: ProviderId, window: UsageWindow, at: number): Sample | null {
  if (!window || typeof window.usedPercent !== 'number') return null;
  if (window.resetsAt !== null && window.resetsAt <= at) return null;
  const sample: Sample = {
    at,
    provider,
    windowId: window.id,
    usedPercent: Math.round(window.usedPercent * 100) / 100,
    resetsAt: window.resetsAt ?? null,
    windowMinutes: window.windowMinutes ?? null,
  };
  // Never write a line that reading would skip; only the catalog's providers are recorded.
  return providerInfo(sample.provider) && validSample(sample) ? sample : null;
}

function worthRecording(
  previous: Sample | undefined,
  sample: Sample,
  now: number,
  heartbeatMs: number,
  minChange: number,
): boolean {
  if (!previous || previous.at > now) return true;
  if (sample.at <= previous.at) return false;
  return (
    Math.abs(sample.usedPercent - previous.usedPercent) >= minChange ||
    !sameCycle(previous, sample) ||
    sample.at - previous.at >= heartbeatMs
  );
}

function compactionDue(index: HistoryIndex, now: number, retentionMs: number): boolean {
  if (now < index.compactAfter) return false;
  if (index.foreign || index.skippedLines >= GARBAGE_LINE_LIMIT) return true;
  if (!index.empty && !index.header) return true;
  const oldest = index.samples[0];
  return oldest !== undefined && oldest.at < now - retentionMs - COMPACT_SLACK_MS;
}

function indexOf(text: string | null): HistoryIndex {
  const content = typeof text === 'string' ? text : '';
  const parsed = parseHistory(content);
  const index = indexFromSamples(parsed.samples);
  index.header = parsed.header;
  index.foreign = parsed.foreign;
  if (parsed.newer) index.newer = true;
  index.skippedLines = parsed.skippedLines;
  index.endsWithNewline = parsed.endsWithNewline;
  index.empty = content.trim() === '';
  return index;
}

/** The index of a freshly written version-1 file holding these (sorted) samples. */
function indexFromSamples(samples: Sample[]): HistoryIndex {
  const index: HistoryIndex = {
    samples,
    last: new Map(),
    header: true,
    foreign: false,
    skippedLines: 0,
    endsWithNewline: true,
    empty: false,
    compactAfter: 0,
  };
  for (const sample of samples) index.last.set(sampleKey(sample.provider, sample.windowId), sample);
  return index;
}

function addToIndex(index: HistoryIndex, recorded: Sample[]): void {
  const newest = index.samples[index.samples.length - 1];
  index.samples.push(...recorded);
  if (newest && recorded.some((sample) => sample.at < newest.at)) sortByTime(index.samples);
  for (const sample of recorded) index.last.set(sampleKey(sample.provider, sample.windowId), sample);
  index.header = true;
  index.endsWithNewline = true;
  index.empty = false;
}

/** Sorts samples by time in place, keeping the file order of equal times. */
function sortByTime(samples: Sample[]): void {
  for (let i = 1; i < samples.length; i++) {
    if ((samples[i] as Sample).at < (samples[i - 1] as Sample).at) {
      samples.sort((a, b) => a.at - b.at);
      return;
    }
  }
}

function safeJson(line: string): unknown {
  try {
    return parseJsonText(line);
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
