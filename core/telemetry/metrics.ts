/**
 * The Claude Code OpenTelemetry metrics Headroom reads from Prometheus, and every spelling a Prometheus server may
 * hold them under.
 *
 * Claude Code exports these counters when `CLAUDE_CODE_ENABLE_TELEMETRY=1` (code.claude.com/docs/en/monitoring-usage):
 * `claude_code.token.usage` (unit tokens, label `type` = input/output/cacheRead/cacheCreation), `claude_code.cost.usage`
 * (USD), `claude_code.active_time.total` (s), `claude_code.session.count`, `claude_code.lines_of_code.count` (label
 * `type` = added/removed), `claude_code.commit.count`, `claude_code.pull_request.count`; every point carries
 * `session_id`, and `user_email`, `user_account_uuid`, `user_id`, `model` where they apply. How the names arrive in
 * Prometheus depends on the path:
 * - Claude Code's own Prometheus exporter (`OTEL_METRICS_EXPORTER=prometheus`): dots become `_`, counters end in
 *   `_total`: `claude_code_token_usage_total`, `claude_code_cost_usage_total`, `claude_code_active_time_total`.
 * - OTLP to an OpenTelemetry Collector with a `prometheus` exporter: the unit is added as well:
 *   `claude_code_token_usage_tokens_total`, `claude_code_cost_usage_USD_total`, `claude_code_active_time_seconds_total`.
 * - A Collector configured with `namespace: claude_code` doubles the prefix: `claude_code_claude_code_…`.
 * - A Prometheus 3 OTLP receiver that keeps UTF-8 names may keep the dots (`claude_code.token.usage_tokens_total`).
 *
 * Rather than a fixed list, each metric is a pattern over the names the server reports
 * (`GET /api/v1/label/__name__/values`); every name that matches is read and the figures are summed over them.
 */

/** The metrics Headroom shows. */
export type MetricId = 'tokens' | 'cost' | 'activeTime' | 'sessions' | 'lines' | 'commits' | 'pullRequests';

/** One metric: how its names look, whatever the path that brought them to Prometheus. */
export interface MetricFamily {
  id: MetricId;
  /** What people call it, plural and lower-case: "tokens", "active time", "pull requests". */
  label: string;
  /** The OpenTelemetry name Claude Code gives it, e.g. `claude_code.token.usage`. */
  otelName: string;
  /** Matches every Prometheus spelling of the metric (see the module comment). */
  pattern: RegExp;
}

/** `claude_code` prefix, optionally doubled; `.` or `_` between words. */
const PREFIX = '(claude_code[._])?claude_code[._]';

function family(id: MetricId, label: string, otelName: string, body: string, unit?: string): MetricFamily {
  const unitPart = unit ? `([._]${unit})?` : '';
  return { id, label, otelName, pattern: new RegExp(`^${PREFIX}${body}${unitPart}[._]total$`) };
}

/** Every metric Headroom reads, in display order. */
export const METRIC_FAMILIES: readonly MetricFamily[] = [
  family('tokens', 'tokens', 'claude_code.token.usage', 'token[._]usage', 'tokens'),
  family('cost', 'cost', 'claude_code.cost.usage', 'cost[._]usage', '(USD|usd)'),
  family('activeTime', 'active time', 'claude_code.active_time.total', 'active[._]time', 'seconds'),
  family('sessions', 'sessions', 'claude_code.session.count', 'session[._]count'),
  family('lines', 'lines of code', 'claude_code.lines_of_code.count', 'lines[._]of[._]code[._]count'),
  family('commits', 'commits', 'claude_code.commit.count', 'commit[._]count'),
  family('pullRequests', 'pull requests', 'claude_code.pull_request.count', 'pull[._]request[._]count'),
];

/** The metric names found on a server, per metric; a metric the server does not have maps to `[]`. */
export type DiscoveredMetrics = Record<MetricId, string[]>;

/**
 * Sorts metric names (the answer of `GET /api/v1/label/__name__/values`) into Headroom's metrics. Names that are no
 * Claude Code metric Headroom reads are ignored. Each list is sorted.
 */
export function discoverMetrics(names: readonly string[]): DiscoveredMetrics {
  const found = Object.fromEntries(METRIC_FAMILIES.map((f) => [f.id, [] as string[]])) as DiscoveredMetrics;
  for (const name of [...new Set(names)].sort()) {
    const match = METRIC_FAMILIES.find((f) => f.pattern.test(name));
    if (match) found[match.id].push(name);
  }
  return found;
}

/** True when the server has at least one of the metrics. */
export function hasAnyMetric(found: DiscoveredMetrics): boolean {
  return METRIC_FAMILIES.some((f) => found[f.id].length > 0);
}

/**
 * What the server has, in one sentence for the preferences' "Test connection": "Prometheus has 5 of Claude Code's
 * 7 metrics: tokens (claude_code_token_usage_total), … Missing: commits, pull requests."
 */
export function describeMetrics(found: DiscoveredMetrics): string {
  const present = METRIC_FAMILIES.filter((f) => found[f.id].length > 0);
  const missing = METRIC_FAMILIES.filter((f) => found[f.id].length === 0);
  const has = present.map((f) => `${f.label} (${found[f.id].join(', ')})`).join(', ');
  const lacks = missing.length > 0 ? ` Missing: ${missing.map((f) => f.label).join(', ')}.` : '';
  return `Prometheus has ${present.length} of Claude Code's ${METRIC_FAMILIES.length} metrics: ${has}.${lacks}`;
}
