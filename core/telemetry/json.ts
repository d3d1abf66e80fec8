/**
 * The `telemetry` object of the `--format json` document (schema version 1, README.md) and of
 * `headroom telemetry --json`: a {@link TelemetryReport} with instants as ISO 8601 strings.
 */
import type { ModelFigures, TelemetryReport, TelemetryStatus, TokensByType, UserFigures } from './report.js';

/**
 * The v1 telemetry object. Counts are whole numbers, `costUsd` US dollars (a number of dollars, 6 decimals),
 * `activeSeconds` seconds; a figure whose metric the server does not have (or whose query failed) is `null`.
 */
export interface JsonTelemetryV1 {
  /** `1h`, `24h`, `7d` or `30d`. */
  range: string;
  /** The range: `from` (exclusive) and `to` (the moment of the queries), ISO 8601 UTC. */
  from: string;
  to: string;
  /** The user filter (an e-mail or account UUID), or null for everyone. */
  user: string | null;
  /** `ok`, `no-metrics`, `offline`, `unauthorized`, `signed-out` (no secret stored), `rate-limited` or `error`. */
  status: TelemetryStatus;
  message: string;
  fix: string;
  /** The Prometheus host, e.g. `prometheus:9090`. */
  server: string;
  /** The Claude Code metric names the server has. */
  metrics: string[];
  tokens: number | null;
  tokensByType: TokensByType;
  costUsd: number | null;
  activeSeconds: number | null;
  sessions: number | null;
  linesAdded: number | null;
  linesRemoved: number | null;
  commits: number | null;
  pullRequests: number | null;
  byModel: ModelFigures[];
  byUser: UserFigures[];
  /** Tokens per bucket, `t` the bucket's end (ISO 8601 UTC); null without the token metric. */
  overTime: { t: string; tokens: number }[] | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The v1 telemetry object of a report; null when telemetry is off (no Prometheus configured). */
export function toJsonTelemetry(report: TelemetryReport | null): JsonTelemetryV1 | null {
  if (!report) return null;
  return {
    range: report.range,
    from: iso(report.from),
    to: iso(report.to),
    user: report.user,
    status: report.status,
    message: report.message,
    fix: report.fix,
    server: report.server,
    metrics: [...report.metrics],
    tokens: report.tokens,
    tokensByType: { ...report.tokensByType },
    costUsd: report.costUsd,
    activeSeconds: report.activeSeconds,
    sessions: report.sessions,
    linesAdded: report.linesAdded,
    linesRemoved: report.linesRemoved,
    commits: report.commits,
    pullRequests: report.pullRequests,
    byModel: report.byModel.map((row) => ({ ...row })),
    byUser: report.byUser.map((row) => ({ ...row })),
    overTime: report.overTime?.map((point) => ({ t: iso(point.t), tokens: point.tokens })) ?? null,
  };
}
