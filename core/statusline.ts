/**
 * Claude Code's status line as a source of Claude's limits. Claude Code (2.1.80 and later) runs the `statusLine`
 * command of its settings on every render and writes one JSON object to its stdin; for claude.ai subscribers it
 * includes `rate_limits`:
 *
 * ```json
 * "rate_limits": {"five_hour": {"used_percentage": 37, "resets_at": 1795331011}, "seven_day": {…}}
 * ```
 *
 * `used_percentage` is percent 0–100 (Claude Code caps it at 100), `resets_at` epoch seconds. Each window may be
 * missing on its own, and the whole object is missing before Claude Code's first API response (Claude Code's
 * status-line documentation, https://code.claude.com/docs/en/statusline, "Available data").
 *
 * `headroom statusline` records what it is given in Headroom's state directory (`statusline.json`, one entry per
 * Claude Code configuration directory; never a secret), and the `statusline` source reads that record back: no
 * network, no credentials.
 */
import * as z from 'zod/mini';
import type { Account } from './accounts.js';
import { settleWindow } from './cycles.js';
import { type Failure, SESSION_MINUTES, type SourceResult, type UsageWindow, WEEKLY_MINUTES } from './model.js';
import { epochSecondsToMs, joinPath, numberLike } from './parse.js';
import type { Environment, Ports } from './ports.js';

/** File name of the status-line record inside Headroom's state directory. */
export const STATUS_LINE_FILE = 'statusline.json';

/** A status-line capture older than this is shown as stale, ms (1 h). */
export const STATUS_LINE_STALE_MS = 60 * 60 * 1000;

const WindowSchema = z.looseObject({
  used_percentage: z.nullish(numberLike),
  resets_at: z.nullish(numberLike),
});

/** The `rate_limits` object of Claude Code's status-line input, as far as Headroom reads it. */
const RateLimitsSchema = z.looseObject({
  five_hour: z.nullish(z.unknown()),
  seven_day: z.nullish(z.unknown()),
});

/** Claude Code's status-line input: only `rate_limits` is read; everything else is ignored. */
const InputSchema = z.looseObject({ rate_limits: z.nullish(z.unknown()) });

/** The windows of `rate_limits`, keyed as Claude Code sends them, in display order. */
const WINDOWS: { key: 'five_hour' | 'seven_day'; id: string; label: string; short: string; minutes: number }[] = [
  { key: 'five_hour', id: 'session', label: 'Session (5 h)', short: '5h', minutes: SESSION_MINUTES },
  { key: 'seven_day', id: 'weekly', label: 'Weekly', short: '7d', minutes: WEEKLY_MINUTES },
];

/**
 * Reads Claude Code's status-line stdin (any text). Returns its `rate_limits` object (kept as sent, for the record)
 * or null when it has none (before the first API response, API-key logins) or the text is not such JSON.
 */
export function parseStatusLineInput(text: string): Record<string, unknown> | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const input = InputSchema.safeParse(json);
  if (!input.success) return null;
  const limits = RateLimitsSchema.safeParse(input.data.rate_limits);
  return limits.success && input.data.rate_limits ? limits.data : null;
}

/**
 * The usage windows of a `rate_limits` object: `five_hour` → `session`, `seven_day` → `weekly`, percent 0–100 as
 * sent, `resets_at` (epoch s) → epoch ms. A window that is missing, or whose percentage is missing or not a number,
 * is left out; the malformed ones are named in `problems` ("Claude Code's seven_day window could not be read.").
 */
export function statusLineWindows(rateLimits: unknown): { windows: UsageWindow[]; problems: string[] } {
  const parsed = RateLimitsSchema.safeParse(rateLimits);
  const windows: UsageWindow[] = [];
  const problems: string[] = [];
  if (!parsed.success) return { windows, problems: ["Claude Code's rate_limits could not be read."] };
  for (const { key, id, label, minutes } of WINDOWS) {
    const raw = parsed.data[key];
    if (raw === null || raw === undefined) continue;
    const window = WindowSchema.safeParse(raw);
    if (!window.success || typeof window.data.used_percentage !== 'number') {
      problems.push(`Claude Code's ${key} window could not be read.`);
      continue;
    }
    windows.push({
      id,
      label,
      usedPercent: window.data.used_percentage,
      resetsAt: epochSecondsToMs(window.data.resets_at),
      windowMinutes: minutes,
    });
  }
  return { windows, problems };
}

/** One configuration directory's entry in `statusline.json`. */
export interface StatusLineEntry {
  /** When Claude Code handed Headroom these limits, epoch ms. */
  capturedAt: number;
  /** Claude Code's `rate_limits` object, as sent. */
  rateLimits: Record<string, unknown>;
}

const EntrySchema = z.object({ capturedAt: z.number(), rate_limits: z.record(z.string(), z.unknown()) });
const RecordSchema = z.looseObject({ version: z.literal(1), dirs: z.record(z.string(), z.unknown()) });

/** The parsed record's entries by directory, raw (each is parsed when read), or an empty map for anything else. */
function recordDirs(text: string | null): Record<string, unknown> {
  if (text === null) return {};
  try {
    const parsed = RecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.dirs : {};
  } catch {
    return {};
  }
}

/**
 * The entry of one configuration directory (absolute, no trailing `/`) in the text of `statusline.json`
 * (`{"version":1,"dirs":{"<dir>":{"capturedAt":<epoch ms>,"rate_limits":{…}}}}`); null when there is none or it is
 * unreadable.
 */
export function statusLineEntry(text: string | null, directory: string): StatusLineEntry | null {
  const entry = EntrySchema.safeParse(recordDirs(text)[directory]);
  return entry.success ? { capturedAt: entry.data.capturedAt, rateLimits: entry.data.rate_limits } : null;
}

/**
 * The text of `statusline.json` with one directory's entry replaced; other directories' entries are kept as they
 * were (also ones this version cannot read). A missing or broken record starts afresh.
 */
export function withStatusLineEntry(text: string | null, directory: string, entry: StatusLineEntry): string {
  const dirs = { ...recordDirs(text), [directory]: { capturedAt: entry.capturedAt, rate_limits: entry.rateLimits } };
  return `${JSON.stringify({ version: 1, dirs })}\n`;
}

/** A path without trailing slashes (`/` stays `/`). */
function trimSlashes(path: string): string {
  return path.replace(/\/+$/, '') || '/';
}

/**
 * The Claude Code configuration directory of an account, absolute: its own directory, or for the default account
 * `$CLAUDE_CONFIG_DIR`, else `~/.claude`. This is the key of its entry in `statusline.json`.
 */
export function claudeConfigDirectory(env: Environment, account?: Account): string {
  return trimSlashes(account?.directory ?? env.get('CLAUDE_CONFIG_DIR') ?? joinPath(env.home, '.claude'));
}

/**
 * Where `headroom statusline` records the limits: `$XDG_STATE_HOME/headroom/statusline.json`, default
 * `~/.local/state/headroom/statusline.json`. Not under SwiftBar's data directory: Claude Code, not SwiftBar, runs the
 * command, and the GNOME extension reads the same file.
 */
export function statusLineRecordPath(env: Environment): string {
  return joinPath(env.get('XDG_STATE_HOME') ?? joinPath(env.home, '.local', 'state'), 'headroom', STATUS_LINE_FILE);
}

function failure(status: Failure['status'], message: string, fix: string): SourceResult {
  return { ok: false, failure: { status, message, fix, unused: true } };
}

const INSTALL_FIX = 'Run `headroom statusline install` once, then use Claude Code as usual.';

/**
 * The `statusline` source: the limits `headroom statusline` last recorded for the account's configuration directory.
 * No network and no credentials. Nothing recorded yet → `signed-out` marked `unused` (the hook is not installed, or
 * Claude Code has not answered yet); an unreadable record → `error`. Never rejects.
 */
export async function fetchStatusLine(ports: Ports, account?: Account): Promise<SourceResult> {
  const path = statusLineRecordPath(ports.env);
  const directory = claudeConfigDirectory(ports.env, account);
  let text: string | null;
  try {
    text = await ports.files.readText(path);
  } catch {
    return { ok: false, failure: { status: 'error', message: `Can't read ${path}.`, fix: 'Check its permissions.' } };
  }
  const entry = statusLineEntry(text, directory);
  if (!entry) {
    return failure(
      'signed-out',
      `Claude Code's status line has not reported limits for ${directory} yet.`,
      INSTALL_FIX,
    );
  }
  const { windows, problems } = statusLineWindows(entry.rateLimits);
  if (windows.length === 0) {
    return {
      ok: false,
      failure: {
        status: 'error',
        message: "Claude Code's status line reported no usage window.",
        fix: '',
        unused: true,
      },
    };
  }
  return {
    ok: true,
    capture: {
      source: 'statusline',
      capturedAt: entry.capturedAt,
      plan: null,
      windows,
      money: [],
      ...(problems.length > 0 && { problems }),
    },
  };
}

/** `14:52`: a local time of day, 24-hour, from epoch ms (no locale data, to keep the status line fast). */
function clockTime(ms: number): string {
  const date = new Date(ms);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/**
 * Headroom's part of the status line, e.g. `5h 37% · 7d 64% · resets 14:52`: each window's percent used (rounded;
 * a window whose reset has passed reads 0 %), then the reset time of the soonest window still to reset, in local
 * time; `(stale)` when the limits are older than {@link STATUS_LINE_STALE_MS}. Empty when there is no window.
 * `now` and `capturedAt` are epoch ms.
 */
export function formatStatusLine(rateLimits: unknown, capturedAt: number, now: number): string {
  const windows = statusLineWindows(rateLimits).windows.map((window) => settleWindow(window, now));
  if (windows.length === 0) return '';
  const parts = windows.map(
    (window) => `${WINDOWS.find((w) => w.id === window.id)?.short ?? window.id} ${Math.round(window.usedPercent)}%`,
  );
  const next = windows
    .map((window) => window.resetsAt)
    .filter((at): at is number => at !== null)
    .sort((a, b) => a - b)[0];
  if (next !== undefined) parts.push(`resets ${clockTime(next)}`);
  if (now - capturedAt > STATUS_LINE_STALE_MS) parts.push('(stale)');
  return parts.join(' · ');
}
