import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AlertSettings, DEFAULT_ALERT_SETTINGS } from '../../core/alert-settings.js';
import {
  type Alert,
  type AlertContext,
  type AlertMemory,
  emptyAlertMemory,
  evaluateAlerts,
  parseAlertMemory,
  serializeAlertMemory,
} from '../../core/alerts.js';
import { displayedUsedPercent } from '../../core/format.js';
import type { ProviderId, ProviderSnapshot, UsageWindow } from '../../core/model.js';
import { defaultAccount } from '../support/builders.js';

/** Sunday 22 November 2026, 05:00 UTC. */
const T0 = Date.UTC(2026, 10, 22, 5, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const CONTEXT: AlertContext = {
  names: { claude: 'Claude', codex: 'Codex' },
  usageUrls: { claude: 'https://claude.ai/settings/usage', codex: 'https://chatgpt.com/codex/settings/usage' },
  locale: { locale: 'en-GB', timeZone: 'UTC' },
};

function settings(change: (s: AlertSettings) => void = () => undefined): AlertSettings {
  const s = structuredClone(DEFAULT_ALERT_SETTINGS);
  change(s);
  return s;
}

const NO_PREDICTIVE = settings((s) => (s.kinds.predictive = false));

function session(usedPercent: number, resetsAt: number | null): UsageWindow {
  return { id: 'session', label: 'Session (5 h)', usedPercent, resetsAt, windowMinutes: 300 };
}

function weekly(usedPercent: number, resetsAt: number | null): UsageWindow {
  return { id: 'weekly', label: 'Weekly', usedPercent, resetsAt, windowMinutes: 10080 };
}

function snapshot(
  windows: UsageWindow[],
  extra: Partial<ProviderSnapshot> = {},
  provider: ProviderId = 'claude',
): ProviderSnapshot {
  return {
    provider,
    account: defaultAccount(provider),
    source: 'api',
    status: 'ok',
    message: '',
    fix: '',
    stale: false,
    plan: 'Max 20x',
    fetchedAt: T0,
    retryAt: null,
    windows,
    money: [],
    ...extra,
  };
}

/** Feeds snapshots through the engine one poll at a time, carrying the memory (through JSON, as the shells do). */
class Timeline {
  memory: AlertMemory = emptyAlertMemory();
  readonly all: Alert[] = [];

  constructor(private readonly alertSettings: AlertSettings = DEFAULT_ALERT_SETTINGS) {}

  poll(now: number, snapshots: ProviderSnapshot[], alertSettings = this.alertSettings): Alert[] {
    const result = evaluateAlerts(this.memory, snapshots, alertSettings, now, CONTEXT);
    this.memory = parseAlertMemory(JSON.parse(JSON.stringify(result.memory)));
    this.all.push(...result.alerts);
    return result.alerts;
  }

  kinds(): string[] {
    return this.all.map((a) => (a.kind === 'threshold' ? `threshold ${a.id.split('/')[4]}` : a.kind));
  }
}

describe('a 5-hour cycle with rising use, then a reset', () => {
  const resetsAt = T0 + 5 * HOUR;
  const uses = [10, 50, 79, 81, 86, 91, 96, 100];

  it('fires each threshold once, depleted once and one reset', () => {
    const timeline = new Timeline(NO_PREDICTIVE);
    uses.forEach((used, i) => {
      const now = T0 + (i + 1) * 30 * MIN;
      timeline.poll(now, [snapshot([session(used, resetsAt)])]);
      // The same data again at the next poll (the plugin's cached answer) fires nothing more.
      expect(timeline.poll(now + MIN, [snapshot([session(used, resetsAt)])])).toEqual([]);
    });
    // After the reset Claude reports the window at 0 % with no reset time until the next message.
    timeline.poll(resetsAt + MIN, [snapshot([session(0, null)])]);
    timeline.poll(resetsAt + 30 * MIN, [snapshot([session(5, resetsAt + 5 * HOUR + 29 * MIN)])]);
    expect(timeline.kinds()).toEqual(['threshold 80', 'threshold 90', 'threshold 95', 'depleted', 'reset']);
  });

  it('writes plain texts with local times, ids and urgency', () => {
    const timeline = new Timeline(NO_PREDICTIVE);
    uses.forEach((used, i) => timeline.poll(T0 + (i + 1) * 30 * MIN, [snapshot([session(used, resetsAt)])]));
    timeline.poll(resetsAt + MIN, [snapshot([session(0, null)])]);
    const [t80, t90, t95, depleted, reset] = timeline.all;
    expect(t80).toEqual({
      id: 'claude/session/2026-11-22T10:00Z/threshold/80',
      provider: 'claude',
      account: 'claude',
      windowId: 'session',
      kind: 'threshold',
      title: 'Claude session window reached 80% used',
      body: 'Claude session (5 h) window: 81% used, resets in 3 h (10:00).',
      url: 'https://claude.ai/settings/usage',
      urgency: 'normal',
    });
    expect(t90?.urgency).toBe('normal');
    expect(t95?.urgency).toBe('high');
    expect(depleted).toMatchObject({
      id: 'claude/session/2026-11-22T10:00Z/depleted',
      title: 'Claude session window used up',
      body: 'Claude session (5 h) window: 100% used, resets in 1 h (10:00).',
      urgency: 'high',
    });
    expect(reset).toMatchObject({
      id: 'claude/session/2026-11-22T10:00Z/reset',
      kind: 'reset',
      title: 'Claude session window reset',
      body: 'Full capacity restored.',
      urgency: 'normal',
    });
  });

  it('fires the reset when the time comes, even with no new data (offline)', () => {
    const timeline = new Timeline(NO_PREDICTIVE);
    timeline.poll(T0 + 2 * HOUR, [snapshot([session(85, resetsAt)])]);
    const offline = snapshot([session(85, resetsAt)], { status: 'offline', stale: true });
    expect(timeline.poll(resetsAt - MIN, [offline])).toEqual([]);
    expect(timeline.poll(resetsAt + MIN, [offline]).map((a) => a.kind)).toEqual(['reset']);
    expect(timeline.poll(resetsAt + 2 * MIN, [offline])).toEqual([]);
  });

  it('stays silent about a reset long past (the machine was off for the next cycle too)', () => {
    const timeline = new Timeline(NO_PREDICTIVE);
    timeline.poll(T0 + 2 * HOUR, [snapshot([session(85, resetsAt)])]);
    expect(timeline.poll(resetsAt + 6 * HOUR, [snapshot([session(0, null)])])).toEqual([]);
  });

  it('sends no reset for a window that crossed nothing', () => {
    const timeline = new Timeline(NO_PREDICTIVE);
    timeline.poll(T0 + 2 * HOUR, [snapshot([session(60, resetsAt)])]);
    expect(timeline.poll(resetsAt + MIN, [snapshot([session(0, null)])])).toEqual([]);
  });

  it('warns once at this pace when predictions are on, folded into nothing else', () => {
    const timeline = new Timeline();
    uses.forEach((used, i) => timeline.poll(T0 + (i + 1) * 30 * MIN, [snapshot([session(used, resetsAt)])]));
    expect(timeline.kinds()).toEqual(['predictive', 'threshold 80', 'threshold 90', 'threshold 95', 'depleted']);
    expect(timeline.all[0]).toMatchObject({
      title: 'Claude session window runs out in ~1 h',
      body: 'Claude session (5 h) window runs out in ~1 h at this pace, before it resets at 10:00. Now 50% used.',
    });
  });
});

describe('cycles', () => {
  const resetsAt = T0 + 3 * HOUR;

  it('takes jittering reset times for the same cycle', () => {
    const timeline = new Timeline(NO_PREDICTIVE);
    timeline.poll(T0, [snapshot([session(81, resetsAt + 400)])]);
    timeline.poll(T0 + MIN, [snapshot([session(82, resetsAt - 300)])]);
    // Codex's logs and API disagree by a few minutes.
    timeline.poll(T0 + 2 * MIN, [snapshot([session(83, resetsAt + 3 * MIN)], {}, 'codex')]);
    timeline.poll(T0 + 3 * MIN, [snapshot([session(84, resetsAt)], {}, 'codex')]);
    expect(timeline.kinds()).toEqual(['threshold 80', 'threshold 80']);
    expect(timeline.all.map((a) => a.provider)).toEqual(['claude', 'codex']);
  });

  it('takes a reset time beyond half the window for a new cycle: reset, then the new crossing', () => {
    const timeline = new Timeline(NO_PREDICTIVE);
    timeline.poll(T0, [snapshot([session(91, resetsAt)])]);
    const alerts = timeline.poll(T0 + HOUR, [snapshot([session(82, T0 + 6 * HOUR)])]);
    expect(alerts.map((a) => a.kind)).toEqual(['reset', 'threshold']);
    expect(alerts[1]?.id).toBe('claude/session/2026-11-22T11:00Z/threshold/80');
  });

  it('ignores the old cycle reported a moment after its reset', () => {
    const timeline = new Timeline(NO_PREDICTIVE);
    timeline.poll(T0, [snapshot([session(91, resetsAt)])]);
    expect(timeline.poll(resetsAt + 1000, [snapshot([session(0, null)])]).map((a) => a.kind)).toEqual(['reset']);
    // The API still answers from the cycle that ended (its reset time a fraction of a second later).
    expect(timeline.poll(resetsAt + 2000, [snapshot([session(91, resetsAt + 2500)])])).toEqual([]);
    expect(timeline.poll(resetsAt + HOUR, [snapshot([session(84, resetsAt + 5 * HOUR)])]).map((a) => a.id)).toEqual([
      'claude/session/2026-11-22T13:00Z/threshold/80',
    ]);
  });

  it('does not re-arm within a known cycle when use falls back (glitch readings)', () => {
    const timeline = new Timeline(NO_PREDICTIVE);
    for (const [i, used] of [81, 0, 85, 40, 91, 0, 93].entries()) {
      timeline.poll(T0 + i * MIN, [snapshot([session(used, resetsAt)])]);
    }
    expect(timeline.kinds()).toEqual(['threshold 80', 'threshold 90']);
  });

  it('re-arms after a clear fall when the reset time is unknown', () => {
    const timeline = new Timeline(NO_PREDICTIVE);
    for (const [i, used] of [85, 83, 78, 81, 70, 82].entries()) {
      timeline.poll(T0 + i * MIN, [snapshot([session(used, null)])]);
    }
    expect(timeline.all.map((a) => a.id.replace(/^claude\/session\/since-[^/]+\//, ''))).toEqual([
      'threshold/80',
      'threshold/80#1',
    ]);
  });

  it('restores a depleted window that falls below 100 % within its cycle, once', () => {
    const timeline = new Timeline(NO_PREDICTIVE);
    for (const [i, used] of [100, 97, 100, 98].entries()) {
      timeline.poll(T0 + i * MIN, [snapshot([session(used, resetsAt)])]);
    }
    expect(timeline.kinds()).toEqual(['depleted', 'restored']);
    expect(timeline.all[1]).toMatchObject({ title: 'Claude session window usable again', urgency: 'normal' });
  });
});

describe('first sight', () => {
  it('fires only the highest crossed threshold', () => {
    const timeline = new Timeline(NO_PREDICTIVE);
    const alerts = timeline.poll(T0, [snapshot([session(97, T0 + HOUR), weekly(40, T0 + 3 * DAY)])]);
    expect(alerts.map((a) => a.id)).toEqual(['claude/session/2026-11-22T06:00Z/threshold/95']);
    expect(timeline.poll(T0 + MIN, [snapshot([session(98, T0 + HOUR)])])).toEqual([]);
  });

  it('fires only depleted at 100 % or more', () => {
    const timeline = new Timeline(NO_PREDICTIVE);
    expect(timeline.poll(T0, [snapshot([session(104, T0 + HOUR)])]).map((a) => a.kind)).toEqual(['depleted']);
  });
});

describe('a weekly cycle', () => {
  const resetsAt = T0 + 7 * DAY;

  it('warns once that it runs out before the reset', () => {
    const timeline = new Timeline();
    for (const [day, used] of [
      [1, 10],
      [2, 25],
      [3, 55],
      [4, 70],
      [5, 78],
    ] as const) {
      timeline.poll(T0 + day * DAY, [snapshot([weekly(used, resetsAt)])]);
    }
    expect(timeline.all).toEqual([
      {
        id: 'claude/weekly/2026-11-29T05:00Z/predictive',
        provider: 'claude',
        account: 'claude',
        windowId: 'weekly',
        kind: 'predictive',
        title: 'Claude weekly window runs out in ~2 d 10 h',
        body: 'Claude weekly window runs out in ~2 d 10 h at this pace, before it resets at Sun 05:00. Now 55% used.',
        url: 'https://claude.ai/settings/usage',
        urgency: 'normal',
      },
    ]);
  });

  it('re-arms the warning when the forecast says it lasts, and warns again', () => {
    const timeline = new Timeline();
    timeline.poll(T0 + 2 * DAY, [snapshot([weekly(50, resetsAt)])]);
    // A quiet spell: 50 % after 6 days projects 58 % at the reset.
    timeline.poll(T0 + 6 * DAY, [snapshot([weekly(50, resetsAt)])]);
    timeline.poll(T0 + 6 * DAY + HOUR, [snapshot([weekly(95, resetsAt)])]);
    expect(timeline.all.map((a) => a.id)).toEqual([
      'claude/weekly/2026-11-29T05:00Z/predictive',
      'claude/weekly/2026-11-29T05:00Z/threshold/95',
    ]);
    // The second warning came with the threshold: one notification.
    expect(timeline.all[1]?.body).toBe(
      'Claude weekly window: 95% used, resets in 23 h (Sun 05:00). At this pace it runs out in ~7 h 37 min.',
    );
    expect(timeline.memory.windows['claude/weekly']?.generations).toEqual({ predictive: 1 });
  });

  it('stays quiet early in a cycle and below 50 %', () => {
    const timeline = new Timeline();
    // 9 % of the week elapsed: too early.
    timeline.poll(resetsAt - 0.91 * 7 * DAY, [snapshot([weekly(60, resetsAt)])]);
    expect(timeline.all).toEqual([]);
    // 40 % used after 20 %: runs out, but below the 50 % floor.
    const timeline2 = new Timeline();
    timeline2.poll(resetsAt - 0.8 * 7 * DAY, [snapshot([weekly(40, resetsAt)])]);
    expect(timeline2.all).toEqual([]);
  });
});

describe('alerts agree with the percentage the menu shows', () => {
  const resetsAt = T0 + 3 * HOUR;

  it('fires the 90 % alert at 89.5 %, which the menu shows as "90% used"', () => {
    const timeline = new Timeline(NO_PREDICTIVE);
    timeline.poll(T0, [snapshot([session(85, resetsAt)])]);
    const [alert] = timeline.poll(T0 + MIN, [snapshot([session(89.5, resetsAt)])]);
    expect(alert).toMatchObject({
      id: 'claude/session/2026-11-22T08:00Z/threshold/90',
      title: 'Claude session window reached 90% used',
      body: 'Claude session (5 h) window: 90% used, resets in 2 h 59 min (08:00).',
    });
  });

  it('says "down to 10% left" at 89.5 % in remaining mode, as the menu does', () => {
    const remaining = settings((s) => {
      s.display = 'remaining';
      s.kinds.predictive = false;
    });
    const [alert] = new Timeline(remaining).poll(T0, [snapshot([session(89.5, resetsAt)])]);
    expect(alert).toMatchObject({
      title: 'Claude session window down to 10% left',
      body: 'Claude session (5 h) window: 10% left, resets in 3 h (08:00).',
    });
  });

  it('stays silent at 89.4 %, which the menu shows as "89% used"', () => {
    const timeline = new Timeline(NO_PREDICTIVE);
    timeline.poll(T0, [snapshot([session(85, resetsAt)])]);
    expect(timeline.poll(T0 + MIN, [snapshot([session(89.4, resetsAt)])])).toEqual([]);
  });

  it('calls a window at 99.96 % used up, as the menu shows "100% used"', () => {
    const timeline = new Timeline(NO_PREDICTIVE);
    timeline.poll(T0, [snapshot([session(96, resetsAt)])]);
    const alerts = timeline.poll(T0 + MIN, [snapshot([session(99.96, resetsAt)])]);
    expect(alerts).toEqual([
      expect.objectContaining({
        kind: 'depleted',
        title: 'Claude session window used up',
        body: 'Claude session (5 h) window: 100% used, resets in 2 h 59 min (08:00).',
      }),
    ]);
  });

  it('still fires each alert once per cycle around the rounding edge', () => {
    const timeline = new Timeline(NO_PREDICTIVE);
    for (const [i, used] of [89.5, 89.4, 90, 89.6, 94.5, 94.4, 99.5, 99.4, 99.96, 100].entries()) {
      timeline.poll(T0 + i * MIN, [snapshot([session(used, resetsAt)])]);
    }
    expect(timeline.kinds()).toEqual(['threshold 90', 'threshold 95', 'depleted', 'restored']);
  });
});

describe('a forecast of less than a minute', () => {
  // 99.4 % used an hour into a 5-hour window: the last 0.6 points go in about 22 seconds at this pace.
  const resetsAt = T0 + 4 * HOUR;

  it('reads "runs out in under a minute" on its own', () => {
    const onlyPredictive = settings((s) => (s.kinds.threshold = false));
    const [alert] = new Timeline(onlyPredictive).poll(T0, [snapshot([session(99.4, resetsAt)])]);
    expect(alert).toMatchObject({
      kind: 'predictive',
      title: 'Claude session window runs out in under a minute',
      body:
        'Claude session (5 h) window runs out in under a minute at this pace, before it resets at 09:00. ' +
        'Now 99% used.',
    });
  });

  it('reads "runs out in under a minute" appended to a threshold alert', () => {
    const [alert] = new Timeline().poll(T0, [snapshot([session(99.4, resetsAt)])]);
    expect(alert?.body).toBe(
      'Claude session (5 h) window: 99% used, resets in 4 h (09:00). At this pace it runs out in under a minute.',
    );
  });
});

describe('stale data', () => {
  it('never alerts from stale snapshots, and a fresh one counts as first sight', () => {
    const timeline = new Timeline();
    const resetsAt = T0 + 2 * HOUR;
    expect(timeline.poll(T0, [snapshot([session(92, resetsAt)], { status: 'offline', stale: true })])).toEqual([]);
    expect(timeline.poll(T0 + MIN, [snapshot([session(100, resetsAt)], { status: 'stale' })])).toEqual([]);
    expect(timeline.memory.windows).toEqual({});
    expect(timeline.poll(T0 + 2 * MIN, [snapshot([session(92, resetsAt)])]).map((a) => a.id)).toEqual([
      'claude/session/2026-11-22T07:00Z/threshold/90',
    ]);
  });
});

describe('sign-in problems', () => {
  const signedOut = snapshot([], {
    status: 'signed-out',
    message: "Claude Code's login has expired.",
    fix: 'Run `claude` once; it renews its own login.',
  });
  const rejected = snapshot([session(30, T0 + HOUR)], {
    status: 'unauthorized',
    stale: true,
    message: 'Anthropic rejected the saved login (HTTP 401).',
    fix: 'Run `claude` once to sign in again.',
  });

  it('alerts once per episode: sign-out, ok, sign-out again → two alerts', () => {
    const timeline = new Timeline();
    timeline.poll(T0, [signedOut]);
    timeline.poll(T0 + MIN, [signedOut]);
    timeline.poll(T0 + 2 * MIN, [rejected]);
    timeline.poll(T0 + 3 * MIN, [snapshot([session(30, T0 + HOUR)], { status: 'rate-limited', stale: true })]);
    timeline.poll(T0 + 4 * MIN, [snapshot([session(31, T0 + HOUR)])]);
    timeline.poll(T0 + 5 * MIN, [rejected]);
    timeline.poll(T0 + 6 * MIN, [rejected]);
    expect(timeline.all).toEqual([
      {
        id: 'claude/sign-in/2026-11-22T05:00:00.000Z',
        provider: 'claude',
        account: 'claude',
        windowId: null,
        kind: 'sign-in',
        title: 'Claude: signed out',
        body: "Claude Code's login has expired. Run `claude` once; it renews its own login.",
        url: 'https://claude.ai/settings/usage',
        urgency: 'normal',
      },
      expect.objectContaining({
        id: 'claude/sign-in/2026-11-22T05:05:00.000Z',
        title: 'Claude: login rejected',
        body: 'Anthropic rejected the saved login (HTTP 401). Run `claude` once to sign in again.',
      }),
    ]);
  });

  it('never alerts about a tool that is not set up on this machine', () => {
    const timeline = new Timeline();
    const notSetUp = {
      ...signedOut,
      provider: 'gemini',
      account: defaultAccount('gemini'),
      message: 'Gemini CLI is not set up.',
      unused: true,
    };
    expect(timeline.poll(T0, [notSetUp])).toEqual([]);
    expect(
      timeline.poll(T0 + MIN, [{ ...notSetUp, unused: undefined, message: 'Gemini CLI is not signed in.' }]),
    ).toEqual([expect.objectContaining({ kind: 'sign-in', provider: 'gemini' })]);
  });

  it('keeps providers apart', () => {
    const timeline = new Timeline();
    const alerts = timeline.poll(T0, [
      signedOut,
      { ...signedOut, provider: 'codex', account: defaultAccount('codex'), message: 'Codex is not signed in.' },
    ]);
    expect(alerts.map((a) => [a.provider, a.url])).toEqual([
      ['claude', 'https://claude.ai/settings/usage'],
      ['codex', 'https://chatgpt.com/codex/settings/usage'],
    ]);
  });
});

describe('quiet hours', () => {
  /** 22:00–07:00 in Berlin (UTC+1 in November). */
  const quiet = settings((s) => {
    s.quietHours = { start: '22:00', end: '07:00' };
    s.kinds.predictive = false;
  });
  const berlin: AlertContext = { ...CONTEXT, locale: { locale: 'en-GB', timeZone: 'Europe/Berlin' } };
  const night = Date.UTC(2026, 10, 22, 22, 30); // 23:30 in Berlin
  const morning = Date.UTC(2026, 10, 23, 7, 0); // 08:00 in Berlin
  const resetsAt = Date.UTC(2026, 10, 23, 12, 0);

  it('suppresses alerts and does not burst afterwards', () => {
    let memory = emptyAlertMemory();
    const run = (now: number, used: number): Alert[] => {
      const result = evaluateAlerts(memory, [snapshot([weekly(used, resetsAt)])], quiet, now, berlin);
      memory = result.memory;
      return result.alerts;
    };
    expect(run(night, 85)).toEqual([]);
    expect(run(night + 2 * HOUR, 86)).toEqual([]);
    expect(run(morning, 86)).toEqual([]);
    expect(run(morning + MIN, 91).map((a) => a.id)).toEqual(['claude/weekly/2026-11-23T12:00Z/threshold/90']);
  });
});

describe('switches', () => {
  const resetsAt = T0 + 2 * HOUR;

  it('shows nothing when alerts are off, and does not burst when they are turned on', () => {
    const off = settings((s) => (s.enabled = false));
    const timeline = new Timeline(off);
    timeline.poll(T0, [snapshot([session(91, resetsAt)])]);
    timeline.poll(T0 + MIN, [snapshot([], { status: 'signed-out' }, 'codex')]);
    expect(timeline.all).toEqual([]);
    expect(timeline.poll(T0 + 2 * MIN, [snapshot([session(92, resetsAt)])], NO_PREDICTIVE)).toEqual([]);
  });

  it('switches kinds separately', () => {
    const onlyDepleted = settings((s) => {
      s.kinds = { threshold: false, depleted: true, reset: false, predictive: false, signIn: false };
    });
    const timeline = new Timeline(onlyDepleted);
    for (const [i, used] of [81, 91, 100].entries()) timeline.poll(T0 + i * MIN, [snapshot([session(used, resetsAt)])]);
    timeline.poll(T0 + 3 * MIN, [snapshot([], { status: 'signed-out' }, 'codex')]);
    // With resets off, a depleted window's reset still says "restored" (the depleted switch).
    timeline.poll(resetsAt + MIN, [snapshot([session(0, null)])]);
    expect(timeline.kinds()).toEqual(['depleted', 'restored']);
    expect(timeline.all[1]).toMatchObject({
      id: 'claude/session/2026-11-22T07:00Z/restored',
      body: 'Full capacity restored.',
    });
  });
});

describe('thresholds per window', () => {
  const custom = settings((s) => {
    s.kinds.predictive = false;
    s.windowThresholds = { weekly: [50], 'claude.session': [70], 'codex.weekly': [] };
  });

  it('fires per window', () => {
    const timeline = new Timeline(custom);
    const windows = [session(72, T0 + HOUR), weekly(55, T0 + 3 * DAY)];
    timeline.poll(T0, [snapshot(windows), snapshot(windows, {}, 'codex')]);
    expect(timeline.all.map((a) => a.id)).toEqual([
      'claude/session/2026-11-22T06:00Z/threshold/70',
      'claude/weekly/2026-11-25T05:00Z/threshold/50',
    ]);
  });
});

describe('percent left', () => {
  it('speaks of what is left when the display says so', () => {
    const remaining = settings((s) => {
      s.display = 'remaining';
      s.kinds.predictive = false;
    });
    const [alert] = new Timeline(remaining).poll(T0, [snapshot([weekly(81, T0 + 2 * DAY + 3 * HOUR)])]);
    expect(alert).toMatchObject({
      title: 'Claude weekly window down to 20% left',
      body: 'Claude weekly window: 19% left, resets in 2 d 3 h (Tue 08:00).',
    });
  });
});

describe('alert memory', () => {
  it('round-trips through JSON and then repeats nothing', () => {
    const first = evaluateAlerts(
      emptyAlertMemory(),
      [snapshot([session(85, T0 + HOUR)]), snapshot([], { status: 'signed-out' }, 'codex')],
      DEFAULT_ALERT_SETTINGS,
      T0,
      CONTEXT,
    );
    expect(first.alerts).toHaveLength(2);
    const parsed = parseAlertMemory(JSON.parse(JSON.stringify(first.memory)));
    expect(parsed).toEqual(first.memory);
    const again = evaluateAlerts(
      parsed,
      [snapshot([session(85, T0 + HOUR)]), snapshot([], { status: 'signed-out' }, 'codex')],
      DEFAULT_ALERT_SETTINGS,
      T0 + MIN,
      CONTEXT,
    );
    expect(again.alerts).toEqual([]);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'windows'],
    ['an array', []],
  ])('parseAlertMemory gives an empty memory for %s', (_name, value) => {
    expect(parseAlertMemory(value)).toEqual({ windows: {}, signIn: {} });
  });

  it('parseAlertMemory keeps a window entry it cannot read aside and writes it back as it was', () => {
    const value = { windows: { 'claude/session': { cycle: 1 } }, signIn: {} };
    const memory = parseAlertMemory(value);
    expect(memory.windows).toEqual({});
    expect(serializeAlertMemory(memory)).toEqual(value);
  });

  it("parseAlertMemory keeps another account's or provider's sign-in episode", () => {
    const value = { windows: {}, signIn: { gemini: { status: 'signed-out', since: 1 } } };
    expect(parseAlertMemory(value).signIn).toEqual(value.signIn);
  });

  it('forgets windows not seen for 8 days', () => {
    const timeline = new Timeline();
    timeline.poll(T0, [snapshot([session(10, T0 + HOUR), weekly(10, T0 + 6 * DAY)], {}, 'codex')]);
    timeline.poll(T0 + 5 * DAY, [snapshot([weekly(12, T0 + 6 * DAY)], {}, 'codex')]);
    expect(Object.keys(timeline.memory.windows)).toEqual(['codex/session', 'codex/weekly']);
    timeline.poll(T0 + 9 * DAY, [snapshot([weekly(1, T0 + 13 * DAY)], {}, 'codex')]);
    expect(Object.keys(timeline.memory.windows)).toEqual(['codex/weekly']);
  });

  it('never throws on bad input', () => {
    const memory = emptyAlertMemory();
    const broken = [{ provider: 'claude', windows: [null, { id: 'x', usedPercent: Number.NaN }] }] as never;
    expect(evaluateAlerts(memory, broken, DEFAULT_ALERT_SETTINGS, T0, CONTEXT).alerts).toEqual([]);
    expect(evaluateAlerts(null as never, null as never, {} as never, T0, {} as never)).toMatchObject({ alerts: [] });
  });
});

describe('properties', () => {
  const resetsAt = T0 + 5 * HOUR;
  /** A sample within one 5-hour cycle: minutes into it, used percent, reset jitter (ms), staleness. */
  interface Sample {
    minute: number;
    used: number;
    jitter: number;
    stale: boolean;
  }
  const sample: fc.Arbitrary<Sample> = fc.record({
    minute: fc.integer({ min: 0, max: 299 }),
    used: fc.oneof(fc.double({ min: 0, max: 130, noNaN: true }), fc.constantFrom(79.99, 80, 90, 95, 100)),
    jitter: fc.integer({ min: -999, max: 999 }),
    stale: fc.boolean(),
  });
  const cycleSamples = fc
    .array(sample, { maxLength: 40 })
    .map((samples) => [...samples].sort((a, b) => a.minute - b.minute));

  function runCycle(samples: Sample[], memory = emptyAlertMemory()) {
    const alerts: { alert: Alert; maxUsed: number }[] = [];
    let maxUsed = -Infinity;
    for (const s of samples) {
      const now = T0 + s.minute * MIN;
      if (!s.stale) maxUsed = Math.max(maxUsed, s.used);
      const result = evaluateAlerts(
        memory,
        [snapshot([session(s.used, resetsAt + s.jitter)], s.stale ? { stale: true, status: 'offline' } : {})],
        DEFAULT_ALERT_SETTINGS,
        now,
        CONTEXT,
      );
      memory = result.memory;
      alerts.push(...result.alerts.map((alert) => ({ alert, maxUsed })));
    }
    return alerts;
  }

  it('never fires a threshold, depleted or predictive twice within one cycle', () => {
    fc.assert(
      fc.property(cycleSamples, (samples) => {
        const alerts = runCycle(samples).map((a) => a.alert);
        const thresholds = alerts.filter((a) => a.kind === 'threshold').map((a) => a.id.split('/')[4]);
        expect(new Set(thresholds).size).toBe(thresholds.length);
        expect(alerts.filter((a) => a.kind === 'depleted').length).toBeLessThanOrEqual(1);
        expect(alerts.filter((a) => a.kind === 'restored').length).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('never alerts for a window whose use did not reach the threshold in that cycle', () => {
    fc.assert(
      fc.property(cycleSamples, (samples) => {
        for (const { alert, maxUsed } of runCycle(samples)) {
          // Alerts follow the percentage the menu shows (whole, rounded half up).
          const shown = displayedUsedPercent(maxUsed);
          if (alert.kind === 'threshold') expect(shown).toBeGreaterThanOrEqual(Number(alert.id.split('/')[4]));
          if (alert.kind === 'depleted') expect(shown).toBeGreaterThanOrEqual(100);
          if (alert.kind === 'predictive') expect(maxUsed).toBeGreaterThanOrEqual(50);
          expect(alert.kind).not.toBe('reset');
        }
      }),
    );
  });

  it('gives every alert a unique id across cycles, windows and providers (polls at distinct instants)', () => {
    const step = fc.record({
      advance: fc.integer({ min: 1, max: 3 * HOUR }),
      provider: fc.constantFrom<ProviderId>('claude', 'codex'),
      used: fc.double({ min: 0, max: 120, noNaN: true }),
      weeklyUsed: fc.double({ min: 0, max: 120, noNaN: true }),
      knownReset: fc.boolean(),
      jitter: fc.integer({ min: -2 * MIN, max: 2 * MIN }),
      status: fc.constantFrom('ok', 'ok', 'ok', 'offline', 'signed-out', 'unauthorized', 'stale'),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        let memory = emptyAlertMemory();
        let now = T0;
        const ids: string[] = [];
        for (const s of steps) {
          now += s.advance;
          // Fixed 5-hour and weekly grids, as the providers' windows are.
          const sessionReset = T0 + Math.ceil((now - T0 + 1) / (5 * HOUR)) * 5 * HOUR + s.jitter;
          const weeklyReset = T0 + Math.ceil((now - T0 + 1) / (7 * DAY)) * 7 * DAY + s.jitter;
          const status = s.status as ProviderSnapshot['status'];
          const snap = snapshot(
            [session(s.used, s.knownReset ? sessionReset : null), weekly(s.weeklyUsed, weeklyReset)],
            { status, stale: status !== 'ok' && status !== 'stale' },
            s.provider,
          );
          const result = evaluateAlerts(memory, [snap], DEFAULT_ALERT_SETTINGS, now, CONTEXT);
          memory = parseAlertMemory(JSON.parse(JSON.stringify(result.memory)));
          ids.push(...result.alerts.map((a) => a.id));
        }
        expect(new Set(ids).size).toBe(ids.length);
      }),
    );
  });
});
