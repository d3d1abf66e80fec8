/**
 * Hostile numbers from an API, a rollout or the state file (issue #13): each out-of-range value is dropped with a
 * stated reason, never the provider or the run, and nothing downstream (formatting, JSON v1) throws.
 */
import { describe, expect, it } from 'vitest';
import { formatClockTime, formatLocalTime, formatMoney, formatPercent } from '../../core/format.js';
import { toJsonDocument } from '../../core/json-output.js';
import { settleClock } from '../../core/memory.js';
import { parseClaudeUsage } from '../../core/providers/claude.js';
import { parseCodexUsage } from '../../core/providers/codex.js';
import { codexCreditsMoney } from '../../core/providers/codex-shared.js';
import { deserializeState, serializeState } from '../../core/state.js';
import { T, session } from '../support/builders.js';
import { snapshotOf } from '../fuzz/check.js';

describe('hostile numbers from the APIs', () => {
  it('drops a Claude reset time out of range, keeping the window and saying why', () => {
    const result = parseClaudeUsage({ five_hour: { utilization: 30, resets_at: '9999-01-01T00:00:00Z' } });
    expect(result.ok && result.windows).toEqual([
      { id: 'session', label: 'Session (5 h)', usedPercent: 30, resetsAt: null, windowMinutes: 300 },
    ]);
    expect(result.ok && result.problems).toEqual(["Anthropic's five_hour window has an unreadable reset time."]);
  });

  it('drops a negative Claude percent and keeps the other windows', () => {
    const result = parseClaudeUsage({ five_hour: { utilization: -5 }, seven_day: { utilization: 10 } });
    expect(result.ok && result.windows.map((w) => w.id)).toEqual(['weekly']);
    expect(result.ok && result.problems).toEqual(["Anthropic's five_hour window has a percentage out of range."]);
  });

  it('drops extra usage with decimal_places -1 or an empty currency', () => {
    for (const extra of [
      { is_enabled: true, used_credits: 100, monthly_limit: 500, currency: 'USD', decimal_places: -1 },
      { is_enabled: true, used_credits: 100, monthly_limit: 500, currency: '', decimal_places: 2 },
    ]) {
      const result = parseClaudeUsage({ five_hour: { utilization: 1 }, extra_usage: extra });
      expect(result.ok && result.money).toEqual([]);
      expect(result.ok && result.problems.length).toBe(1);
    }
  });

  it('drops Codex reset_at and reset_after_seconds of 1e13, keeping the window', () => {
    for (const window of [
      { used_percent: 5, limit_window_seconds: 18000, reset_at: 1e13 },
      { used_percent: 5, limit_window_seconds: 18000, reset_after_seconds: 1e13 },
    ]) {
      const result = parseCodexUsage({ rate_limit: { primary_window: window } }, T);
      expect(result.ok && result.windows[0]).toMatchObject({ id: 'session', usedPercent: 5, resetsAt: null });
      expect(result.ok && result.problems).toEqual(["ChatGPT's primary_window has a reset time out of range."]);
    }
  });

  it('reads a credits balance of "1e307"-sized digits as unreadable, never ∞', () => {
    expect(codexCreditsMoney({ has_credits: true, balance: 1e307 })).toBeNull();
  });
});

describe('formatting never throws', () => {
  it('shows a dash for values no formatter can show', () => {
    expect(formatMoney(100, 'USD', -1)).toBe('—');
    expect(formatMoney(100, 'USD', 21)).toBe('—');
    expect(formatMoney(Infinity, 'credits', 2)).toBe('—');
    expect(formatPercent(NaN)).toBe('—');
    expect(formatClockTime(1e17)).toBe('—');
    expect(formatLocalTime(1e16, T)).toBe('—');
  });

  it('writes an instant out of range as null in JSON v1', () => {
    const snapshot = {
      ...snapshotOf('claude', { plan: null, windows: [session(10, 1e17)], money: [] }, T),
      fetchedAt: 1e17,
    };
    const document = toJsonDocument([snapshot], T);
    expect(document.providers[0]!.fetchedAt).toBeNull();
    expect(document.providers[0]!.windows[0]!.resetsAt).toBeNull();
  });
});

describe('hostile numbers in the state file', () => {
  const stateWith = (window: object, money: object[] = []): string =>
    JSON.stringify({
      version: 1,
      memory: {
        claude: {
          sources: {
            api: {
              lastAttemptAt: T,
              lastFailure: null,
              lastGood: { source: 'api', capturedAt: T, plan: null, windows: [window], money },
            },
          },
        },
      },
      alerts: {},
    });

  it('reads a stored resetsAt of 1e17 as unknown, keeping the window', () => {
    const state = deserializeState(
      stateWith({ id: 'session', label: 'S', usedPercent: 3, resetsAt: 1e17, windowMinutes: 300 }),
    );
    expect(state.memory.claude!.sources.api!.lastGood!.windows[0]!.resetsAt).toBeNull();
  });

  it('drops a stored negative percent and a stored exponent of -1', () => {
    const state = deserializeState(
      stateWith({ id: 'session', label: 'S', usedPercent: -5, resetsAt: null, windowMinutes: 300 }, [
        {
          id: 'extra-usage',
          label: 'E',
          usedMinor: 1,
          limitMinor: 2,
          balanceMinor: null,
          currency: 'USD',
          exponent: -1,
          unlimited: false,
        },
      ]),
    );
    const capture = state.memory.claude!.sources.api!.lastGood!;
    expect(capture.windows).toEqual([]);
    expect(capture.money).toEqual([]);
    expect(() => serializeState(state)).not.toThrow();
  });
});

describe('a clock that was ahead once', () => {
  it('treats a future attempt and capture as now and lifts the pause decided then', () => {
    const future = T + 365 * 86_400_000;
    const settled = settleClock(
      {
        lastAttemptAt: future,
        lastGood: { source: 'api', capturedAt: future, plan: null, windows: [], money: [] },
        lastFailure: { status: 'signed-out', message: 'm', fix: 'f' },
        failures: 1,
        nextAllowedAt: null,
        credentialsFingerprint: 'x',
      },
      T,
    );
    expect(settled.lastAttemptAt).toBe(T);
    expect(settled.lastGood!.capturedAt).toBe(T);
    expect(settled.nextAllowedAt).toBe(T);
  });
});
