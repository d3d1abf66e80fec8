/**
 * What both Codex sources share: the API source (codex.ts, `GET /backend-api/wham/usage`) and the rollout-log source
 * (codex-logs.ts, `$CODEX_HOME/sessions/**\/rollout-*.jsonl`). Window normalisation (classified by length, not slot),
 * credits, plan labels and Codex's home directory. Field shapes follow openai/codex
 * `codex-rs/protocol/src/protocol.rs` (`RateLimitSnapshot`, `CreditsSnapshot`) and
 * `codex-rs/codex-backend-openapi-models/src/models/rate_limit_status_payload.rs`.
 */
import * as z from 'zod/mini';
import { type Money, type UsageWindow, SESSION_MINUTES, WEEKLY_MINUTES } from '../model.js';
import { epochSecondsToMs, joinPath, numberLike, slugify, titleCase } from '../parse.js';
import { checkDurationSeconds, checkInstant, checkMinorUnits, checkPercent } from '../ranges.js';
import type { Account } from '../accounts.js';
import type { Ports } from '../ports.js';

/** One Codex limit window before normalisation. */
export interface CodexWindow {
  /** Percent used, 0–100 (an integer from the API, a float in rollouts). */
  usedPercent: number;
  /** The window's length in minutes as reported (299/300/301 all mean the 5-hour window); null when unknown. */
  windowMinutes: number | null;
  /** When the window resets, epoch ms; null when unknown. */
  resetsAt: number | null;
}

/** One Codex limit group: the two slots of an API `rate_limit` or a rollout `rate_limits`. */
export interface CodexWindowGroup {
  primary: CodexWindow | null;
  secondary: CodexWindow | null;
}

/** How a group's windows are named: empty for the main group, e.g. `gpt-5-3-codex-spark` / "GPT-5.3-Codex-Spark". */
export interface CodexGroupPrefix {
  idPrefix: string;
  labelPrefix: string;
}

/** One Codex window as sent (API `*_window` or rollout `primary`/`secondary`), its numbers already read. */
export interface RawCodexWindow {
  /** Percent used. */
  usedPercent: number;
  /** The window's length in minutes; null or undefined when not sent. */
  windowMinutes: number | null | undefined;
  /** The reset instant, epoch seconds (API `reset_at`, rollout `resets_at`). */
  resetsAtSeconds: number | null | undefined;
  /** The reset countdown in seconds from `from` (API `reset_after_seconds`, rollout `resets_in_seconds`). */
  resetsInSeconds: number | null | undefined;
  /** When the countdown started, epoch ms (fetch time, the rollout line's time); undefined when unknown. */
  from: number | undefined;
}

/**
 * A sent Codex window as a {@link CodexWindow}, range-checked (core/ranges.ts): a percent out of range or a length
 * beyond 366 days drops the window (`'unreadable'`); a reset instant or countdown out of range leaves the reset
 * unknown and calls `badReset`.
 */
export function readCodexWindow(raw: RawCodexWindow, badReset: () => void): CodexWindow | 'unreadable' {
  const usedPercent = checkPercent(raw.usedPercent);
  const windowMinutes = raw.windowMinutes ?? null;
  if (usedPercent === null || !plausibleWindowMinutes(windowMinutes)) return 'unreadable';
  let resetsAt: number | null = null;
  if (raw.resetsAtSeconds !== null && raw.resetsAtSeconds !== undefined) {
    resetsAt = checkInstant(epochSecondsToMs(raw.resetsAtSeconds));
  } else if (raw.resetsInSeconds !== null && raw.resetsInSeconds !== undefined && raw.from !== undefined) {
    const seconds = checkDurationSeconds(raw.resetsInSeconds);
    resetsAt = seconds === null ? null : checkInstant(raw.from + seconds * 1000);
  } else {
    return { usedPercent, windowMinutes, resetsAt };
  }
  if (resetsAt === null) badReset();
  return { usedPercent, windowMinutes, resetsAt };
}

const LENGTH_TOLERANCE_MINUTES = 3;
/**
 * The longest window length that can name a window: 366 days, in minutes. A longer or non-finite length (an absurd
 * `limit_window_seconds` such as 1e300) is not a real limit window: such a window is dropped, never named
 * `window-1.66e+298m`.
 */
export const MAX_WINDOW_MINUTES = 366 * 1440;
const SESSION = { id: 'session', label: 'Session (5 h)', windowMinutes: SESSION_MINUTES };
const WEEKLY = { id: 'weekly', label: 'Weekly', windowMinutes: WEEKLY_MINUTES };

/** A label for a window of any other length: "Daily", "2 d", "8 h", "90 min". */
function lengthLabel(minutes: number): string {
  if (minutes === 1440) return 'Daily';
  if (minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}

/**
 * True when a reported window length can name a window: unknown (null), or finite and at most
 * {@link MAX_WINDOW_MINUTES}. Zero and negative lengths count as unknown.
 */
export function plausibleWindowMinutes(minutes: number | null): boolean {
  return minutes === null || (Number.isFinite(minutes) && minutes <= MAX_WINDOW_MINUTES);
}

/**
 * Names a window by its length, never its slot (Free and Go plans send their weekly window as `primary`): within
 * ±3 min of 300 → session, of 10080 → weekly, otherwise `window-<minutes>m`. Only a window of unknown length falls
 * back to its slot (primary → session, secondary → weekly), keeping `windowMinutes` null. Null for an implausible
 * length (see {@link plausibleWindowMinutes}).
 */
function classify(minutes: number | null, slot: 'primary' | 'secondary') {
  if (!plausibleWindowMinutes(minutes)) return null;
  if (minutes === null || minutes <= 0) return { ...(slot === 'primary' ? SESSION : WEEKLY), windowMinutes: null };
  if (Math.abs(minutes - SESSION_MINUTES) <= LENGTH_TOLERANCE_MINUTES) return SESSION;
  if (Math.abs(minutes - WEEKLY_MINUTES) <= LENGTH_TOLERANCE_MINUTES) return WEEKLY;
  const rounded = Math.max(1, Math.round(minutes));
  return { id: `window-${rounded}m`, label: lengthLabel(rounded), windowMinutes: rounded };
}

/** Sort rank: session, weekly, then the rest. */
function rank(id: string): number {
  return id.endsWith('session') ? 0 : id.endsWith('weekly') ? 1 : 2;
}

/**
 * Normalises one Codex limit group into {@link UsageWindow}s, classified by length as steipete/CodexBar's
 * `CodexRateWindowNormalizer.swift` does: ids `session`, `weekly`, `window-<minutes>m`, prefixed `<idPrefix>-…` and
 * labelled `<labelPrefix> · …` for an extra group. Session and weekly report the canonical 300/10080 minutes. When
 * two windows land on the same id the first (primary) wins; a window of implausible length is dropped. Ordered
 * session, weekly, others.
 */
export function normaliseCodexWindows(group: CodexWindowGroup, prefix: CodexGroupPrefix): UsageWindow[] {
  const windows: UsageWindow[] = [];
  for (const slot of ['primary', 'secondary'] as const) {
    const window = group[slot];
    if (!window) continue;
    const kind = classify(window.windowMinutes, slot);
    if (!kind) continue;
    const id = prefix.idPrefix ? `${prefix.idPrefix}-${kind.id}` : kind.id;
    if (windows.some((w) => w.id === id)) continue;
    windows.push({
      id,
      label: prefix.labelPrefix ? `${prefix.labelPrefix} · ${kind.label}` : kind.label,
      usedPercent: window.usedPercent,
      resetsAt: window.resetsAt,
      windowMinutes: kind.windowMinutes,
    });
  }
  return windows.sort((a, b) => rank(a.id) - rank(b.id));
}

/** One Codex limit family other than the main one, before normalisation. */
export interface CodexFamily {
  /** Its identifier: a rollout `limit_id` (`codex_bengalfox`) or an API `metered_feature`; null when not reported. */
  key: string | null;
  /** Its display name, `limit_name` (`GPT-5.3-Codex-Spark`); null when not reported. */
  name: string | null;
  group: CodexWindowGroup;
}

/**
 * Normalises the main Codex limit group and the other families into windows with unique ids.
 *
 * The main group's windows are unprefixed (`session`, `weekly`, `window-<minutes>m`). Each other family is prefixed
 * (see {@link normaliseCodexWindows}) by `slugify(name ?? key)`; when that slug is empty (a name of symbols only),
 * by `slugify(key)`, else `limit`; its label prefix is `name ?? key ?? "Other limit"`. The id rule: when a prefix is
 * already taken by an earlier family (two families named alike, or whose names slug alike), the family gets the
 * first free `<prefix>-<n>` for n = 2, 3, … and the label prefix `<label> (<n>)`. As the kinds (`session`, `weekly`,
 * `window-<minutes>m`) never end one another, distinct prefixes give distinct ids, and prefixed ids never equal the
 * main ones. Main windows first, then the families in the order given.
 */
export function normaliseCodexFamilies(main: CodexWindowGroup | null, families: CodexFamily[]): UsageWindow[] {
  const windows = main ? normaliseCodexWindows(main, { idPrefix: '', labelPrefix: '' }) : [];
  const taken = new Set<string>();
  for (const { key, name, group } of families) {
    const base = slugify(name || key || '') || slugify(key ?? '') || 'limit';
    const label = name || key || 'Other limit';
    let idPrefix = base;
    let labelPrefix = label;
    for (let n = 2; taken.has(idPrefix); n++) {
      idPrefix = `${base}-${n}`;
      labelPrefix = `${label} (${n})`;
    }
    taken.add(idPrefix);
    windows.push(...normaliseCodexWindows(group, { idPrefix, labelPrefix }));
  }
  return windows;
}

const Credits = z.looseObject({
  has_credits: z.optional(z.nullable(z.boolean())),
  unlimited: z.optional(z.nullable(z.boolean())),
  balance: z.optional(z.unknown()),
});

/**
 * Codex credits `{has_credits, unlimited, balance}` (API `credits` and rollout `rate_limits.credits` alike; balance is
 * a decimal string such as "17.50", a number or null) as a `credits` Money in hundredths; a balance that is not a
 * number (see {@link numberLike}) is unknown (null). Empty when absent (null, undefined) or unless `has_credits` or
 * `unlimited` is true; null when present but not such an object, or when its balance is a number beyond ±10^13
 * credits (core/ranges.ts; the caller reports it).
 */
export function codexCreditsMoney(value: unknown): Money[] | null {
  if (value === null || value === undefined) return [];
  const parsed = Credits.safeParse(value);
  if (!parsed.success) return null;
  if (!(parsed.data.has_credits || parsed.data.unlimited)) return [];
  const amount = numberLike.safeParse(parsed.data.balance);
  const balance = amount.success ? checkMinorUnits(amount.data * 100) : null;
  if (amount.success && balance === null) return null;
  return [
    {
      id: 'credits',
      label: 'Credits',
      usedMinor: null,
      limitMinor: null,
      balanceMinor: balance,
      currency: 'credits',
      exponent: 2,
      unlimited: parsed.data.unlimited === true,
    },
  ];
}

const PLAIN_NAME = /^[\w .:()-]{1,40}$/;

/**
 * A limit family's name fit for a problem sentence: the first candidate (a `limit_name`, `limit_id` or
 * `metered_feature`) that is short and plain (at most 40 letters, digits, spaces and `_.:()-`); null when none is.
 */
export function codexLimitName(...candidates: (string | null | undefined)[]): string | null {
  return candidates.find((name): name is string => typeof name === 'string' && PLAIN_NAME.test(name)) ?? null;
}

/** A Codex `plan_type` ("pro", "free_workspace") as a label ("Pro", "Free Workspace"); null when absent or empty. */
export function codexPlanLabel(planType: string | null | undefined): string | null {
  return planType ? titleCase(planType) || null : null;
}

/** Codex's home directory: the account's own directory, else `$CODEX_HOME`, default `<home>/.codex`. */
export function codexHome(ports: Pick<Ports, 'env'>, account?: Account): string {
  return account?.directory ?? ports.env.get('CODEX_HOME') ?? joinPath(ports.env.home, '.codex');
}
