import { describe, expect, it } from 'vitest';
import { cycleSamples, cycleTolerance, sameCycle, settleWindow } from '../../core/cycles.js';
import type { Sample } from '../../core/history.js';
import type { UsageWindow } from '../../core/model.js';
import { HOUR, MIN, T, sessionSample } from '../support/builders.js';

/** A session window; by default it resets 3 h after T. */
function session(usedPercent: number, resetsAt: number | null = T + 3 * HOUR): UsageWindow {
  return { id: 'session', label: 'Session (5 h)', usedPercent, resetsAt, windowMinutes: 300 };
}

const sample = sessionSample;

describe('settleWindow', () => {
  it('reads a window whose reset time has come as reset: 0 % used, next reset unknown', () => {
    expect(settleWindow(session(70, T), T)).toEqual(session(0, null));
    expect(settleWindow(session(70, T - 1), T)).toEqual(session(0, null));
  });

  it('keeps a window before its reset, and one with no reset time', () => {
    expect(settleWindow(session(70, T + 1), T)).toEqual(session(70, T + 1));
    expect(settleWindow(session(70, null), T)).toEqual(session(70, null));
  });
});

describe('cycleTolerance', () => {
  it('is half the window, at least 5 minutes', () => {
    expect(cycleTolerance(300)).toBe(150 * MIN);
    expect(cycleTolerance(10080)).toBe(5040 * MIN);
    expect(cycleTolerance(4)).toBe(5 * MIN);
    expect(cycleTolerance(null)).toBe(5 * MIN);
  });
});

describe('cycleSamples', () => {
  it("keeps the provider's samples of the window's current cycle, in time order", () => {
    const window = session(40, T + 3 * HOUR);
    const mine = [sample(T - HOUR, 20), sample(T - 2 * HOUR, 10, { resetsAt: T + 3 * HOUR - 2 * HOUR })];
    const others = [
      sample(T - HOUR, 20, { provider: 'codex' }),
      sample(T - HOUR, 20, { windowId: 'weekly' }),
      sample(T - HOUR, 20, { windowMinutes: 10080 }),
      sample(T - 6 * HOUR, 90, { resetsAt: T - 2 * HOUR }),
      sample(T - HOUR, 20, { resetsAt: T + 3 * HOUR + 151 * MIN }),
      sample(T - HOUR, 20, { resetsAt: null }),
      sample(T + MIN, 50),
    ];
    expect(cycleSamples([...others, ...mine], 'claude', window, T)).toEqual([mine[1], mine[0]]);
    expect(cycleSamples(mine, 'claude', session(40, null), T)).toEqual([]);
    expect(cycleSamples(null as unknown as Sample[], 'claude', window, T)).toEqual([]);
  });

  it('treats resets within max(window / 2, 5 min) as the same cycle', () => {
    const shortWindow = { resetsAt: T, windowMinutes: 4 };
    expect(sameCycle(shortWindow, { resetsAt: T + 5 * MIN, windowMinutes: 4 })).toBe(true);
    expect(sameCycle(shortWindow, { resetsAt: T + 5 * MIN + 1, windowMinutes: 4 })).toBe(false);
    expect(sameCycle({ resetsAt: T, windowMinutes: 300 }, { resetsAt: T - 150 * MIN, windowMinutes: 300 })).toBe(true);
    expect(sameCycle({ resetsAt: T, windowMinutes: 300 }, { resetsAt: T - 151 * MIN, windowMinutes: 300 })).toBe(false);
    expect(sameCycle({ resetsAt: null, windowMinutes: 300 }, { resetsAt: null, windowMinutes: 300 })).toBe(true);
    expect(sameCycle({ resetsAt: null, windowMinutes: 300 }, { resetsAt: T, windowMinutes: 300 })).toBe(false);
  });
});
