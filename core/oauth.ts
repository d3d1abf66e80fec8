/**
 * Headroom's own Claude sign-in (source `oauth`): an OAuth 2 authorization-code login with PKCE (RFC 7636, S256)
 * that Headroom completes itself, so its tokens are a token family of its own. Refreshing them never touches Claude
 * Code's login (whose refresh tokens are single-use: redeeming one logs Claude Code out).
 *
 * The flow is the one the Claude Code CLI uses (read from its shipped bundle, version 2.1.x):
 * - authorize: `https://claude.com/cai/oauth/authorize?code=true&client_id=…&response_type=code&redirect_uri=…&
 *   scope=…&code_challenge=…&code_challenge_method=S256&state=…`;
 * - redirect URI: `http://localhost:<port>/callback` (a loopback listener), or the manual page
 *   `https://platform.claude.com/oauth/code/callback` that shows `<code>#<state>` to paste back;
 * - token: `POST https://platform.claude.com/v1/oauth/token` with a JSON body, for the code
 *   `{grant_type:"authorization_code", code, redirect_uri, client_id, code_verifier, state}` and for a refresh
 *   `{grant_type:"refresh_token", refresh_token, client_id, scope}`; the answer is
 *   `{access_token, refresh_token?, expires_in (s), token_type, scope?}`; a refresh may rotate the refresh token;
 *   `invalid_grant` (RFC 6749 §5.2) means the login is over;
 * - identity: `GET https://api.anthropic.com/api/oauth/profile` → `{account:{uuid,email}, organization:{uuid}}`.
 *
 * Every URL can be overridden: `HEADROOM_CLAUDE_AUTHORIZE_URL`, `HEADROOM_CLAUDE_TOKEN_URL`,
 * `HEADROOM_CLAUDE_MANUAL_REDIRECT_URL`, `HEADROOM_ANTHROPIC_API_URL`.
 *
 * The tokens live only in the keyring item `claude-oauth` (core/secrets.ts) as JSON (see {@link StoredLogin}).
 * Platform-free: randomness and SHA-256 come in through {@link PkceCrypto}; the keyring and the lock through
 * {@link Ports}.
 */
import * as z from 'zod/mini';
import { type JsonResult, getJson, postJson } from './http.js';
import type { Failure } from './model.js';
import { numberLike, parseJsonText } from './parse.js';
import type { HeldLock, Ports } from './ports.js';
import type { SecretStore } from './secrets.js';

/** Claude Code's public OAuth client id (a public client: PKCE, no secret). */
export const CLAUDE_CLIENT_ID = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';
/** The authorize page for claude.ai subscribers. */
export const DEFAULT_AUTHORIZE_URL = 'https://claude.com/cai/oauth/authorize';
/** The token endpoint (code exchange and refresh). */
export const DEFAULT_TOKEN_URL = 'https://platform.claude.com/v1/oauth/token';
/** The page that shows the user `<code>#<state>` to paste back (the manual, SSH-friendly flow). */
export const DEFAULT_MANUAL_REDIRECT_URL = 'https://platform.claude.com/oauth/code/callback';
/** The usage API's base URL. */
export const DEFAULT_API_URL = 'https://api.anthropic.com';
/** The scopes Headroom asks for: `user:profile` reads usage and identity; `user:inference` matches Claude Code's. */
export const OAUTH_SCOPES = ['user:profile', 'user:inference'] as const;
/** The keyring item's label, as shown in Passwords and Keys / Keychain Access. */
export const OAUTH_ITEM_LABEL = 'Headroom: Claude sign-in';
/** The lock (core/ports.ts Locks) held while a refresh token is redeemed. */
export const REFRESH_LOCK = 'claude-oauth-refresh';
/** An access token is renewed when it expires within this, ms (5 min). */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;
/**
 * How long a refresh waits for another process that is refreshing, ms: with the token request's 15 s this stays
 * within the 30 s after which the refresh lock it runs under counts as stale.
 */
const LOCK_WAIT_MS = 10_000;
/** Timeout of a token request, ms (Claude Code uses 30 s). */
const TOKEN_TIMEOUT_MS = 15_000;

/** The fix for every "sign in again" state. */
export const SIGN_IN_FIX = "Run `headroom login claude` (or Sign in with Claude in the GNOME extension's preferences).";

/** The URLs of the flow, after the environment's overrides (trailing slashes of the API base removed). */
export interface OAuthEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  manualRedirectUrl: string;
  apiUrl: string;
}

/** The endpoints, from `HEADROOM_CLAUDE_AUTHORIZE_URL`, `…_TOKEN_URL`, `…_MANUAL_REDIRECT_URL`, `HEADROOM_ANTHROPIC_API_URL`. */
export function oauthEndpoints(env: Ports['env']): OAuthEndpoints {
  return {
    authorizeUrl: env.get('HEADROOM_CLAUDE_AUTHORIZE_URL') ?? DEFAULT_AUTHORIZE_URL,
    tokenUrl: env.get('HEADROOM_CLAUDE_TOKEN_URL') ?? DEFAULT_TOKEN_URL,
    manualRedirectUrl: env.get('HEADROOM_CLAUDE_MANUAL_REDIRECT_URL') ?? DEFAULT_MANUAL_REDIRECT_URL,
    apiUrl: (env.get('HEADROOM_ANTHROPIC_API_URL') ?? DEFAULT_API_URL).replace(/\/+$/, ''),
  };
}

/** Randomness and hashing for PKCE, from the shell (node:crypto; GLib in GJS). */
export interface PkceCrypto {
  /** `length` cryptographically random bytes. */
  randomBytes(length: number): Uint8Array;
  /** The SHA-256 digest of `data` (32 bytes). */
  sha256(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Bytes as base64url without padding (RFC 4648 §5), as PKCE and `state` use. */
export function base64url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += BASE64URL[(n >> 18) & 63]! + BASE64URL[(n >> 12) & 63]!;
    if (i + 1 < bytes.length) out += BASE64URL[(n >> 6) & 63]!;
    if (i + 2 < bytes.length) out += BASE64URL[n & 63]!;
  }
  return out;
}

/** The ASCII bytes of a string of ASCII characters (a PKCE verifier). */
function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0x7f);
}

/** The S256 code challenge of a verifier: base64url(SHA-256(ASCII(verifier))) (RFC 7636 §4.2). */
export async function codeChallenge(verifier: string, crypto: PkceCrypto): Promise<string> {
  return base64url(await crypto.sha256(asciiBytes(verifier)));
}

/** One sign-in attempt's secrets: the PKCE verifier (43 characters), its S256 challenge and the `state` value. */
export interface PkceSession {
  verifier: string;
  challenge: string;
  state: string;
}

/** A fresh verifier (32 random bytes), its challenge and a fresh `state` (32 random bytes), all base64url. */
export async function createPkceSession(crypto: PkceCrypto): Promise<PkceSession> {
  const verifier = base64url(crypto.randomBytes(32));
  return { verifier, challenge: await codeChallenge(verifier, crypto), state: base64url(crypto.randomBytes(32)) };
}

/** The authorize URL to open in the browser, with the query Claude Code sends (see the module comment). */
export function authorizeUrl(endpoints: OAuthEndpoints, session: PkceSession, redirectUri: string): string {
  const query = [
    ['code', 'true'],
    ['client_id', CLAUDE_CLIENT_ID],
    ['response_type', 'code'],
    ['redirect_uri', redirectUri],
    ['scope', OAUTH_SCOPES.join(' ')],
    ['code_challenge', session.challenge],
    ['code_challenge_method', 'S256'],
    ['state', session.state],
  ]
    .map(([name, value]) => `${name}=${encodeURIComponent(value!)}`)
    .join('&');
  return `${endpoints.authorizeUrl}${endpoints.authorizeUrl.includes('?') ? '&' : '?'}${query}`;
}

/** A code handed back by the authorize page, or why there is none (a sentence for the user, no secret). */
export type CallbackResult = { ok: true; code: string } | { ok: false; message: string };

/**
 * Checks the callback's query values (`code`, `state`, `error`, `error_description`) against the expected `state`.
 * A missing or different state is refused (it was not this sign-in's answer: RFC 6749 §10.12).
 */
export function checkCallback(params: Record<string, string | undefined>, expectedState: string): CallbackResult {
  if (params.error) {
    const detail = params.error_description ? `: ${params.error_description.slice(0, 200)}` : '';
    return { ok: false, message: `Claude refused the sign-in (${params.error.slice(0, 60)}${detail}).` };
  }
  if (!params.state || params.state !== expectedState) {
    return { ok: false, message: 'The answer did not carry this sign-in’s state, so it was ignored.' };
  }
  if (!params.code) return { ok: false, message: 'The answer carried no authorization code.' };
  return { ok: true, code: params.code };
}

/** A pasted `<code>#<state>` (the manual page's format), checked against the expected state. */
export function checkPastedCode(pasted: string, expectedState: string): CallbackResult {
  const text = pasted.trim();
  const hash = text.indexOf('#');
  if (hash < 0) return { ok: false, message: 'Paste the whole code shown by Claude, including the part after “#”.' };
  return checkCallback({ code: text.slice(0, hash), state: text.slice(hash + 1) }, expectedState);
}

/**
 * Headroom's own Claude login as kept in the keyring item `claude-oauth` (JSON). `accessToken`/`refreshToken` are
 * secrets; `expiresAt` epoch ms; `email` the account's address from `/api/oauth/profile` (null when unknown);
 * `signedInAt` epoch ms of the sign-in (the source's credentials fingerprint); `signedOut` true once the token
 * endpoint answered `invalid_grant` (tokens then removed, the item kept so the state says "signed out", not "never
 * signed in").
 */
export interface StoredLogin {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: number;
  scopes: string[];
  email: string | null;
  signedInAt: number;
  signedOut?: boolean;
}

const StoredLoginSchema = z.looseObject({
  accessToken: z.string(),
  refreshToken: z.nullish(z.string()),
  expiresAt: numberLike,
  scopes: z.nullish(z.array(z.string())),
  email: z.nullish(z.string()),
  signedInAt: z.nullish(numberLike),
  signedOut: z.nullish(z.boolean()),
});

/** Parses the keyring item's text; null when it is not a {@link StoredLogin} (unknown fields are tolerated). */
export function parseStoredLogin(text: string): StoredLogin | null {
  let json: unknown;
  try {
    json = parseJsonText(text);
  } catch {
    return null;
  }
  const parsed = StoredLoginSchema.safeParse(json);
  if (!parsed.success) return null;
  const data = parsed.data;
  return {
    accessToken: data.accessToken,
    refreshToken: data.refreshToken ?? null,
    expiresAt: data.expiresAt,
    scopes: data.scopes ?? [],
    email: data.email ?? null,
    signedInAt: data.signedInAt ?? 0,
    ...(data.signedOut ? { signedOut: true } : {}),
  };
}

/** The keyring item's text for a login. */
export function serializeStoredLogin(login: StoredLogin): string {
  return JSON.stringify(login);
}

/** Tokens from a token response. `expiresAt` epoch ms; `refreshToken` null when the answer carried none. */
export interface TokenGrant {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: number;
  scopes: string[] | null;
  /** The account's email when the token answer names it (`account.email_address`), else null. */
  email: string | null;
}

/** The outcome of a token request: a grant, `invalid_grant` (the login is over), or another failure to back off. */
export type TokenResult = { ok: true; grant: TokenGrant } | { ok: false; invalidGrant: boolean; failure: Failure };

const TokenSchema = z.looseObject({
  access_token: z.string(),
  refresh_token: z.nullish(z.string()),
  expires_in: numberLike,
  token_type: z.nullish(z.string()),
  scope: z.nullish(z.string()),
  account: z.nullish(z.looseObject({ email_address: z.nullish(z.string()), email: z.nullish(z.string()) })),
});

const TokenErrorSchema = z.looseObject({
  error: z.union([z.string(), z.looseObject({ type: z.nullish(z.string()) })]),
});

/** The OAuth `error` code of an error body (`{"error":"invalid_grant"}` or `{"error":{"type":"invalid_grant"}}`). */
function oauthErrorCode(body: string | undefined): string | null {
  if (!body) return null;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  const parsed = TokenErrorSchema.safeParse(json);
  if (!parsed.success) return null;
  const error = parsed.data.error;
  return typeof error === 'string' ? error : (error.type ?? null);
}

/**
 * Reads a token endpoint's answer (RFC 6749 §5.1/§5.2). `now` epoch ms. A 2xx that is not a token answer, an HTTP
 * error or no answer → `error`/`offline`/`rate-limited` failure (back off); HTTP 400/401 with `invalid_grant` →
 * `invalidGrant` with a `signed-out` failure.
 */
export function readTokenAnswer(result: JsonResult, now: number): TokenResult {
  if (!result.ok) {
    const status = result.response?.status;
    const code = status === 400 || status === 401 ? oauthErrorCode(result.response?.body) : null;
    if (code === 'invalid_grant') {
      return {
        ok: false,
        invalidGrant: true,
        failure: {
          status: 'signed-out',
          message: "Headroom's own Claude sign-in has ended (Claude no longer accepts it).",
          fix: SIGN_IN_FIX,
        },
      };
    }
    const failure: Failure =
      status === 400 || status === 401 || status === 403
        ? {
            status: 'error',
            message: `Claude's token endpoint refused the request (HTTP ${status}${code ? `, ${code.slice(0, 40)}` : ''}).`,
            fix: 'Headroom retries by itself; if it persists, sign in again.',
          }
        : result.failure;
    return { ok: false, invalidGrant: false, failure };
  }
  const parsed = TokenSchema.safeParse(result.body);
  if (!parsed.success || parsed.data.expires_in <= 0 || !parsed.data.access_token) {
    return {
      ok: false,
      invalidGrant: false,
      failure: { status: 'error', message: "Claude's token endpoint sent an unexpected answer.", fix: '' },
    };
  }
  const data = parsed.data;
  return {
    ok: true,
    grant: {
      accessToken: data.access_token,
      refreshToken: data.refresh_token || null,
      expiresAt: now + Math.min(data.expires_in, 366 * 86400) * 1000,
      scopes: data.scope ? data.scope.split(' ').filter(Boolean) : null,
      email: data.account?.email_address ?? data.account?.email ?? null,
    },
  };
}

/** POSTs a JSON body to the token endpoint; never rejects. */
async function tokenRequest(ports: Ports, tokenUrl: string, body: Record<string, string>): Promise<TokenResult> {
  const result = await postJson(
    ports,
    {
      url: tokenUrl,
      headers: { Accept: 'application/json' },
      body: JSON.stringify(body),
      contentType: 'application/json',
      timeoutMs: TOKEN_TIMEOUT_MS,
    },
    { name: 'Claude', unauthorizedFix: SIGN_IN_FIX },
  );
  return readTokenAnswer(result, ports.clock.now());
}

/** Exchanges an authorization code for tokens (`grant_type=authorization_code`, JSON). Never rejects. */
export function exchangeCode(
  ports: Ports,
  endpoints: OAuthEndpoints,
  code: string,
  session: PkceSession,
  redirectUri: string,
): Promise<TokenResult> {
  return tokenRequest(ports, endpoints.tokenUrl, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    client_id: CLAUDE_CLIENT_ID,
    code_verifier: session.verifier,
    state: session.state,
  });
}

/** Redeems a refresh token (`grant_type=refresh_token`, JSON). Never rejects. */
export function redeemRefreshToken(
  ports: Ports,
  endpoints: OAuthEndpoints,
  refreshToken: string,
): Promise<TokenResult> {
  return tokenRequest(ports, endpoints.tokenUrl, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: CLAUDE_CLIENT_ID,
    scope: OAUTH_SCOPES.join(' '),
  });
}

/** A new login from a code exchange's grant, at `now` (epoch ms). */
export function loginFromGrant(grant: TokenGrant, now: number, email: string | null = grant.email): StoredLogin {
  return {
    accessToken: grant.accessToken,
    refreshToken: grant.refreshToken,
    expiresAt: grant.expiresAt,
    scopes: grant.scopes ?? [...OAUTH_SCOPES],
    email,
    signedInAt: now,
  };
}

/**
 * The login after a refresh: the new access token and expiry; the rotated refresh token, or the old one when the
 * answer carried none (the endpoint may keep it).
 */
export function refreshedLogin(login: StoredLogin, grant: TokenGrant): StoredLogin {
  return {
    ...login,
    accessToken: grant.accessToken,
    refreshToken: grant.refreshToken ?? login.refreshToken,
    expiresAt: grant.expiresAt,
    scopes: grant.scopes ?? login.scopes,
    email: grant.email ?? login.email,
  };
}

/** True when the access token expires within {@link REFRESH_MARGIN_MS} of `now` (epoch ms), or has. */
export function needsRefresh(login: StoredLogin, now: number): boolean {
  return login.expiresAt - now <= REFRESH_MARGIN_MS;
}

/** The identity behind a token, from `/api/oauth/profile`. */
export interface ClaudeProfile {
  email: string | null;
  /** The organization's name when the profile names it, else null. */
  organization: string | null;
}

const ProfileSchema = z.looseObject({
  account: z.nullish(z.looseObject({ email: z.nullish(z.string()), email_address: z.nullish(z.string()) })),
  organization: z.nullish(z.looseObject({ name: z.nullish(z.string()) })),
});

/** `GET <api>/api/oauth/profile` with the access token; a failure when unreadable. Never rejects. */
export async function fetchProfile(
  ports: Ports,
  endpoints: OAuthEndpoints,
  accessToken: string,
): Promise<{ ok: true; profile: ClaudeProfile } | { ok: false; failure: Failure }> {
  const result = await getJson(
    ports,
    { url: `${endpoints.apiUrl}/api/oauth/profile`, headers: apiHeaders(accessToken), timeoutMs: 15_000 },
    { name: 'Anthropic', unauthorizedFix: SIGN_IN_FIX },
  );
  if (!result.ok) return result;
  const parsed = ProfileSchema.safeParse(result.body);
  if (!parsed.success) {
    return { ok: false, failure: { status: 'error', message: 'Anthropic sent an unexpected profile.', fix: '' } };
  }
  const account = parsed.data.account;
  return {
    ok: true,
    profile: {
      email: account?.email ?? account?.email_address ?? null,
      organization: parsed.data.organization?.name ?? null,
    },
  };
}

/** The headers of a call to Anthropic's OAuth API with a bearer token. */
export function apiHeaders(accessToken: string): Record<string, string> {
  return {
    Authorization: `Bearer ${accessToken}`,
    'anthropic-beta': 'oauth-2025-04-20',
    Accept: 'application/json',
    'User-Agent': 'claude-code/2.1.0 (headroom)',
  };
}

/** The outcome of {@link ownAccessToken}: a usable login, or a failure (`unused` when there is no sign-in). */
export type OwnTokenResult = { ok: true; login: StoredLogin } | { ok: false; failure: Failure };

/** A failure of a source that is not set up. */
function notSetUp(message: string): { ok: false; failure: Failure } {
  return { ok: false, failure: { status: 'signed-out', message, fix: SIGN_IN_FIX, unused: true } };
}

/** Reads the keyring item: a login, null when none, or a failure. */
async function readLogin(
  secrets: SecretStore,
): Promise<{ ok: true; login: StoredLogin | null } | { ok: false; failure: Failure }> {
  const found = await secrets.lookup('claude-oauth');
  if (!found.ok) {
    // No keyring, or a locked one, is quiet: most users never sign in with Headroom itself.
    return {
      ok: false,
      failure: { status: 'error', message: found.message, fix: found.fix, unused: found.problem !== 'error' },
    };
  }
  if (found.value === null) return { ok: true, login: null };
  const login = parseStoredLogin(found.value);
  if (!login) {
    return {
      ok: false,
      failure: {
        status: 'error',
        message: "Headroom's own Claude sign-in in the keyring is unreadable.",
        fix: `Sign in again: ${SIGN_IN_FIX}`,
      },
    };
  }
  return { ok: true, login };
}

/**
 * A fingerprint of the own sign-in for the scheduler's sign-in pause (core/scheduler.ts): `none`, `in:<signedInAt>`
 * or `out:<signedInAt>`; null when the keyring cannot be read. Holds no secret. Never rejects.
 */
export async function ownLoginFingerprint(ports: Ports): Promise<string | null> {
  if (!ports.secrets) return 'none';
  const read = await readLogin(ports.secrets).catch(() => null);
  if (!read?.ok) return null;
  if (!read.login) return 'none';
  return `${read.login.signedOut ? 'out' : 'in'}:${read.login.signedInAt}`;
}

/**
 * The own sign-in's current login with an access token good for at least a few minutes, refreshing it when it
 * expires within {@link REFRESH_MARGIN_MS}. Never rejects.
 *
 * Refresh, single-flight: under the lock {@link REFRESH_LOCK} (every CLI run and the GNOME extension take it), the
 * item is read again; when another process already renewed it (a different refresh token, or a fresh expiry), that
 * login is used and nothing is redeemed. Otherwise the refresh token is redeemed once and the answer is written to
 * the keyring before the new access token is handed out; when that write fails, the new token is not used (the
 * rotated refresh token would be lost with it).
 *
 * Failures: no keyring, a locked one, or no item → `signed-out` marked `unused` (quiet in `auto`); an unreadable
 * item → `error`; `invalid_grant` → the item is rewritten without tokens (`signedOut`) and `signed-out` is returned,
 * then and at every later call until the user signs in again; other token-endpoint failures → that failure (the
 * scheduler backs off), or the still-valid current token when it has not expired yet.
 */
export async function ownAccessToken(ports: Ports): Promise<OwnTokenResult> {
  const secrets = ports.secrets;
  if (!secrets) return notSetUp('This Headroom has no keyring for its own Claude sign-in.');
  const read = await readLogin(secrets);
  if (!read.ok) return read;
  const login = read.login;
  if (!login) return notSetUp('Headroom has no Claude sign-in of its own.');
  if (login.signedOut || !login.accessToken) return signedOut(login);
  const now = ports.clock.now();
  if (!needsRefresh(login, now)) return { ok: true, login };
  const stillValid = login.expiresAt > now;
  const fallback = (failure: Failure): OwnTokenResult => (stillValid ? { ok: true, login } : { ok: false, failure });

  const lock: HeldLock | null = ports.locks ? await ports.locks.acquire(REFRESH_LOCK, LOCK_WAIT_MS) : null;
  if (ports.locks && !lock) {
    return fallback({
      status: 'error',
      message: "Another Headroom is renewing the Claude sign-in and hasn't finished.",
      fix: 'Headroom retries by itself.',
    });
  }
  try {
    // Compare under the lock: another process may have renewed the login while this one waited.
    const again = await readLogin(secrets);
    if (!again.ok) return again;
    const current = again.login;
    if (!current) return notSetUp('Headroom has no Claude sign-in of its own.');
    if (current.signedOut || !current.accessToken) return signedOut(current);
    if (current.refreshToken !== login.refreshToken || !needsRefresh(current, ports.clock.now())) {
      return { ok: true, login: current };
    }
    if (!current.refreshToken) {
      return fallback({
        status: 'signed-out',
        message: "Headroom's own Claude sign-in has expired and holds no refresh token.",
        fix: SIGN_IN_FIX,
      });
    }
    const answer = await redeemRefreshToken(ports, oauthEndpoints(ports.env), current.refreshToken);
    if (!answer.ok) {
      if (!answer.invalidGrant) return fallback(answer.failure);
      const ended: StoredLogin = { ...current, accessToken: '', refreshToken: null, signedOut: true };
      const wrote = await secrets.store('claude-oauth', OAUTH_ITEM_LABEL, serializeStoredLogin(ended));
      if (!wrote.ok) ports.log.warn(`claude oauth: could not record the ended sign-in: ${wrote.message}`);
      return { ok: false, failure: answer.failure };
    }
    const renewed = refreshedLogin(current, answer.grant);
    const wrote = await secrets.store('claude-oauth', OAUTH_ITEM_LABEL, serializeStoredLogin(renewed));
    if (!wrote.ok) {
      return {
        ok: false,
        failure: {
          status: 'error',
          message: `Headroom renewed its Claude sign-in but could not save it: ${wrote.message}`,
          fix: `${wrote.fix} Then sign in again: ${SIGN_IN_FIX}`,
        },
      };
    }
    ports.log.debug('claude oauth: renewed the access token');
    return { ok: true, login: renewed };
  } finally {
    await lock?.release();
  }
}

/** The outcome of {@link completeSignIn}: who signed in (null fields when the profile could not be read), or why not. */
export type SignInResult =
  | { ok: true; email: string | null; organization: string | null; profileProblem: string | null }
  | { ok: false; message: string };

/**
 * Finishes a sign-in with the code from the callback or the manual page: exchanges it (PKCE), stores the login in
 * the keyring item `claude-oauth` under {@link REFRESH_LOCK} (so a refresh running in another process cannot write
 * an older login over it), then reads `/api/oauth/profile` and adds the account's email to the item unless it was
 * renewed meanwhile. Used by `headroom login claude` and the GNOME preferences. Never rejects.
 */
export async function completeSignIn(
  ports: Ports,
  endpoints: OAuthEndpoints,
  code: string,
  session: PkceSession,
  redirectUri: string,
): Promise<SignInResult> {
  const secrets = ports.secrets;
  if (!secrets) return { ok: false, message: 'This Headroom has no keyring.' };
  const grant = await exchangeCode(ports, endpoints, code, session, redirectUri);
  if (!grant.ok) {
    return {
      ok: false,
      message: `The sign-in could not be completed: ${grant.failure.message} ${grant.failure.fix}`.trim(),
    };
  }
  const login = loginFromGrant(grant.grant, ports.clock.now());
  const saved = await storeUnderLock(ports, secrets, login, false);
  if (saved) return { ok: false, message: `Signed in, but the keyring refused the tokens: ${saved}` };
  const profile = await fetchProfile(ports, endpoints, login.accessToken);
  const email = profile.ok ? profile.profile.email : login.email;
  if (email && email !== login.email) await storeUnderLock(ports, secrets, { ...login, email }, true);
  return {
    ok: true,
    email,
    organization: profile.ok ? profile.profile.organization : null,
    profileProblem: profile.ok ? null : profile.failure.message,
  };
}

/**
 * Writes a login under {@link REFRESH_LOCK}; with `onlyIfSame`, only while the stored refresh token is still the
 * login's own. Returns the keyring's error sentence, or null.
 */
async function storeUnderLock(
  ports: Ports,
  secrets: SecretStore,
  login: StoredLogin,
  onlyIfSame: boolean,
): Promise<string | null> {
  const lock = await ports.locks?.acquire(REFRESH_LOCK, LOCK_WAIT_MS);
  try {
    if (onlyIfSame) {
      const found = await secrets.lookup('claude-oauth');
      const current = found.ok && found.value ? parseStoredLogin(found.value) : null;
      if (current?.refreshToken !== login.refreshToken) return null;
    }
    const wrote = await secrets.store('claude-oauth', OAUTH_ITEM_LABEL, serializeStoredLogin(login));
    return wrote.ok ? null : `${wrote.message} ${wrote.fix}`;
  } finally {
    await lock?.release();
  }
}

/**
 * Forgets the own sign-in (under {@link REFRESH_LOCK}, so no refresh writes it back). Returns the email of the login
 * that was forgotten (null when none was stored or it named none), or the keyring's error sentence.
 */
export async function forgetSignIn(
  ports: Ports,
): Promise<{ ok: true; had: boolean; email: string | null } | { ok: false; message: string }> {
  const secrets = ports.secrets;
  if (!secrets) return { ok: false, message: 'This Headroom has no keyring.' };
  const lock = await ports.locks?.acquire(REFRESH_LOCK, LOCK_WAIT_MS);
  try {
    const found = await secrets.lookup('claude-oauth');
    if (!found.ok) return { ok: false, message: `${found.message} ${found.fix}` };
    const cleared = await secrets.clear('claude-oauth');
    if (!cleared.ok) return { ok: false, message: `${cleared.message} ${cleared.fix}` };
    const login = found.value === null ? null : parseStoredLogin(found.value);
    return { ok: true, had: found.value !== null, email: login?.email ?? null };
  } finally {
    await lock?.release();
  }
}

/**
 * What the own sign-in is, for settings screens: `none`, `signed-in` (with the email, when known), `ended` (after
 * invalid_grant), or `unknown` with the keyring's sentence. Reads the keyring item only. Never rejects.
 */
export async function signInStatus(
  secrets: SecretStore,
): Promise<{ state: 'none' | 'signed-in' | 'ended'; email: string | null } | { state: 'unknown'; message: string }> {
  const found = await secrets.lookup('claude-oauth');
  if (!found.ok) return { state: 'unknown', message: `${found.message} ${found.fix}` };
  if (found.value === null) return { state: 'none', email: null };
  const login = parseStoredLogin(found.value);
  if (!login) return { state: 'unknown', message: "Headroom's own Claude sign-in in the keyring is unreadable." };
  return { state: login.signedOut ? 'ended' : 'signed-in', email: login.email };
}

/** The `signed-out` failure of an ended sign-in. */
function signedOut(login: StoredLogin): { ok: false; failure: Failure } {
  return {
    ok: false,
    failure: {
      status: 'signed-out',
      message: `Headroom's own Claude sign-in${login.email ? ` (${login.email})` : ''} has ended.`,
      fix: SIGN_IN_FIX,
    },
  };
}
