/**
 * Pace and forecast of a usage window, as usage monitors commonly do it: how much of the window's time has
 * elapsed, how much use an even pace would have reached by now, the difference, and when the window runs out at
 * the current burn rate — and, once enough history exists, a forecast informed by the user's own past cycles
 * ({@link historicalForecast}), with the phrases both dropdowns show ({@link paceText}, {@link forecastText}).
 */
import { type LocaleOptions, formatEstimateIn, formatLocalTime, formatPercent } from './format.js';
import { cycleTolerance } from './cycles.js';
import type { Sample } from './history.js';
import type { ProviderId, UsageWindow } from './model.js';

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

/** Fewer complete past cycles than this and there is no historical forecast. */
export const MIN_PAST_CYCLES = 3;
/** At most this many of the most recent complete past cycles inform the forecast (older ones weigh < 3 %). */
export const MAX_PAST_CYCLES = 12;
/** Weight of a past cycle: exp(−age / this), age in cycles (0 for the most recent complete one). */
export const CYCLE_WEIGHT_DECAY = 3;
/** A past cycle is complete when its last sample is at least this share of the way through it (or it ran out). */
export const COMPLETE_SHARE = 0.75;
/** Steps of the elapsed-share grid each past cycle's curve is sampled on (168: hourly over a week). */
const CURVE_STEPS = 168;
const MINUTE_MS = 60_000;

/** A forecast informed by the user's own past cycles of a window. Instants epoch ms. */
export interface HistoricalForecast {
  /** When the window is expected to run out: the weighted median of the past cycles' crossings; null when it lasts. */
  runsOutAt: number | null;
  /** True when less than half of the weighted past cycles, replayed from today's point, run out before the reset. */
  lastsUntilReset: boolean;
  /** How many past cycles informed it, {@link MIN_PAST_CYCLES}–{@link MAX_PAST_CYCLES}. */
  cyclesUsed: number;
  /** Share of the weighted past cycles that, replayed from today's point, run out before the reset, 0–1. */
  risk: number;
}

/**
 * A forecast of when a window runs out, from the user's own past cycles of it (a simplified version of CodexBar's
 * `HistoricalUsagePace`: https://github.com/steipete/CodexBar, Sources/CodexBar/HistoricalUsagePace.swift).
 *
 * 1. Past cycles: the provider's samples of the same window id and length, grouped by reset time (within
 *    max(window/2, 5 min)), that reset before the current cycle (by more than that tolerance) and are complete (their
 *    last sample is at least {@link COMPLETE_SHARE} of the way through, or they reached 100 %). The {@link MAX_PAST_CYCLES} most
 *    recent count; fewer than {@link MIN_PAST_CYCLES} gives null.
 * 2. Each past cycle is a use curve over the elapsed share s ∈ [0, 1]: (0, 0), then its samples made monotone
 *    (running maximum), piecewise linear, flat after its last sample. A cycle that reached 100 % at share h was held back
 *    by the limit, so beyond h it is extrapolated at its average rate (100·s/h).
 * 3. Each curve is shifted through today's point (s₀ = share elapsed now, u₀ = used now): the projection is
 *    u₀ + curve(s) − curve(s₀) — "from here on, use grows as it did in that cycle". Where it reaches 100 % before the
 *    reset, that cycle runs out.
 * 4. Cycles weigh exp(−age / {@link CYCLE_WEIGHT_DECAY}) with age 0 for the most recent. `risk` is the weighted share
 *    of the cycles that run out; the window lasts until reset when risk < 0.5, else it runs out at the weighted median
 *    of all cycles' crossing times (a cycle that lasts crosses at +∞), clamped to [now, reset). Counting the lasting
 *    cycles keeps the forecast monotone: more use today never moves the run-out later.
 *
 * Null when the window has no reset time or length, `now` is not inside it, or there are too few past cycles. At or
 * above 100 % used it runs out now (risk 1).
 *
 * @param samples the history, any order, any providers and windows (e.g. `RecordResult.samples`).
 * @param now epoch ms.
 */
export function historicalForecast(
  samples: readonly Sample[],
  provider: ProviderId,
  window: UsageWindow,
  now: number,
): HistoricalForecast | null {
  if (!Array.isArray(samples) || !window || !Number.isFinite(window.usedPercent)) return null;
  if (window.resetsAt === null || window.windowMinutes === null || !(window.windowMinutes > 0)) return null;
  const length = window.windowMinutes * MINUTE_MS;
  const start = window.resetsAt - length;
  if (!(now >= start && now < window.resetsAt)) return null;
  const curves = pastCycleCurves(samples, provider, window);
  if (curves.length < MIN_PAST_CYCLES) return null;
  const cyclesUsed = curves.length;

  const s0 = (now - start) / length;
  const u0 = Math.max(0, window.usedPercent);
  let total = 0;
  let outWeight = 0;
  const crossings: { at: number; weight: number }[] = [];
  curves.forEach((curve, age) => {
    const weight = Math.exp(-age / CYCLE_WEIGHT_DECAY);
    total += weight;
    const share = crossing(curve, s0, u0);
    if (share !== null) outWeight += weight;
    crossings.push({ at: share === null ? Infinity : start + share * length, weight });
  });
  const risk = total > 0 ? outWeight / total : 0;
  const median = weightedMedian(crossings);
  if (risk < 0.5 || !Number.isFinite(median)) return { runsOutAt: null, lastsUntilReset: true, cyclesUsed, risk };
  const runsOutAt = Math.min(window.resetsAt - 1, Math.max(now, median));
  return { runsOutAt, lastsUntilReset: false, cyclesUsed, risk };
}

/** What the shells show: when a window runs out, or that it lasts. Instants epoch ms. */
export interface Forecast {
  /** `history` when the user's past cycles informed it ({@link historicalForecast}), else `linear` ({@link linearPace}). */
  basis: 'history' | 'linear';
  /** When the window runs out; `now` when it already has; null when it lasts until the reset. */
  runsOutAt: number | null;
  lastsUntilReset: boolean;
  /** For `history`: share of weighted past cycles that ran out, 0–1; null for `linear`. */
  risk: number | null;
  /** Past cycles that informed it; 0 for `linear`. */
  cyclesUsed: number;
}

/**
 * The forecast of a window: the {@link historicalForecast} when `history` holds enough past cycles, else the linear
 * one from {@link linearPace}. A window at or above 100 % runs out now even where linear pace is not meaningful yet
 * (under {@link MIN_ELAPSED_PERCENT} elapsed). Null when neither applies (no reset time or length, outside the
 * window, or too early for linear pace without history).
 *
 * @param now epoch ms.
 * @param history the samples (any order, any providers) and the provider this window belongs to.
 */
export function forecast(
  window: UsageWindow,
  now: number,
  history?: { samples: readonly Sample[]; provider: ProviderId },
): Forecast | null {
  if (!window) return null;
  const past = history ? historicalForecast(history.samples, history.provider, window, now) : null;
  if (past) return { basis: 'history', ...past };
  const pace = linearPace(window, now);
  if (pace) {
    return {
      basis: 'linear',
      runsOutAt: pace.runsOutAt,
      lastsUntilReset: pace.lastsUntilReset,
      risk: null,
      cyclesUsed: 0,
    };
  }
  const inside =
    window.resetsAt !== null &&
    window.windowMinutes !== null &&
    now < window.resetsAt &&
    now >= window.resetsAt - window.windowMinutes * MINUTE_MS;
  if (inside && window.usedPercent >= 100) {
    return { basis: 'linear', runsOutAt: now, lastsUntilReset: false, risk: null, cyclesUsed: 0 };
  }
  return null;
}

/**
 * A pace as a phrase: "On pace", "12% ahead of pace" (using faster than an even pace), "8% behind pace (in reserve)".
 * The number is the delta in points, rounded, in the locale's percent format. Empty for a missing pace.
 */
export function paceText(pace: Pace, options: LocaleOptions = {}): string {
  if (!pace || !Number.isFinite(pace.delta)) return '';
  if (pace.stage === 'on-pace') return 'On pace';
  const size = formatPercent(Math.abs(pace.delta), options);
  return pace.delta > 0 ? `${size} ahead of pace` : `${size} behind pace (in reserve)`;
}

/**
 * A forecast as a phrase: "Runs out in ~1 h 40 min (15:20)", "Runs out in under a minute (15:20)", "Limit reached"
 * (it ran out already), or "Lasts until reset". Times are local (see `formatLocalTime`). Empty for a missing forecast.
 *
 * @param now epoch ms.
 */
export function forecastText(value: Forecast, now: number, options: LocaleOptions = {}): string {
  if (!value) return '';
  if (value.lastsUntilReset || value.runsOutAt === null) return 'Lasts until reset';
  const left = value.runsOutAt - now;
  if (left <= 0) return 'Limit reached';
  return `Runs out ${formatEstimateIn(left)} (${formatLocalTime(value.runsOutAt, now, options)})`;
}

/**
 * The curves of the complete past cycles of a window, most recent first, at most MAX_PAST_CYCLES: cycles of the same
 * length that reset before the current one (by more than the same-cycle tolerance).
 */
function pastCycleCurves(samples: readonly Sample[], provider: ProviderId, window: UsageWindow): Float64Array[] {
  const minutes = window.windowMinutes as number;
  const length = minutes * MINUTE_MS;
  const tolerance = cycleTolerance(minutes);
  const candidates = samples.filter(
    (sample) =>
      sample &&
      sample.provider === provider &&
      sample.windowId === window.id &&
      sample.windowMinutes === minutes &&
      sample.resetsAt !== null &&
      Number.isFinite(sample.usedPercent) &&
      sample.resetsAt < (window.resetsAt as number) - tolerance,
  );
  candidates.sort((a, b) => (a.resetsAt as number) - (b.resetsAt as number));
  const groups: Sample[][] = [];
  let groupReset = -Infinity;
  for (const sample of candidates) {
    const last = groups[groups.length - 1];
    if (last && (sample.resetsAt as number) - groupReset <= tolerance) last.push(sample);
    else {
      groups.push([sample]);
      groupReset = sample.resetsAt as number;
    }
  }
  const curves: Float64Array[] = [];
  for (let i = groups.length - 1; i >= 0 && curves.length < MAX_PAST_CYCLES; i--) {
    const curve = cycleCurve(groups[i] as Sample[], length);
    if (curve) curves.push(curve);
  }
  return curves;
}

/**
 * A past cycle's use curve on the grid s = i / CURVE_STEPS (see {@link historicalForecast}, step 2); null when the
 * cycle is not complete.
 */
function cycleCurve(group: Sample[], length: number): Float64Array | null {
  const ordered = [...group].sort((a, b) => a.at - b.at);
  const reset = (ordered[ordered.length - 1] as Sample).resetsAt as number;
  const start = reset - length;
  const points: { s: number; u: number }[] = [{ s: 0, u: 0 }];
  let max = 0;
  for (const sample of ordered) {
    const s = (sample.at - start) / length;
    if (s < 0 || s > 1) continue;
    max = Math.max(max, sample.usedPercent);
    points.push({ s, u: max });
  }
  const lastPoint = points[points.length - 1] as { s: number; u: number };
  if (points.length < 2 || (lastPoint.s < COMPLETE_SHARE && max < 100)) return null;
  // Where the cycle reached 100 %, if it did.
  let hit: number | null = null;
  for (let k = 1; k < points.length && hit === null; k++) {
    const a = points[k - 1] as { s: number; u: number };
    const b = points[k] as { s: number; u: number };
    if (b.u >= 100) hit = b.u === a.u ? b.s : a.s + ((100 - a.u) / (b.u - a.u)) * (b.s - a.s);
  }
  const curve = new Float64Array(CURVE_STEPS + 1);
  let k = 1;
  for (let i = 0; i <= CURVE_STEPS; i++) {
    const s = i / CURVE_STEPS;
    if (hit !== null && hit > 0 && s > hit) {
      curve[i] = (100 * s) / hit;
      continue;
    }
    while (k < points.length && (points[k] as { s: number }).s < s) k++;
    const b = points[k];
    const a = points[k - 1] as { s: number; u: number };
    curve[i] = b === undefined ? lastPoint.u : b.s === a.s ? b.u : a.u + ((b.u - a.u) * (s - a.s)) / (b.s - a.s);
  }
  return curve;
}

/** The curve's value at share s, interpolating the grid. */
function curveAt(curve: Float64Array, s: number): number {
  const position = Math.min(CURVE_STEPS, Math.max(0, s * CURVE_STEPS));
  const i = Math.floor(position);
  const a = curve[i] as number;
  const b = curve[Math.min(CURVE_STEPS, i + 1)] as number;
  return a + (b - a) * (position - i);
}

/** The share s ∈ [s0, 1) where u0 + curve(s) − curve(s0) first reaches 100; null when it does not before the reset. */
function crossing(curve: Float64Array, s0: number, u0: number): number | null {
  if (u0 >= 100) return s0;
  const base = curveAt(curve, s0);
  let prevS = s0;
  let prevU = u0;
  for (let i = Math.floor(s0 * CURVE_STEPS) + 1; i <= CURVE_STEPS; i++) {
    const s = i / CURVE_STEPS;
    const u = u0 + (curve[i] as number) - base;
    if (u >= 100) {
      const at = u === prevU ? s : prevS + ((100 - prevU) / (u - prevU)) * (s - prevS);
      return at < 1 ? at : null;
    }
    prevS = s;
    prevU = u;
  }
  return null;
}

/** The weighted median of instants: the first, in time order, where the cumulative weight reaches half the total. */
function weightedMedian(values: { at: number; weight: number }[]): number {
  const sorted = [...values].sort((a, b) => a.at - b.at);
  const half = sorted.reduce((sum, value) => sum + value.weight, 0) / 2;
  let sum = 0;
  for (const value of sorted) {
    sum += value.weight;
    if (sum >= half) return value.at;
  }
  return (sorted[sorted.length - 1] as { at: number }).at;
}
