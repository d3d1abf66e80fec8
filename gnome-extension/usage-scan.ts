/**
 * One usage scan for the GNOME extension (run by usage-worker.ts in a gjs subprocess, or in the shell when no gjs
 * is found): core's scanUsage over Claude Code's transcripts and Codex's rollouts through {@link GioLogReader},
 * with the incremental index the CLI uses (`usage-index.bin`, `usage-entries.bin` in Headroom's state directory,
 * `~/.local/state/headroom`), so the CLI and the extension reuse each other's work; then per account core's
 * {@link accountUsage} figures and a daily report file (`usage-report.txt`) for the dropdown's "Full report" item.
 */
import GLib from 'gi://GLib';
import * as z from 'zod/mini';
import type { ScanRoot } from '../core/usage/scan.js';
import {
  USAGE_ENTRIES_FILE,
  USAGE_INDEX_FILE,
  aggregate,
  parseSummary,
  scanUsage,
  serializeEntries,
  serializeSummary,
  usageItems,
} from '../core/usage/index.js';
import { type AccountUsageV1, accountUsage } from '../core/usage/summary.js';
import { periodTable } from '../core/usage/report-text.js';
import { type GioLogReader, PIECE_BYTES } from './log-reader.js';

/** The report file's name in the state directory. */
export const USAGE_REPORT_FILE = 'usage-report.txt';

/** What a scan needs: the folders (core's `usageRoots`), the state directory, now (epoch ms) and the IANA zone. */
export interface ScanRequest {
  roots: ScanRoot[];
  stateDir: string;
  now: number;
  timeZone: string;
}

/** A request as the worker receives it (argv): checked, since it crosses a process boundary. */
export const ScanRequestSchema = z.object({
  roots: z.array(
    z.object({
      provider: z.string(), // a catalog id; one without a log format is skipped by the scanner
      account: z.string(),
      directory: z.string(),
    }),
  ),
  stateDir: z.string(),
  now: z.number(),
  timeZone: z.string(),
});

const Totals = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheCreationTokens: z.number(),
  cacheReadTokens: z.number(),
  totalTokens: z.number(),
  costUSD: z.number(),
});

/** Core's {@link AccountUsageV1}, as the worker prints it. */
const AccountUsageSchema = z.object({
  day: z.string(),
  timeZone: z.string(),
  today: Totals,
  last30Days: Totals,
  topModels: z.array(z.object({ model: z.string(), totalTokens: z.number(), costUSD: z.number() })),
  dailyCostUSD: z.array(z.number()),
  block: z.nullable(
    z.object({
      startsAt: z.string(),
      endsAt: z.string(),
      totalTokens: z.number(),
      costUSD: z.number(),
      costPerHour: z.nullable(z.number()),
      tokensPerMinute: z.nullable(z.number()),
      projectedCostUSD: z.nullable(z.number()),
    }),
  ),
  unpricedModels: z.array(z.string()),
});

/** What a scan found: per account key its figures, the log files seen, and the report file (null: not written). */
export interface ScanFigures {
  usage: Record<string, AccountUsageV1>;
  files: number;
  /** Lines and files skipped (malformed, vanished, unreadable …). */
  skipped: number;
  reportPath: string | null;
}

/** The worker's one line on stdout: the figures, or why the scan failed. */
export const WorkerOutputSchema = z.union([
  z.object({
    ok: z.literal(true),
    figures: z.object({
      usage: z.record(z.string(), AccountUsageSchema),
      files: z.number(),
      skipped: z.number(),
      reportPath: z.nullable(z.string()),
    }),
  }),
  z.object({ ok: z.literal(false), message: z.string() }),
]);

/** The worker's output, parsed. */
export type WorkerOutput = z.infer<typeof WorkerOutputSchema>;

/**
 * Scans, saves the index and the report, and returns the figures. `write` writes a private file atomically
 * (GjsPorts.writePrivateFile). Rejects when cancelled (the reader's pause) or when the scan fails; a failure to save
 * is not one (the next scan reads more).
 */
export async function scanFigures(
  reader: GioLogReader,
  write: (path: string, data: string | Uint8Array) => Promise<void>,
  request: ScanRequest,
): Promise<ScanFigures> {
  const summaryPath = GLib.build_filenamev([request.stateDir, USAGE_INDEX_FILE]);
  const entriesPath = GLib.build_filenamev([request.stateDir, USAGE_ENTRIES_FILE]);
  const saved = await reader.readBytes(summaryPath).catch(() => null);
  const index = saved ? parseSummary(saved) : null;
  const result = await scanUsage(reader, request.roots, {
    index,
    chunkBytes: PIECE_BYTES,
    loadEntries: () => reader.readBytes(entriesPath),
    pause: reader.pause,
  });
  if (reader.cancelled) throw new Error('cancelled');
  try {
    // The entries file first: a summary never names a generation whose entries are not on disk.
    if (result.entriesChanged) await write(entriesPath, serializeEntries(result.index));
    if (result.changed) await write(summaryPath, serializeSummary(result.index));
  } catch {
    // Not saved: the next scan starts from the older index.
  }
  const usage: Record<string, AccountUsageV1> = {};
  const accounts = new Set([...(result.entries?.keys() ?? []), ...result.index.buckets.keys()]);
  for (const account of accounts) {
    const figures = accountUsage(result, account, { now: request.now, timeZone: request.timeZone });
    if (figures) usage[account] = figures;
  }
  let reportPath: string | null = GLib.build_filenamev([request.stateDir, USAGE_REPORT_FILE]);
  try {
    const { periods, totals } = aggregate(usageItems(result), { kind: 'daily', timeZone: request.timeZone });
    const header =
      `Headroom: tokens and cost from the local logs of Claude Code and Codex, by day (${request.timeZone}).\n` +
      `Written ${new Date(request.now).toISOString()}; ${result.stats.files} log files.\n\n`;
    await write(reportPath, header + periodTable(periods, totals, true));
  } catch {
    reportPath = null;
  }
  const skipped = Object.values(result.stats.skipped).reduce((sum, count) => sum + count, 0);
  return { usage, files: result.stats.files, skipped, reportPath };
}
