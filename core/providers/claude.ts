/**
 * Claude: Claude Code's saved login (read-only) → `GET /api/oauth/usage` → windows and extra-usage money.
 * The endpoint is undocumented; its shape as recorded by steipete/CodexBar (`ClaudeOAuthTests.swift`) and
 * mlcousek/claude_trayapp (`docs/data-sources.md`), whose payloads are the test fixtures (test/fixtures/PROVENANCE.md).
 */
import * as z from 'zod/mini';
import { getJson } from '../http.js';
import {
  type Failure,
  type Money,
  type SourceResult,
  SESSION_MINUTES,
  type UsageWindow,
  WEEKLY_MINUTES,
} from '../model.js';
import { joinPath, numberLike, parseIsoInstant, parseJsonText, slugify, titleCase } from '../parse.js';
import {
  MAX_INSTANT_MS,
  checkCurrency,
  checkExponent,
  checkInstant,
  checkMinorUnits,
  checkPercent,
} from '../ranges.js';
import type { Account } from '../accounts.js';
import type { Ports } from '../ports.js';
import { defineProvider } from '../provider.js';
import { claudeConfigDirectory, fetchStatusLine, statusLineRecordPath } from '../statusline.js';
import { SIGN_IN_FIX, apiHeaders, oauthEndpoints, ownAccessToken, ownLoginFingerprint } from '../oauth.js';
import { claudeWebFingerprint, fetchClaudeWeb } from './claude-web.js';

/** The parts of Claude Code's login that Headroom uses. */
export interface ClaudeCredentials {
  /** The OAuth access token (`sk-ant-oat01-…`); only ever sent as the Authorization header. */
  accessToken: string;
  /** When the access token expires, epoch ms; null when not recorded. */
  expiresAt: number | null;
  /** OAuth scopes, e.g. `user:profile`; empty when unknown. */
  scopes: string[];
  /** Plan label, e.g. "Max 20x" (see {@link claudePlanLabel}); null when unknown. */
  plan: string | null;
}

/** The outcome of {@link readClaudeCredentials}. */
export type ClaudeCredentialsResult = { ok: true; credentials: ClaudeCredentials } | { ok: false; failure: Failure };

/**
 * The outcome of {@link parseClaudeUsage}: windows and money, plus `problems`, one sentence per part that was present
 * but unreadable and left out (empty when none); or a typed failure.
 */
export type ClaudeUsageResult =
  { ok: true; windows: UsageWindow[]; money: Money[]; problems: string[] } | { ok: false; failure: Failure };

const KEYCHAIN_SERVICE = 'Claude Code-credentials';
const RERUN_FIX = 'Run `claude` once so Claude Code rewrites it.';

const CredentialsSchema = z.looseObject({
  mcpOAuth: z.optional(z.unknown()),
  claudeAiOauth: z.nullish(
    z.looseObject({
      accessToken: z.nullish(z.string()),
      expiresAt: z.nullish(numberLike),
      scopes: z.nullish(z.array(z.string())),
      subscriptionType: z.nullish(z.string()),
      rateLimitTier: z.nullish(z.string()),
    }),
  ),
});

/** True for template values such as `<redacted>` that stand in for a real one. */
function isPlaceholder(value: string): boolean {
  return value.includes('<');
}

/** A real, non-empty value, or null. */
function real(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed && !isPlaceholder(trimmed) ? trimmed : null;
}

/**
 * The plan label from Claude Code's `subscriptionType` (`max`, `pro`, `team`, `enterprise`) or, failing that, its
 * `rateLimitTier` (`default_claude_max_5x` → "Max 5x", `default_claude_max_20x` → "Max 20x"). A `max` subscription
 * takes its size from the tier. Placeholder values (containing `<`) and unrecognised tiers give null.
 */
export function claudePlanLabel(subscriptionType?: string | null, rateLimitTier?: string | null): string | null {
  const subscription = real(subscriptionType);
  const tier = real(rateLimitTier)?.toLowerCase() ?? null;
  const size = tier ? /max_(\d+)x/.exec(tier)?.[1] : undefined;
  if (subscription) {
    return subscription.toLowerCase() === 'max' && size ? `Max ${size}x` : titleCase(subscription);
  }
  if (size) return `Max ${size}x`;
  const word = tier?.replace(/^(default_)?(claude_)?/, '');
  return word && ['max', 'pro', 'team', 'enterprise'].includes(word) ? titleCase(word) : null;
}

/** Reads the Keychain item Claude Code uses on macOS; null when absent, locked or `security` fails. */
async function readKeychain(ports: Ports): Promise<string | null> {
  const argv = ['/usr/bin/security', 'find-generic-password', '-s', KEYCHAIN_SERVICE];
  if (ports.env.user) argv.push('-a', ports.env.user);
  argv.push('-w');
  const result = await ports.subprocess.run(argv, { timeoutMs: 5000 }).catch(() => null);
  return result?.code === 0 && result.stdout.trim() ? result.stdout : null;
}

/**
 * The credentials files Claude Code may use, in the order they are tried: for an account with its own configuration
 * directory only `<dir>/.credentials.json`; for the default account `$CLAUDE_SECURESTORAGE_CONFIG_DIR`,
 * `$CLAUDE_CONFIG_DIR`, then `~/.claude`, each with `/.credentials.json`.
 */
function claudeCredentialsPaths(ports: Ports, account?: Account): string[] {
  if (account?.directory) return [joinPath(account.directory, '.credentials.json')];
  return [
    ports.env.get('CLAUDE_SECURESTORAGE_CONFIG_DIR'),
    ports.env.get('CLAUDE_CONFIG_DIR'),
    joinPath(ports.env.home, '.claude'),
  ].flatMap((dir) => (dir === undefined ? [] : [joinPath(dir, '.credentials.json')]));
}

/**
 * A fingerprint of Claude Code's login without reading it: `"<path>:<size>:<mtimeMs>"` of the first credentials
 * file found (the order of {@link readClaudeCredentials}); `"none:<paths>"` when there is none, except on macOS,
 * where the login may sit in the Keychain: null (unknown). Null too when a file can't be stat'ed. Never rejects.
 */
export async function claudeCredentialsFingerprint(ports: Ports, account?: Account): Promise<string | null> {
  const paths = claudeCredentialsPaths(ports, account);
  for (const path of paths) {
    let stat;
    try {
      stat = await ports.files.stat(path);
    } catch {
      return null;
    }
    if (stat) return `${path}:${stat.size}:${stat.mtimeMs}`;
  }
  return ports.env.platform === 'darwin' && !account?.directory ? null : `none:${paths.join(',')}`;
}

/**
 * Reads Claude Code's OAuth login, read-only (Headroom never refreshes or writes it).
 *
 * Sources, first found wins: `$CLAUDE_SECURESTORAGE_CONFIG_DIR/.credentials.json`,
 * `$CLAUDE_CONFIG_DIR/.credentials.json`, `~/.claude/.credentials.json`, then on macOS the Keychain item
 * `Claude Code-credentials`; for an account with its own directory only `<dir>/.credentials.json` (Claude Code
 * names the Keychain item of a custom directory in an undocumented way, so it is not read). Each holds `{"claudeAiOauth":{accessToken, refreshToken, expiresAt (epoch ms), scopes,
 * subscriptionType, rateLimitTier}}`.
 *
 * Failures: nothing found, no `claudeAiOauth` token (only MCP tokens) or an expired token → `signed-out`; an
 * unreadable file, broken JSON or an unexpected shape → `error` naming the file (never its contents).
 */
export async function readClaudeCredentials(ports: Ports, account?: Account): Promise<ClaudeCredentialsResult> {
  let text: string | null = null;
  let where = '';
  for (const path of claudeCredentialsPaths(ports, account)) {
    where = `Claude Code's credentials file ${path}`;
    try {
      text = await ports.files.readText(path);
    } catch {
      return failure(
        'error',
        `Can't read ${where}.`,
        'Check its permissions, or run `claude` once so Claude Code rewrites it.',
      );
    }
    if (text !== null) break;
  }
  if (text === null && ports.env.platform === 'darwin' && !account?.directory) {
    where = `Claude Code's Keychain item "${KEYCHAIN_SERVICE}"`;
    text = await readKeychain(ports);
  }
  if (text === null) {
    // Not set up (`unused`): quiet while another source (the claude.ai session, the status line) has data.
    const missing = failure(
      'signed-out',
      account?.directory
        ? `No Claude Code login found in ${account.label}.`
        : 'No Claude Code login found on this machine.',
      'Run `claude` once and sign in with your Claude subscription.',
    );
    return { ok: false, failure: { ...missing.failure, unused: true } };
  }

  let json: unknown;
  try {
    json = parseJsonText(text);
  } catch {
    return failure('error', `${where} is not valid JSON.`, RERUN_FIX);
  }
  const parsed = CredentialsSchema.safeParse(json);
  if (!parsed.success) return failure('error', `${where} has an unexpected format.`, RERUN_FIX);

  const oauth = parsed.data.claudeAiOauth;
  const accessToken = oauth?.accessToken?.trim();
  if (!oauth || !accessToken) {
    const mcpOnly = parsed.data.mcpOAuth !== undefined && parsed.data.mcpOAuth !== null;
    return failure(
      'signed-out',
      `Claude Code's credentials hold no Claude login${mcpOnly ? ' (only MCP server tokens)' : ''}.`,
      'Run `claude` once and sign in with your Claude subscription.',
    );
  }
  // An expiry beyond 2100 (1e17) is unknown, not "never"; one in the past is past, however far.
  const expiresAt = typeof oauth.expiresAt === 'number' && oauth.expiresAt <= MAX_INSTANT_MS ? oauth.expiresAt : null;
  if (expiresAt !== null && expiresAt <= ports.clock.now()) {
    return failure(
      'signed-out',
      "Claude Code's login has expired.",
      "Run `claude` once; it renews its own login. Headroom never refreshes Claude Code's tokens.",
    );
  }
  return {
    ok: true,
    credentials: {
      accessToken,
      expiresAt,
      scopes: (oauth.scopes ?? []).filter((scope) => !isPlaceholder(scope)),
      plan: claudePlanLabel(oauth.subscriptionType, oauth.rateLimitTier),
    },
  };
}

function failure(status: Failure['status'], message: string, fix: string): { ok: false; failure: Failure } {
  return { ok: false, failure: { status, message, fix } };
}

const WindowSchema = z.looseObject({
  utilization: z.nullish(numberLike),
  resets_at: z.nullish(z.string()),
});

const LimitSchema = z.looseObject({
  kind: z.string(),
  group: z.nullish(z.string()),
  percent: z.nullish(numberLike),
  resets_at: z.nullish(z.string()),
  scope: z.nullish(
    z.looseObject({
      model: z.nullish(z.looseObject({ id: z.nullish(z.string()), display_name: z.nullish(z.string()) })),
    }),
  ),
});

const AmountSchema = z.looseObject({ amount_minor: numberLike, currency: z.string(), exponent: numberLike });

const SpendSchema = z.looseObject({
  enabled: z.nullish(z.boolean()),
  used: AmountSchema,
  limit: z.nullish(AmountSchema),
});

const ExtraUsageSchema = z.looseObject({
  is_enabled: z.nullish(z.boolean()),
  monthly_limit: z.nullish(numberLike),
  used_credits: z.nullish(numberLike),
  currency: z.nullish(z.string()),
  decimal_places: z.nullish(numberLike),
});

/** Window keys of `/api/oauth/usage`, in display order; several keys may feed one window (first non-null wins). */
const WINDOW_KEYS: { keys: string[]; id: string; label: string; minutes: number }[] = [
  { keys: ['five_hour'], id: 'session', label: 'Session (5 h)', minutes: SESSION_MINUTES },
  { keys: ['seven_day'], id: 'weekly', label: 'Weekly', minutes: WEEKLY_MINUTES },
  { keys: ['seven_day_opus'], id: 'weekly-opus', label: 'Weekly · Opus', minutes: WEEKLY_MINUTES },
  { keys: ['seven_day_sonnet'], id: 'weekly-sonnet', label: 'Weekly · Sonnet', minutes: WEEKLY_MINUTES },
  { keys: ['seven_day_oauth_apps'], id: 'weekly-oauth-apps', label: 'Weekly · OAuth apps', minutes: WEEKLY_MINUTES },
  {
    keys: [
      'seven_day_routines',
      'seven_day_claude_routines',
      'claude_routines',
      'routines',
      'routine',
      'seven_day_cowork',
      'cowork',
    ],
    id: 'weekly-routines',
    label: 'Weekly · Routines',
    minutes: WEEKLY_MINUTES,
  },
  { keys: ['seven_day_fable'], id: 'weekly-fable', label: 'Weekly · Fable', minutes: WEEKLY_MINUTES },
];

/** Keys that are recognised but deliberately not shown (they share the main weekly limit). */
const SHARED_KEYS = ['seven_day_design', 'seven_day_omelette'];

/**
 * Normalises a `GET /api/oauth/usage` body (Anthropic, source A). Pure.
 *
 * Windows (`{utilization: percent used 0–100+, resets_at: ISO-8601 | null}`): `five_hour` → `session` (300 min),
 * `seven_day` → `weekly`, and the 7-day lanes `weekly-opus`, `weekly-sonnet`, `weekly-oauth-apps`,
 * `weekly-routines` (routines/cowork aliases) and `weekly-fable` (10080 min). `limits[]` fills `session` and
 * `weekly` when the keyed windows are missing and adds `weekly-<slug>` lanes for `weekly_scoped` entries with a
 * display name (slug of `display_name`, else of the model `id`, else `model`; a lane whose id is already taken is the
 * same lane reported twice, and the first wins, keyed windows before `limits[]`).
 * Windows with a null utilization and unknown keys are skipped. Every number may also arrive as a decimal string
 * (`"utilization": "37"`), read as the number ({@link numberLike}); other strings are malformed.
 *
 * Money: one `extra-usage` entry in minor units when extra usage is enabled, from `spend` or else `extra_usage`.
 *
 * Problems: a known window, `limits[]` entry, `spend` or `extra_usage` that is present but malformed is left out and
 * named in `problems`, e.g. "Anthropic's seven_day_opus window could not be read." or "Anthropic's limits[2] entry
 * could not be read." (key names and indices only, never values).
 *
 * Fails (`error`) when the body is not an object, or when it yields nothing and had malformed entries or none of
 * the known keys.
 */
export function parseClaudeUsage(body: unknown): ClaudeUsageResult {
  const unexpected = failure('error', 'Anthropic sent usage data in an unexpected format.', '');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return unexpected;
  const record = body as Record<string, unknown>;
  const problems: string[] = [];
  /** Parses a present value; an unreadable one is recorded as "Anthropic's <what> could not be read." */
  const decode = <T>(schema: z.ZodMiniType<T>, value: unknown, what: string): T | null => {
    if (value === null || value === undefined) return null;
    const parsed = schema.safeParse(value);
    if (!parsed.success) problems.push(`Anthropic's ${what} could not be read.`);
    return parsed.success ? parsed.data : null;
  };

  /**
   * A window from a percent and a reset time, range-checked (core/ranges.ts): an out-of-range percent drops the
   * window, an out-of-range reset time only the time; either is named in `problems`.
   */
  const lane = (
    what: string,
    id: string,
    label: string,
    windowMinutes: number,
    percent: number,
    resets: string | null | undefined,
  ): UsageWindow | null => {
    const usedPercent = checkPercent(percent);
    if (usedPercent === null) {
      problems.push(`Anthropic's ${what} has a percentage out of range.`);
      return null;
    }
    const parsedReset = parseIsoInstant(resets);
    const resetsAt = checkInstant(parsedReset);
    if (resetsAt === null && (parsedReset !== null || (resets ?? '') !== '')) {
      problems.push(`Anthropic's ${what} has an unreadable reset time.`);
    }
    return { id, label, usedPercent, resetsAt, windowMinutes };
  };

  const keyed = new Map<string, UsageWindow>();
  for (const { keys, id, label, minutes } of WINDOW_KEYS) {
    for (const key of keys) {
      const window = decode(WindowSchema, record[key], `${key} window`);
      if (typeof window?.utilization !== 'number') continue;
      const read = lane(`${key} window`, id, label, minutes, window.utilization, window.resets_at);
      if (read) keyed.set(id, read);
      break;
    }
  }
  const extras: UsageWindow[] = [];
  const limits = decode(z.array(z.unknown()), record.limits, 'limits list') ?? [];
  for (const [index, element] of limits.entries()) {
    const limit = decode(LimitSchema, element, `limits[${index}] entry`);
    if (typeof limit?.percent !== 'number') continue;
    const model = limit.scope?.model;
    const name = model?.display_name?.trim();
    const slug = name && (slugify(name) || slugify(model?.id ?? '') || 'model');
    const what = `limits[${index}] entry`;
    const window =
      limit.kind === 'session'
        ? lane(what, 'session', 'Session (5 h)', SESSION_MINUTES, limit.percent, limit.resets_at)
        : limit.kind === 'weekly_all'
          ? lane(what, 'weekly', 'Weekly', WEEKLY_MINUTES, limit.percent, limit.resets_at)
          : limit.kind === 'weekly_scoped' && limit.group === 'weekly' && name
            ? lane(what, `weekly-${slug}`, `Weekly · ${name}`, WEEKLY_MINUTES, limit.percent, limit.resets_at)
            : null;
    if (!window || keyed.has(window.id) || extras.some((w) => w.id === window.id)) continue;
    if (WINDOW_KEYS.some((w) => w.id === window.id)) keyed.set(window.id, window);
    else extras.push(window);
  }
  const windows = [...WINDOW_KEYS.flatMap((w) => keyed.get(w.id) ?? []), ...extras];

  const money: Money[] = [];
  const spend = decode(SpendSchema, record.spend, 'spend');
  const extra = decode(ExtraUsageSchema, record.extra_usage, 'extra_usage');
  const entry =
    spend && spend.enabled !== false
      ? extraUsage(
          'spend',
          spend.used.amount_minor,
          spend.limit?.amount_minor,
          spend.used.currency,
          spend.used.exponent,
          problems,
        )
      : !spend && extra?.is_enabled === true
        ? extraUsage(
            'extra_usage',
            extra.used_credits,
            extra.monthly_limit,
            extra.currency ?? 'USD',
            extra.decimal_places ?? 2,
            problems,
          )
        : null;
  if (entry) money.push(entry);

  const known = ['limits', 'extra_usage', 'spend', ...SHARED_KEYS, ...WINDOW_KEYS.flatMap((w) => w.keys)];
  if (windows.length === 0 && money.length === 0 && (problems.length > 0 || !known.some((key) => key in record))) {
    return unexpected;
  }
  return { ok: true, windows, money, problems };
}

/**
 * The `extra-usage` Money, range-checked (core/ranges.ts): a currency that is not a three-letter code or an exponent
 * outside 0–20 drops the entry; an amount out of range is unknown (null). Each is named in `problems` under `what`
 * (`spend`, `extra_usage`).
 */
function extraUsage(
  what: string,
  used: number | null | undefined,
  limit: number | null | undefined,
  rawCurrency: string,
  rawExponent: number,
  problems: string[],
): Money | null {
  const currency = checkCurrency(rawCurrency);
  const exponent = checkExponent(rawExponent);
  if (currency === null || exponent === null) {
    problems.push(`Anthropic's ${what} has an unreadable currency or number of decimal places.`);
    return null;
  }
  const amount = (value: number | null | undefined): number | null => {
    if (value === null || value === undefined) return null;
    const checked = checkMinorUnits(value);
    if (checked === null || checked < 0) problems.push(`Anthropic's ${what} has an amount out of range.`);
    return checked !== null && checked >= 0 ? checked : null;
  };
  return {
    id: 'extra-usage',
    label: 'Extra usage',
    usedMinor: amount(used),
    limitMinor: amount(limit),
    balanceMinor: null,
    currency,
    exponent,
    unlimited: false,
  };
}

const DEFAULT_API_URL = 'https://api.anthropic.com';
const UNAUTHORIZED_FIX = "Run `claude` once to sign in again; Headroom never refreshes Claude Code's tokens.";
const SCOPE_FIX =
  "This login lacks the `user:profile` scope needed to read usage (tokens from `claude setup-token` can't); " +
  'run `claude` and sign in there instead.';

/**
 * Source `oauth`: usage with Headroom's own sign-in (core/oauth.ts), renewed by Headroom itself. Only the default
 * account has it (one sign-in per user); other accounts report it as not set up.
 */
async function fetchOwnLogin(ports: Ports, account?: Account): Promise<SourceResult> {
  if (account?.directory) {
    return {
      ok: false,
      failure: {
        status: 'signed-out',
        message: "Headroom's own sign-in belongs to the default account.",
        fix: '',
        unused: true,
      },
    };
  }
  const token = await ownAccessToken(ports);
  if (!token.ok) return token;
  const { apiUrl } = oauthEndpoints(ports.env);
  const result = await getJson(
    ports,
    { url: `${apiUrl}/api/oauth/usage`, headers: apiHeaders(token.login.accessToken), timeoutMs: 15000 },
    { name: 'Anthropic', unauthorizedFix: `Sign in again: ${SIGN_IN_FIX}` },
  );
  if (!result.ok) return result;
  const usage = parseClaudeUsage(result.body);
  if (!usage.ok) return usage;
  return {
    ok: true,
    capture: {
      source: 'oauth',
      capturedAt: ports.clock.now(),
      plan: null,
      windows: usage.windows,
      money: usage.money,
      note: token.login.email ? `Signed in as ${token.login.email}` : "Headroom's own sign-in",
      ...(usage.problems.length > 0 && { problems: usage.problems }),
    },
  };
}

/**
 * Claude, one account per Claude Code configuration directory, from
 * - `oauth`: `GET …/api/oauth/usage` with Headroom's own sign-in (`headroom login claude`), which Headroom renews;
 * - `api`: `GET <HEADROOM_ANTHROPIC_API_URL | https://api.anthropic.com>/api/oauth/usage` with Claude Code's own
 *   token (read-only; never refreshed);
 * - `web`: the claude.ai web API with the user's session key from the keyring (providers/claude-web.ts), its
 *   accounts claude.ai organisations; in `auto` only while the OAuth API has no current data;
 * - `statusline`: the limits Claude Code last handed `headroom statusline` (core/statusline.ts); local, no network.
 */
export const claudeProvider = defineProvider(
  'claude',
  {
    oauth: { credentialsFingerprint: (ports) => ownLoginFingerprint(ports), fetch: fetchOwnLogin },
    api: {
      credentialsFingerprint: claudeCredentialsFingerprint,
      async fetch(ports, account) {
        const login = await readClaudeCredentials(ports, account);
        if (!login.ok) return login;
        const { credentials } = login;
        const base = (ports.env.get('HEADROOM_ANTHROPIC_API_URL') ?? DEFAULT_API_URL).replace(/\/+$/, '');
        const result = await getJson(
          ports,
          {
            url: `${base}/api/oauth/usage`,
            headers: {
              Authorization: `Bearer ${credentials.accessToken}`,
              'anthropic-beta': 'oauth-2025-04-20',
              Accept: 'application/json',
              'User-Agent': 'claude-code/2.1.0 (headroom)',
            },
            timeoutMs: 15000,
          },
          { name: 'Anthropic', unauthorizedFix: UNAUTHORIZED_FIX },
        );
        if (!result.ok) {
          const lacksScope =
            result.failure.status === 'unauthorized' &&
            credentials.scopes.length > 0 &&
            !credentials.scopes.includes('user:profile');
          return { ok: false, failure: lacksScope ? { ...result.failure, fix: SCOPE_FIX } : result.failure };
        }
        const usage = parseClaudeUsage(result.body);
        if (!usage.ok) return usage;
        return {
          ok: true,
          capture: {
            source: 'api',
            capturedAt: ports.clock.now(),
            plan: credentials.plan,
            windows: usage.windows,
            money: usage.money,
            ...(usage.problems.length > 0 && { problems: usage.problems }),
          },
        };
      },
    },
    web: { fetch: fetchClaudeWeb, credentialsFingerprint: claudeWebFingerprint },
    statusline: { fetch: fetchStatusLine },
  },
  (env, account) => [
    // Claude Code's transcripts, one folder per project; and what `headroom statusline` records.
    { path: joinPath(claudeConfigDirectory(env, account), 'projects'), depth: 1, newestOnly: false },
    { path: statusLineRecordPath(env), depth: 0, newestOnly: false },
  ],
);
