/**
 * Codex (ChatGPT plans): `$CODEX_HOME/auth.json` → `GET /backend-api/wham/usage` → parse → normalise (the body is
 * openai/codex `codex-rs/codex-backend-openapi-models/src/models/rate_limit_status_payload.rs`, fetched as in
 * `codex-rs/backend-client/src/client.rs`), with Codex's rollout logs (codex-logs.ts) as the local fallback. Headroom
 * only reads Codex's login: it never writes, refreshes or locks auth.json (Codex rotates its own refresh token).
 */
import * as z from 'zod/mini';
import { getJson } from '../http.js';
import type { Failure, FailureStatus, Money, SourceResult, UsageWindow } from '../model.js';
import { decodeJwtClaims, epochSecondsToMs, joinPath, numberLike, parseJsonText } from '../parse.js';
import { MAX_INSTANT_MS } from '../ranges.js';
import type { Account } from '../accounts.js';
import type { Ports } from '../ports.js';
import { defineProvider } from '../provider.js';
import { readCodexAppServer } from './codex-app-server.js';
import { readCodexRollouts } from './codex-logs.js';
import {
  type CodexFamily,
  type CodexWindow,
  type CodexWindowGroup,
  codexCreditsMoney,
  codexHome,
  codexLimitName,
  codexPlanLabel,
  normaliseCodexFamilies,
  readCodexWindow,
} from './codex-shared.js';

/** What Headroom needs from Codex's ChatGPT login. */
export interface CodexAuth {
  /** The bearer token; only ever sent in the Authorization header. */
  accessToken: string;
  /** The ChatGPT account (workspace) id for `ChatGPT-Account-Id`; null when unknown. */
  accountId: string | null;
  /** Plan label from the id_token's `chatgpt_plan_type`, e.g. "Plus"; null when unknown. */
  plan: string | null;
}

/** The outcome of {@link readCodexAuth}. */
export type CodexAuthResult = { ok: true; auth: CodexAuth } | { ok: false; failure: Failure };

/**
 * The outcome of {@link parseCodexUsage}: plan, windows and money, plus `problems`, one sentence per part that was
 * present but unreadable and left out (empty when none); or a typed failure.
 */
export type CodexUsageResult =
  | { ok: true; plan: string | null; windows: UsageWindow[]; money: Money[]; problems: string[] }
  | { ok: false; failure: Failure };

const OptionalString = z.optional(z.nullable(z.string()));

const AuthFile = z.looseObject({
  OPENAI_API_KEY: OptionalString,
  tokens: z.optional(
    z.nullable(
      z.looseObject({
        access_token: OptionalString,
        accessToken: OptionalString,
        id_token: OptionalString,
        idToken: OptionalString,
        account_id: OptionalString,
        accountId: OptionalString,
      }),
    ),
  ),
});

const OPENAI_AUTH_CLAIM = 'https://api.openai.com/auth';
const SIGN_IN_FIX = 'Run `codex` and sign in with ChatGPT.';

function fail(status: FailureStatus, message: string, fix: string): { ok: false; failure: Failure } {
  return { ok: false, failure: { status, message, fix } };
}

function record(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The account id in JWT claims: `chatgpt_account_id`, the OpenAI auth claim's, or the first organization's id. */
function claimedAccountId(claims: Record<string, unknown> | null): string | null {
  if (!claims) return null;
  const organizations = claims.organizations;
  return (
    text(claims.chatgpt_account_id) ??
    text(record(claims[OPENAI_AUTH_CLAIM])?.chatgpt_account_id) ??
    text(record(Array.isArray(organizations) ? organizations[0] : null)?.id)
  );
}

function parseJson(body: string): unknown {
  try {
    return parseJsonText(body);
  } catch {
    return undefined;
  }
}

/**
 * Reads Codex's ChatGPT login from `$CODEX_HOME/auth.json` (default `~/.codex/auth.json`), read-only.
 *
 * Shape: `{"OPENAI_API_KEY": null, "tokens": {"id_token", "access_token", "refresh_token", "account_id"},
 * "last_refresh": ISO}`; camelCase token keys are accepted too. A missing `account_id` is taken from the JWT claims of
 * the id_token or access token; the plan from the id_token's `https://api.openai.com/auth`.`chatgpt_plan_type`.
 *
 * Failures: no file, no ChatGPT tokens (e.g. an API-key login) or an access token whose JWT `exp` has passed →
 * `signed-out`; an unreadable or malformed file → `error` naming the path, never its contents.
 */
export async function readCodexAuth(ports: Ports, account?: Account): Promise<CodexAuthResult> {
  const path = joinPath(codexHome(ports, account), 'auth.json');
  let body: string | null;
  try {
    body = await ports.files.readText(path);
  } catch {
    return fail('error', `Can't read Codex's login file ${path}.`, "Check the file's permissions.");
  }
  if (body === null) return fail('signed-out', 'Codex is not signed in.', SIGN_IN_FIX);
  const parsed = AuthFile.safeParse(parseJson(body));
  if (!parsed.success) {
    return fail('error', `Codex's login file ${path} is not in a format Headroom understands.`, SIGN_IN_FIX);
  }
  const { tokens, OPENAI_API_KEY } = parsed.data;
  const accessToken = text(tokens?.access_token) ?? text(tokens?.accessToken);
  if (!accessToken) {
    return text(OPENAI_API_KEY)
      ? fail(
          'signed-out',
          'Codex is signed in with an API key, which has no plan limits.',
          'Run `codex login` and choose Sign in with ChatGPT.',
        )
      : fail('signed-out', 'Codex is not signed in with ChatGPT.', SIGN_IN_FIX);
  }
  const accessClaims = decodeJwtClaims(accessToken);
  const expiresAt = epochSecondsToMs(accessClaims?.exp);
  // An expiry beyond 2100 is unknown, not "never"; one in the past is past, however far.
  if (expiresAt !== null && expiresAt <= Math.min(ports.clock.now(), MAX_INSTANT_MS)) {
    return fail('signed-out', "Codex's login has expired.", 'Run `codex` once; it renews its own login.');
  }
  const idToken = text(tokens?.id_token) ?? text(tokens?.idToken);
  const idClaims = idToken ? decodeJwtClaims(idToken) : null;
  return {
    ok: true,
    auth: {
      accessToken,
      accountId:
        text(tokens?.account_id) ??
        text(tokens?.accountId) ??
        claimedAccountId(idClaims) ??
        claimedAccountId(accessClaims),
      plan: codexPlanLabel(text(record(idClaims?.[OPENAI_AUTH_CLAIM])?.chatgpt_plan_type)),
    },
  };
}

const WhamWindow = z.looseObject({
  used_percent: numberLike,
  limit_window_seconds: z.optional(z.nullable(numberLike)),
  reset_at: z.optional(z.nullable(numberLike)),
  reset_after_seconds: z.optional(z.nullable(numberLike)),
});

/** A `rate_limit`; its windows are read one by one so that one bad window leaves the other. */
const WhamRateLimit = z.looseObject({
  primary_window: z.optional(z.unknown()),
  secondary_window: z.optional(z.unknown()),
});

const WhamAdditionalLimit = z.looseObject({
  limit_name: OptionalString,
  metered_feature: OptionalString,
  rate_limit: z.optional(z.unknown()),
});

const WhamUsage = z.looseObject({
  plan_type: OptionalString,
  rate_limit: z.optional(z.unknown()),
  additional_rate_limits: z.optional(z.unknown()),
  credits: z.optional(z.unknown()),
});

const UNEXPECTED_FORMAT: Failure = {
  status: 'error',
  message: 'ChatGPT sent usage data in an unexpected format.',
  fix: 'If this persists, update Headroom.',
};

/** Reads parts of one wham/usage body, collecting a sentence for each present part it cannot read. */
class WhamReader {
  readonly problems: string[] = [];

  constructor(private readonly fetchedAt: number | undefined) {}

  /** Parses a present value; an unreadable one is recorded as "ChatGPT's <what> could not be read." */
  decode<T>(schema: z.ZodMiniType<T>, value: unknown, what: string): T | null {
    if (value === null || value === undefined) return null;
    const parsed = schema.safeParse(value);
    if (!parsed.success) this.unreadable(what);
    return parsed.success ? parsed.data : null;
  }

  unreadable(what: string): void {
    this.problems.push(`ChatGPT's ${what} could not be read.`);
  }

  /**
   * A `*_window`; null when absent or unreadable (a percent out of range, a length beyond 366 days); a reset time
   * out of range is left unknown and reported.
   */
  window(value: unknown, what: string): CodexWindow | null {
    const window = this.decode(WhamWindow, value, what);
    if (!window) return null;
    const seconds = window.limit_window_seconds;
    const read = readCodexWindow(
      {
        usedPercent: window.used_percent,
        windowMinutes: seconds ? Math.ceil(seconds / 60) : null,
        resetsAtSeconds: window.reset_at,
        resetsInSeconds: window.reset_after_seconds,
        from: this.fetchedAt,
      },
      () => this.problems.push(`ChatGPT's ${what} has a reset time out of range.`),
    );
    if (read === 'unreadable') this.unreadable(what);
    return read === 'unreadable' ? null : read;
  }

  /** A `rate_limit` (`prefix` names its family in problems, e.g. "GPT-5.3-Codex-Spark "). */
  group(value: unknown, prefix: string): CodexWindowGroup {
    const limit = this.decode(WhamRateLimit, value, `${prefix}rate_limit`);
    return {
      primary: this.window(limit?.primary_window, `${prefix}primary_window`),
      secondary: this.window(limit?.secondary_window, `${prefix}secondary_window`),
    };
  }
}

/**
 * Parses and normalises the body of `GET /backend-api/wham/usage` (pure).
 *
 * `rate_limit.{primary,secondary}_window` = `{used_percent (int or float), limit_window_seconds, reset_at (epoch s),
 * reset_after_seconds}` become windows classified by length (`windowMinutes = ceil(limit_window_seconds / 60)`); when
 * `reset_at` is absent the reset is `fetchedAt + reset_after_seconds` (only if `fetchedAt`, epoch ms, is given). Each
 * `additional_rate_limits[]` entry adds a family named `limit_name ?? metered_feature`, with ids made unique as
 * {@link normaliseCodexFamilies} says; `code_review_rate_limit` is ignored. `plan_type` is title-cased; `credits`
 * become a `credits` Money when `has_credits` or `unlimited`. Every number may also arrive as a decimal string
 * (`"used_percent": "12.5"`, `"reset_at": "1790000000"`), read as the number ({@link numberLike}).
 *
 * Problems: a window, `rate_limit`, `additional_rate_limits` entry or `credits` that is present but malformed (or a
 * window longer than 366 days) is left out and named in `problems`, e.g. "ChatGPT's GPT-5.3-Codex-Spark
 * primary_window could not be read." (key names, indices and short limit names only, never values).
 *
 * A body that is not such an object, or that yields neither windows nor credits, is an `error`.
 */
export function parseCodexUsage(body: unknown, fetchedAt?: number): CodexUsageResult {
  const parsed = WhamUsage.safeParse(body);
  if (!parsed.success) return { ok: false, failure: UNEXPECTED_FORMAT };
  const usage = parsed.data;
  const read = new WhamReader(fetchedAt);
  const main = read.group(usage.rate_limit, '');
  const families: CodexFamily[] = [];
  const entries = read.decode(z.array(z.unknown()), usage.additional_rate_limits, 'additional_rate_limits') ?? [];
  for (const [index, entry] of entries.entries()) {
    const extra = read.decode(WhamAdditionalLimit, entry, `additional_rate_limits[${index}] entry`);
    if (!extra) continue;
    const { limit_name: name, metered_feature: key } = extra;
    const where = `${codexLimitName(name, key) ?? `additional_rate_limits[${index}]`} `;
    families.push({ key: key || null, name: name || null, group: read.group(extra.rate_limit, where) });
  }
  const windows = normaliseCodexFamilies(main, families);
  const money = codexCreditsMoney(usage.credits);
  if (money === null) read.unreadable('credits');
  if (windows.length === 0 && !money?.length) return { ok: false, failure: UNEXPECTED_FORMAT };
  return { ok: true, plan: codexPlanLabel(usage.plan_type), windows, money: money ?? [], problems: read.problems };
}

const DEFAULT_API_BASE = 'https://chatgpt.com/backend-api';
const TIMEOUT_MS = 15_000;

/**
 * The API source: reads auth.json, then `GET <base>/wham/usage` with the bearer token and `ChatGPT-Account-Id`.
 * `base` is `$HEADROOM_CHATGPT_API_URL` or `https://chatgpt.com/backend-api`. The capture's time is now.
 */
async function fetchCodexUsage(ports: Ports, account?: Account): Promise<SourceResult> {
  const login = await readCodexAuth(ports, account);
  if (!login.ok) return login;
  const { accessToken, accountId, plan } = login.auth;
  const base = (ports.env.get('HEADROOM_CHATGPT_API_URL') ?? DEFAULT_API_BASE).replace(/\/+$/, '');
  const headers: Record<string, string> = {
    Authorization: `Bearer ${accessToken}`,
    ...(accountId ? { 'ChatGPT-Account-Id': accountId } : {}),
    Accept: 'application/json',
    'User-Agent': 'headroom',
  };
  const result = await getJson(
    ports,
    { url: `${base}/wham/usage`, headers, timeoutMs: TIMEOUT_MS },
    { name: 'ChatGPT', unauthorizedFix: "Run `codex` once to sign in again; Headroom never refreshes Codex's tokens." },
  );
  if (!result.ok) return { ok: false, failure: result.failure };
  const now = ports.clock.now();
  const usage = parseCodexUsage(result.body, now);
  if (!usage.ok) return usage;
  const { windows, money, problems } = usage;
  return {
    ok: true,
    capture: {
      source: 'api',
      capturedAt: now,
      plan: usage.plan ?? plan,
      windows,
      money,
      ...(problems.length > 0 && { problems }),
    },
  };
}

/**
 * A fingerprint of Codex's login without reading it: `"<path>:<size>:<mtimeMs>"` of `$CODEX_HOME/auth.json`,
 * `"none:<path>"` when absent, null when it can't be stat'ed. Never rejects.
 */
export async function codexCredentialsFingerprint(ports: Ports, account?: Account): Promise<string | null> {
  const path = joinPath(codexHome(ports, account), 'auth.json');
  try {
    const stat = await ports.files.stat(path);
    return stat ? `${path}:${stat.size}:${stat.mtimeMs}` : `none:${path}`;
  } catch {
    return null;
  }
}

/**
 * Codex: the ChatGPT usage API first; when it cannot be used (e.g. an expired token in auth.json), Codex's own
 * app-server (codex-app-server.ts); Codex's local rollout logs always; one account per Codex home.
 */
export const codexProvider = defineProvider(
  'codex',
  {
    api: { fetch: fetchCodexUsage, credentialsFingerprint: codexCredentialsFingerprint },
    'app-server': { fetch: (ports, account) => readCodexAppServer(ports, account) },
    logs: { fetch: readCodexRollouts },
  },
  (env, account) => [
    // The running session's rollout grows in the newest YYYY/MM/DD folder (openai/codex
    // `codex-rs/core/src/rollout/recorder.rs`).
    { path: joinPath(codexHome({ env }, account), 'sessions'), depth: 3, newestOnly: true },
  ],
);

/** Codex's usage endpoint as a source: remote, so spared by the scheduler. */
export const codexApiSource = codexProvider.sources[0]!;
/** `codex app-server` as a source: remote (it calls the usage endpoint), a fallback in `auto`. */
export const codexAppServerSource = codexProvider.sources[1]!;
/** Codex's rollout logs as a source: local, read on every refresh. */
export const codexLogsSource = codexProvider.sources[2]!;
