/**
 * Team telemetry: Claude Code's OpenTelemetry metrics, as Prometheus holds them, summed over a range — tokens (by
 * type, model and user), cost, active time, sessions, lines of code, commits and pull requests, and tokens over time.
 *
 * One {@link fetchTelemetry} asks the server which Claude Code metrics it has (`GET /api/v1/label/__name__/values`),
 * then runs one instant query per metric and one range query for the sparkline in parallel
 * (`GET /api/v1/query`, `GET /api/v1/query_range`; the PromQL is in queries.ts). A metric the server does not have
 * is `null`, never 0; a query that fails leaves its figures `null` and says so in the report's status. Nothing here
 * touches the usage limits: telemetry is its own section.
 */
import type { FailureStatus } from '../model.js';
import type { Ports } from '../ports.js';
import { type DiscoveredMetrics, type MetricId, discoverMetrics, hasAnyMetric } from './metrics.js';
import { hostOf } from '../http.js';
import {
  type InstantSample,
  type PrometheusConnection,
  type PrometheusResult,
  instantQuery,
  metricNames,
  rangeQuery,
} from './prometheus.js';
import { GROUPING, USER_LABELS, bucketCount, lookbackSeconds, sumQuery } from './queries.js';

/** Tokens by Claude Code's `type` label; each null when the server has no token metric. */
export interface TokensByType {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheCreation: number | null;
}

/** One model's share: tokens and cost in USD (a number of dollars, not cents); null where the metric is missing. */
export interface ModelFigures {
  /** The `model` label, e.g. `claude-sonnet-4-5-20250929`; `unknown` for points without one. */
  model: string;
  tokens: number | null;
  costUsd: number | null;
}

/** One user's share, as {@link ModelFigures}. */
export interface UserFigures {
  /** `user_email`, else `user_account_uuid`, else `user_id`, else `unknown`. */
  user: string;
  tokens: number | null;
  costUsd: number | null;
}

/** Tokens used in one bucket of the range. */
export interface TokenPoint {
  /** The end of the bucket, epoch ms. */
  t: number;
  tokens: number;
}

/**
 * How the section stands: `ok`; `no-metrics` (the server answers but holds none of Claude Code's metrics); or a
 * failure (`offline`, `unauthorized`, `signed-out` for a missing secret, `rate-limited`, `error`).
 */
export type TelemetryStatus = 'ok' | 'no-metrics' | FailureStatus;

/**
 * The figures over one range. Counts are whole numbers; `costUsd` is US dollars (a number, not minor units, to
 * 6 decimals); `activeSeconds` is seconds. Every figure is null when the server does not have its metric or its query
 * failed, and a sum (0 when nothing happened) otherwise.
 */
export interface TelemetryFigures {
  /** All tokens, every type. */
  tokens: number | null;
  tokensByType: TokensByType;
  costUsd: number | null;
  activeSeconds: number | null;
  sessions: number | null;
  linesAdded: number | null;
  linesRemoved: number | null;
  commits: number | null;
  pullRequests: number | null;
  /** Per model, most expensive first (then most tokens). */
  byModel: ModelFigures[];
  /** Per user, most expensive first (then most tokens). */
  byUser: UserFigures[];
  /** Tokens per bucket, oldest first (12 × 5 min for 1 h, 24 × 1 h, 28 × 6 h, 30 × 1 d); null without the metric. */
  overTime: TokenPoint[] | null;
}

/** A telemetry report: the figures, the range they cover, and the section's status. */
export interface TelemetryReport extends TelemetryFigures {
  /** The range's name, e.g. `24h`. */
  range: string;
  /** The range, epoch ms: `from` exclusive, `to` (the moment of the queries) inclusive. */
  from: number;
  to: number;
  /** The user filter, or null for everyone. */
  user: string | null;
  status: TelemetryStatus;
  /** One sentence on the status; empty when `ok`. Never contains a secret. */
  message: string;
  /** What to do about it; may be empty. */
  fix: string;
  /** The Prometheus server's host (`prometheus:9090`), for messages. */
  server: string;
  /** The Claude Code metric names the server has, sorted. */
  metrics: string[];
}

/** What to fetch. */
export interface TelemetryRequest {
  /** The range's name for the report, e.g. `24h`. */
  range: string;
  /** The range's length, seconds. */
  rangeSeconds: number;
  /** The user filter (an e-mail or an account UUID), or null. */
  user: string | null;
  /** The end of the range, epoch ms (now). */
  now: number;
}

const NO_FIGURES: TelemetryFigures = {
  tokens: null,
  tokensByType: { input: null, output: null, cacheRead: null, cacheCreation: null },
  costUsd: null,
  activeSeconds: null,
  sessions: null,
  linesAdded: null,
  linesRemoved: null,
  commits: null,
  pullRequests: null,
  byModel: [],
  byUser: [],
  overTime: null,
};

/** How to enable the metrics, for the `no-metrics` state. */
export const ENABLE_TELEMETRY_FIX =
  'Run Claude Code with CLAUDE_CODE_ENABLE_TELEMETRY=1 and a metrics exporter Prometheus scrapes (see Headroom’s README, “Team telemetry”).';

/** A report without figures: telemetry that could not be fetched (`status` says why). */
export function failedReport(
  request: TelemetryRequest,
  server: string,
  failure: { status: TelemetryStatus; message: string; fix: string },
  metrics: string[] = [],
): TelemetryReport {
  return {
    range: request.range,
    from: request.now - request.rangeSeconds * 1000,
    to: request.now,
    user: request.user,
    status: failure.status,
    message: failure.message,
    fix: failure.fix,
    server,
    metrics,
    ...NO_FIGURES,
    tokensByType: { ...NO_FIGURES.tokensByType },
  };
}

/** Rounds a sum of counts (whole numbers in Claude Code) to a whole number; `digits` decimals for the others. */
function rounded(value: number, digits = 0): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function total(samples: readonly InstantSample[]): number {
  return samples.reduce((sum, sample) => sum + sample.value, 0);
}

/** Sums samples by a key taken from their labels. */
function sumBy(
  samples: readonly InstantSample[],
  key: (labels: Record<string, string>) => string,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const sample of samples) {
    const k = key(sample.labels);
    out.set(k, (out.get(k) ?? 0) + sample.value);
  }
  return out;
}

/** `cacheRead`, `cache_read`, `CacheRead` → `cacheRead`; any other type is only part of the total. */
function tokenType(labels: Record<string, string>): keyof TokensByType | 'other' {
  const key = (labels.type ?? '').replace(/[_\s-]/g, '').toLowerCase();
  const types: Record<string, keyof TokensByType> = {
    input: 'input',
    output: 'output',
    cacheread: 'cacheRead',
    cachecreation: 'cacheCreation',
  };
  return types[key] ?? 'other';
}

/** Who a point belongs to: its e-mail, else its account UUID, else its user id. */
function userOf(labels: Record<string, string>): string {
  return USER_LABELS.map((label) => labels[label]).find((value) => !!value) ?? 'unknown';
}

function modelOf(labels: Record<string, string>): string {
  return labels.model || 'unknown';
}

/** Joins tokens and cost per key (model or user) into rows, most expensive first, then most tokens, then by name. */
function shares<K extends string>(
  keyName: K,
  tokens: Map<string, number> | null,
  cost: Map<string, number> | null,
): ({ [P in K]: string } & { tokens: number | null; costUsd: number | null })[] {
  const keys = new Set([...(tokens?.keys() ?? []), ...(cost?.keys() ?? [])]);
  const rows = [...keys].map(
    (key) =>
      ({
        [keyName]: key,
        tokens: tokens ? rounded(tokens.get(key) ?? 0) : null,
        costUsd: cost ? rounded(cost.get(key) ?? 0, 6) : null,
      }) as { [P in K]: string } & { tokens: number | null; costUsd: number | null },
  );
  return rows.sort(
    (a, b) =>
      (b.costUsd ?? 0) - (a.costUsd ?? 0) ||
      (b.tokens ?? 0) - (a.tokens ?? 0) ||
      (a[keyName] < b[keyName] ? -1 : a[keyName] > b[keyName] ? 1 : 0),
  );
}

/**
 * Fetches the telemetry report for one range. Never rejects: an unreachable or failing server, an error answer or a
 * server without Claude Code's metrics is a report with that status and null figures.
 */
export async function fetchTelemetry(
  ports: Ports,
  connection: PrometheusConnection,
  request: TelemetryRequest,
): Promise<TelemetryReport> {
  const server = hostOf(connection.url);
  const names = await metricNames(ports, connection);
  if (!names.ok) return failedReport(request, server, names.failure);
  const found = discoverMetrics(names.data);
  const metrics = Object.values(found).flat().sort();
  if (!hasAnyMetric(found)) {
    return failedReport(
      request,
      server,
      {
        status: 'no-metrics',
        message: `Prometheus at ${server} has none of Claude Code's metrics.`,
        fix: ENABLE_TELEMETRY_FIX,
      },
      metrics,
    );
  }
  const { now, rangeSeconds, user } = request;
  const window = { windowSeconds: rangeSeconds, lookbackSeconds: lookbackSeconds(rangeSeconds) };
  const instant = (id: MetricId): Promise<PrometheusResult<InstantSample[]> | null> => {
    const query = sumQuery(found[id], GROUPING[id], user, window);
    return query === null ? Promise.resolve(null) : instantQuery(ports, connection, query, now);
  };
  const ids: MetricId[] = ['tokens', 'cost', 'activeTime', 'sessions', 'lines', 'commits', 'pullRequests'];
  const [results, overTime] = await Promise.all([
    Promise.all(ids.map(instant)),
    tokensOverTime(ports, connection, found, request),
  ]);
  const byId = Object.fromEntries(ids.map((id, index) => [id, results[index] ?? null])) as Record<
    MetricId,
    PrometheusResult<InstantSample[]> | null
  >;
  const failures = [...results, overTime].flatMap((result) => (result && !result.ok ? [result.failure] : []));
  const samples = (id: MetricId): InstantSample[] | null => {
    const result = byId[id];
    return result?.ok ? result.data : null;
  };
  const sumOf = (id: MetricId, digits = 0): number | null => {
    const data = samples(id);
    return data === null ? null : rounded(total(data), digits);
  };

  const tokens = samples('tokens');
  const tokenTypes = tokens ? sumBy(tokens, tokenType) : null;
  const cost = samples('cost');
  const lines = samples('lines');
  const linesByType = lines ? sumBy(lines, (labels) => labels.type ?? '') : null;
  const figure = (map: Map<string, number> | null, key: string): number | null =>
    map ? rounded(map.get(key) ?? 0) : null;
  const report: TelemetryReport = {
    ...failedReport(request, server, { status: 'ok', message: '', fix: '' }, metrics),
    tokens: sumOf('tokens'),
    tokensByType: {
      input: figure(tokenTypes, 'input'),
      output: figure(tokenTypes, 'output'),
      cacheRead: figure(tokenTypes, 'cacheRead'),
      cacheCreation: figure(tokenTypes, 'cacheCreation'),
    },
    costUsd: sumOf('cost', 6),
    activeSeconds: sumOf('activeTime', 3),
    sessions: sumOf('sessions'),
    linesAdded: figure(linesByType, 'added'),
    linesRemoved: figure(linesByType, 'removed'),
    commits: sumOf('commits'),
    pullRequests: sumOf('pullRequests'),
    byModel: shares('model', tokens && sumBy(tokens, modelOf), cost && sumBy(cost, modelOf)),
    byUser: shares('user', tokens && sumBy(tokens, userOf), cost && sumBy(cost, userOf)),
    overTime: overTime?.ok ? overTime.data : null,
  };
  const failure = failures[0];
  if (failure) {
    report.status = failure.status;
    report.message = `Some figures are missing: ${failure.message}`;
    report.fix = failure.fix;
  }
  return report;
}

/**
 * Tokens per bucket over the range (`GET /api/v1/query_range`), one point per bucket end: a bucket without a point
 * in the answer used no tokens. Null when the server has no token metric.
 */
async function tokensOverTime(
  ports: Ports,
  connection: PrometheusConnection,
  found: DiscoveredMetrics,
  request: TelemetryRequest,
): Promise<PrometheusResult<TokenPoint[]> | null> {
  const count = bucketCount(request.rangeSeconds);
  const stepSeconds = request.rangeSeconds / count;
  const query = sumQuery(found.tokens, [], request.user, {
    windowSeconds: stepSeconds,
    lookbackSeconds: lookbackSeconds(request.rangeSeconds),
  });
  if (query === null) return null;
  const start = request.now - request.rangeSeconds * 1000 + stepSeconds * 1000;
  const result = await rangeQuery(ports, connection, query, { start, end: request.now, stepSeconds });
  if (!result.ok) return result;
  const points: TokenPoint[] = Array.from({ length: count }, (_, k) => ({
    t: Math.round(start + k * stepSeconds * 1000),
    tokens: 0,
  }));
  for (const series of result.data) {
    for (const point of series.points) {
      const k = Math.round((point.t - start) / (stepSeconds * 1000));
      if (points[k]) points[k].tokens += point.value;
    }
  }
  return { ok: true, data: points.map((point) => ({ ...point, tokens: rounded(point.tokens) })) };
}
