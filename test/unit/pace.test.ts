import { describe, expect, it } from 'vitest';
import type { Sample } from '../../core/history.js';
import type { UsageWindow } from '../../core/model.js';
import {
  MAX_PAST_CYCLES,
  type Forecast,
  type Pace,
  forecast,
  forecastText,
  historicalForecast,
  linearPace,
  paceStage,
  paceText,
} from '../../core/pace.js';
import { DAY, GB_UTC, HOUR, MIN, SEC, T } from '../support/builders.js';

/** A session window; by default 2 h of its 5 h have elapsed at T (40 %). */
function session(usedPercent: number, resetsAt: number | null = T + 3 * HOUR): UsageWindow {
  return { id: 'session', label: 'Session (5 h)', usedPercent, resetsAt, windowMinutes: 300 };
}

describe('paceStage', () => {
  it.each([
    [0, 'on-pace'],
    [2, 'on-pace'],
    [-2, 'on-pace'],
    [2.01, 'ahead'],
    [12, 'ahead'],
    [12.01, 'far-ahead'],
    [-2.5, 'behind'],
    [-12, 'behind'],
    [-12.01, 'far-behind'],
  ])('%d points is %s', (delta, stage) => {
    expect(paceStage(delta)).toBe(stage);
  });
});

describe('linearPace', () => {
  it('compares use with an even pace', () => {
    expect(linearPace(session(40), T)).toEqual({
      elapsedPercent: 40,
      expectedPercent: 40,
      delta: 0,
      stage: 'on-pace',
      runsOutAt: null,
      lastsUntilReset: true,
    });
    expect(linearPace(session(52), T)).toMatchObject({ delta: 12, stage: 'ahead' });
    expect(linearPace(session(10), T)).toMatchObject({ delta: -30, stage: 'far-behind' });
  });

  it('runs out when the average rate so far reaches 100 % before the reset', () => {
    // 60 % in 2 h is 30 points an hour: the last 40 points take 1 h 20 min.
    expect(linearPace(session(60), T)).toMatchObject({ runsOutAt: T + 80 * MIN, lastsUntilReset: false });
    // 30 % in 2 h is 15 an hour: 70 points take 4 h 40 min, after the reset in 3 h.
    expect(linearPace(session(30), T)).toMatchObject({ runsOutAt: null, lastsUntilReset: true });
    // Reaching 100 % exactly at the reset counts as lasting.
    expect(linearPace(session(40), T)?.lastsUntilReset).toBe(true);
  });

  it('lasts at 0 % and has run out at 100 % and above', () => {
    expect(linearPace(session(0), T)).toMatchObject({ runsOutAt: null, lastsUntilReset: true, stage: 'far-behind' });
    expect(linearPace(session(100), T)).toMatchObject({ runsOutAt: T, lastsUntilReset: false });
    expect(linearPace(session(130), T)).toMatchObject({ runsOutAt: T, lastsUntilReset: false });
  });

  it('is not meaningful before 3 % of the window, after its reset, or beyond its length', () => {
    // 5 h window: 3 % is 9 minutes.
    expect(linearPace(session(1, T + 300 * MIN - 8 * MIN), T)).toBeNull();
    expect(linearPace(session(1, T + 300 * MIN - 9 * MIN), T)).toMatchObject({ elapsedPercent: 3 });
    expect(linearPace(session(1, T + 300 * MIN), T)).toBeNull();
    expect(linearPace(session(1, T + 301 * MIN), T)).toBeNull();
    expect(linearPace(session(50, T), T)).toBeNull();
    expect(linearPace(session(50, T - SEC), T)).toBeNull();
    expect(linearPace(session(50, null), T)).toBeNull();
    expect(linearPace({ ...session(50), windowMinutes: null }, T)).toBeNull();
    expect(linearPace({ ...session(50), windowMinutes: 0 }, T)).toBeNull();
  });
});

/** The current cycle of the session window starts here: 2 h before T, resets 3 h after it. */
const START = T - 2 * HOUR;
const LENGTH = 5 * HOUR;

/**
 * Past session cycles: cycle 1 is the most recent and resets an hour before START; each earlier one resets
 * 6 h before the next. `use(s, cycle)` is the used percent at elapsed share s; samples every 15 min up to 95 %.
 */
function pastCycles(count: number, use: (share: number, cycle: number) => number, extra: Partial<Sample> = {}) {
  const samples: Sample[] = [];
  for (let cycle = 1; cycle <= count; cycle++) {
    const resetsAt = START - HOUR - (cycle - 1) * 6 * HOUR;
    for (let k = 1; k <= 19; k++) {
      const share = k / 20;
      samples.push({
        at: resetsAt - LENGTH + share * LENGTH,
        provider: 'claude',
        windowId: 'session',
        usedPercent: Math.min(100, use(share, cycle)),
        resetsAt,
        windowMinutes: 300,
        ...extra,
      });
    }
  }
  return samples;
}

const heavy = (share: number): number => 250 * share; // runs out at 40 % of the window
const light = (share: number): number => 20 * share; // ends at 20 %

describe('historicalForecast', () => {
  it('says a window runs out when past cycles always ran out early, where linear pace says it lasts', () => {
    const samples = pastCycles(4, heavy);
    // At 40 % after 40 % of the window: linear says it lasts (exactly at the reset).
    expect(linearPace(session(40), T)?.lastsUntilReset).toBe(true);
    const result = historicalForecast(samples, 'claude', session(40), T);
    // Past cycles grew 250 points per window (extrapolated beyond their 100 %): the 60 points left take 24 % of
    // the window, 72 minutes.
    expect(result).toMatchObject({ lastsUntilReset: false, cyclesUsed: 4, risk: 1 });
    expect(result?.runsOutAt).toBeCloseTo(T + 72 * MIN, -3);
  });

  it('says a window lasts when past cycles were always light, where linear pace says it runs out', () => {
    const samples = pastCycles(3, light);
    expect(linearPace(session(70), T)?.lastsUntilReset).toBe(false);
    expect(historicalForecast(samples, 'claude', session(70), T)).toEqual({
      runsOutAt: null,
      lastsUntilReset: true,
      cyclesUsed: 3,
      risk: 0,
    });
  });

  it('forecasts from the start of a cycle, before linear pace is meaningful', () => {
    const now = START + MIN;
    expect(linearPace(session(0), now)).toBeNull();
    const result = historicalForecast(pastCycles(3, heavy), 'claude', session(0), now);
    // Today is a minute behind those cycles (0 % where they had 0.83 %): it runs out a minute later than they did.
    expect(result?.runsOutAt).toBeCloseTo(START + 0.4 * LENGTH + MIN, -3);
  });

  it('needs three complete past cycles of the same provider, window and length', () => {
    expect(historicalForecast(pastCycles(2, heavy), 'claude', session(40), T)).toBeNull();
    expect(historicalForecast(pastCycles(4, heavy), 'codex', session(40), T)).toBeNull();
    expect(historicalForecast(pastCycles(4, heavy, { windowId: 'weekly' }), 'claude', session(40), T)).toBeNull();
    expect(historicalForecast(pastCycles(4, heavy, { windowMinutes: 10080 }), 'claude', session(40), T)).toBeNull();
    // Cycles whose samples stop half-way (Headroom was not running) are not complete.
    const halfSampled = pastCycles(4, light).filter((s) => s.at - ((s.resetsAt as number) - LENGTH) < LENGTH / 2);
    expect(historicalForecast(halfSampled, 'claude', session(40), T)).toBeNull();
    // A cycle cut short by running out is complete.
    const ranOut = pastCycles(3, heavy).filter((s) => s.at - ((s.resetsAt as number) - LENGTH) < LENGTH / 2);
    expect(historicalForecast(ranOut, 'claude', session(40), T)?.cyclesUsed).toBe(3);
  });

  it("does not count the current cycle's samples as a past cycle", () => {
    // Already at 100 %, the current cycle would count as complete if it were a past one.
    const current: Sample[] = [30, 60, 90].map((minutes, i) => ({
      at: START + minutes * MIN,
      provider: 'claude',
      windowId: 'session',
      usedPercent: 40 * (i + 1),
      resetsAt: START + LENGTH,
      windowMinutes: 300,
    }));
    expect(historicalForecast([...pastCycles(2, heavy), ...current], 'claude', session(100), T)).toBeNull();
  });

  it('ignores samples outside their own cycle', () => {
    // A stray 100 % sample before each cycle's start would make the cycles look full from the outset.
    const stray = pastCycles(3, heavy).flatMap((s) =>
      s.at === (s.resetsAt as number) - LENGTH + LENGTH / 20
        ? [s, { ...s, at: s.at - LENGTH / 4, usedPercent: 100 }]
        : [s],
    );
    expect(stray).toHaveLength(3 * 20);
    expect(historicalForecast(stray, 'claude', session(40), T)).toMatchObject({ lastsUntilReset: false, risk: 1 });
  });

  it('weighs recent cycles more', () => {
    // Two recent heavy cycles and four older light ones: weights 1 + e^(−1/3) against e^(−2/3) + … + e^(−5/3).
    const recentHeavy = pastCycles(6, (share, cycle) => (cycle <= 2 ? heavy(share) : light(share)));
    const a = historicalForecast(recentHeavy, 'claude', session(40), T);
    expect(a?.lastsUntilReset).toBe(false);
    expect(a?.risk).toBeCloseTo(0.563, 3);
    const recentLight = pastCycles(6, (share, cycle) => (cycle <= 2 ? light(share) : heavy(share)));
    const b = historicalForecast(recentLight, 'claude', session(40), T);
    expect(b).toMatchObject({ lastsUntilReset: true, runsOutAt: null });
    expect(b?.risk).toBeCloseTo(0.437, 3);
  });

  it(`uses at most the ${MAX_PAST_CYCLES} most recent cycles`, () => {
    expect(historicalForecast(pastCycles(20, light), 'claude', session(40), T)?.cyclesUsed).toBe(MAX_PAST_CYCLES);
  });

  it('runs out sooner the more is used, always between now and the reset', () => {
    // Cycles that ran out at different points: 40 %, 50 %, … of the window.
    const samples = pastCycles(6, (share, cycle) => (100 * share) / (0.3 + 0.1 * cycle));
    let previous = Infinity;
    for (const used of [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99.9]) {
      const result = historicalForecast(samples, 'claude', session(used), T);
      expect(result).not.toBeNull();
      if (result?.runsOutAt === null || !result) continue;
      expect(result.runsOutAt).toBeGreaterThanOrEqual(T);
      expect(result.runsOutAt).toBeLessThan(T + 3 * HOUR);
      expect(result.runsOutAt).toBeLessThanOrEqual(previous);
      previous = result.runsOutAt;
    }
    expect(previous).toBeLessThan(Infinity);
    expect(historicalForecast(samples, 'claude', session(100), T)).toMatchObject({ runsOutAt: T, risk: 1 });
  });

  it('is null outside the window and on bad input', () => {
    const samples = pastCycles(4, heavy);
    expect(historicalForecast(samples, 'claude', session(40, T), T)).toBeNull();
    expect(historicalForecast(samples, 'claude', session(40, T + 6 * HOUR), T)).toBeNull();
    expect(historicalForecast(samples, 'claude', session(40, null), T)).toBeNull();
    expect(historicalForecast(samples, 'claude', session(Number.NaN), T)).toBeNull();
    expect(historicalForecast(null as unknown as Sample[], 'claude', session(40), T)).toBeNull();
  });
});

describe('forecast', () => {
  it('prefers the history, else the linear forecast', () => {
    const history = { samples: pastCycles(3, heavy), provider: 'claude' as const };
    expect(forecast(session(40), T, history)).toMatchObject({
      basis: 'history',
      lastsUntilReset: false,
      cyclesUsed: 3,
      risk: 1,
    });
    const fewer = { samples: pastCycles(2, heavy), provider: 'claude' as const };
    expect(forecast(session(60), T, fewer)).toEqual({
      basis: 'linear',
      runsOutAt: T + 80 * MIN,
      lastsUntilReset: false,
      risk: null,
      cyclesUsed: 0,
    });
    expect(forecast(session(30), T)).toMatchObject({ basis: 'linear', lastsUntilReset: true });
  });

  it('says a full window ran out even before pace is meaningful, and nothing else that early', () => {
    const early = T + 300 * MIN - MIN;
    expect(forecast(session(100, early), T)).toMatchObject({ runsOutAt: T, lastsUntilReset: false });
    expect(forecast(session(50, early), T)).toBeNull();
    expect(forecast(session(100, null), T)).toBeNull();
    expect(forecast(session(100, T - MIN), T)).toBeNull();
  });
});

describe('text', () => {
  const pace = (delta: number): Pace => ({
    elapsedPercent: 50,
    expectedPercent: 50,
    delta,
    stage: paceStage(delta),
    runsOutAt: null,
    lastsUntilReset: true,
  });

  it('phrases pace', () => {
    expect(paceText(pace(1.9))).toBe('On pace');
    expect(paceText(null as unknown as Pace)).toBe('');
    expect(paceText(pace(-2))).toBe('On pace');
    expect(paceText(pace(12.2), GB_UTC)).toBe('12% ahead of pace');
    expect(paceText(pace(30), GB_UTC)).toBe('30% ahead of pace');
    expect(paceText(pace(-8), GB_UTC)).toBe('8% behind pace (in reserve)');
    expect(paceText(pace(-8), { locale: 'de-DE' }).replace(/\s/g, ' ')).toBe('8 % behind pace (in reserve)');
  });

  const linear = (runsOutAt: number | null): Forecast => ({
    basis: 'linear',
    runsOutAt,
    lastsUntilReset: runsOutAt === null,
    risk: null,
    cyclesUsed: 0,
  });

  it('phrases forecasts', () => {
    expect(forecastText(linear(T + 100 * MIN), T, GB_UTC)).toBe('Runs out in ~1 h 40 min (06:40)');
    expect(forecastText(linear(T + 2 * DAY), T, GB_UTC)).toBe('Runs out in ~2 d (Tue 05:00)');
    expect(forecastText(linear(T + 30 * SEC), T, GB_UTC)).toBe('Runs out in under a minute (05:00)');
    expect(forecastText(linear(T + MIN - 1), T, GB_UTC)).toBe('Runs out in under a minute (05:00)');
    expect(forecastText(linear(T + MIN), T, GB_UTC)).toBe('Runs out in ~1 min (05:01)');
    expect(forecastText(linear(T), T, GB_UTC)).toBe('Limit reached');
    expect(forecastText(linear(null), T, GB_UTC)).toBe('Lasts until reset');
    expect(forecastText(null as unknown as Forecast, T)).toBe('');
    expect(forecastText(forecast(session(60), T) as Forecast, T, GB_UTC)).toBe('Runs out in ~1 h 20 min (06:20)');
  });
});
