/**
 * The stable `--format json` document, schema version 1 (documented in README.md). Field names never change within
 * a version; new fields may be added.
 */
import type { Alert } from './alerts.js';
import type { Money, ProviderSnapshot } from './model.js';
import { type JsonTelemetryV1, toJsonTelemetry } from './telemetry/json.js';
import type { TelemetryReport } from './telemetry/report.js';
import { checkInstant } from './ranges.js';
import { accountKey } from './accounts.js';
import type { AccountUsageV1 } from './usage/summary.js';

/** One usage window in the v1 document. `resetsAt` is ISO 8601 (UTC) or null. */
export interface JsonWindowV1 {
  id: string;
  label: string;
  usedPercent: number;
  resetsAt: string | null;
  windowMinutes: number | null;
}

/** One money entry in the v1 document: the model's {@link Money}, amounts in minor units. */
export type JsonMoneyV1 = Money;

/**
 * One provider account in the v1 document. `id` is the provider's id; a provider with several accounts has one
 * entry per account, told apart by `account`.
 */
export interface JsonProviderV1 {
  id: string;
  /** The account: `id` is `default` or the account's id (`claude-work`); `label` what the user calls it. */
  account: { id: string; label: string };
  source: string | null;
  status: string;
  message: string;
  fix: string;
  stale: boolean;
  plan: string | null;
  fetchedAt: string | null;
  retryAt: string | null;
  windows: JsonWindowV1[];
  money: JsonMoneyV1[];
  /**
   * Tokens and cost from the account's local logs (core/usage/summary.ts): today, the last 30 days, top models,
   * the current five-hour block. Present only when the run read the logs; null when they hold nothing.
   */
  usage?: AccountUsageV1 | null;
}

/** The v1 document. */
export interface JsonDocumentV1 {
  version: 1;
  generatedAt: string;
  providers: JsonProviderV1[];
  /** The notifications this run decided to show (core/alerts.ts), in order. */
  alerts: Alert[];
  /** Team telemetry from Prometheus (core/telemetry/json.ts); null when no Prometheus is configured. */
  telemetry: JsonTelemetryV1 | null;
}

/** An instant as ISO 8601; null when unknown or out of range (core/ranges.ts), so the document never throws. */
const iso = (ms: number | null): string | null => {
  const checked = checkInstant(ms);
  return checked === null ? null : new Date(checked).toISOString();
};

/**
 * Builds the v1 document from snapshots, the alerts of this run, the telemetry report (null when telemetry is off)
 * and the usage from the local logs by account key (null when the logs were not read); `now` is epoch ms.
 */
export function toJsonDocument(
  snapshots: ProviderSnapshot[],
  now: number,
  alerts: Alert[] = [],
  telemetry: TelemetryReport | null = null,
  usage: ReadonlyMap<string, AccountUsageV1> | null = null,
): JsonDocumentV1 {
  return {
    version: 1,
    generatedAt: new Date(Number.isFinite(now) ? now : 0).toISOString(),
    providers: snapshots.map((snapshot) => ({
      id: snapshot.provider,
      account: { id: snapshot.account.id, label: snapshot.account.label },
      source: snapshot.source,
      status: snapshot.status,
      message: snapshot.message,
      fix: snapshot.fix,
      stale: snapshot.stale,
      plan: snapshot.plan,
      fetchedAt: iso(snapshot.fetchedAt),
      retryAt: iso(snapshot.retryAt),
      windows: snapshot.windows.map((window) => ({
        id: window.id,
        label: window.label,
        usedPercent: window.usedPercent,
        resetsAt: iso(window.resetsAt),
        windowMinutes: window.windowMinutes,
      })),
      money: snapshot.money.map((money) => ({ ...money })),
      ...(usage ? { usage: usage.get(accountKey(snapshot.provider, snapshot.account.id)) ?? null } : {}),
    })),
    alerts,
    telemetry: toJsonTelemetry(telemetry),
  };
}
