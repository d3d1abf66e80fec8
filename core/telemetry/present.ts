/**
 * The Telemetry section as the user reads it, whatever draws it (SwiftBar, the terminal, the GNOME dropdown): a
 * heading with the range, one line per figure the server has, the tokens-over-time trend, and the figures per model
 * and per user. Built from a {@link TelemetryReport}; the renderers only lay it out.
 */
import { type LocaleOptions, formatDuration, formatMoney, numberFormat } from '../format.js';
import { BLOCKS } from '../sparkline.js';
import type { TelemetryReport, TelemetryStatus } from './report.js';
import { TELEMETRY_RANGES, type TelemetryRange } from './settings.js';

/** One line: a label and its value, e.g. `{label: "Cost", text: "$12.34"}`. */
export interface TelemetryRow {
  label: string;
  text: string;
}

/** A range the user can switch to, for a picker. */
export interface TelemetryRangeChoice {
  id: TelemetryRange;
  /** "1 h", "24 h", "7 d", "30 d". */
  label: string;
  /** True for the range shown. */
  current: boolean;
}

/** The section, ready to draw. */
export interface TelemetryView {
  /** "Telemetry · last 24 hours", with " · <user>" under a user filter. */
  heading: string;
  /** A short summary for a collapsed section: "1.2M tokens · $3.40"; null when there are no figures. */
  summary: string | null;
  status: TelemetryStatus;
  /** What is wrong ("Can't reach prometheus:9090."); null when `ok`. */
  statusText: string | null;
  /** The fix; null when none. */
  fixText: string | null;
  /** The figures the server has, in a fixed order: Tokens, Token types, Cost, Active time, Sessions, Lines, … */
  rows: TelemetryRow[];
  /** Tokens over the range as block characters ("▁▂▅█"); null without the data or when no tokens were used. */
  sparkline: string | null;
  /** Tokens per bucket, each 0–1 of the fullest bucket, oldest first, for a drawn chart; empty when none. */
  bars: number[];
  /** Per model: "claude-sonnet-4-5" → "1.2M tokens · $3.40". */
  models: TelemetryRow[];
  /** Per user, only when there are several: "alice@example.com" → "800K tokens · $2.10". */
  users: TelemetryRow[];
  /** The ranges to pick from. */
  ranges: TelemetryRangeChoice[];
}

const RANGE_WORDS: Record<TelemetryRange, string> = {
  '1h': 'last hour',
  '24h': 'last 24 hours',
  '7d': 'last 7 days',
  '30d': 'last 30 days',
};

/** "24h" → "24 h", for the range picker. */
function rangeLabel(range: string): string {
  return range.replace(/^(\d+)([a-z])$/, '$1 $2');
}

/** A count: "987", "9,876", then compact: "12K", "1.2M" (the locale's words). */
export function formatCount(value: number, locale: LocaleOptions = {}): string {
  return Math.abs(value) < 10_000
    ? numberFormat(locale.locale, { maximumFractionDigits: 0 }).format(value)
    : numberFormat(locale.locale, { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}

/** US dollars: "$12.34"; amounts under a cent that are not 0 read "< $0.01". */
export function formatUsd(value: number, locale: LocaleOptions = {}): string {
  if (value > 0 && value < 0.005) return `< ${formatMoney(1, 'USD', 2, locale)}`;
  return formatMoney(Math.round(value * 100), 'USD', 2, locale);
}

/** "1.2M tokens · $3.40" from whichever of the two is known; null when neither is. */
function tokensAndCost(tokens: number | null, cost: number | null, locale: LocaleOptions): string | null {
  const parts: string[] = [];
  if (tokens !== null) parts.push(`${formatCount(tokens, locale)} tokens`);
  if (cost !== null) parts.push(formatUsd(cost, locale));
  return parts.length > 0 ? parts.join(' · ') : null;
}

/** Builds the section from a report; `locale` formats the numbers. */
export function presentTelemetry(report: TelemetryReport, locale: LocaleOptions = {}): TelemetryView {
  const words = (RANGE_WORDS as Record<string, string>)[report.range] ?? `last ${report.range}`;
  const count = (value: number): string => formatCount(value, locale);
  const rows: TelemetryRow[] = [];
  const add = (label: string, value: number | null, text: (value: number) => string): void => {
    if (value !== null) rows.push({ label, text: text(value) });
  };
  add('Tokens', report.tokens, count);
  const types = report.tokensByType;
  const typeParts = (
    [
      ['input', types.input],
      ['output', types.output],
      ['cache read', types.cacheRead],
      ['cache write', types.cacheCreation],
    ] as const
  ).flatMap(([name, value]) => (value === null ? [] : [`${name} ${count(value)}`]));
  if (typeParts.length > 0 && (report.tokens ?? 0) > 0) rows.push({ label: 'By type', text: typeParts.join(' · ') });
  add('Cost', report.costUsd, (value) => formatUsd(value, locale));
  add('Active time', report.activeSeconds, (value) => (value === 0 ? '0 min' : formatDuration(value * 1000)));
  add('Sessions', report.sessions, count);
  if (report.linesAdded !== null || report.linesRemoved !== null) {
    const added = report.linesAdded === null ? '' : `+${count(report.linesAdded)}`;
    const removed = report.linesRemoved === null ? '' : `−${count(report.linesRemoved)}`;
    rows.push({ label: 'Lines', text: [added, removed].filter(Boolean).join(' ') });
  }
  add('Commits', report.commits, count);
  add('Pull requests', report.pullRequests, count);

  const values = report.overTime?.map((point) => point.tokens) ?? [];
  const most = Math.max(0, ...values);
  const bars = most > 0 ? values.map((value) => Math.max(0, value) / most) : [];
  const sparkline = bars.length > 0 ? bars.map((bar) => BLOCKS[Math.round(bar * (BLOCKS.length - 1))]).join('') : null;
  const share = (label: string, row: { tokens: number | null; costUsd: number | null }): TelemetryRow[] => {
    const text = tokensAndCost(row.tokens, row.costUsd, locale);
    return text ? [{ label, text }] : [];
  };
  return {
    heading: `Telemetry · ${words}${report.user ? ` · ${report.user}` : ''}`,
    summary: tokensAndCost(report.tokens, report.costUsd, locale),
    status: report.status,
    statusText: report.status === 'ok' ? null : report.message,
    fixText: report.status === 'ok' || !report.fix ? null : report.fix,
    rows,
    sparkline,
    bars,
    models: report.byModel.flatMap((row) => share(row.model, row)),
    users: report.byUser.length > 1 ? report.byUser.flatMap((row) => share(row.user, row)) : [],
    ranges: TELEMETRY_RANGES.map((id) => ({ id, label: rangeLabel(id), current: id === report.range })),
  };
}
