/**
 * Window cycles: the rules every part of Headroom uses to decide what a usage window's reset time means — the
 * refresh (what the menu shows), the alert engine (once per cycle), the history (a reset is worth a sample; which
 * samples belong to today's trend) and the forecast (which past cycles to learn from).
 *
 * - A window whose reset time has passed reads as reset: 0 % used, reset time unknown until the source reports the
 *   next one ({@link settleWindow}).
 * - Two reset times within {@link cycleTolerance} of each other — half the window's length, at least 5 minutes — are
 *   the same cycle: sources report `resets_at` with jitter of fractions of a second to minutes (Codex's local logs
 *   and its API disagree slightly), while the next cycle's reset is a whole window length later.
 *
 * Units: instants epoch ms, window lengths in minutes, percentages 0–100.
 */
import type { Sample } from './history.js';
import type { ProviderId, UsageWindow } from './model.js';

const MINUTE_MS = 60_000;

/** The least tolerance when comparing reset times, ms (5 min). */
export const MIN_CYCLE_TOLERANCE_MS = 5 * MINUTE_MS;

/**
 * A window as it stands at `now` (epoch ms): once its reset time has passed it counts as reset (0 % used, reset time
 * unknown until the source reports the next one). Returns the window itself when nothing changes, else a copy.
 */
export function settleWindow(window: UsageWindow, now: number): UsageWindow {
  return window.resetsAt !== null && window.resetsAt <= now ? { ...window, usedPercent: 0, resetsAt: null } : window;
}

/**
 * The tolerance for "the same reset", ms: half the window's length (`windowMinutes`, minutes; null or not finite
 * when unknown), at least {@link MIN_CYCLE_TOLERANCE_MS}.
 */
export function cycleTolerance(windowMinutes: number | null): number {
  const length = windowMinutes !== null && Number.isFinite(windowMinutes) ? windowMinutes * MINUTE_MS : 0;
  return Math.max(length / 2, MIN_CYCLE_TOLERANCE_MS);
}

/**
 * True when two reset times (epoch ms) are known and within {@link cycleTolerance} of a window of `windowMinutes`
 * (minutes; null when unknown) of each other: they name the same cycle.
 */
export function sameReset(a: number | null, b: number | null, windowMinutes: number | null): boolean {
  return a !== null && b !== null && Math.abs(a - b) <= cycleTolerance(windowMinutes);
}

/**
 * True when two observations (samples or windows) belong to the same cycle: the same window length and resets
 * within {@link cycleTolerance}. Two unknown resets count as the same cycle; a known and an unknown one do not.
 */
export function sameCycle(
  a: { resetsAt: number | null; windowMinutes: number | null },
  b: { resetsAt: number | null; windowMinutes: number | null },
): boolean {
  if (a.windowMinutes !== b.windowMinutes) return false;
  if (a.resetsAt === null || b.resetsAt === null) return a.resetsAt === b.resetsAt;
  return sameReset(a.resetsAt, b.resetsAt, a.windowMinutes);
}

/**
 * The samples of a window's current cycle, oldest first: the account's samples (`provider` is the account key,
 * core/accounts.ts) of the same window id in the same cycle ({@link sameCycle}: same length, reset within
 * max(window/2, 5 min)), taken no later than `now`. Empty when the window's reset time is unknown.
 *
 * @param samples any samples (e.g. `RecordResult.samples` of core/history.ts); they need not be sorted.
 * @param now epoch ms.
 */
export function cycleSamples(
  samples: readonly Sample[],
  provider: ProviderId,
  window: UsageWindow,
  now: number,
): Sample[] {
  if (!Array.isArray(samples) || !window || window.resetsAt === null) return [];
  return samples
    .filter(
      (sample) =>
        sample.provider === provider && sample.windowId === window.id && sample.at <= now && sameCycle(sample, window),
    )
    .sort((a, b) => a.at - b.at);
}
