/**
 * `headroom report`: tokens and cost from the local logs of Claude Code and Codex (core/usage/), by day, week,
 * month, session or five-hour block:
 *
 *   headroom report daily|weekly|monthly|session|blocks [--json] [--since YYYY-MM-DD] [--until YYYY-MM-DD]
 *                   [--timezone IANA] [--breakdown]
 *
 * `--json` prints the shape of ccusage's `--json` reports. The scan keeps its index in the state folder
 * (`usage-index.bin`, `usage-entries.bin`), shared with the GNOME extension, so a later run reads only appended bytes.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Ports } from '../core/ports.js';
import { type Settings, loadSettings } from '../core/settings.js';
import { type AccountUsageV1, accountUsage } from '../core/usage/summary.js';
import {
  type PeriodKind,
  type ScanResult,
  type UsageBlock,
  USAGE_ENTRIES_FILE,
  USAGE_INDEX_FILE,
  aggregate,
  fiveHourBlocks,
  isTimeZone,
  parseSummary,
  scanUsage,
  serializeEntriesParts,
  serializeSummary,
  entryItems,
  usageItems,
  usageRoots,
} from '../core/usage/index.js';
import { periodTable } from '../core/usage/report-text.js';
import { readRegularBytes, writePrivateFile } from './files.js';
import { nodeScanFiles } from './node-ports.js';
import { nodeScanPool } from './scan-threads.js';
import { localTimeZoneName } from './locale-facts.js';
import { stateDirectory } from './state.js';

/** The usage text of `headroom report`. */
export const REPORT_HELP = `Usage: headroom report daily|weekly|monthly|session|blocks [--json] [--since YYYY-MM-DD]
                       [--until YYYY-MM-DD] [--timezone IANA] [--breakdown]

Tokens and cost from Claude Code's transcripts and Codex's rollouts on this machine (every configured account),
priced offline. --json prints the shape of ccusage's --json reports.

  --since D, --until D   first and last day (inclusive), in the time zone
  --timezone Z           IANA zone for day boundaries (default: this machine's)
  --breakdown            per-model rows in the table
  --json                 JSON instead of a table
`;

const KINDS = ['daily', 'weekly', 'monthly', 'session', 'blocks'] as const;
type ReportKind = (typeof KINDS)[number];

interface ReportArgs {
  kind: ReportKind;
  json: boolean;
  since?: string;
  until?: string;
  timeZone: string;
  breakdown: boolean;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Parses the arguments after `report`. */
export function parseReportArgs(argv: string[]): ReportArgs | { exit: number; text: string } {
  let kind: ReportKind = 'daily';
  const args: Omit<ReportArgs, 'kind'> = {
    json: false,
    breakdown: false,
    timeZone: '',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string | undefined => (arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i]);
    if (arg === '--help' || arg === '-h') return { exit: 0, text: REPORT_HELP };
    if ((KINDS as readonly string[]).includes(arg)) kind = arg as ReportKind;
    else if (arg === '--json') args.json = true;
    else if (arg === '--breakdown') args.breakdown = true;
    else if (arg === '--since' || arg.startsWith('--since=') || arg === '--until' || arg.startsWith('--until=')) {
      const day = value()?.replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3');
      if (!day || !DAY.test(day)) return { exit: 2, text: `headroom report: ${arg.split('=')[0]} takes YYYY-MM-DD\n` };
      if (arg.startsWith('--since')) args.since = day;
      else args.until = day;
    } else if (arg === '--timezone' || arg.startsWith('--timezone=') || arg === '-z') {
      const zone = value();
      if (!zone || !isTimeZone(zone))
        return { exit: 2, text: `headroom report: unknown time zone ${JSON.stringify(zone)}\n` };
      args.timeZone = zone;
    } else return { exit: 2, text: `headroom report: unknown argument ${JSON.stringify(arg)}\n\n${REPORT_HELP}` };
  }
  // The machine's zone is looked up only when needed: loading ICU's zone data costs ~0.1 s.
  args.timeZone ||= Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  return { kind, ...args };
}

/** The largest entries file read, bytes: 112 bytes an entry, so about ten million entries. */
const MAX_ENTRIES_BYTES = 1 << 30;

/** A refresh that read fewer bytes than this leaves the saved summary as it was (see {@link worthSaving}). */
export const SAVE_BYTES = 8 * 1024 * 1024;
/** …unless the saved summary is older than this, ms. */
export const SAVE_AFTER_MS = 10 * 60_000;

/**
 * Whether a refresh that ran on the summary path should rewrite the summary (megabytes, most of a refresh's time on
 * a year of logs). Not when it read under {@link SAVE_BYTES} and the saved one is under {@link SAVE_AFTER_MS} old:
 * the next run starts again from the saved summary and reads those few bytes again, counting them once, as this
 * one did. A summary is never left half-updated: either the old one stays or the new one replaces it whole.
 */
function worthSaving(result: ScanResult, summaryPath: string, now: number): boolean {
  // `now` is the real time (the file's mtime is), not HEADROOM_NOW.
  if (result.stats.bytesRead >= SAVE_BYTES) return true;
  try {
    return now - statSync(summaryPath).mtimeMs >= SAVE_AFTER_MS;
  } catch {
    return true;
  }
}

/**
 * Scans the logs of every enabled account, reading and saving the index in `stateDir`. Shows progress on stderr
 * when the scan takes over a second and stderr is a terminal.
 */
export async function scanWithIndex(
  ports: Ports,
  stateDir: string,
  needEntries = false,
  given?: Settings,
): Promise<ScanResult> {
  let settings = given;
  if (!settings) {
    const loaded = await loadSettings(ports);
    for (const problem of loaded.problems) ports.log.warn(problem);
    settings = loaded.settings;
  }
  const summaryPath = join(stateDir, USAGE_INDEX_FILE);
  const entriesPath = join(stateDir, USAGE_ENTRIES_FILE);
  const started = Date.now();
  const saved = await readRegularBytes(summaryPath).catch(() => null);
  const index = saved ? parseSummary(saved) : null;
  const loaded = Date.now();
  let shown = false;
  const result = await scanUsage(nodeScanFiles, usageRoots(ports, settings), {
    index,
    needEntries,
    // This bundle's own file runs the threads (the pool starts them only for a scan with many new files).
    pool: nodeScanPool(new URL(import.meta.url)) ?? undefined,
    loadEntries: () => readRegularBytes(entriesPath, MAX_ENTRIES_BYTES),
    progress: (bytes) => {
      // The clock first: touching process.stderr builds a stream (and loads node:stream) on every quick run.
      if (Date.now() - started < 1000 || !process.stderr.isTTY) return;
      shown = true;
      process.stderr.write(`\rheadroom: reading logs… ${Math.round(bytes / 1e6)} MB`);
    },
  });
  if (shown) process.stderr.write('\r\x1b[K');
  const scanned = Date.now();
  const s = result.stats;
  ports.log.debug(
    `usage scan: ${s.folders} folders (${s.foldersListed} listed), ${s.files} files (${s.filesResumed} resumed, ` +
      `${s.filesFromThreads} read by scan threads), ${s.bytesRead} bytes, ${s.lines} lines, ` +
      `${s.duplicates} duplicates, skipped ${JSON.stringify(s.skipped)}${s.rebuilt ? ', index rebuilt' : ''}` +
      `${result.entries ? ', exact path' : ', summary path'}`,
  );
  try {
    // The entries file first: a summary never names a generation whose entries are not on disk.
    if (result.entriesChanged) await writePrivateFile(entriesPath, serializeEntriesParts(result.index));
    if (result.changed && (result.entriesChanged || !index || worthSaving(result, summaryPath, Date.now()))) {
      await writePrivateFile(summaryPath, serializeSummary(result.index));
    }
  } catch (error) {
    ports.log.warn(`could not save the usage index in ${stateDir}: ${(error as Error).message}`);
  }
  ports.log.debug(
    `usage index: loaded in ${loaded - started} ms, scan ${scanned - loaded} ms, saved in ${Date.now() - scanned} ms`,
  );
  return result;
}

/** Runs `headroom report …`; returns the exit code. */
export async function runReportCommand(argv: string[], makePorts: (verbose: boolean) => Ports): Promise<number> {
  const parsed = parseReportArgs(argv.filter((arg) => arg !== '--verbose'));
  if ('exit' in parsed) {
    (parsed.exit === 0 ? process.stdout : process.stderr).write(parsed.text);
    return parsed.exit;
  }
  const ports = makePorts(argv.includes('--verbose'));
  const needEntries = parsed.kind === 'session' || parsed.kind === 'blocks';
  const result = await scanWithIndex(ports, stateDirectory(process.env, ports.env.home), needEntries);
  // Sessions and blocks need every entry; days, weeks and months come from the index's quarter-hour totals.
  const entries = needEntries ? entryItems(result) : usageItems(result);
  if (parsed.kind === 'blocks') {
    const blocks = fiveHourBlocks([...entries], ports.clock.now()).filter((block) => inRange(block, parsed));
    await print(parsed.json ? `${JSON.stringify({ blocks: blocks.map(blockJson) }, null, 2)}\n` : blocksTable(blocks));
    return 0;
  }
  const { periods, totals } = aggregate(entries, {
    kind: parsed.kind as PeriodKind,
    timeZone: parsed.timeZone,
    since: parsed.since,
    until: parsed.until,
  });
  const key = parsed.kind === 'session' ? 'sessions' : parsed.kind;
  await print(
    parsed.json
      ? `${JSON.stringify({ [key]: periods, totals }, null, 2)}\n`
      : periodTable(periods, totals, parsed.breakdown),
  );
  return 0;
}

/**
 * Writes a report to stdout and waits until it is handed to the OS: the caller exits with process.exit, which
 * otherwise cuts a report piped to another program (`| jq`) after its first 64 KB. A closed pipe is not an error here.
 */
function print(text: string): Promise<void> {
  return new Promise((resolve) => {
    process.stdout.write(text, () => resolve());
  });
}

function inRange(block: UsageBlock, args: ReportArgs): boolean {
  const day = new Date(block.start).toISOString().slice(0, 10);
  return !(args.since && day < args.since) && !(args.until && day > args.until);
}

function blockJson(block: UsageBlock): Record<string, unknown> {
  return {
    id: new Date(block.start).toISOString(),
    startTime: new Date(block.start).toISOString(),
    endTime: new Date(block.end).toISOString(),
    actualEndTime: block.lastAt === null ? null : new Date(block.lastAt).toISOString(),
    isActive: block.isActive,
    isGap: block.isGap,
    entries: block.entries,
    tokenCounts: {
      inputTokens: block.inputTokens,
      outputTokens: block.outputTokens,
      cacheCreationInputTokens: block.cacheCreationTokens,
      cacheReadInputTokens: block.cacheReadTokens,
    },
    totalTokens: block.totalTokens,
    costUSD: block.costUSD,
    models: block.models,
    burnRate: block.burnRate,
    projection: block.projection,
  };
}

const n = (value: number): string => Math.round(value).toLocaleString('en-US');
const usd = (value: number): string => `$${value.toFixed(2)}`;

function row(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
}

/** The table of the blocks report. */
function blocksTable(blocks: UsageBlock[]): string {
  const head = ['Block start (UTC)', 'Status', 'Tokens', 'Cost', 'Burn rate', 'Projected'];
  const rows = blocks.map((block) => [
    new Date(block.start).toISOString().slice(0, 16).replace('T', ' '),
    block.isGap ? 'gap' : block.isActive ? 'ACTIVE' : '',
    block.isGap ? '' : n(block.totalTokens),
    block.isGap ? '' : usd(block.costUSD),
    block.burnRate ? `${usd(block.burnRate.costPerHour)}/h` : '',
    block.projection ? usd(block.projection.totalCost) : '',
  ]);
  const widths = head.map((_, i) => Math.max(head[i]!.length, ...rows.map((r) => r[i]!.length)));
  return `${[row(head, widths), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map((r) => row(r, widths))].join('\n')}\n`;
}

/**
 * The usage of every provider account from the local logs, for the default command's JSON v1 `usage` and its Spend
 * section: by account key; null when `HEADROOM_USAGE=off` or the scan failed (a warning says why).
 */
export async function loadCliUsage(
  ports: Ports,
  settings: Settings,
  stateDir: string,
): Promise<Map<string, AccountUsageV1> | null> {
  if (process.env.HEADROOM_USAGE === 'off') return null;
  try {
    const result = await scanWithIndex(ports, stateDir, false, settings);
    // This machine's zone, its days read from Date's local getters: no Intl in a one-shot run (core/intl-replay.ts).
    const timeZone = localTimeZoneName(process.env) ?? (Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
    const usage = new Map<string, AccountUsageV1>();
    const accounts = new Set([...(result.entries?.keys() ?? []), ...result.index.buckets.keys()]);
    for (const account of accounts) {
      const figures = accountUsage(result, account, { now: ports.clock.now(), timeZone, localZone: true });
      if (figures) usage.set(account, figures);
    }
    return usage;
  } catch (error) {
    ports.log.warn(`usage from the local logs: ${(error as Error | null)?.message ?? String(error)}`);
    return null;
  }
}
