/**
 * When a shell's timer should fire next: never sooner than the refresh interval, and not before the scheduler's
 * `nextWakeAt` (core/scheduler.ts) when every remote source is waiting longer (a Retry-After, a back-off).
 */

/**
 * The delay before the next timed refresh, whole seconds: max(`intervalSeconds`, `nextWakeAt` − `now`), rounded up.
 * `nextWakeAt` and `now` are epoch ms; a null `nextWakeAt` (no remote source has a known time) gives the interval.
 */
export function nextTimerSeconds(intervalSeconds: number, nextWakeAt: number | null, now: number): number {
  if (nextWakeAt === null || !Number.isFinite(nextWakeAt)) return intervalSeconds;
  return Math.max(intervalSeconds, Math.ceil((nextWakeAt - now) / 1000));
}
