/**
 * Gemini CLI (Google's Code Assist quota): `~/.gemini/settings.json` (auth type) and `~/.gemini/oauth_creds.json`
 * (Google OAuth tokens) → `POST <base>/v1internal:loadCodeAssist` (project and tier) → `POST
 * <base>/v1internal:retrieveUserQuota` (per-model daily buckets) → one daily window per model family.
 *
 * The endpoints are the ones google-gemini/gemini-cli calls (`packages/core/src/code_assist/server.ts`,
 * `setup.ts`); the bucket shape `{modelId, tokenType, remainingFraction, resetTime}` and the mapping (lowest
 * `remainingFraction` per family, `used = 100 − 100 × fraction`, 1440-minute windows) follow steipete/CodexBar
 * `GeminiStatusProbe.swift` and charlieyou/aim `QUOTA_APIS.md`.
 *
 * Headroom never writes Gemini CLI's files. An expired access token is renewed **in memory only** with Gemini CLI's
 * own public OAuth client (the installed-app id and secret that gemini-cli ships in
 * `packages/core/src/code_assist/oauth2.ts`), read from the installed package or from `GEMINI_OAUTH_CLIENT_ID` /
 * `GEMINI_OAUTH_CLIENT_SECRET`. Google's refresh tokens for installed apps are not rotated by a refresh, so Gemini
 * CLI's saved login stays valid. Tokens and the client secret only ever travel in a request's header or body.
 */
import * as z from 'zod/mini';
import { type JsonResult, postJson } from '../http.js';
import type { Failure, FailureStatus, SourceResult, UsageWindow } from '../model.js';
import { joinPath, numberLike, parseIsoInstant, parseJsonText, titleCase } from '../parse.js';
import { MAX_INSTANT_MS, checkInstant } from '../ranges.js';
import type { Account } from '../accounts.js';
import type { HttpResponse, Ports } from '../ports.js';
import { defineProvider } from '../provider.js';

/** Gemini's daily quota windows are 24 h long, minutes. */
export const GEMINI_WINDOW_MINUTES = 1440;

const DEFAULT_API_BASE = 'https://cloudcode-pa.googleapis.com';
const DEFAULT_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const TIMEOUT_MS = 15_000;
/** An access token this close to its expiry counts as expired, ms. */
const EXPIRY_MARGIN_MS = 60_000;
/** The longest a 429's reset may block the source, ms (24 h), as for every other Retry-After. */
const MAX_RESET_WAIT_MS = 24 * 60 * 60 * 1000;

const SIGN_IN_FIX = 'Run `gemini` and choose Login with Google.';
const GOOGLE_LOGIN_FIX = 'Run `gemini`, type /auth and choose Login with Google.';
const TIER_FIX =
  'Headroom can only show Gemini quota for accounts Gemini CLI still serves (Code Assist Standard or Enterprise); ' +
  'set HEADROOM_GEMINI=off to hide Gemini.';

/** One model family's daily window. */
interface Family {
  /** The window id: `pro`, `flash`, `flash-lite`. */
  id: string;
  /** Human name: "Pro", "Flash", "Flash-Lite". */
  name: string;
}

/** The families in display order (Pro is the primary window, Flash the secondary, Flash-Lite the tertiary). */
const FAMILIES: readonly Family[] = [
  { id: 'pro', name: 'Pro' },
  { id: 'flash', name: 'Flash' },
  { id: 'flash-lite', name: 'Flash-Lite' },
];

/**
 * The family of a Gemini model id (`gemini-2.5-pro` → Pro, `gemini-2.5-flash` → Flash, `gemini-2.5-flash-lite` →
 * Flash-Lite, `gemini-3-pro-preview` → Pro); null for a model in none of them (e.g. an embedding model).
 */
export function geminiFamilyOf(modelId: string): Family | null {
  const id = modelId.toLowerCase();
  if (/flash[-_ ]?lite/.test(id)) return FAMILIES[2]!;
  if (id.includes('flash')) return FAMILIES[1]!;
  if (id.includes('pro')) return FAMILIES[0]!;
  return null;
}

function parseJson(body: string): unknown {
  try {
    return parseJsonText(body);
  } catch {
    return undefined;
  }
}

/** Gemini CLI's configuration directory of an account: its own directory, else `~/.gemini`. */
export function geminiDirectory(ports: Pick<Ports, 'env'>, account?: Account): string {
  return account?.directory ?? joinPath(ports.env.home, '.gemini');
}

// ---------------------------------------------------------------------------------------------------------------
// Login: settings.json and oauth_creds.json

const SettingsFile = z.looseObject({
  selectedAuthType: z.optional(z.unknown()),
  security: z.optional(
    z.looseObject({
      auth: z.optional(z.looseObject({ selectedType: z.optional(z.unknown()) })),
    }),
  ),
});

const CredentialsFile = z.looseObject({
  access_token: z.optional(z.nullable(z.string())),
  refresh_token: z.optional(z.nullable(z.string())),
  expiry_date: z.optional(z.nullable(numberLike)),
});

/** What Headroom uses of Gemini CLI's Google login. */
export interface GeminiCredentials {
  /** The access token; null when the file has none. Only ever sent in the Authorization header. */
  accessToken: string | null;
  /** The refresh token; null when none. Only ever sent in the body of a token request. */
  refreshToken: string | null;
  /** When the access token expires, epoch ms; null when not recorded. */
  expiresAt: number | null;
}

/** The outcome of {@link readGeminiLogin}. */
export type GeminiLoginResult =
  { ok: true; credentials: GeminiCredentials; credentialsPath: string } | { ok: false; failure: Failure };

/**
 * Reads Gemini CLI's login, read-only.
 *
 * - `<dir>/settings.json` `security.auth.selectedType` (older releases: top-level `selectedAuthType`):
 *   `oauth-personal` (or absent) → OAuth; `gemini-api-key`/`api-key`, `vertex-ai` and any other type →
 *   `signed-out` with a fix, as Headroom can only read the quota of a Google login.
 * - `<dir>/oauth_creds.json` `{access_token, refresh_token, id_token, expiry_date (epoch ms)}`.
 *
 * No settings and no credentials at all → `signed-out` marked `unused` (Gemini CLI is not set up here). A file that
 * exists but cannot be read or parsed → `error` naming the path, never its contents.
 */
export async function readGeminiLogin(ports: Ports, account?: Account): Promise<GeminiLoginResult> {
  const dir = geminiDirectory(ports, account);
  const settingsPath = joinPath(dir, 'settings.json');
  const credentialsPath = joinPath(dir, 'oauth_creds.json');
  let settingsText: string | null;
  let credentialsText: string | null;
  try {
    settingsText = await ports.files.readText(settingsPath);
  } catch {
    settingsText = null;
  }
  try {
    credentialsText = await ports.files.readText(credentialsPath);
  } catch {
    return failure('error', `Can't read Gemini CLI's login file ${credentialsPath}.`, "Check the file's permissions.");
  }
  // settings.json may hold comments or be half-written; an unreadable one simply tells nothing about the auth type.
  const settings = settingsText === null ? undefined : SettingsFile.safeParse(parseJson(settingsText));
  const selected = settings?.success
    ? (settings.data.security?.auth?.selectedType ?? settings.data.selectedAuthType)
    : undefined;
  const authType = typeof selected === 'string' ? selected : null;
  if (authType === 'gemini-api-key' || authType === 'api-key' || authType === 'USE_GEMINI') {
    return failure(
      'signed-out',
      'Gemini CLI uses a Gemini API key, which has no plan quota Headroom can read.',
      GOOGLE_LOGIN_FIX,
    );
  }
  if (authType === 'vertex-ai' || authType === 'USE_VERTEX_AI') {
    return failure(
      'signed-out',
      "Gemini CLI uses Vertex AI, whose quota lives in your Google Cloud project, not in Gemini CLI's.",
      GOOGLE_LOGIN_FIX,
    );
  }
  if (authType !== null && authType !== 'oauth-personal' && authType !== 'LOGIN_WITH_GOOGLE') {
    return failure(
      'signed-out',
      'Gemini CLI uses a sign-in Headroom cannot read quota for (only Login with Google is supported).',
      GOOGLE_LOGIN_FIX,
    );
  }
  if (credentialsText === null) {
    return settingsText === null
      ? {
          ok: false,
          failure: { status: 'signed-out', message: 'Gemini CLI is not set up.', fix: SIGN_IN_FIX, unused: true },
        }
      : failure('signed-out', 'Gemini CLI is not signed in with Google.', SIGN_IN_FIX);
  }
  const parsed = CredentialsFile.safeParse(parseJson(credentialsText));
  if (!parsed.success) {
    return failure(
      'error',
      `Gemini CLI's login file ${credentialsPath} is not in a format Headroom understands.`,
      SIGN_IN_FIX,
    );
  }
  const { access_token, refresh_token, expiry_date } = parsed.data;
  const credentials: GeminiCredentials = {
    accessToken: access_token || null,
    refreshToken: refresh_token || null,
    expiresAt: checkInstant(expiry_date ?? null),
  };
  if (!credentials.accessToken && !credentials.refreshToken) {
    return failure('signed-out', 'Gemini CLI is not signed in with Google.', SIGN_IN_FIX);
  }
  return { ok: true, credentials, credentialsPath };
}

function failure(status: FailureStatus, message: string, fix: string): { ok: false; failure: Failure } {
  return { ok: false, failure: { status, message, fix } };
}

// ---------------------------------------------------------------------------------------------------------------
// Gemini CLI's OAuth client, for renewing an expired access token in memory

/** Gemini CLI's public OAuth client (an installed app's id and secret, which Google does not treat as secret). */
export interface GeminiOAuthClient {
  clientId: string;
  clientSecret: string;
}

/**
 * Extracts Gemini CLI's OAuth client from the text of one of its JavaScript files: `OAUTH_CLIENT_ID = '…'` and
 * `OAUTH_CLIENT_SECRET = '…'` as gemini-cli's `oauth2.js` declares them, else the first
 * `<digits>-<id>.apps.googleusercontent.com` and `GOCSPX-…` values (a bundle may rename the constants). Null when
 * either is missing.
 */
export function extractGeminiOAuthClient(text: string): GeminiOAuthClient | null {
  const named = (name: string): string | undefined =>
    new RegExp(`\\b${name}\\s*=\\s*['"\`]([^'"\`\\s]+)['"\`]`).exec(text)?.[1];
  const clientId = named('OAUTH_CLIENT_ID') ?? /\b\d+-[a-z0-9]+\.apps\.googleusercontent\.com\b/.exec(text)?.[0];
  const clientSecret = named('OAUTH_CLIENT_SECRET') ?? /\bGOCSPX-[A-Za-z0-9_-]+/.exec(text)?.[0];
  return clientId && clientSecret ? { clientId, clientSecret } : null;
}

/** `/a/b/../c` → `/a/c`: a path without `.` and `..` segments (file ports need not resolve them). */
function normalisePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/**
 * Directories that may hold a global npm-style install of `@google/gemini-cli`, as `node_modules` directories, most
 * specific first: the npm prefix of `$NPM_CONFIG_PREFIX`, per-user prefixes (`~/.npm-global`, `~/.local`, nvm, bun,
 * pnpm, Volta), the prefix of each `$PATH` directory holding a `gemini` (`<bin>/../lib/node_modules`, Homebrew's
 * `libexec`), then the system prefixes (`/usr/local`, `/usr`, `/opt/homebrew`, Linuxbrew).
 */
async function nodeModulesDirectories(ports: Ports): Promise<string[]> {
  const home = ports.env.home;
  const dirs: string[] = [];
  const prefix = ports.env.get('NPM_CONFIG_PREFIX') ?? ports.env.get('npm_config_prefix');
  if (prefix) dirs.push(joinPath(prefix, 'lib/node_modules'));
  dirs.push(
    joinPath(home, '.npm-global/lib/node_modules'),
    joinPath(home, '.npm-packages/lib/node_modules'),
    joinPath(home, '.local/lib/node_modules'),
    joinPath(home, '.bun/install/global/node_modules'),
    joinPath(home, '.local/share/pnpm/global/5/node_modules'),
    joinPath(home, '.volta/tools/image/packages/@google/gemini-cli/lib/node_modules'),
  );
  try {
    const versions = (await ports.files.list(joinPath(home, '.nvm/versions/node'))) ?? [];
    for (const version of versions.filter((entry) => entry.isDirectory).sort((a, b) => (a.name < b.name ? 1 : -1))) {
      dirs.push(joinPath(home, '.nvm/versions/node', version.name, 'lib/node_modules'));
    }
  } catch {
    // no nvm
  }
  for (const bin of (ports.env.get('PATH') ?? '').split(':')) {
    if (!bin.startsWith('/')) continue;
    try {
      if (!(await ports.files.stat(joinPath(bin, 'gemini')))) continue;
    } catch {
      continue;
    }
    dirs.push(
      normalisePath(joinPath(bin, '../lib/node_modules')),
      normalisePath(joinPath(bin, '../libexec/lib/node_modules')),
      normalisePath(joinPath(bin, '../opt/gemini-cli/libexec/lib/node_modules')),
    );
  }
  dirs.push(
    '/usr/local/lib/node_modules',
    '/usr/lib/node_modules',
    '/opt/homebrew/lib/node_modules',
    '/opt/homebrew/opt/gemini-cli/libexec/lib/node_modules',
    '/usr/local/opt/gemini-cli/libexec/lib/node_modules',
    '/home/linuxbrew/.linuxbrew/opt/gemini-cli/libexec/lib/node_modules',
  );
  return [...new Set(dirs)];
}

/** The files of an installed gemini-cli that may declare its OAuth client, for one `node_modules` directory. */
function candidateFiles(nodeModules: string): string[] {
  const oauth = 'dist/src/code_assist/oauth2.js';
  return [
    joinPath(nodeModules, '@google/gemini-cli/node_modules/@google/gemini-cli-core', oauth),
    joinPath(nodeModules, '@google/gemini-cli-core', oauth),
    joinPath(nodeModules, '@google/gemini-cli/bundle/gemini.js'),
  ];
}

/** The client found in this process, by the place it came from; never written anywhere. */
let foundClient: { key: string; client: GeminiOAuthClient } | null = null;

/**
 * Gemini CLI's OAuth client: `GEMINI_OAUTH_CLIENT_ID` and `GEMINI_OAUTH_CLIENT_SECRET` when both are set, else
 * extracted ({@link extractGeminiOAuthClient}) from `GEMINI_OAUTH2_JS_PATH` or from the installed package
 * (`@google/gemini-cli-core/dist/src/code_assist/oauth2.js` or `@google/gemini-cli/bundle/gemini.js` under the
 * directories {@link nodeModulesDirectories} lists). Remembered in memory for this process. Null when none is found.
 */
export async function findGeminiOAuthClient(ports: Ports): Promise<GeminiOAuthClient | null> {
  const clientId = ports.env.get('GEMINI_OAUTH_CLIENT_ID');
  const clientSecret = ports.env.get('GEMINI_OAUTH_CLIENT_SECRET');
  if (clientId && clientSecret) return { clientId, clientSecret };
  const key = `${ports.env.home}:${ports.env.get('GEMINI_OAUTH2_JS_PATH') ?? ''}:${ports.env.get('PATH') ?? ''}`;
  if (foundClient?.key === key) return foundClient.client;
  const explicit = ports.env.get('GEMINI_OAUTH2_JS_PATH');
  const files = explicit ? [explicit] : (await nodeModulesDirectories(ports)).flatMap(candidateFiles);
  for (const file of files) {
    let text: string | null;
    try {
      text = await ports.files.readText(file);
    } catch {
      continue;
    }
    const client = text === null ? null : extractGeminiOAuthClient(text);
    if (client) {
      ports.log.debug(`Gemini CLI's OAuth client found in ${file}`);
      foundClient = { key, client };
      return client;
    }
  }
  return null;
}

const TokenResponse = z.looseObject({
  access_token: z.string().check(z.minLength(1)),
  expires_in: z.optional(z.nullable(numberLike)),
});

/** Access tokens renewed in this process, by credentials file; each is dropped once the file's login changes. */
const renewed = new Map<string, { refreshToken: string; accessToken: string; expiresAt: number }>();

/** Forgets the access tokens renewed in memory and the OAuth client found (for tests). */
export function resetGeminiMemory(): void {
  renewed.clear();
  foundClient = null;
}

/**
 * A usable access token for the login: the file's while it is valid for another minute, else one renewed in memory
 * (kept for this process until a minute before it expires, never written anywhere) by `POST <token URL>` with form
 * fields `client_id, client_secret, refresh_token, grant_type=refresh_token` (`$HEADROOM_GOOGLE_TOKEN_URL`, default
 * `https://oauth2.googleapis.com/token`). Failures: no refresh token or OAuth client → `signed-out`; Google refusing
 * the refresh token (`invalid_grant`) → `signed-out`; others as {@link postJson} maps them.
 */
async function accessTokenFor(
  ports: Ports,
  login: { credentials: GeminiCredentials; credentialsPath: string },
): Promise<{ ok: true; token: string } | { ok: false; failure: Failure }> {
  const now = ports.clock.now();
  const { accessToken, refreshToken, expiresAt } = login.credentials;
  const expired = expiresAt !== null && expiresAt <= Math.min(now + EXPIRY_MARGIN_MS, MAX_INSTANT_MS);
  if (accessToken && !expired) return { ok: true, token: accessToken };
  if (!refreshToken) {
    return failure('signed-out', "Gemini CLI's login has expired.", 'Run `gemini` once; it renews its own login.');
  }
  const cached = renewed.get(login.credentialsPath);
  if (cached && cached.refreshToken === refreshToken && cached.expiresAt - EXPIRY_MARGIN_MS > now) {
    return { ok: true, token: cached.accessToken };
  }
  const client = await findGeminiOAuthClient(ports);
  if (!client) {
    return failure(
      'signed-out',
      "Gemini CLI's access token has expired, and Headroom found no installed Gemini CLI to renew it with.",
      'Run `gemini` once (it renews its own login), or set GEMINI_OAUTH_CLIENT_ID and GEMINI_OAUTH_CLIENT_SECRET.',
    );
  }
  const form = [
    ['client_id', client.clientId],
    ['client_secret', client.clientSecret],
    ['refresh_token', refreshToken],
    ['grant_type', 'refresh_token'],
  ]
    .map(([name, value]) => `${name}=${encodeURIComponent(value!)}`)
    .join('&');
  const result = await postJson(
    ports,
    {
      url: ports.env.get('HEADROOM_GOOGLE_TOKEN_URL') ?? DEFAULT_TOKEN_URL,
      headers: { Accept: 'application/json', 'User-Agent': 'headroom' },
      body: form,
      contentType: 'application/x-www-form-urlencoded',
      timeoutMs: TIMEOUT_MS,
    },
    { name: 'Google', unauthorizedFix: 'Run `gemini` once to sign in again.' },
  );
  if (!result.ok) {
    const error = errorCode(result.response);
    if (error === 'invalid_grant' || error === 'unauthorized_client' || error === 'invalid_client') {
      return failure(
        'signed-out',
        "Google refused to renew Gemini CLI's login (it was revoked or has expired).",
        'Run `gemini` and sign in again.',
      );
    }
    return { ok: false, failure: result.failure };
  }
  const token = TokenResponse.safeParse(result.body);
  if (!token.success) {
    return failure(
      'error',
      'Google sent a token answer in an unexpected format.',
      'If this persists, update Headroom.',
    );
  }
  const lifetime = token.data.expires_in ?? 3600;
  renewed.set(login.credentialsPath, {
    refreshToken,
    accessToken: token.data.access_token,
    expiresAt: now + Math.max(0, Math.min(lifetime, 86_400)) * 1000,
  });
  return { ok: true, token: token.data.access_token };
}

/** The OAuth `error` code of a token endpoint's answer (`invalid_grant`), or null. */
function errorCode(response: HttpResponse | undefined): string | null {
  if (!response) return null;
  const body = parseJson(response.body);
  const parsed = z.looseObject({ error: z.optional(z.unknown()) }).safeParse(body);
  return parsed.success && typeof parsed.data.error === 'string' ? parsed.data.error : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Code Assist answers

const LoadCodeAssist = z.looseObject({
  cloudaicompanionProject: z.optional(z.unknown()),
  currentTier: z.optional(z.nullable(z.looseObject({ id: z.optional(z.unknown()), name: z.optional(z.unknown()) }))),
  paidTier: z.optional(z.nullable(z.looseObject({ id: z.optional(z.unknown()), name: z.optional(z.unknown()) }))),
  ineligibleTiers: z.optional(z.unknown()),
});

/** What `loadCodeAssist` tells Headroom. */
export interface GeminiAccountInfo {
  /** The Cloud project to ask quota for; null when none. */
  project: string | null;
  /** Plan label: `paidTier.name`, else the current tier's name or id title-cased ("Standard"); null when unknown. */
  plan: string | null;
  /**
   * True when Google says Gemini CLI no longer serves this account (`ineligibleTiers[].reasonCode`
   * `UNSUPPORTED_CLIENT`, or no current tier while an ineligible-tier reason is given).
   */
  ineligible: boolean;
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/**
 * Parses the body of `POST /v1internal:loadCodeAssist`: `{currentTier: {id, name}, cloudaicompanionProject: string
 * or {id}, paidTier: {name}, ineligibleTiers: [{reasonCode, reasonMessage}]}`. Null when the body is not an object.
 */
export function parseLoadCodeAssist(body: unknown): GeminiAccountInfo | null {
  const parsed = LoadCodeAssist.safeParse(body);
  if (!parsed.success) return null;
  const { cloudaicompanionProject: project, currentTier, paidTier, ineligibleTiers } = parsed.data;
  const projectId =
    nonEmpty(project) ??
    (project !== null && typeof project === 'object' ? nonEmpty((project as Record<string, unknown>).id) : null);
  const tierName = nonEmpty(currentTier?.name);
  const tierId = nonEmpty(currentTier?.id);
  const plan =
    nonEmpty(paidTier?.name) ??
    (tierName ? titleCase(tierName) : tierId ? titleCase(tierId.replace(/-tier$/, '')) : null);
  const reasons = Array.isArray(ineligibleTiers)
    ? ineligibleTiers.map((tier) => JSON.stringify(tier ?? null)).join(' ')
    : '';
  return {
    project: projectId,
    plan,
    ineligible: /UNSUPPORTED_CLIENT|IneligibleTier/i.test(reasons) || (!currentTier && reasons !== ''),
  };
}

const QuotaBucket = z.looseObject({
  modelId: z.optional(z.nullable(z.string())),
  remainingFraction: z.optional(z.nullable(numberLike)),
  resetTime: z.optional(z.nullable(z.string())),
  tokenType: z.optional(z.nullable(z.string())),
});

const QuotaAnswer = z.looseObject({ buckets: z.optional(z.nullable(z.array(z.unknown()))) });

/** The outcome of {@link parseGeminiQuota}. */
export type GeminiQuotaResult =
  { ok: true; windows: UsageWindow[]; problems: string[] } | { ok: false; failure: Failure };

/**
 * Parses and normalises the body of `POST /v1internal:retrieveUserQuota` (pure): `{buckets: [{modelId, tokenType:
 * "REQUESTS", remainingFraction (remaining, 0–1), resetTime (ISO 8601)}]}`.
 *
 * Each bucket is filed under its model's family ({@link geminiFamilyOf}); per family the bucket with the lowest
 * `remainingFraction` wins and becomes a window `{id: pro|flash|flash-lite, label: "Pro (24 h)", usedPercent: 100 −
 * 100 × fraction, resetsAt: resetTime (epoch ms, null when absent or unreadable), windowMinutes: 1440}`, in the order
 * Pro, Flash, Flash-Lite. Buckets of other models are ignored; a bucket that is not an object or whose fraction is
 * not a number in 0–1 is left out and named in `problems` ("Google's quota bucket 2 could not be read.").
 *
 * A body that is not such an object, or that yields no window, is an `error`.
 */
export function parseGeminiQuota(body: unknown): GeminiQuotaResult {
  const parsed = QuotaAnswer.safeParse(body);
  if (!parsed.success) return { ok: false, failure: UNEXPECTED_FORMAT };
  const problems: string[] = [];
  const lowest = new Map<string, { fraction: number; resetsAt: number | null }>();
  for (const [index, raw] of (parsed.data.buckets ?? []).entries()) {
    const bucket = QuotaBucket.safeParse(raw);
    const fraction = bucket.success ? bucket.data.remainingFraction : null;
    if (!bucket.success || fraction === null || fraction === undefined || !(fraction >= 0 && fraction <= 1)) {
      problems.push(`Google's quota bucket ${index} could not be read.`);
      continue;
    }
    const family = geminiFamilyOf(bucket.data.modelId ?? '');
    if (!family) continue;
    const resetsAt = checkInstant(parseIsoInstant(bucket.data.resetTime));
    if (bucket.data.resetTime && resetsAt === null)
      problems.push(`Google's quota bucket ${index} has an unreadable reset time.`);
    const current = lowest.get(family.id);
    if (!current || fraction < current.fraction) lowest.set(family.id, { fraction, resetsAt });
  }
  const windows = FAMILIES.flatMap((family): UsageWindow[] => {
    const found = lowest.get(family.id);
    if (!found) return [];
    return [
      {
        id: family.id,
        label: `${family.name} (24 h)`,
        usedPercent: Math.round((100 - 100 * found.fraction) * 1000) / 1000,
        resetsAt: found.resetsAt,
        windowMinutes: GEMINI_WINDOW_MINUTES,
      },
    ];
  });
  if (windows.length === 0) {
    return {
      ok: false,
      failure: {
        status: 'error',
        message: 'Google reported no Gemini Pro, Flash or Flash-Lite quota for this account.',
        fix: problems.length > 0 ? 'If this persists, update Headroom.' : '',
      },
    };
  }
  return { ok: true, windows, problems };
}

const UNEXPECTED_FORMAT: Failure = {
  status: 'error',
  message: 'Google sent Gemini quota data in an unexpected format.',
  fix: 'If this persists, update Headroom.',
};

const ErrorBody = z.looseObject({
  error: z.optional(
    z.looseObject({
      code: z.optional(z.unknown()),
      message: z.optional(z.unknown()),
      status: z.optional(z.unknown()),
      details: z.optional(z.unknown()),
    }),
  ),
});

/**
 * Parses a Google duration: protobuf JSON (`"0.976s"`, `"3600s"`) or Go's (`"976.066617ms"`, `"1h2m3.5s"`), into
 * ms; null for anything else.
 */
export function parseGoogleDuration(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(text)) return null;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 1e-6 };
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g))
    total += Number(match[1]) * unit[match[2]!]!;
  return Number.isFinite(total) ? total : null;
}

/** What a Code Assist error body says: its text (message, status, reasons) and the quota's reset, if any. */
interface GoogleError {
  /** Message, status and every detail's reason, joined, for recognising known errors. Never shown. */
  text: string;
  /** `ErrorInfo.metadata.quotaResetTimeStamp`, else now + `quotaResetDelay`, else now + `RetryInfo.retryDelay`. */
  resetAt: number | null;
}

/** Reads a Google API error body (`{error: {code, message, status, details: [ErrorInfo, RetryInfo…]}}`). */
export function readGoogleError(body: string, now: number): GoogleError {
  const parsed = ErrorBody.safeParse(parseJson(body));
  const error = parsed.success ? parsed.data.error : undefined;
  const details = Array.isArray(error?.details) ? (error.details as unknown[]) : [];
  let stamp: number | null = null;
  let delay: number | null = null;
  let retry: number | null = null;
  const words: string[] = [String(error?.message ?? ''), String(error?.status ?? '')];
  for (const detail of details) {
    if (detail === null || typeof detail !== 'object') continue;
    const record = detail as Record<string, unknown>;
    if (typeof record.reason === 'string') words.push(record.reason);
    const metadata = record.metadata;
    if (metadata !== null && typeof metadata === 'object') {
      const meta = metadata as Record<string, unknown>;
      stamp ??= checkInstant(parseIsoInstant(meta.quotaResetTimeStamp));
      delay ??= parseGoogleDuration(meta.quotaResetDelay);
    }
    retry ??= parseGoogleDuration(record.retryDelay);
  }
  const resetAt =
    stamp !== null && stamp > now ? stamp : delay !== null ? now + delay : retry !== null ? now + retry : null;
  return { text: words.join(' '), resetAt };
}

/** True when Google's answer says Gemini CLI no longer serves this (consumer) tier. */
function isIneligibleTier(text: string): boolean {
  return /UNSUPPORTED_CLIENT|IneligibleTier|no longer supported for Gemini Code Assist/i.test(text);
}

const TIER_CUT_OFF: Failure = {
  status: 'unauthorized',
  message: 'Google no longer serves this account\u2019s tier to Gemini CLI (Code Assist for individuals was cut off).',
  fix: TIER_FIX,
};

/**
 * Turns a failed Code Assist call into the failure to show: an ineligible tier ({@link TIER_CUT_OFF}) whatever the
 * status; a 429 whose reset is given in the body waits exactly until then (at least 1 s, at most 24 h); others as
 * {@link postJson} mapped them.
 */
function codeAssistFailure(result: Extract<JsonResult, { ok: false }>, now: number): Failure {
  const response = result.response;
  if (!response) return result.failure;
  const error = readGoogleError(response.body, now);
  if (isIneligibleTier(error.text)) return TIER_CUT_OFF;
  if (response.status === 429) {
    const retryAt =
      error.resetAt !== null
        ? Math.min(Math.max(error.resetAt, now + 1000), now + MAX_RESET_WAIT_MS)
        : (result.failure.retryAt ?? now);
    return {
      status: 'rate-limited',
      message: /RESOURCE_EXHAUSTED/.test(error.text)
        ? "Google's Code Assist quota is exhausted for now (RESOURCE_EXHAUSTED)."
        : result.failure.message,
      fix: 'Headroom waits until the quota resets and retries by itself; the last values stay visible.',
      retryAt,
    };
  }
  return result.failure;
}

/**
 * The API source: reads the login, renews an expired access token in memory, then `POST
 * <base>/v1internal:loadCodeAssist` with `{"metadata": {"ideType": "GEMINI_CLI", "pluginType": "GEMINI"}}` (project
 * and tier) and `POST <base>/v1internal:retrieveUserQuota` with `{"project": id}` (or `{}` without a project; the
 * project falls back to `$GOOGLE_CLOUD_PROJECT`). `base` is `$HEADROOM_GEMINI_API_URL` or
 * `https://cloudcode-pa.googleapis.com`. The capture's time is now.
 */
async function fetchGeminiQuota(ports: Ports, account?: Account): Promise<SourceResult> {
  const login = await readGeminiLogin(ports, account);
  if (!login.ok) return login;
  const token = await accessTokenFor(ports, login);
  if (!token.ok) return token;
  const base = (ports.env.get('HEADROOM_GEMINI_API_URL') ?? DEFAULT_API_BASE).replace(/\/+$/, '');
  const service = {
    name: 'Google',
    unauthorizedFix: "Run `gemini` once to sign in again; Headroom never rewrites Gemini CLI's login.",
  };
  const headers = { Authorization: `Bearer ${token.token}`, Accept: 'application/json', 'User-Agent': 'headroom' };
  const call = (method: string, body: unknown) =>
    postJson(
      ports,
      {
        url: `${base}/v1internal:${method}`,
        headers,
        body: JSON.stringify(body),
        contentType: 'application/json',
        timeoutMs: TIMEOUT_MS,
      },
      service,
    );
  const loaded = await call('loadCodeAssist', { metadata: { ideType: 'GEMINI_CLI', pluginType: 'GEMINI' } });
  if (!loaded.ok) return { ok: false, failure: codeAssistFailure(loaded, ports.clock.now()) };
  const info = parseLoadCodeAssist(loaded.body);
  if (info?.ineligible) return { ok: false, failure: TIER_CUT_OFF };
  const project = info?.project ?? ports.env.get('GOOGLE_CLOUD_PROJECT') ?? null;
  const quota = await call('retrieveUserQuota', project ? { project } : {});
  const now = ports.clock.now();
  if (!quota.ok) return { ok: false, failure: codeAssistFailure(quota, now) };
  const usage = parseGeminiQuota(quota.body);
  if (!usage.ok) return usage;
  return {
    ok: true,
    capture: {
      source: 'api',
      capturedAt: now,
      plan: info?.plan ?? null,
      windows: usage.windows,
      money: [],
      ...(usage.problems.length > 0 && { problems: usage.problems }),
    },
  };
}

/**
 * A fingerprint of Gemini CLI's login without reading it: `"<path>:<size>:<mtimeMs>"` of `oauth_creds.json` and of
 * `settings.json` (`"none:<path>"` for an absent one), joined by `|`; null when either can't be stat'ed.
 */
export async function geminiCredentialsFingerprint(ports: Ports, account?: Account): Promise<string | null> {
  const dir = geminiDirectory(ports, account);
  try {
    const parts: string[] = [];
    for (const name of ['oauth_creds.json', 'settings.json']) {
      const path = joinPath(dir, name);
      const stat = await ports.files.stat(path);
      parts.push(stat ? `${path}:${stat.size}:${stat.mtimeMs}` : `none:${path}`);
    }
    return parts.join('|');
  } catch {
    return null;
  }
}

/** Gemini: Google's Code Assist quota through Gemini CLI's login; one account per Gemini CLI directory. */
export const geminiProvider = defineProvider(
  'gemini',
  {
    api: { fetch: fetchGeminiQuota, credentialsFingerprint: geminiCredentialsFingerprint },
  },
  (env, account) =>
    // A new login or auth type is seen at once (google-gemini/gemini-cli `packages/core/src/code_assist/oauth2.ts`).
    ['settings.json', 'oauth_creds.json'].map((file) => ({
      path: joinPath(geminiDirectory({ env }, account), file),
      depth: 0,
      newestOnly: false,
    })),
);

/** Gemini's quota endpoint as a source: remote, so spared by the scheduler. */
export const geminiApiSource = geminiProvider.sources[0]!;
