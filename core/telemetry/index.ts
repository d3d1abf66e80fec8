/**
 * Team telemetry from Prometheus, as the shells use it: {@link loadTelemetry} turns the settings into a report (or
 * null while telemetry is off). The parts: metrics.ts (the metric names), queries.ts (the PromQL), prometheus.ts
 * (the HTTP API), connect.ts (URL and auth), report.ts (the figures), present.ts (the section), json.ts (JSON v1).
 */
import { hostOf } from '../http.js';
import type { Ports } from '../ports.js';
import type { SecretStore } from '../secrets.js';
import { prometheusConnection } from './connect.js';
import { describeMetrics, discoverMetrics, hasAnyMetric } from './metrics.js';
import { metricNames } from './prometheus.js';
import { ENABLE_TELEMETRY_FIX, type TelemetryReport, failedReport, fetchTelemetry } from './report.js';
import { RANGE_SECONDS, type TelemetryRange, type TelemetrySettings } from './settings.js';

export type { TelemetryReport } from './report.js';
export type { TelemetryView } from './present.js';
export { presentTelemetry } from './present.js';
export { toJsonTelemetry } from './json.js';

/** Options of {@link loadTelemetry}. */
export interface LoadTelemetryOptions {
  /** The end of the range, epoch ms. */
  now: number;
  /** The range to show instead of the settings' one (the CLI's `--range`). */
  range?: TelemetryRange;
  /** How this shell stores the Prometheus secret, for the "no secret stored" state. */
  missingSecretFix: string;
}

/**
 * The telemetry report for the settings, or null when no Prometheus URL is set (telemetry off). `secrets` is the
 * shell's keyring, or null. Never rejects: every problem is a report status.
 */
export async function loadTelemetry(
  ports: Ports,
  settings: TelemetrySettings,
  secrets: SecretStore | null,
  options: LoadTelemetryOptions,
): Promise<TelemetryReport | null> {
  if (!settings.url) return null;
  const range = options.range ?? settings.range;
  const request = { range, rangeSeconds: RANGE_SECONDS[range], user: settings.user, now: options.now };
  const connected = await prometheusConnection(ports, settings, secrets, options.missingSecretFix);
  if (!connected.ok) return failedReport(request, hostOf(settings.url), connected.failure);
  return fetchTelemetry(ports, connected.connection, request);
}

/** The outcome of {@link checkConnection}: whether it worked, and one paragraph for the user. */
export interface ConnectionCheck {
  ok: boolean;
  text: string;
}

/**
 * "Test connection": logs in as the settings say and asks the server which Claude Code metrics it has
 * (`GET /api/v1/label/__name__/values`). `ok` only when it answered and has at least one. Never rejects.
 */
export async function checkConnection(
  ports: Ports,
  settings: TelemetrySettings,
  secrets: SecretStore | null,
  missingSecretFix: string,
): Promise<ConnectionCheck> {
  if (!settings.url) return { ok: false, text: 'Set the Prometheus URL first.' };
  const connected = await prometheusConnection(ports, settings, secrets, missingSecretFix);
  if (!connected.ok) return { ok: false, text: `${connected.failure.message} ${connected.failure.fix}`.trim() };
  const names = await metricNames(ports, connected.connection);
  if (!names.ok) return { ok: false, text: `${names.failure.message} ${names.failure.fix}`.trim() };
  const found = discoverMetrics(names.data);
  if (!hasAnyMetric(found)) {
    return {
      ok: false,
      text: `Connected, but Prometheus has none of Claude Code's metrics. ${ENABLE_TELEMETRY_FIX}`,
    };
  }
  return { ok: true, text: `Connected. ${describeMetrics(found)}` };
}
