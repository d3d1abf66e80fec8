/**
 * The trend of a window's current cycle, drawn from its history samples: as block characters for text menus (the
 * SwiftBar plugin, the CLI) and as points for a drawn chart (the GNOME extension). Pure: no I/O.
 *
 * Units: instants epoch ms, percentages 0–100, window lengths in minutes.
 */
import type { Sample } from './history.js';
import type { UsageWindow } from './model.js';

const MINUTE_MS = 60_000;

/** Block characters from 0 % (▁) to 100 % (█). */
export const BLOCKS = '▁▂▃▄▅▆▇█';

/**
 * The trend of the current cycle as block characters, e.g. "▁▁▂▃▃▅▆▆▆▇" — renders in SwiftBar menus and terminals.
 * Column i of `width` shows the used percent at the end of its slice of the cycle's time axis (from the cycle's start,
 * `resetsAt − windowMinutes`, to `now`), carrying the last sample forward across gaps; before the first sample it
 * shows 0 % (a cycle starts empty). 0 % is ▁, 100 % and above █, in eight even steps (rounded).
 *
 * Empty when there are no samples, the window's reset time or length is unknown, `now` is not after the cycle's
 * start, or `width` is below 1. Width is capped at 200.
 *
 * @param cycle the samples of the current cycle (`cycleSamples` in core/cycles.ts).
 * @param now epoch ms.
 */
export function sparklineText(cycle: readonly Sample[], window: UsageWindow, now: number, width = 12): string {
  const axis = cycleAxis(cycle, window, now);
  const columns = Math.min(200, Math.floor(width));
  if (!axis || !(columns >= 1)) return '';
  const { start, points } = axis;
  const span = now - start;
  let text = '';
  let next = 0;
  let value = 0;
  for (let column = 1; column <= columns; column++) {
    const end = start + (span * column) / columns;
    while (next < points.length && (points[next] as Sample).at <= end) value = (points[next++] as Sample).usedPercent;
    const level = Math.round((Math.min(100, Math.max(0, value)) / 100) * (BLOCKS.length - 1));
    text += BLOCKS[level];
  }
  return text;
}

/** A point of a sparkline: `x` is the share of the window elapsed, 0–1; `y` the used percent, 0–100. */
export interface SparklinePoint {
  x: number;
  y: number;
}

/**
 * The trend of the current cycle as points for a drawn chart (the GNOME extension), x along the whole window (0 at the
 * cycle's start, 1 at its reset) so the chart also shows how much of the window is left: `(0, 0)` (a cycle starts
 * empty), one point per sample, and a last point at `now` carrying the last value forward. A step chart through them
 * is exact; a line chart is a fair approximation. y is clamped to 0–100, x to 0–1.
 *
 * Empty when there are no samples or the window's reset time or length is unknown.
 *
 * @param cycle the samples of the current cycle (`cycleSamples` in core/cycles.ts).
 * @param now epoch ms.
 */
export function sparklinePoints(cycle: readonly Sample[], window: UsageWindow, now: number): SparklinePoint[] {
  const axis = cycleAxis(cycle, window, now);
  if (!axis) return [];
  const length = (window.windowMinutes as number) * MINUTE_MS;
  const x = (at: number): number => Math.min(1, Math.max(0, (at - axis.start) / length));
  const y = (value: number): number => Math.min(100, Math.max(0, value));
  const result: SparklinePoint[] = [{ x: 0, y: 0 }];
  for (const sample of axis.points) result.push({ x: x(sample.at), y: y(sample.usedPercent) });
  const lastValue = (axis.points[axis.points.length - 1] as Sample).usedPercent;
  result.push({ x: x(now), y: y(lastValue) });
  return result;
}

/** The cycle's start and its samples within [start, now], sorted; null when there is nothing to draw. */
function cycleAxis(
  cycle: readonly Sample[],
  window: UsageWindow,
  now: number,
): { start: number; points: Sample[] } | null {
  if (!Array.isArray(cycle) || !window || window.resetsAt === null || window.windowMinutes === null) return null;
  if (!(window.windowMinutes > 0) || !Number.isFinite(now)) return null;
  const start = window.resetsAt - window.windowMinutes * MINUTE_MS;
  if (now <= start) return null;
  const points = cycle.filter((sample) => sample && Number.isFinite(sample.at) && sample.at <= now);
  if (points.length === 0) return null;
  points.sort((a, b) => a.at - b.at);
  return { start, points };
}
