/**
 * Pace and forecast of a usage window, as the field does it (REFERENCE.md §4): how much of the window's time has
 * elapsed, how much use an even pace would have reached by now, the difference, and when the window runs out at
 * the current burn rate.
 */
import type { UsageWindow } from './model.js';

/** How use compares with an even pace: within 2 points is on pace; up to 12 ahead/behind; beyond that, far. */
export type PaceStage = 'on-pace' | 'ahead' | 'far-ahead' | 'behind' | 'far-behind';

/** A window's pace at one moment. Percentages are 0–100 points; instants epoch ms. */
export interface Pace {
  /** Share of the window's time elapsed, 0–100. */
  elapsedPercent: number;
  /** Use an even pace would have reached by now, 0–100. */
  expectedPercent: number;
  /** used − expected, in points: positive means using faster than an even pace. */
  delta: number;
  stage: PaceStage;
  /** When the window runs out at the current average burn rate; null when it lasts until the reset. */
  runsOutAt: number | null;
  /** True when, at the current rate, the window lasts until it resets. */
  lastsUntilReset: boolean;
}

/** Below this share of the window elapsed, pace is not meaningful yet (percent). */
export const MIN_ELAPSED_PERCENT = 3;

/** The stage for a delta in points. */
export function paceStage(delta: number): PaceStage {
  const size = Math.abs(delta);
  if (size <= 2) return 'on-pace';
  if (delta > 0) return size > 12 ? 'far-ahead' : 'ahead';
  return size > 12 ? 'far-behind' : 'behind';
}

/**
 * The linear pace of a window at `now`: null when the window has no reset time or length, when `now` is outside
 * it, or when less than {@link MIN_ELAPSED_PERCENT} of it has elapsed. The forecast assumes the average rate so
 * far (used ÷ elapsed) continues: a window at 0 % lasts; one at or above 100 % has run out now.
 */
export function linearPace(window: UsageWindow, now: number): Pace | null {
  if (window.resetsAt === null || window.windowMinutes === null || window.windowMinutes <= 0) return null;
  const length = window.windowMinutes * 60_000;
  const untilReset = window.resetsAt - now;
  if (untilReset <= 0 || untilReset > length) return null;
  const elapsed = length - untilReset;
  const elapsedPercent = (elapsed / length) * 100;
  if (elapsedPercent < MIN_ELAPSED_PERCENT) return null;
  const delta = window.usedPercent - elapsedPercent;
  let runsOutAt: number | null = null;
  if (window.usedPercent >= 100) runsOutAt = now;
  else if (window.usedPercent > 0) {
    const rate = window.usedPercent / elapsed;
    const at = now + (100 - window.usedPercent) / rate;
    runsOutAt = at < window.resetsAt ? at : null;
  }
  return {
    elapsedPercent,
    expectedPercent: elapsedPercent,
    delta,
    stage: paceStage(delta),
    runsOutAt,
    lastsUntilReset: runsOutAt === null,
  };
}
