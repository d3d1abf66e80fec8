/**
 * Codex through its own CLI: `codex -s read-only -a never app-server`, JSON-RPC 2.0 with one JSON message per line on
 * stdio (openai/codex `codex-rs/app-server-protocol`, the `initialize`, `account/read` and `account/rateLimits/read`
 * methods; steipete/CodexBar starts it the same way). The app-server fetches `GET /backend-api/wham/usage` itself
 * with Codex's own login, refreshing Codex's tokens as Codex always does, so this source keeps working when
 * auth.json holds an expired access token that Headroom must not refresh.
 *
 * Bounded: the server must answer `initialize` within a start timeout and each later request within a request
 * timeout; afterwards (or on any failure) its stdin is closed, it gets SIGTERM, then SIGKILL after a grace period,
 * and the session ends only once the process has been reaped.
 */
import * as z from 'zod/mini';
import type { Failure, Money, SourceResult, UsageWindow } from '../model.js';
import { numberLike, parseJsonText } from '../parse.js';
import type { Account } from '../accounts.js';
import type { PipedProcess, Ports } from '../ports.js';
import {
  type CodexFamily,
  type CodexWindow,
  type CodexWindowGroup,
  codexCreditsMoney,
  codexLimitName,
  codexPlanLabel,
  normaliseCodexFamilies,
  readCodexWindow,
} from './codex-shared.js';

/** Time limits of one app-server session, milliseconds. */
export interface AppServerTimeouts {
  /** From starting the program to its answer to `initialize` (Codex 0.169 takes 0.4–4 s). */
  startMs: number;
  /** For each later request (`account/read`, `account/rateLimits/read`; each costs one HTTP request). */
  requestMs: number;
  /** Between SIGTERM and SIGKILL. */
  graceMs: number;
}

/**
 * The default time limits: 10 s to start, 5 s per request, 2 s from SIGTERM to SIGKILL. Asked after the API (15 s
 * timeout), a session that hangs at every step still ends within the CLI's 40 s run deadline.
 */
export const APP_SERVER_TIMEOUTS: AppServerTimeouts = { startMs: 10_000, requestMs: 5_000, graceMs: 2_000 };

/** The program and arguments: `$HEADROOM_CODEX_BIN` or `codex` (found on PATH), read-only sandbox, no approvals. */
export function appServerArgv(ports: Ports): string[] {
  return [ports.env.get('HEADROOM_CODEX_BIN') ?? 'codex', '-s', 'read-only', '-a', 'never', 'app-server'];
}

const OptionalString = z.optional(z.nullable(z.string()));

/** A JSON-RPC message from the server: a response (`id` with `result` or `error`) or a notification (`method`). */
const RpcMessage = z.looseObject({
  id: z.optional(z.unknown()),
  result: z.optional(z.unknown()),
  error: z.optional(z.nullable(z.looseObject({ code: z.optional(z.number()), message: z.optional(z.string()) }))),
});

/** `account/read` → `{account: {type: "chatgpt"|"apiKey", email, planType} | null, requiresOpenaiAuth}`. */
const AccountReadResult = z.looseObject({
  account: z.optional(z.nullable(z.looseObject({ type: OptionalString, planType: OptionalString }))),
  requiresOpenaiAuth: z.optional(z.nullable(z.boolean())),
});

/** `account/rateLimits/read` → `{rateLimits: snapshot, rateLimitsByLimitId: {<limitId>: snapshot}}`. */
const RateLimitsReadResult = z.looseObject({
  rateLimits: z.optional(z.unknown()),
  rateLimitsByLimitId: z.optional(z.unknown()),
});

/** A `RateLimitSnapshot`: `{limitId, limitName, primary, secondary, credits, planType, rateLimitReachedType}`. */
const Snapshot = z.looseObject({
  limitId: OptionalString,
  limitName: OptionalString,
  primary: z.optional(z.unknown()),
  secondary: z.optional(z.unknown()),
  credits: z.optional(z.unknown()),
  planType: OptionalString,
});

/** A `RateLimitWindow`: `{usedPercent (integer), windowDurationMins, resetsAt (epoch s)}`. */
const Window = z.looseObject({
  usedPercent: numberLike,
  windowDurationMins: z.optional(z.nullable(numberLike)),
  resetsAt: z.optional(z.nullable(numberLike)),
});

/** `CreditsSnapshot`: `{hasCredits, unlimited, balance}` (balance a decimal string such as "42.75"). */
const Credits = z.looseObject({
  hasCredits: z.optional(z.nullable(z.boolean())),
  unlimited: z.optional(z.nullable(z.boolean())),
  balance: z.optional(z.unknown()),
});

/** JSON-RPC "invalid request": what `account/rateLimits/read` answers under an API-key login. */
const INVALID_REQUEST = -32600;
/** The headline limit family. */
const HEADLINE_LIMIT_ID = 'codex';

type Outcome = { ok: true; result: unknown } | { ok: false; why: 'timeout' | 'exited' | 'rpc'; code?: number };

const CHOOSE_ANOTHER = 'Check that `codex app-server` runs, or choose another Codex source.';

function failure(status: Failure['status'], message: string, fix: string, unused = false): SourceResult {
  return { ok: false, failure: { status, message, fix, ...(unused && { unused }) } };
}

const API_KEY_LOGIN = failure(
  'signed-out',
  'Codex is signed in with an API key, which has no plan limits.',
  'Run `codex login` and choose Sign in with ChatGPT.',
);

/** One JSON-RPC session over a {@link PipedProcess}: numbered requests, each with its own timeout. */
class RpcSession {
  private nextId = 1;
  private readonly pending = new Map<number, (outcome: Outcome) => void>();
  private ended = false;
  process: PipedProcess | null = null;

  constructor(private readonly delay: (ms: number) => Promise<void>) {}

  /** Handles one stdout line; anything that is not a JSON-RPC response to a pending request is ignored. */
  receive(line: string): void {
    let json: unknown;
    try {
      json = parseJsonText(line);
    } catch {
      return;
    }
    const parsed = RpcMessage.safeParse(json);
    if (!parsed.success || typeof parsed.data.id !== 'number') return;
    const settle = this.pending.get(parsed.data.id);
    if (!settle) return;
    const { error, result } = parsed.data;
    settle(
      error ? { ok: false, why: 'rpc', ...(error.code !== undefined && { code: error.code }) } : { ok: true, result },
    );
  }

  /** Called once the process has ended: every pending request fails as `exited`. */
  end(): void {
    this.ended = true;
    for (const settle of [...this.pending.values()]) settle({ ok: false, why: 'exited' });
  }

  /** Sends a request and waits for its answer, at most `timeoutMs`. */
  request(method: string, params: unknown, timeoutMs: number): Promise<Outcome> {
    if (this.ended || !this.process) return Promise.resolve({ ok: false, why: 'exited' });
    const id = this.nextId++;
    const answer = new Promise<Outcome>((resolve) => {
      this.pending.set(id, (outcome) => {
        this.pending.delete(id);
        resolve(outcome);
      });
    });
    this.process.write(`${JSON.stringify({ id, method, ...(params !== undefined && { params }) })}\n`);
    const timeout = this.delay(timeoutMs).then((): Outcome => {
      this.pending.delete(id);
      return { ok: false, why: 'timeout' };
    });
    return Promise.race([answer, timeout]);
  }

  /** Sends a notification (no answer). */
  notify(method: string): void {
    this.process?.write(`${JSON.stringify({ method })}\n`);
  }
}

/**
 * Ends the process: closes stdin, sends SIGTERM, and SIGKILL when it is still running `graceMs` later. Resolves once
 * it has been reaped.
 */
async function stop(child: PipedProcess, delay: (ms: number) => Promise<void>, graceMs: number): Promise<void> {
  child.closeStdin();
  child.signal('SIGTERM');
  const gone = await Promise.race([child.exited.then(() => true), delay(graceMs).then(() => false)]);
  if (!gone) child.signal('SIGKILL');
  await child.exited;
}

function timedOut(what: string, ms: number): SourceResult {
  return failure('error', `Codex's app-server did not ${what} within ${Math.round(ms / 1000)} s.`, CHOOSE_ANOTHER);
}

const EXITED = failure('error', "Codex's app-server ended before answering.", CHOOSE_ANOTHER);

/** Reads the parts of one `account/rateLimits/read` answer, collecting a sentence for each part it cannot read. */
class LimitsReader {
  readonly problems: string[] = [];

  unreadable(what: string): void {
    this.problems.push(`Codex's app-server ${what} could not be read.`);
  }

  window(value: unknown, what: string): CodexWindow | null {
    if (value === null || value === undefined) return null;
    const parsed = Window.safeParse(value);
    if (!parsed.success) {
      this.unreadable(what);
      return null;
    }
    const read = readCodexWindow(
      {
        usedPercent: parsed.data.usedPercent,
        windowMinutes: parsed.data.windowDurationMins,
        resetsAtSeconds: parsed.data.resetsAt,
        resetsInSeconds: undefined,
        from: undefined,
      },
      () => this.problems.push(`Codex's app-server ${what} has a reset time out of range.`),
    );
    if (read === 'unreadable') this.unreadable(what);
    return read === 'unreadable' ? null : read;
  }

  group(snapshot: z.infer<typeof Snapshot>, prefix: string): CodexWindowGroup {
    return {
      primary: this.window(snapshot.primary, `${prefix}primary window`),
      secondary: this.window(snapshot.secondary, `${prefix}secondary window`),
    };
  }
}

/**
 * Parses and normalises the result of `account/rateLimits/read` (pure). Shape (openai/codex
 * `app-server-protocol` v2 `GetAccountRateLimitsResponse`):
 * `{rateLimits: Snapshot, rateLimitsByLimitId: {<limitId>: Snapshot}}` where Snapshot =
 * `{limitId, limitName, primary: {usedPercent, windowDurationMins, resetsAt (epoch s)} | null, secondary,
 * credits: {hasCredits, unlimited, balance (decimal string)} | null, planType}`.
 *
 * The headline family is `rateLimitsByLimitId.codex`, else `rateLimits`; every other entry of
 * `rateLimitsByLimitId` is a family named `limitName ?? limitId`, ordered by that name, with ids as
 * {@link normaliseCodexFamilies} says (the same windows the API source shows for `additional_rate_limits`). Credits
 * come from the headline snapshot, the plan from its `planType`. Parts present but unreadable are left out and
 * named in `problems`. A result that is not such an object, or yields neither windows nor credits, is an `error`.
 */
export function parseAppServerRateLimits(
  result: unknown,
):
  | { ok: true; plan: string | null; windows: UsageWindow[]; money: Money[]; problems: string[] }
  | { ok: false; failure: Failure } {
  const unexpected: Failure = {
    status: 'error',
    message: "Codex's app-server sent its limits in an unexpected format.",
    fix: 'Update Headroom, or choose another Codex source.',
  };
  const parsed = RateLimitsReadResult.safeParse(result);
  if (!parsed.success) return { ok: false, failure: unexpected };
  const read = new LimitsReader();
  const byId = z.record(z.string(), z.unknown()).safeParse(parsed.data.rateLimitsByLimitId ?? {});
  if (!byId.success) read.unreadable('rateLimitsByLimitId');
  const entries = Object.entries(byId.success ? byId.data : {});
  const snapshot = (value: unknown, what: string): z.infer<typeof Snapshot> | null => {
    if (value === null || value === undefined) return null;
    const one = Snapshot.safeParse(value);
    if (!one.success) read.unreadable(what);
    return one.success ? one.data : null;
  };
  const headlineEntry = entries.find(([key]) => key === HEADLINE_LIMIT_ID);
  const main = headlineEntry
    ? snapshot(headlineEntry[1], 'codex limits')
    : snapshot(parsed.data.rateLimits, 'rateLimits');
  const families: CodexFamily[] = [];
  for (const [key, value] of entries) {
    if (key === HEADLINE_LIMIT_ID) continue;
    const family = snapshot(value, `${codexLimitName(key) ?? 'extra'} limits`);
    if (!family) continue;
    const name = family.limitName || null;
    const where = `${codexLimitName(name, key) ?? 'extra limit'} `;
    families.push({ key: family.limitId || key, name, group: read.group(family, where) });
  }
  families.sort((a, b) => order(a).localeCompare(order(b)));
  const windows = normaliseCodexFamilies(main && read.group(main, ''), families);
  const credits = main?.credits === null || main?.credits === undefined ? null : Credits.safeParse(main.credits);
  if (credits && !credits.success) read.unreadable('credits');
  const money =
    credits?.success === true
      ? codexCreditsMoney({
          has_credits: credits.data.hasCredits,
          unlimited: credits.data.unlimited,
          balance: credits.data.balance,
        })
      : [];
  if (money === null) read.unreadable('credits');
  if (windows.length === 0 && !money?.length) return { ok: false, failure: unexpected };
  return { ok: true, plan: codexPlanLabel(main?.planType), windows, money: money ?? [], problems: read.problems };
}

function order(family: CodexFamily): string {
  return (family.name || family.key || '').toLowerCase();
}

/**
 * The app-server source: starts `codex app-server` (see {@link appServerArgv}; `CODEX_HOME` set to the account's
 * directory when it has one), then `initialize` → `initialized` → `account/read {refreshToken: false}` →
 * `account/rateLimits/read`, and stops the process (see the module comment). The capture's time is when the limits
 * arrived.
 *
 * Failures: no such program, or a shell that cannot run programs → `error` marked unused (auto passes over it); an
 * API-key login (`account.type: "apiKey"`, or error -32600) → `signed-out`; no login (`account: null` with
 * `requiresOpenaiAuth`) → `signed-out`; no answer in time, the process ending early or any other JSON-RPC error →
 * `error`. Texts never quote what the app-server said.
 */
export async function readCodexAppServer(
  ports: Ports,
  account?: Account,
  timeouts: AppServerTimeouts = APP_SERVER_TIMEOUTS,
): Promise<SourceResult> {
  const { spawn, delay } = ports.subprocess;
  if (!spawn || !delay) {
    return failure('error', "This Headroom can't run Codex's app-server.", 'Choose another Codex source.', true);
  }
  const wait = (ms: number): Promise<void> => delay.call(ports.subprocess, ms);
  const session = new RpcSession(wait);
  const argv = appServerArgv(ports);
  let child: PipedProcess;
  try {
    child = await spawn.call(ports.subprocess, argv, {
      env: account?.directory ? { CODEX_HOME: account.directory } : {},
      onLine: (line) => session.receive(line),
    });
  } catch {
    return failure(
      'error',
      `Codex's command-line tool (${argv[0] === 'codex' ? '`codex`' : 'HEADROOM_CODEX_BIN'}) could not be started.`,
      'Install Codex (`npm install -g @openai/codex`) or set HEADROOM_CODEX_BIN to its path.',
      true,
    );
  }
  session.process = child;
  void child.exited.then(() => session.end());
  try {
    return await converse(session, ports, timeouts);
  } finally {
    await stop(child, wait, timeouts.graceMs);
  }
}

/** The conversation itself, once the process runs. */
async function converse(session: RpcSession, ports: Ports, timeouts: AppServerTimeouts): Promise<SourceResult> {
  const init = await session.request(
    'initialize',
    {
      clientInfo: { name: 'headroom', title: 'Headroom', version: '1' },
      capabilities: { experimentalApi: true },
    },
    timeouts.startMs,
  );
  if (!init.ok) return init.why === 'timeout' ? timedOut('start', timeouts.startMs) : EXITED;
  session.notify('initialized');

  const accountAnswer = await session.request('account/read', { refreshToken: false }, timeouts.requestMs);
  if (!accountAnswer.ok && accountAnswer.why !== 'rpc') {
    return accountAnswer.why === 'timeout' ? timedOut('answer', timeouts.requestMs) : EXITED;
  }
  // account/read may fail (e.g. workspace routing) while the limits still come; only a clear "no login" stops here.
  const accountRead = accountAnswer.ok ? AccountReadResult.safeParse(accountAnswer.result) : null;
  const login = accountRead?.success ? accountRead.data : null;
  if (login?.account?.type === 'apiKey') return API_KEY_LOGIN;
  if (login && !login.account && login.requiresOpenaiAuth) {
    return failure('signed-out', 'Codex is not signed in with ChatGPT.', 'Run `codex` and sign in with ChatGPT.');
  }

  const limits = await session.request('account/rateLimits/read', undefined, timeouts.requestMs);
  if (!limits.ok) {
    if (limits.why === 'timeout') return timedOut('answer', timeouts.requestMs);
    if (limits.why === 'exited') return EXITED;
    if (limits.code === INVALID_REQUEST) return API_KEY_LOGIN;
    return failure(
      'error',
      "Codex's app-server could not fetch your limits.",
      'Run `codex` to check that it is signed in and online.',
    );
  }
  const usage = parseAppServerRateLimits(limits.result);
  if (!usage.ok) return usage;
  const { windows, money, problems } = usage;
  return {
    ok: true,
    capture: {
      source: 'app-server',
      capturedAt: ports.clock.now(),
      plan: usage.plan ?? codexPlanLabel(login?.account?.planType),
      windows,
      money,
      ...(problems.length > 0 && { problems }),
    },
  };
}
