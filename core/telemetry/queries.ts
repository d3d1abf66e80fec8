/**
 * The PromQL Headroom sends to Prometheus for the Claude Code metrics (see README.md, "Team telemetry").
 *
 * Claude Code's counters are cumulative per session (`session_id` label) and start at 0 when the session starts. A
 * short session (a `claude -p` run) often reaches Prometheus only once it is already non-zero and never changes
 * again: its series first appears with its final value and stays constant. `increase(m[24h])` counts such a series
 * as 0 (every sample it has is the same), or drops it altogether while it has one sample, and extrapolates the
 * others to non-whole numbers. Headroom therefore counts, per series, what the counter gained within the range,
 * without extrapolation:
 *
 * ```
 *   (max_over_time(m[R]) - last_over_time(m[L] offset R)) >= 0     series that existed before the range: gain since
 *                                                                  the last sample before the range began
 *   or max_over_time(m[R])                                         series born inside the range (no earlier sample,
 *                                                                  so they started at 0), and series whose counter
 *                                                                  restarted below its earlier value: all of it
 * ```
 *
 * `R` is the range (or, for the sparkline's buckets, one bucket), `L` (the look-back for the baseline) is the range
 * but at least a day, the same for the buckets as for the total, so that a session that
 * paused (a laptop asleep, a Collector that expired the idle series) is still recognised as the same series when it
 * comes back. `max_over_time` is the last value of a counter that did not restart. Known limits: a series whose
 * counter restarted inside the range counts only its value after the restart, and a series last seen more than `L`
 * before the range that comes back with its cumulative value counts it all.
 *
 * Each metric may exist under several names (metrics.ts); each name is queried with its own selector
 * (`{__name__="…"}`, valid for any name) and the results are joined with `or` after a `headroom_metric` label tells
 * them apart, so identical label sets under two names never collide. The outer `sum by (…)` then adds them.
 */
import type { MetricId } from './metrics.js';

/** Labels on Claude Code's metrics that identify the user (code.claude.com/docs/en/monitoring-usage). */
export const USER_LABELS = ['user_email', 'user_account_uuid', 'user_id'] as const;

/** The shortest baseline look-back, seconds (one day). */
export const MIN_LOOKBACK_SECONDS = 86_400;

/** A PromQL string literal: double-quoted, with `\`, `"` and line breaks escaped. */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/**
 * The label matcher of a user filter: an e-mail address (contains `@`) matches `user_email`, anything else
 * `user_account_uuid`. Null for no filter.
 */
export function userMatcher(user: string | null): string | null {
  if (!user) return null;
  return `${user.includes('@') ? 'user_email' : 'user_account_uuid'}=${promString(user)}`;
}

/** The selector of one metric name, with the user filter: `{__name__="claude_code_cost_usage_total",user_email="…"}`. */
export function selector(name: string, user: string | null): string {
  const matchers = [`__name__=${promString(name)}`];
  const filter = userMatcher(user);
  if (filter) matchers.push(filter);
  return `{${matchers.join(',')}}`;
}

/** A PromQL duration: whole seconds as `3600s`, anything finer in milliseconds (`1667ms`). */
export function duration(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** The baseline look-back for a range, seconds: the range, but at least {@link MIN_LOOKBACK_SECONDS}. */
export function lookbackSeconds(rangeSeconds: number): number {
  return Math.max(Math.round(rangeSeconds), MIN_LOOKBACK_SECONDS);
}

/** What a query covers: the gain over `windowSeconds`, baselines looked up over `lookbackSeconds`. */
export interface GainWindow {
  /** The span counted, seconds before the evaluation time: the range, or one bucket of the sparkline. */
  windowSeconds: number;
  /** How far before the span a series' baseline sample is looked for, seconds ({@link lookbackSeconds}). */
  lookbackSeconds: number;
}

/**
 * Per series, what one metric name gained over the window before the evaluation time (see the module comment). The
 * result keeps the series' labels (without `__name__`).
 */
export function gainExpression(name: string, user: string | null, window: GainWindow): string {
  const s = selector(name, user);
  const r = duration(window.windowSeconds);
  const lookback = duration(window.lookbackSeconds);
  return `((max_over_time(${s}[${r}]) - last_over_time(${s}[${lookback}] offset ${r})) >= 0 or max_over_time(${s}[${r}]))`;
}

/**
 * The summed gain over every name of one metric, grouped by `by` (no labels: one total). Null when the metric has no
 * names (the server does not have it).
 */
export function sumQuery(
  names: readonly string[],
  by: readonly string[],
  user: string | null,
  window: GainWindow,
): string | null {
  if (names.length === 0) return null;
  const parts =
    names.length === 1
      ? [gainExpression(names[0]!, user, window)]
      : names.map(
          (name) =>
            `label_replace(${gainExpression(name, user, window)}, "headroom_metric", ${promString(name)}, "", "")`,
        );
  return `sum by (${by.join(', ')}) (${parts.join(' or ')})`;
}

/** How each metric is grouped in the instant query for the range's figures. */
export const GROUPING: Record<MetricId, readonly string[]> = {
  tokens: ['type', 'model', ...USER_LABELS],
  cost: ['model', ...USER_LABELS],
  activeTime: [],
  sessions: [],
  lines: ['type'],
  commits: [],
  pullRequests: [],
};

/**
 * How many buckets the tokens-over-time sparkline has for a range: 12 (5 min each for 1 h), 24 (1 h each for 24 h),
 * 28 (6 h each for 7 d), 30 (a day each for 30 d).
 */
export function bucketCount(rangeSeconds: number): number {
  if (rangeSeconds <= 3600) return 12;
  if (rangeSeconds <= 86_400) return 24;
  if (rangeSeconds <= 7 * 86_400) return 28;
  return 30;
}
