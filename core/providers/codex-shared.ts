/**
 * What both Codex sources share: the API source (codex.ts, `GET /backend-api/wham/usage`) and the rollout-log source
 * (codex-logs.ts, `$CODEX_HOME/sessions/**\/rollout-*.jsonl`). Window normalisation (classified by length, not slot),
 * credits, plan labels and Codex's home directory. Field shapes follow openai/codex
 * `codex-rs/protocol/src/protocol.rs` (`RateLimitSnapshot`, `CreditsSnapshot`) and
 * `codex-rs/codex-backend-openapi-models/src/models/rate_limit_status_payload.rs`.
 */
import * as z from 'zod/mini';
import { type Money, type UsageWindow, SESSION_MINUTES, WEEKLY_MINUTES } from '../model.js';
import { joinPath, titleCase } from '../parse.js';
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

const LENGTH_TOLERANCE_MINUTES = 3;
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
 * Names a window by its length, never its slot (Free and Go plans send their weekly window as `primary`): within
 * ±3 min of 300 → session, of 10080 → weekly, otherwise `window-<minutes>m`. Only a window of unknown length falls
 * back to its slot (primary → session, secondary → weekly), keeping `windowMinutes` null.
 */
function classify(minutes: number | null, slot: 'primary' | 'secondary') {
  if (minutes === null || minutes <= 0) return { ...(slot === 'primary' ? SESSION : WEEKLY), windowMinutes: null };
  if (Math.abs(minutes - SESSION_MINUTES) <= LENGTH_TOLERANCE_MINUTES) return SESSION;
  if (Math.abs(minutes - WEEKLY_MINUTES) <= LENGTH_TOLERANCE_MINUTES) return WEEKLY;
  const rounded = Math.round(minutes);
  return { id: `window-${rounded}m`, label: lengthLabel(rounded), windowMinutes: rounded };
}

/** Sort rank: session, weekly, then the rest. */
function rank(id: string): number {
  return id.endsWith('session') ? 0 : id.endsWith('weekly') ? 1 : 2;
}

/**
 * Normalises one Codex limit group into {@link UsageWindow}s, classified by length as steipete/CodexBar's
 * `CodexRateWindowNormalizer.swift` does: ids `session`, `weekly`, `window-<minutes>m`, prefixed `<idPrefix>-…` and
 * labelled `<labelPrefix> · …` for an extra group. Session and weekly report the canonical 300/10080 minutes. When two windows land on the same id the first
 * (primary) wins. Ordered session, weekly, others.
 */
export function normaliseCodexWindows(group: CodexWindowGroup, prefix: CodexGroupPrefix): UsageWindow[] {
  const windows: UsageWindow[] = [];
  for (const slot of ['primary', 'secondary'] as const) {
    const window = group[slot];
    if (!window) continue;
    const kind = classify(window.windowMinutes, slot);
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

const Credits = z.looseObject({
  has_credits: z.optional(z.nullable(z.boolean())),
  unlimited: z.optional(z.nullable(z.boolean())),
  balance: z.optional(z.nullable(z.union([z.string(), z.number()]))),
});

/**
 * Codex credits `{has_credits, unlimited, balance}` (API `credits` and rollout `rate_limits.credits` alike; balance is
 * a decimal string such as "17.50", a number or null) as a `credits` Money in hundredths. Empty unless `has_credits`
 * or `unlimited` is true, or when the value is not such an object.
 */
export function codexCreditsMoney(value: unknown): Money[] {
  const parsed = Credits.safeParse(value);
  if (!parsed.success || !(parsed.data.has_credits || parsed.data.unlimited)) return [];
  const { balance } = parsed.data;
  const amount = typeof balance === 'string' && balance.trim() !== '' ? Number(balance) : balance;
  return [
    {
      id: 'credits',
      label: 'Credits',
      usedMinor: null,
      limitMinor: null,
      balanceMinor: typeof amount === 'number' && Number.isFinite(amount) ? Math.round(amount * 100) : null,
      currency: 'credits',
      exponent: 2,
      unlimited: parsed.data.unlimited === true,
    },
  ];
}

/** A Codex `plan_type` ("pro", "free_workspace") as a label ("Pro", "Free Workspace"); null when absent or empty. */
export function codexPlanLabel(planType: string | null | undefined): string | null {
  return planType ? titleCase(planType) || null : null;
}

/** Codex's home directory: `$CODEX_HOME`, default `<home>/.codex`. */
export function codexHome(ports: Ports): string {
  return ports.env.get('CODEX_HOME') ?? joinPath(ports.env.home, '.codex');
}
