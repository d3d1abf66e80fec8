/**
 * The alert engine: which notifications a refresh deserves, and the memory of what already fired so that nothing
 * repeats — not at the next poll, not after a restart of GNOME Shell, not across the SwiftBar plugin's short runs
 * (the shells persist {@link AlertMemory}). Pure: no I/O, no clock of its own. The settings it applies are in
 * core/alert-settings.ts, quiet hours in core/quiet-hours.ts, the wording in core/alert-texts.ts.
 *
 * Kinds:
 * - `threshold`: a window's use crossed a threshold (default 80, 90, 95 % used, configurable per window). Each fires
 *   at most once per window cycle; when several are crossed at once only the highest fires and the lower ones count
 *   as fired. A new cycle re-arms them.
 * - `depleted` (≥ 100 % used, once per cycle) and `restored` (back below 100 % within the cycle).
 * - `reset`: a window that crossed at least one threshold in the cycle that ended: "full capacity restored". Reset
 *   times are remembered, so this fires when the time comes even while offline.
 * - `predictive`: at the linear pace the window runs out before it resets; once per cycle, re-armed when the
 *   forecast says it lasts with some margin (projected use at the reset ≤ 90 %).
 * - `sign-in`: a provider became `signed-out` or `unauthorized`; once per episode, re-armed when it works again.
 *
 * Window cycles are identified by the reset time: a new reset time within `max(windowMinutes / 2, 5 min)` of the
 * remembered one is the same cycle, and a window whose reset time passed reads as reset (both rules in
 * core/cycles.ts). A cycle ends when its reset time passes or when the source reports a reset time outside that
 * range.
 *
 * Decisions (for users who dislike a burst, and for the glitch readings of 0 % mid-cycle that usage APIs are known to
 * return now and then):
 * - Percentages as shown: thresholds, depleted and restored compare the used percentage the menu shows
 *   (`displayedUsedPercent` in core/format.ts: whole, rounded half up), so an alert never contradicts the menu:
 *   89.5 % shows "90% used" and crosses 90 %; 99.96 % shows "100% used" and is depleted.
 * - First sight: a window seen for the first time (fresh install, new lane) already past thresholds fires only the
 *   highest crossed one, once, like any other crossing; at ≥ 100 % only `depleted`.
 * - Within a cycle whose reset time is known, use falling back below a threshold does not re-arm it: once per cycle
 *   is absolute, so a glitch reading cannot make an alert repeat. Only for a window without a known reset time —
 *   where a fall is the only sign of a reset — does falling 5 points below a fired threshold re-arm it (and falling
 *   to 95 % or less re-arms `depleted`, with a `restored` alert).
 * - Stale data (`snapshot.stale`, or status `stale`: captures over 6 h old) never produces threshold, depleted,
 *   restored or predictive alerts. Reset alerts come from remembered reset times, not from the data.
 * - A threshold crossing and a predictive warning for the same window at the same poll make one notification: the
 *   forecast is appended to the threshold's body.
 * - Quiet hours, `enabled: false` and the per-kind switches only hide alerts: the memory advances as if they had been
 *   shown, so nothing bursts out when the quiet hours end or a switch is turned on.
 *
 * Units: percentages 0–100 (may exceed 100), instants epoch ms, clock times `HH:MM` in the user's time zone.
 */
import { checkInstant } from './ranges.js';
import * as z from 'zod/mini';
import { type AlertKinds, type AlertSettings, thresholdsFor } from './alert-settings.js';
import { AlertTexts } from './alert-texts.js';
import { sameReset, settleWindow } from './cycles.js';
import { type LocaleOptions, displayedUsedPercent } from './format.js';
import type { ProviderId, ProviderSnapshot, UsageWindow } from './model.js';
import { asObject, parseEntries, withForeign } from './stored.js';
import { linearPace } from './pace.js';
import { inQuietHours } from './quiet-hours.js';

/** What an alert is about. */
export type AlertKind = 'threshold' | 'depleted' | 'restored' | 'reset' | 'predictive' | 'sign-in';

/** One notification to show. */
export interface Alert {
  /**
   * Stable dedupe key, unique per (provider, window, cycle, kind, threshold) and per re-arming, e.g.
   * `claude/session/2026-11-22T10:00Z/threshold/80`, `claude/sign-in/2026-11-22T05:00:00.000Z`.
   */
  id: string;
  provider: ProviderId;
  /** The account's key (`claude`, `claude@claude-work`; core/accounts.ts). */
  account: string;
  /** The window's id (`session`, `weekly`, …); null for sign-in alerts. */
  windowId: string | null;
  kind: AlertKind;
  /** Short line, e.g. "Claude session window reached 80% used". */
  title: string;
  /** One or two sentences, e.g. "Claude session (5 h) window: 82% used, resets in 2 h 14 min (16:16)." */
  body: string;
  /** The provider's usage page, for the notification's action. */
  url: string;
  /** `high` for a depleted window and thresholds from 95 % used. */
  urgency: 'normal' | 'high';
}

/** A predictive warning needs at least this share of the window elapsed (percent). */
export const PREDICTIVE_MIN_ELAPSED_PERCENT = 10;
/** … and at least this much used (percent): no noise early in a cycle (Pacer's 50 % floor). */
export const PREDICTIVE_MIN_USED_PERCENT = 50;
/** A predictive warning re-arms when the projected use at the reset falls to this (percent). */
export const PREDICTIVE_REARM_PERCENT = 90;
/** Without a known reset time, use must fall this many points below a fired threshold to re-arm it. */
export const REARM_MARGIN = 5;
/** Remembered windows not seen for this long are forgotten, ms (8 days). */
export const ALERT_MEMORY_KEEP_MS = 8 * 24 * 60 * 60 * 1000;

/** What the engine remembers of one window's current cycle. */
export interface WindowAlertMemory {
  /** The cycle's key in alert ids: its reset time (`2026-11-22T10:00Z`) or `since-<time>` when unknown. */
  cycle: string;
  /** The cycle's reset time as last reported, epoch ms; null when unknown. */
  resetsAt: number | null;
  /** The window's length, minutes; null when unknown. */
  windowMinutes: number | null;
  /**
   * The reset time of the cycle before, epoch ms; null when unknown. Around a reset a source may still report the
   * old cycle for a moment: such reports are ignored rather than taken for the new cycle.
   */
  previousResetsAt: number | null;
  /** The window's label, for texts when the window is not in the data (e.g. a reset while offline). */
  label: string;
  /** Thresholds (percent used) fired in this cycle. */
  fired: number[];
  /** `depleted` fired in this cycle. */
  depleted: boolean;
  /** `restored` fired after `depleted` in this cycle. */
  restored: boolean;
  /** A predictive warning is out for this cycle. */
  predicted: boolean;
  /** How often an item was re-armed within the cycle (`predictive`, `depleted`, or a threshold as `"80"`). */
  generations: Record<string, number>;
  /** When the window was last seen in a snapshot, epoch ms. */
  seenAt: number;
}

/** A sign-in problem that was alerted. */
export interface SignInEpisode {
  status: 'signed-out' | 'unauthorized';
  /** When it was first seen, epoch ms. */
  since: number;
}

/** The engine's memory, persisted by the shells. Holds no secrets; a few hundred bytes per window. */
export interface AlertMemory {
  /** Per window, keyed `<account key>/<window id>` (`claude/session`, `claude@claude-work/weekly`). */
  windows: Record<string, WindowAlertMemory>;
  /** Accounts whose sign-in problem was alerted (until they work again), keyed by account key. */
  signIn: Record<string, SignInEpisode>;
  /** Window and sign-in entries this build could not read (e.g. from a newer Headroom), written back as they were. */
  foreign?: { windows: Record<string, unknown>; signIn: Record<string, unknown> };
  /** Other top-level keys of the stored memory (a newer Headroom's), written back as they were. */
  extra?: Record<string, unknown>;
}

const windowMemorySchema = z.looseObject({
  cycle: z.string(),
  resetsAt: z.nullable(z.number()),
  windowMinutes: z.nullable(z.number()),
  previousResetsAt: z.nullable(z.number()),
  label: z.string(),
  fired: z.array(z.number()),
  depleted: z.boolean(),
  restored: z.boolean(),
  predicted: z.boolean(),
  generations: z.record(z.string(), z.number()),
  seenAt: z.number(),
});

const signInSchema = z.looseObject({ status: z.enum(['signed-out', 'unauthorized']), since: z.number() });

/** A memory with nothing in it. */
export function emptyAlertMemory(): AlertMemory {
  return { windows: {}, signIn: {} };
}

/**
 * Parses persisted alert memory (any JSON value) entry by entry (core/stored.ts): a window or sign-in entry that is
 * not readable is kept aside and written back by {@link serializeAlertMemory}; anything that is not an object gives
 * an empty memory. Never throws.
 */
export function parseAlertMemory(value: unknown): AlertMemory {
  const record = asObject(value);
  if (!record) return emptyAlertMemory();
  const { windows: rawWindows, signIn: rawSignIn, ...extra } = record;
  const windows = parseEntries(rawWindows, windowMemorySchema);
  const signIn = parseEntries(rawSignIn, signInSchema);
  const memory: AlertMemory = { windows: windows.entries as Record<string, WindowAlertMemory>, signIn: signIn.entries };
  if (Object.keys(extra).length) memory.extra = extra;
  if (Object.keys(windows.foreign).length || Object.keys(signIn.foreign).length) {
    memory.foreign = { windows: windows.foreign, signIn: signIn.foreign };
  }
  return memory;
}

/** Alert memory as stored JSON: `{windows, signIn}` with the unreadable entries written back where they were. */
export function serializeAlertMemory(memory: AlertMemory): object {
  return {
    ...memory.extra,
    windows: withForeign(memory.windows, memory.foreign?.windows),
    signIn: withForeign(memory.signIn, memory.foreign?.signIn),
  };
}

/** Account names, usage pages and the locale for texts. */
export interface AlertContext {
  /** Display names by account key, e.g. `{claude: "Claude", "claude@claude-work": "Claude (Work)"}`. */
  names: Record<string, string>;
  /** Usage pages by provider id, for the alerts' `url`. */
  usageUrls: Record<ProviderId, string>;
  /** Locale and time zone for times in texts and for quiet hours; default: the platform's. */
  locale?: LocaleOptions;
}

/** A candidate alert and the switch that governs it. */
interface Candidate {
  alert: Alert;
  toggle: keyof AlertKinds;
  /** For a predictive candidate: the sentence to append when it folds into a threshold alert. */
  fold?: string;
}

/**
 * Evaluates one refresh's snapshots against the memory at `now` (epoch ms). Returns the alerts to show, in snapshot
 * order, and the memory to persist (always, even when nothing is shown). Never throws: on unexpected input it returns
 * no alerts and the memory it was given.
 */
export function evaluateAlerts(
  memory: AlertMemory,
  snapshots: ProviderSnapshot[],
  settings: AlertSettings,
  now: number,
  context: AlertContext,
): { alerts: Alert[]; memory: AlertMemory } {
  try {
    return evaluate(memory, snapshots, settings, now, context);
  } catch {
    return { alerts: [], memory };
  }
}

function evaluate(
  previous: AlertMemory,
  snapshots: ProviderSnapshot[],
  settings: AlertSettings,
  now: number,
  context: AlertContext,
): { alerts: Alert[]; memory: AlertMemory } {
  const memory: AlertMemory = {
    ...previous,
    windows: { ...(previous?.windows ?? {}) },
    signIn: { ...(previous?.signIn ?? {}) },
  };
  const locale = context.locale ?? {};
  const display = settings.display ?? 'used';
  const candidates: Candidate[] = [];
  const seenProviders = new Set<ProviderId>();

  for (const snapshot of snapshots ?? []) {
    const provider = snapshot.provider;
    // Everything remembered is filed under the account's key; the default account's is the provider id.
    const account = snapshot.account?.key ?? provider;
    if (seenProviders.has(account)) continue;
    seenProviders.add(account);
    const text = new AlertTexts(
      context.names?.[account] ?? context.names?.[provider] ?? provider,
      display,
      now,
      locale,
    );
    const url = context.usageUrls?.[provider] ?? '';
    const make = (
      kind: AlertKind,
      windowId: string | null,
      id: string,
      title: string,
      body: string,
      high = false,
    ): Alert => ({ id, provider, account, windowId, kind, title, body, url, urgency: high ? 'high' : 'normal' });

    // Sign-in problems: once per episode. A tool that is not set up here (`unused`) is no sign-in problem.
    if ((snapshot.status === 'signed-out' || snapshot.status === 'unauthorized') && !snapshot.unused) {
      if (!memory.signIn[account]) {
        memory.signIn[account] = { status: snapshot.status, since: now };
        candidates.push({
          toggle: 'signIn',
          alert: make(
            'sign-in',
            null,
            `${account}/sign-in/${new Date(now).toISOString()}`,
            text.signInTitle(snapshot.status),
            [snapshot.message, snapshot.fix].filter(Boolean).join(' ') || text.signInTitle(snapshot.status),
          ),
        });
      }
    } else if (snapshot.status === 'ok' || snapshot.status === 'stale') {
      delete memory.signIn[account];
    }

    // Cycles that ended by time, whatever the data says (also offline).
    for (const [key, remembered] of Object.entries(memory.windows)) {
      if (!key.startsWith(`${account}/`) || remembered.resetsAt === null || remembered.resetsAt > now) continue;
      const windowId = key.slice(account.length + 1);
      const lengthMs = (remembered.windowMinutes ?? 300) * 60_000;
      const recent = now - remembered.resetsAt < lengthMs;
      const reset = recent ? resetCandidate(remembered, windowId, settings, text, make, account) : null;
      if (reset) candidates.push(reset);
      memory.windows[key] = newCycle(remembered, null, now);
    }

    const fresh = !snapshot.stale && snapshot.status !== 'stale';
    const seenWindows = new Set<string>();
    for (const raw of snapshot.windows ?? []) {
      if (!raw || typeof raw.id !== 'string' || seenWindows.has(raw.id)) continue;
      seenWindows.add(raw.id);
      const window = settleWindow(raw, now);
      if (!Number.isFinite(window.usedPercent)) continue;
      const key = `${account}/${window.id}`;
      const before = memory.windows[key];
      if (!fresh) {
        if (before) memory.windows[key] = { ...before, seenAt: now };
        continue;
      }
      let cycle: WindowAlertMemory;
      if (!before) {
        cycle = newCycle(null, window, now);
      } else {
        cycle = cloneCycle(before);
        const minutes = window.windowMinutes ?? before.windowMinutes;
        const near = (a: number | null, b: number | null): boolean => sameReset(a, b, minutes);
        if (cycle.resetsAt === null && near(window.resetsAt, cycle.previousResetsAt)) {
          // Still the cycle that just ended, reported a moment late: nothing to learn from it.
          memory.windows[key] = { ...cycle, seenAt: now };
          continue;
        }
        if (window.resetsAt !== null && cycle.resetsAt !== null && !near(window.resetsAt, cycle.resetsAt)) {
          // The source reports another cycle before the remembered reset time: the window was reset early.
          const reset = resetCandidate(cycle, window.id, settings, text, make, account);
          if (reset) candidates.push(reset);
          cycle = newCycle(cycle, window, now);
        } else if (window.resetsAt !== null) {
          if (cycle.resetsAt === null && !anythingFired(cycle)) cycle.cycle = minuteKey(window.resetsAt);
          cycle.resetsAt = window.resetsAt;
        }
        cycle.windowMinutes = window.windowMinutes ?? cycle.windowMinutes;
        cycle.label = window.label;
        cycle.seenAt = now;
      }
      const thresholds = thresholdsFor(settings, provider, window.id);
      candidates.push(...windowCandidates(cycle, window, thresholds, `${key}/${cycle.cycle}`, text, make));
      memory.windows[key] = cycle;
    }
  }

  for (const [key, remembered] of Object.entries(memory.windows)) {
    if (!(now - remembered.seenAt <= ALERT_MEMORY_KEEP_MS)) delete memory.windows[key];
  }

  if (!settings.enabled || inQuietHours(settings.quietHours, now, locale)) return { alerts: [], memory };
  return { alerts: fold(candidates.filter((c) => settings.kinds?.[c.toggle] !== false)), memory };
}

type MakeAlert = (
  kind: AlertKind,
  windowId: string | null,
  id: string,
  title: string,
  body: string,
  high?: boolean,
) => Alert;

/** The alert for a cycle that ended, if it crossed anything: `reset`, or `restored` when resets are switched off. */
function resetCandidate(
  cycle: WindowAlertMemory,
  windowId: string,
  settings: AlertSettings,
  text: AlertTexts,
  make: MakeAlert,
  account: string,
): Candidate | null {
  if (cycle.fired.length === 0 && !cycle.depleted) return null;
  const base = `${account}/${windowId}/${cycle.cycle}`;
  if (settings.kinds?.reset !== false || !cycle.depleted || cycle.restored) {
    return {
      toggle: 'reset',
      alert: make('reset', windowId, `${base}/reset`, text.resetTitle(cycle.label), 'Full capacity restored.'),
    };
  }
  return {
    toggle: 'depleted',
    alert: make(
      'restored',
      windowId,
      `${base}/restored${suffix(cycle, 'depleted')}`,
      text.restoredTitle(cycle.label),
      'Full capacity restored.',
    ),
  };
}

/**
 * Threshold, depleted, restored and predictive candidates for one fresh window; advances `cycle` in place. `base` is
 * the ids' prefix `<provider>/<window id>/<cycle>`.
 */
function windowCandidates(
  cycle: WindowAlertMemory,
  window: UsageWindow,
  thresholds: number[],
  base: string,
  text: AlertTexts,
  make: MakeAlert,
): Candidate[] {
  const out: Candidate[] = [];
  // Thresholds, depleted and restored follow the percentage the user sees (whole, rounded half up): at 89.5 % the menu
  // reads "90% used" in red, so the 90 % alert fires; at 99.96 % it reads "100% used", so the window is used up.
  const used = displayedUsedPercent(window.usedPercent);
  const known = cycle.resetsAt !== null;

  if (!known) {
    // Without a reset time, a clear fall is the only sign of a new cycle: re-arm what it fell below.
    const kept = cycle.fired.filter((t) => used > t - REARM_MARGIN);
    for (const t of cycle.fired) if (!kept.includes(t)) bump(cycle, String(t));
    cycle.fired = kept;
  }

  if (used >= 100) {
    cycle.fired = mergeFired(
      cycle.fired,
      thresholds.filter((t) => t <= used),
    );
    if (!cycle.depleted) {
      cycle.depleted = true;
      out.push({
        toggle: 'depleted',
        alert: make(
          'depleted',
          window.id,
          `${base}/depleted${suffix(cycle, 'depleted')}`,
          text.depletedTitle(window.label),
          text.windowLine(window),
          true,
        ),
      });
    }
    return out;
  }

  if (cycle.depleted && !cycle.restored && (known || used <= 100 - REARM_MARGIN)) {
    out.push({
      toggle: 'depleted',
      alert: make(
        'restored',
        window.id,
        `${base}/restored${suffix(cycle, 'depleted')}`,
        text.restoredTitle(window.label),
        text.windowLine(window),
      ),
    });
    if (known) cycle.restored = true;
    else {
      cycle.depleted = false;
      bump(cycle, 'depleted');
    }
  }

  const newly = thresholds.filter((t) => used >= t && !cycle.fired.includes(t));
  const top = newly[newly.length - 1];
  if (top !== undefined) {
    out.push({
      toggle: 'threshold',
      alert: make(
        'threshold',
        window.id,
        `${base}/threshold/${top}${suffix(cycle, String(top))}`,
        text.thresholdTitle(window.label, top),
        text.windowLine(window),
        top >= 95,
      ),
    });
    cycle.fired = mergeFired(
      cycle.fired,
      thresholds.filter((t) => t <= used),
    );
  }

  const pace = window.resetsAt === null ? null : linearPace(window, text.now);
  if (pace && window.resetsAt !== null) {
    const projected = window.usedPercent / (pace.elapsedPercent / 100);
    if (cycle.predicted && projected <= PREDICTIVE_REARM_PERCENT) {
      cycle.predicted = false;
      bump(cycle, 'predictive');
    } else if (
      !cycle.predicted &&
      pace.runsOutAt !== null &&
      pace.runsOutAt < window.resetsAt &&
      pace.elapsedPercent >= PREDICTIVE_MIN_ELAPSED_PERCENT &&
      used >= PREDICTIVE_MIN_USED_PERCENT
    ) {
      cycle.predicted = true;
      out.push({
        toggle: 'predictive',
        fold: text.predictiveSentence(pace.runsOutAt),
        alert: make(
          'predictive',
          window.id,
          `${base}/predictive${suffix(cycle, 'predictive')}`,
          text.predictiveTitle(window.label, pace.runsOutAt),
          text.predictiveBody(window, pace.runsOutAt, window.resetsAt),
        ),
      });
    }
  }
  return out;
}

/** Appends a predictive warning to a threshold alert of the same window shown at the same time. */
function fold(candidates: Candidate[]): Alert[] {
  const alerts: Alert[] = [];
  for (const candidate of candidates) {
    const { alert } = candidate;
    if (alert.kind === 'predictive' && candidate.fold) {
      const host = alerts.find(
        (a) => a.kind === 'threshold' && a.account === alert.account && a.windowId === alert.windowId,
      );
      if (host) {
        host.body = `${host.body} ${candidate.fold}`;
        continue;
      }
    }
    alerts.push({ ...alert });
  }
  return alerts;
}

/** A fresh cycle, from a window (null: reset time unknown yet) carrying over what outlives cycles. */
function newCycle(previous: WindowAlertMemory | null, window: UsageWindow | null, now: number): WindowAlertMemory {
  const resetsAt = window?.resetsAt ?? null;
  return {
    cycle: resetsAt === null ? `since-${new Date(now).toISOString()}` : minuteKey(resetsAt),
    resetsAt,
    windowMinutes: window?.windowMinutes ?? previous?.windowMinutes ?? null,
    previousResetsAt: previous?.resetsAt ?? previous?.previousResetsAt ?? null,
    label: window?.label ?? previous?.label ?? '',
    fired: [],
    depleted: false,
    restored: false,
    predicted: false,
    generations: {},
    seenAt: window ? now : (previous?.seenAt ?? now),
  };
}

function cloneCycle(cycle: WindowAlertMemory): WindowAlertMemory {
  return { ...cycle, fired: [...cycle.fired], generations: { ...cycle.generations } };
}

function anythingFired(cycle: WindowAlertMemory): boolean {
  return cycle.fired.length > 0 || cycle.depleted || cycle.predicted;
}

function bump(cycle: WindowAlertMemory, item: string): void {
  cycle.generations[item] = (cycle.generations[item] ?? 0) + 1;
}

/** `#<n>` for an item re-armed n times in the cycle; empty before any re-arming. */
function suffix(cycle: WindowAlertMemory, item: string): string {
  const n = cycle.generations[item] ?? 0;
  return n > 0 ? `#${n}` : '';
}

function mergeFired(fired: number[], more: number[]): number[] {
  return [...new Set([...fired, ...more])].sort((a, b) => a - b);
}

/** An instant as a compact UTC minute for ids: `2026-11-22T10:00Z`; one no Date holds as `t<number>`. */
function minuteKey(at: number): string {
  if (checkInstant(at) === null) return `t${at}`;
  return `${new Date(Math.round(at / 60_000) * 60_000).toISOString().slice(0, 16)}Z`;
}
