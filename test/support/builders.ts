/**
 * Shared values for unit tests: a fixed clock and its units, and the two standard usage windows.
 */
import type { Sample } from '../../core/history.js';
import type { ProviderSnapshot, UsageWindow } from '../../core/model.js';

/** Sunday 22 November 2026, 05:00 UTC (18:00 in Auckland, already Sunday evening there). */
export const T = Date.UTC(2026, 10, 22, 5, 0, 0);
export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** British English in UTC: 24-hour clock, no zone surprises. */
export const GB_UTC = { locale: 'en-GB', timeZone: 'UTC' };

/** The 5-hour session window as the providers normalise it. */
export const session = (usedPercent: number, resetsAt: number | null): UsageWindow => ({
  id: 'session',
  label: 'Session (5 h)',
  usedPercent,
  resetsAt,
  windowMinutes: 300,
});

/** The weekly window as the providers normalise it. */
export const weekly = (usedPercent: number, resetsAt: number | null): UsageWindow => ({
  id: 'weekly',
  label: 'Weekly',
  usedPercent,
  resetsAt,
  windowMinutes: 10080,
});

/** The default account of a provider, as snapshots carry it (core/accounts.ts). */
export const defaultAccount = (provider: string): { id: string; key: string; label: string } => ({
  id: 'default',
  key: provider,
  label: provider === 'codex' ? '~/.codex' : '~/.claude',
});

/** Provider settings with no extra accounts: `auto`, or the given source. */
export const providerSettings = (source = 'auto', enabled = true) => ({
  enabled,
  source,
  directories: [] as string[],
  labels: {} as Record<string, string>,
});

/** A history sample of Claude's session window of the cycle resetting 3 h after T, unless `extra` says otherwise. */
export const sessionSample = (at: number, usedPercent: number, extra: Partial<Sample> = {}): Sample => ({
  at,
  provider: 'claude',
  windowId: 'session',
  usedPercent,
  resetsAt: T + 3 * HOUR,
  windowMinutes: 300,
  ...extra,
});

/** An `ok` snapshot of a provider's default account from the API, captured a minute before {@link T}. */
export const okSnapshot = (
  provider: string,
  windows: UsageWindow[],
  extra: Partial<ProviderSnapshot> = {},
): ProviderSnapshot => ({
  provider,
  account: defaultAccount(provider),
  source: windows.length > 0 ? 'api' : null,
  status: 'ok',
  message: '',
  fix: '',
  stale: false,
  plan: null,
  fetchedAt: windows.length > 0 ? T - MIN : null,
  retryAt: null,
  windows,
  money: [],
  ...extra,
});
