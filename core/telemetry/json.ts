/**
 * The `telemetry` object of the `--format json` document (schema version 1, README.md) and of
 * `headroom telemetry --json`: a {@link TelemetryReport} with instants as ISO 8601 strings.
 */
import type { TelemetryReport } from './report.js';

/**
 * The v1 telemetry object: the report's fields (report.ts documents them: counts are whole numbers, `costUsd` US
 * dollars as a number of dollars to 6 decimals, `activeSeconds` seconds, a figure whose metric the server lacks or
 * whose query failed `null`), with instants as ISO 8601 UTC strings: `from`, `to`, and each `overTime[].t` (the end of
 * its bucket).
 */
export interface JsonTelemetryV1 extends Omit<TelemetryReport, 'from' | 'to' | 'overTime'> {
  from: string;
  to: string;
  overTime: { t: string; tokens: number }[] | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The v1 telemetry object of a report; null when telemetry is off (no Prometheus configured). */
export function toJsonTelemetry(report: TelemetryReport | null): JsonTelemetryV1 | null {
  if (!report) return null;
  return {
    ...report,
    from: iso(report.from),
    to: iso(report.to),
    metrics: [...report.metrics],
    tokensByType: { ...report.tokensByType },
    byModel: report.byModel.map((row) => ({ ...row })),
    byUser: report.byUser.map((row) => ({ ...row })),
    overTime: report.overTime?.map((point) => ({ t: iso(point.t), tokens: point.tokens })) ?? null,
  };
}
