import { describe, expect, it } from 'vitest';
import { nextTimerSeconds } from '../../core/wake.js';

describe('nextTimerSeconds', () => {
  const now = Date.UTC(2026, 10, 22, 5, 0, 0);

  it('waits the refresh interval when the scheduler has nothing later', () => {
    expect(nextTimerSeconds(300, null, now)).toBe(300);
    expect(nextTimerSeconds(300, now + 60_000, now)).toBe(300);
    expect(nextTimerSeconds(300, now - 60_000, now)).toBe(300);
  });

  it('sleeps until a Retry-After or back-off an hour away instead of ticking every interval', () => {
    expect(nextTimerSeconds(300, now + 3_600_500, now)).toBe(3601);
  });
});
