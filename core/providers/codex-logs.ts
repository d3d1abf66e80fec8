/**
 * Codex's local rollout logs as a usage source (REFERENCE §1.3 G): after each model reply the Codex CLI writes a
 * `token_count` event carrying the account's `rate_limits` into
 * `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<local-ts>-<uuid>.jsonl` (older ones in `$CODEX_HOME/archived_sessions/`).
 * No network, no credentials. Also holds what the API source (codex.ts) shares with it: window normalisation,
 * credits and plan labels.
 */
import * as z from 'zod/mini';
import { type Money, type SourceResult, type UsageWindow, SESSION_MINUTES, WEEKLY_MINUTES } from '../model.js';
import { epochSecondsToMs, joinPath, parseIsoInstant, slugify, titleCase } from '../parse.js';
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
 * Normalises one Codex limit group into {@link UsageWindow}s, classified by length (see REFERENCE §2): ids
 * `session`, `weekly`, `window-<minutes>m`, prefixed `<idPrefix>-…` and labelled `<labelPrefix> · …` for an extra
 * group. Session and weekly report the canonical 300/10080 minutes. When two windows land on the same id the first
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

/** Codex's home directory: the account's own directory, else `$CODEX_HOME`, default `<home>/.codex`. */
export function codexHome(ports: Ports, account?: Account): string {
  return account?.directory ?? ports.env.get('CODEX_HOME') ?? joinPath(ports.env.home, '.codex');
}

const RolloutWindow = z.looseObject({
  used_percent: z.number(),
  window_minutes: z.optional(z.nullable(z.number())),
  resets_at: z.optional(z.nullable(z.number())),
  resets_in_seconds: z.optional(z.nullable(z.number())),
});
type RolloutWindow = z.infer<typeof RolloutWindow>;

const TokenCountLine = z.looseObject({
  timestamp: z.string(),
  type: z.literal('event_msg'),
  payload: z.looseObject({
    type: z.literal('token_count'),
    rate_limits: z.optional(
      z.nullable(
        z.looseObject({
          limit_id: z.optional(z.nullable(z.string())),
          limit_name: z.optional(z.nullable(z.string())),
          primary: z.optional(z.nullable(RolloutWindow)),
          secondary: z.optional(z.nullable(RolloutWindow)),
          credits: z.optional(z.unknown()),
          plan_type: z.optional(z.nullable(z.string())),
        }),
      ),
    ),
  }),
});

/** One `rate_limits` snapshot from a rollout line, with at least one window. */
interface Snapshot {
  /** The line's timestamp, epoch ms. */
  at: number;
  limitName: string | null;
  primary: RolloutWindow | null;
  secondary: RolloutWindow | null;
  credits: unknown;
  planType: string | null;
}

/** The headline limit id; events without a `limit_id` (older CLIs) belong to it. */
const HEADLINE_LIMIT_ID = 'codex';

function parseTokenCount(line: string): { limitId: string; snapshot: Snapshot } | null {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return null;
  }
  const parsed = TokenCountLine.safeParse(json);
  if (!parsed.success) return null;
  const limits = parsed.data.payload.rate_limits;
  const at = parseIsoInstant(parsed.data.timestamp);
  if (!limits || at === null || (!limits.primary && !limits.secondary)) return null;
  return {
    limitId: limits.limit_id || HEADLINE_LIMIT_ID,
    snapshot: {
      at,
      limitName: limits.limit_name ?? null,
      primary: limits.primary ?? null,
      secondary: limits.secondary ?? null,
      credits: limits.credits,
      planType: limits.plan_type ?? null,
    },
  };
}

/** The latest snapshot per `limit_id` in a rollout, scanning lines from the end; unusable lines are skipped. */
function scanRollout(text: string): Map<string, Snapshot> {
  const latest = new Map<string, Snapshot>();
  for (let end = text.length; end > 0;) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end);
    end = start - 1;
    if (!line.includes('"token_count"')) continue;
    const found = parseTokenCount(line);
    if (found && !latest.has(found.limitId)) latest.set(found.limitId, found.snapshot);
  }
  return latest;
}

/** A rollout window as a {@link CodexWindow}; a window whose reset has passed reads 0 % with no reset. */
function toWindow(window: RolloutWindow | null, lineAt: number, now: number): CodexWindow | null {
  if (!window) return null;
  const resetsAt =
    epochSecondsToMs(window.resets_at) ??
    (typeof window.resets_in_seconds === 'number' ? lineAt + window.resets_in_seconds * 1000 : null);
  const reset = resetsAt !== null && resetsAt < now;
  return {
    usedPercent: reset ? 0 : window.used_percent,
    windowMinutes: window.window_minutes ?? null,
    resetsAt: reset ? null : resetsAt,
  };
}

function snapshotWindows(snapshot: Snapshot, prefix: CodexGroupPrefix, now: number): UsageWindow[] {
  const group = {
    primary: toWindow(snapshot.primary, snapshot.at, now),
    secondary: toWindow(snapshot.secondary, snapshot.at, now),
  };
  return normaliseCodexWindows(group, prefix);
}

/** Day directories inspected, newest first. */
const MAX_DAY_DIRS = 5;
/** Rollout files read, most recently modified first. */
const MAX_FILES = 20;
/** Rollout files whose modification time is looked up. */
const MAX_STATS = 100;
/** Slack for file systems with coarse modification times. */
const MTIME_SLACK_MS = 2000;
const ROLLOUT_NAME = /^rollout-.*\.jsonl$/;

/**
 * Reads the newest usable `rate_limits` from Codex's rollouts (REFERENCE §1.3 G).
 *
 * Walks `$CODEX_HOME/sessions/YYYY/MM/DD` (the 5 newest days) and `$CODEX_HOME/archived_sessions` (flat; a file name
 * already under `sessions/` is skipped), then reads at most 20 files, most recently modified first, stopping once a
 * file was last modified before the best event found. In each file, lines are scanned from the end for
 * `event_msg`/`token_count` events whose `rate_limits` has a window; the latest per `limit_id` is kept. The headline is
 * the newest `limit_id: "codex"` snapshot (or one without a `limit_id`); other limit ids from the same file become
 * extra groups named after `limit_name ?? limit_id`.
 *
 * The capture's time is the event's timestamp; windows whose reset has passed read 0 %. Legacy `resets_in_seconds`
 * counts from the line's timestamp. Unreadable directories and files are skipped: the result is `error` only when
 * nothing could be read, and `signed-out` when nothing usable was found.
 */
export async function readCodexRollouts(ports: Ports, account?: Account): Promise<SourceResult> {
  const home = codexHome(ports, account);
  let unreadable: string | null = null;
  let readAny = false;
  const attempt = async <T>(path: string, read: () => Promise<T | null>): Promise<T | null> => {
    try {
      return await read();
    } catch {
      ports.log.debug(`codex logs: cannot read ${path}`);
      unreadable ??= path;
      return null;
    }
  };
  const names = async (dir: string, directories: boolean, pattern: RegExp): Promise<string[]> => {
    const entries = (await attempt(dir, () => ports.files.list(dir))) ?? [];
    return entries
      .filter((entry) => entry.isDirectory === directories && pattern.test(entry.name))
      .map((entry) => entry.name)
      .sort()
      .reverse();
  };

  const sessions = joinPath(home, 'sessions');
  const dirs: string[] = [];
  days: for (const year of await names(sessions, true, /^\d{4}$/)) {
    for (const month of await names(joinPath(sessions, year), true, /^\d{2}$/)) {
      for (const day of await names(joinPath(sessions, year, month), true, /^\d{2}$/)) {
        dirs.push(joinPath(sessions, year, month, day));
        if (dirs.length >= MAX_DAY_DIRS) break days;
      }
    }
  }
  const candidates: string[] = [];
  const seen = new Set<string>();
  for (const dir of dirs) {
    for (const name of await names(dir, false, ROLLOUT_NAME)) {
      seen.add(name);
      candidates.push(joinPath(dir, name));
    }
  }
  const archived = joinPath(home, 'archived_sessions');
  for (const name of (await names(archived, false, ROLLOUT_NAME)).slice(0, MAX_FILES)) {
    if (!seen.has(name)) candidates.push(joinPath(archived, name));
  }

  const stats = await Promise.all(
    candidates.slice(0, MAX_STATS).map(async (path) => {
      const stat = await attempt(path, () => ports.files.stat(path));
      return { path, mtimeMs: stat?.mtimeMs ?? -Infinity };
    }),
  );
  const files = stats.filter((file) => file.mtimeMs > -Infinity).sort((a, b) => b.mtimeMs - a.mtimeMs);

  let best: { headline: Snapshot; snapshots: Map<string, Snapshot> } | null = null;
  for (const { path, mtimeMs } of files.slice(0, MAX_FILES)) {
    if (best && mtimeMs + MTIME_SLACK_MS < best.headline.at) break;
    const text = await attempt(path, () => ports.files.readText(path));
    if (text === null) continue;
    readAny = true;
    const snapshots = scanRollout(text);
    const headline = snapshots.get(HEADLINE_LIMIT_ID);
    if (headline && (!best || headline.at > best.headline.at)) best = { headline, snapshots };
  }

  if (!best) {
    return unreadable !== null && !readAny
      ? {
          ok: false,
          failure: {
            status: 'error',
            message: `Can't read Codex's local logs (${unreadable}).`,
            fix: "Check that folder's permissions.",
          },
        }
      : {
          ok: false,
          failure: {
            status: 'signed-out',
            message: 'No Codex usage found in its local logs yet.',
            fix: 'Run one `codex` turn; Codex records your limits after each reply.',
          },
        };
  }

  const now = ports.clock.now();
  const { headline, snapshots } = best;
  const windows = snapshotWindows(headline, { idPrefix: '', labelPrefix: '' }, now);
  for (const [limitId, snapshot] of snapshots) {
    if (limitId === HEADLINE_LIMIT_ID) continue;
    const name = snapshot.limitName || limitId;
    const idPrefix = slugify(name);
    if (idPrefix) windows.push(...snapshotWindows(snapshot, { idPrefix, labelPrefix: name }, now));
  }
  return {
    ok: true,
    capture: {
      source: 'logs',
      capturedAt: headline.at,
      plan: codexPlanLabel(headline.planType),
      windows,
      money: codexCreditsMoney(headline.credits),
      note: 'From your last Codex turn',
    },
  };
}
