/**
 * Codex's local rollout logs as a usage source: after each model reply the Codex CLI writes a `token_count` event
 * carrying the account's `rate_limits` (openai/codex `codex-rs/protocol/src/protocol.rs`, `TokenCountEvent` and
 * `RateLimitSnapshot`) into `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<local-ts>-<uuid>.jsonl` (older ones in
 * `$CODEX_HOME/archived_sessions/`). No network, no credentials. What it shares with the API source lives in
 * codex-shared.ts.
 */
import * as z from 'zod/mini';
import type { SourceResult } from '../model.js';
import { joinPath, numberLike, parseIsoInstant, parseJsonText } from '../parse.js';
import type { Account } from '../accounts.js';
import type { Ports } from '../ports.js';
import {
  type CodexWindow,
  type CodexWindowGroup,
  codexCreditsMoney,
  codexHome,
  codexLimitName,
  codexPlanLabel,
  normaliseCodexFamilies,
  readCodexWindow,
} from './codex-shared.js';

const RolloutWindow = z.looseObject({
  used_percent: numberLike,
  window_minutes: z.optional(z.nullable(numberLike)),
  resets_at: z.optional(z.nullable(numberLike)),
  resets_in_seconds: z.optional(z.nullable(numberLike)),
});

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
          primary: z.optional(z.unknown()),
          secondary: z.optional(z.unknown()),
          credits: z.optional(z.unknown()),
          plan_type: z.optional(z.nullable(z.string())),
        }),
      ),
    ),
  }),
});

type Slot = 'primary' | 'secondary';

/** One `rate_limits` snapshot from a rollout line, with at least one readable window. */
interface Snapshot {
  /** The line's timestamp, epoch ms. */
  at: number;
  limitName: string | null;
  primary: CodexWindow | null;
  secondary: CodexWindow | null;
  /** Slots holding a window that could not be read (malformed, a percent out of range, longer than 366 days). */
  unreadable: Slot[];
  /** Slots whose reset time was out of range (left unknown). */
  badReset: Slot[];
  credits: unknown;
  planType: string | null;
}

/** The headline limit id; events without a `limit_id` (older CLIs) belong to it. */
const HEADLINE_LIMIT_ID = 'codex';

/**
 * A slot's window: null when absent; `unreadable` when present but malformed, of a percent out of range or of
 * implausible length. `at` is the line's time, epoch ms (legacy `resets_in_seconds` counts from it).
 */
function readSlot(value: unknown, at: number, badReset: () => void): CodexWindow | null | 'unreadable' {
  if (value === null || value === undefined) return null;
  const parsed = RolloutWindow.safeParse(value);
  if (!parsed.success) return 'unreadable';
  const window = parsed.data;
  return readCodexWindow(
    {
      usedPercent: window.used_percent,
      windowMinutes: window.window_minutes,
      resetsAtSeconds: window.resets_at,
      resetsInSeconds: window.resets_in_seconds,
      from: at,
    },
    badReset,
  );
}

function parseTokenCount(line: string): { limitId: string; snapshot: Snapshot } | null {
  let json: unknown;
  try {
    json = parseJsonText(line);
  } catch {
    return null;
  }
  const parsed = TokenCountLine.safeParse(json);
  if (!parsed.success) return null;
  const limits = parsed.data.payload.rate_limits;
  const at = parseIsoInstant(parsed.data.timestamp);
  if (!limits || at === null) return null;
  const windows = { primary: null as CodexWindow | null, secondary: null as CodexWindow | null };
  const unreadable: Slot[] = [];
  const badReset: Slot[] = [];
  for (const slot of ['primary', 'secondary'] as const) {
    const window = readSlot(limits[slot], at, () => badReset.push(slot));
    if (window === 'unreadable') unreadable.push(slot);
    else windows[slot] = window;
  }
  if (!windows.primary && !windows.secondary) return null;
  return {
    limitId: limits.limit_id || HEADLINE_LIMIT_ID,
    snapshot: {
      at,
      limitName: limits.limit_name ?? null,
      ...windows,
      unreadable,
      badReset,
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

/** A rollout window as of `now`: a window whose reset has passed reads 0 % with no reset. */
function toWindow(window: CodexWindow | null, now: number): CodexWindow | null {
  if (!window) return null;
  const reset = window.resetsAt !== null && window.resetsAt < now;
  return reset ? { ...window, usedPercent: 0, resetsAt: null } : window;
}

/** A snapshot's two slots as a {@link CodexWindowGroup}, as of `now`. */
function snapshotGroup(snapshot: Snapshot, now: number): CodexWindowGroup {
  return {
    primary: toWindow(snapshot.primary, now),
    secondary: toWindow(snapshot.secondary, now),
  };
}

/** Keeps, per `limit_id`, the newer of `newest`'s snapshot and `found`'s. */
function mergeNewest(newest: Map<string, Snapshot>, found: Map<string, Snapshot>): void {
  for (const [limitId, snapshot] of found) {
    const known = newest.get(limitId);
    if (!known || snapshot.at > known.at) newest.set(limitId, snapshot);
  }
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
 * Reads the newest usable `rate_limits` of every limit family from Codex's rollouts.
 *
 * Walks `$CODEX_HOME/sessions/YYYY/MM/DD` (the 5 newest days) and `$CODEX_HOME/archived_sessions` (flat; a file name
 * already under `sessions/` is skipped), then reads at most 20 files, most recently modified first. In each file,
 * lines are scanned for `event_msg`/`token_count` events whose `rate_limits` has a window, and the newest snapshot of
 * every `limit_id` across the files read is kept (events without a `limit_id`, from older CLIs, belong to `codex`).
 * Reading stops at a file last modified before the oldest of those newest snapshots (it cannot hold a newer one for
 * any family seen), once the main `codex` family has been seen: a newer file holding only another family (a Spark
 * session) does not hide the main limits in an older one. A family seen first in a file older than that is missed.
 *
 * Windows: the `codex` family unprefixed, then the other families sorted by name, each prefixed and labelled after
 * `limit_name ?? limit_id` (see {@link normaliseCodexFamilies} for the unique-id rule). The capture's time is the
 * newest snapshot's timestamp; plan and credits come from the `codex` snapshot, else from the newest one. Windows
 * whose reset has passed read 0 %; legacy `resets_in_seconds` counts from the line's timestamp. Numbers may also be
 * decimal strings (`"used_percent": "12.5"`), read as the numbers ({@link numberLike}).
 *
 * Problems: an event whose windows are all unreadable is skipped like any garbage line (an older event of the family
 * is used). In an event that is used, a window that is present but malformed or longer than 366 days is left out and
 * named in the capture's `problems` ("Codex's logged secondary window could not be read.", "Codex's logged
 * GPT-5.3-Codex-Spark primary window could not be read."), as are malformed credits. Unreadable
 * directories and files are skipped: the result is `error` only when nothing could be read, and `signed-out` when
 * nothing usable was found.
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

  const newest = new Map<string, Snapshot>();
  for (const { path, mtimeMs } of files.slice(0, MAX_FILES)) {
    const oldest = Math.min(...[...newest.values()].map((snapshot) => snapshot.at));
    if (newest.has(HEADLINE_LIMIT_ID) && mtimeMs + MTIME_SLACK_MS < oldest) break;
    const text = await attempt(path, () => ports.files.readText(path));
    if (text === null) continue;
    readAny = true;
    mergeNewest(newest, scanRollout(text));
  }

  if (newest.size === 0) {
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
  const latest = [...newest.values()].reduce((a, b) => (b.at > a.at ? b : a));
  const main = newest.get(HEADLINE_LIMIT_ID) ?? null;
  const families = [...newest]
    .filter(([limitId]) => limitId !== HEADLINE_LIMIT_ID)
    .map(([limitId, snapshot]) => ({ key: limitId, name: snapshot.limitName, snapshot }))
    .sort((a, b) => compare(familyOrder(a), familyOrder(b)) || compare(a.key, b.key));
  const slotProblems = (snapshot: Snapshot, family: string): string[] => [
    ...snapshot.unreadable.map((slot) => `Codex's logged ${family}${slot} window could not be read.`),
    ...snapshot.badReset.map((slot) => `Codex's logged ${family}${slot} window has a reset time out of range.`),
  ];
  const problems = [
    ...(main ? slotProblems(main, '') : []),
    ...families.flatMap(({ key, name, snapshot }) =>
      slotProblems(snapshot, `${codexLimitName(name, key) ?? 'extra limit'} `),
    ),
  ];
  const money = codexCreditsMoney((main ?? latest).credits);
  if (money === null) problems.push("Codex's logged credits could not be read.");
  return {
    ok: true,
    capture: {
      source: 'logs',
      capturedAt: latest.at,
      plan: codexPlanLabel((main ?? latest).planType),
      windows: normaliseCodexFamilies(
        main && snapshotGroup(main, now),
        families.map(({ key, name, snapshot }) => ({ key, name, group: snapshotGroup(snapshot, now) })),
      ),
      money: money ?? [],
      note: 'From your last Codex turn',
      ...(problems.length > 0 && { problems }),
    },
  };
}

/** The display order of a family: its name, case-insensitively. */
function familyOrder(family: { key: string; name: string | null }): string {
  return (family.name || family.key).toLowerCase();
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
