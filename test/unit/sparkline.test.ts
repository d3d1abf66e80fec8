import { describe, expect, it } from 'vitest';
import type { UsageWindow } from '../../core/model.js';
import { sparklinePoints, sparklineText } from '../../core/sparkline.js';
import { HOUR, MIN, T, sessionSample } from '../support/builders.js';

/** A session window; by default it resets 3 h after T. */
function session(usedPercent: number, resetsAt: number | null = T + 3 * HOUR): UsageWindow {
  return { id: 'session', label: 'Session (5 h)', usedPercent, resetsAt, windowMinutes: 300 };
}

const sample = sessionSample;

describe('sparklines', () => {
  // A session cycle from START to START + 5 h.
  const START = T - 2 * HOUR;
  const window = session(0, START + 5 * HOUR);
  const at = (minutes: number): number => START + minutes * MIN;

  it('draws a rising series from ▁ to █', () => {
    const rising = Array.from({ length: 8 }, (_, k) => sample(at(35 * (k + 1)), (k / 7) * 100));
    expect(sparklineText(rising, window, at(280), 8)).toBe('▁▂▃▄▅▆▇█');
    expect(sparklineText(rising.reverse(), window, at(280), 8)).toBe('▁▂▃▄▅▆▇█');
  });

  it('draws a flat series flat and clamps values above 100 %', () => {
    const flat = [sample(at(0), 50), sample(at(100), 50)];
    expect(sparklineText(flat, window, at(120))).toBe('▅'.repeat(12));
    expect(sparklineText([sample(at(0), 130)], window, at(120), 3)).toBe('███');
  });

  it('carries the last value across gaps and starts from 0 %', () => {
    const gappy = [sample(at(70), 20), sample(at(150), 80)];
    expect(sparklineText(gappy, window, at(200), 10)).toBe('▁▁▁▂▂▂▂▇▇▇');
  });

  it('is empty without samples, reset time or width', () => {
    expect(sparklineText([], window, at(100))).toBe('');
    expect(sparklineText([sample(at(10), 5)], session(5, null), at(100))).toBe('');
    expect(sparklineText([sample(at(10), 5)], window, at(100), 0)).toBe('');
    expect(sparklineText([sample(at(10), 5)], window, START)).toBe('');
    expect(sparklineText([sample(at(110), 5)], window, at(100))).toBe('');
  });

  it('gives points along the whole window for a drawn chart', () => {
    const points = sparklinePoints([sample(at(150), 80), sample(at(60), 20)], window, at(240));
    expect(points).toEqual([
      { x: 0, y: 0 },
      { x: 0.2, y: 20 },
      { x: 0.5, y: 80 },
      { x: 0.8, y: 80 },
    ]);
    expect(sparklinePoints([sample(at(60), 120)], window, at(60))).toEqual([
      { x: 0, y: 0 },
      { x: 0.2, y: 100 },
      { x: 0.2, y: 100 },
    ]);
    expect(sparklinePoints([], window, at(60))).toEqual([]);
    expect(sparklinePoints([sample(at(60), 1)], { ...window, windowMinutes: null }, at(60))).toEqual([]);
  });
});
