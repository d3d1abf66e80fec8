/**
 * Headroom's own Claude sign-in (core/oauth.ts) and the `oauth` source: PKCE, the authorize URL, callbacks, token
 * answers, and the refresh rules (proactive, rotation stored before use, single-flight, invalid_grant, back-off).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CLAUDE_CLIENT_ID,
  type PkceCrypto,
  REFRESH_MARGIN_MS,
  type StoredLogin,
  authorizeUrl,
  base64url,
  checkCallback,
  checkPastedCode,
  codeChallenge,
  createPkceSession,
  oauthEndpoints,
  parseStoredLogin,
  readTokenAnswer,
  serializeStoredLogin,
} from '../../core/oauth.js';
import type { HttpPostRequest, HttpResponse, Locks } from '../../core/ports.js';
import { TransportError } from '../../core/ports.js';
import type { SecretKey, SecretStore } from '../../core/secrets.js';
import { claudeProvider } from '../../core/providers/claude.js';
import { type FakePorts, fakePorts, fixtureText, jsonResponse } from '../support/fake-ports.js';

const NOW = Date.UTC(2026, 10, 22, 5, 0, 0);
const nodeCrypto: PkceCrypto = {
  randomBytes: (n) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255),
  sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
};

describe('PKCE and the authorize URL', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', nodeCrypto)).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('encodes base64url without padding', () => {
    expect(base64url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
    expect(base64url(new Uint8Array([1, 2, 3, 4]))).toBe('AQIDBA');
    expect(base64url(new Uint8Array([]))).toBe('');
  });

  it('builds the query Claude Code sends, against the overridable authorize URL', async () => {
    const session = await createPkceSession(nodeCrypto);
    expect(session.verifier).toHaveLength(43);
    expect(session.challenge).toBe(await codeChallenge(session.verifier, nodeCrypto));
    const endpoints = oauthEndpoints(
      fakePorts({ env: { HEADROOM_CLAUDE_AUTHORIZE_URL: 'http://127.0.0.1:9/authorize' } }).env,
    );
    const url = new URL(authorizeUrl(endpoints, session, 'http://localhost:4242/callback'));
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:9/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      code: 'true',
      client_id: CLAUDE_CLIENT_ID,
      response_type: 'code',
      redirect_uri: 'http://localhost:4242/callback',
      scope: 'user:profile user:inference',
      code_challenge: session.challenge,
      code_challenge_method: 'S256',
      state: session.state,
    });
    expect(oauthEndpoints(fakePorts().env).authorizeUrl).toBe('https://claude.com/cai/oauth/authorize');
    expect(oauthEndpoints(fakePorts().env).tokenUrl).toBe('https://platform.claude.com/v1/oauth/token');
  });

  it('accepts only a callback carrying this sign-in’s state', () => {
    expect(checkCallback({ code: 'c1', state: 's1' }, 's1')).toEqual({ ok: true, code: 'c1' });
    expect(checkCallback({ code: 'c1', state: 'other' }, 's1').ok).toBe(false);
    expect(checkCallback({ code: 'c1' }, 's1').ok).toBe(false);
    expect(checkCallback({ state: 's1' }, 's1').ok).toBe(false);
    expect(checkCallback({ error: 'access_denied', state: 's1' }, 's1')).toEqual({
      ok: false,
      message: 'Claude refused the sign-in (access_denied).',
    });
    expect(checkPastedCode('  c2#s1\n', 's1')).toEqual({ ok: true, code: 'c2' });
    expect(checkPastedCode('c2#s2', 's1').ok).toBe(false);
    expect(checkPastedCode('c2', 's1').ok).toBe(false);
  });
});

describe('token answers', () => {
  const ok = (body: unknown) => ({ ok: true as const, body, response: jsonResponse(body) });
  it('reads a rotated refresh token and the expiry in seconds', () => {
    const answer = readTokenAnswer(ok({ access_token: 'a2', refresh_token: 'r2', expires_in: 28800, x: 1 }), NOW);
    expect(answer).toEqual({
      ok: true,
      grant: { accessToken: 'a2', refreshToken: 'r2', expiresAt: NOW + 28_800_000, scopes: null, email: null },
    });
  });
  it('keeps no refresh token when the answer has none', () => {
    const answer = readTokenAnswer(ok({ access_token: 'a2', expires_in: 60, scope: 'user:profile' }), NOW);
    expect(answer.ok && answer.grant).toMatchObject({ refreshToken: null, scopes: ['user:profile'] });
  });
  it('turns invalid_grant into signed out, other refusals and bad answers into errors', () => {
    const refused = (status: number, body: string) => ({
      ok: false as const,
      failure: { status: 'error' as const, message: 'x', fix: '' },
      response: { status, headers: {}, body },
    });
    const ended = readTokenAnswer(refused(400, '{"error":"invalid_grant","error_description":"gone"}'), NOW);
    expect(ended).toMatchObject({ ok: false, invalidGrant: true, failure: { status: 'signed-out' } });
    expect(readTokenAnswer(refused(400, '{"error":{"type":"invalid_grant"}}'), NOW)).toMatchObject({
      invalidGrant: true,
    });
    expect(readTokenAnswer(refused(400, '{"error":"invalid_request"}'), NOW)).toMatchObject({
      invalidGrant: false,
      failure: { status: 'error' },
    });
    expect(readTokenAnswer(refused(500, 'oops'), NOW)).toMatchObject({ invalidGrant: false });
    expect(readTokenAnswer(ok({ access_token: 'a', expires_in: 'soon' }), NOW)).toMatchObject({
      ok: false,
      invalidGrant: false,
    });
  });
  it('round-trips the keyring item and refuses a malformed one', () => {
    const login: StoredLogin = {
      accessToken: 'a',
      refreshToken: 'r',
      expiresAt: NOW,
      scopes: ['user:profile'],
      email: 'me@example.com',
      signedInAt: NOW - 1,
    };
    expect(parseStoredLogin(serializeStoredLogin(login))).toEqual(login);
    expect(parseStoredLogin('{"accessToken":1}')).toBeNull();
    expect(parseStoredLogin('not json')).toBeNull();
  });
});

/** A keyring in memory that records every write, in order with the HTTP requests (`events`). */
function memoryKeyring(events: string[], initial: StoredLogin | null) {
  let value: string | null = initial && serializeStoredLogin(initial);
  const store: SecretStore & { current(): StoredLogin | null; fail?: boolean } = {
    async lookup(key: SecretKey) {
      return { ok: true, value: key === 'claude-oauth' ? value : null };
    },
    async store(key: SecretKey, _label: string, text: string) {
      if (store.fail) return { ok: false, problem: 'error', message: 'The keyring did not answer.', fix: 'Retry.' };
      events.push(`store ${parseStoredLogin(text)?.refreshToken ?? 'none'}`);
      value = text;
      return { ok: true, value: true };
    },
    async clear() {
      value = null;
      return { ok: true, value: true };
    },
    current: () => (value === null ? null : parseStoredLogin(value)),
  };
  return store;
}

/** An in-process lock with the semantics of the lock files (waiters queue). */
function memoryLocks(): Locks {
  let tail = Promise.resolve();
  return {
    async acquire() {
      let release!: () => void;
      const previous = tail;
      tail = new Promise<void>((resolve) => (release = resolve));
      await previous;
      return { release: async () => release() };
    },
  };
}

const USAGE = fixtureText('claude/oauth-usage/claude-oauth-usage-basic.json');

/**
 * Fake ports whose token endpoint rotates refresh tokens (r1 → r2 → …) and answers invalid_grant to a reused one;
 * the usage endpoint accepts only the newest access token.
 */
function oauthWorld(initial: StoredLogin | null, options: { now?: number; tokenStatus?: number } = {}) {
  const events: string[] = [];
  const secrets = memoryKeyring(events, initial);
  let generation = 1;
  const redeemed = new Set<string>();
  const base = fakePorts({
    now: options.now ?? NOW,
    env: { HEADROOM_CLAUDE_TOKEN_URL: 'http://token.test/token' },
    http: (request) => {
      const auth = request.headers.Authorization;
      events.push(`get ${new URL(request.url).pathname} ${auth}`);
      return auth === `Bearer a${generation}` ? jsonResponse(USAGE) : jsonResponse({ error: 'no' }, 401);
    },
  });
  const posts: HttpPostRequest[] = [];
  const ports: FakePorts = {
    ...base,
    secrets,
    locks: memoryLocks(),
    http: {
      get: base.http.get,
      async post(request): Promise<HttpResponse> {
        posts.push(request);
        const body = JSON.parse(request.body) as Record<string, string>;
        events.push(`post ${body.refresh_token}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (options.tokenStatus) return jsonResponse({ error: 'server_error' }, options.tokenStatus);
        if (redeemed.has(body.refresh_token!) || body.refresh_token !== `r${generation}`) {
          return jsonResponse({ error: 'invalid_grant' }, 400);
        }
        redeemed.add(body.refresh_token!);
        generation += 1;
        return jsonResponse({ access_token: `a${generation}`, refresh_token: `r${generation}`, expires_in: 28800 });
      },
    },
  };
  return { ports, events, secrets, posts };
}

const login = (expiresAt: number): StoredLogin => ({
  accessToken: 'a1',
  refreshToken: 'r1',
  expiresAt,
  scopes: ['user:profile', 'user:inference'],
  email: 'me@example.com',
  signedInAt: NOW - 86_400_000,
});

const oauthSource = claudeProvider.sources.find((s) => s.id === 'oauth')!;

describe('the oauth source', () => {
  it('is quiet (unused) without a sign-in or without a keyring', async () => {
    const { ports } = oauthWorld(null);
    const result = await oauthSource.fetch(ports);
    expect(result).toMatchObject({ ok: false, failure: { status: 'signed-out', unused: true } });
    expect(await oauthSource.fetch(fakePorts())).toMatchObject({ ok: false, failure: { unused: true } });
    expect(await oauthSource.credentialsFingerprint!(ports)).toBe('none');
  });

  it('uses a token far from expiry without refreshing, and names the account', async () => {
    const { ports, events, posts } = oauthWorld(login(NOW + 60 * 60_000));
    const result = await oauthSource.fetch(ports);
    expect(posts).toEqual([]);
    expect(events).toEqual(['get /api/oauth/usage Bearer a1']);
    expect(result).toMatchObject({ ok: true, capture: { source: 'oauth', note: 'Signed in as me@example.com' } });
    expect(result.ok && result.capture.windows.map((w) => w.id)).toContain('session');
  });

  it('renews a few minutes before expiry and stores the rotated refresh token before using the new access token', async () => {
    const { ports, events, posts, secrets } = oauthWorld(login(NOW + REFRESH_MARGIN_MS - 1000));
    const result = await oauthSource.fetch(ports);
    expect(result.ok).toBe(true);
    expect(events).toEqual(['post r1', 'store r2', 'get /api/oauth/usage Bearer a2']);
    expect(JSON.parse(posts[0]!.body)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'r1',
      client_id: CLAUDE_CLIENT_ID,
      scope: 'user:profile user:inference',
    });
    expect(posts[0]!.contentType).toBe('application/json');
    expect(secrets.current()).toMatchObject({ accessToken: 'a2', refreshToken: 'r2', expiresAt: NOW + 28_800_000 });
    expect(secrets.current()?.email).toBe('me@example.com');
  });

  it('redeems the refresh token once when two fetches find it expiring at the same time', async () => {
    const { ports, events } = oauthWorld(login(NOW - 1000));
    const [first, second] = await Promise.all([oauthSource.fetch(ports), oauthSource.fetch(ports)]);
    expect(first.ok && second.ok).toBe(true);
    expect(events.filter((e) => e.startsWith('post'))).toEqual(['post r1']);
    expect(events.filter((e) => e.startsWith('get'))).toEqual([
      'get /api/oauth/usage Bearer a2',
      'get /api/oauth/usage Bearer a2',
    ]);
  });

  it('does not use a renewed token it could not store', async () => {
    const { ports, events, secrets } = oauthWorld(login(NOW - 1000));
    secrets.fail = true;
    const result = await oauthSource.fetch(ports);
    expect(result).toMatchObject({ ok: false, failure: { status: 'error' } });
    expect(events).toEqual(['post r1']);
  });

  it('marks the sign-in ended on invalid_grant, drops the tokens and asks the endpoint no more', async () => {
    const stale = { ...login(NOW - 1000), refreshToken: 'r0' };
    const { ports, events, secrets } = oauthWorld(stale);
    const first = await oauthSource.fetch(ports);
    expect(first).toMatchObject({ ok: false, failure: { status: 'signed-out' } });
    expect(first.ok || first.failure.unused).toBeFalsy();
    expect(secrets.current()).toMatchObject({ signedOut: true, accessToken: '', refreshToken: null });
    const second = await oauthSource.fetch(ports);
    expect(second.ok || second.failure.message).toBe("Headroom's own Claude sign-in (me@example.com) has ended.");
    expect(events.filter((e) => e.startsWith('post'))).toEqual(['post r0']);
    expect(await oauthSource.credentialsFingerprint!(ports)).toBe(`out:${stale.signedInAt}`);
  });

  it('keeps using a still-valid token when the token endpoint fails, and fails (to back off) once it expired', async () => {
    const soon = oauthWorld(login(NOW + 60_000), { tokenStatus: 503 });
    expect(await oauthSource.fetch(soon.ports)).toMatchObject({ ok: true });
    const late = oauthWorld(login(NOW - 1), { tokenStatus: 503 });
    expect(await oauthSource.fetch(late.ports)).toMatchObject({ ok: false, failure: { status: 'error' } });
    expect(late.secrets.current()).toMatchObject({ refreshToken: 'r1' });
  });

  it('reports an unreachable token endpoint as offline', async () => {
    const world = oauthWorld(login(NOW - 1));
    world.ports.http.post = () => Promise.reject(new TransportError('offline', 'ECONNREFUSED'));
    expect(await oauthSource.fetch(world.ports)).toMatchObject({ ok: false, failure: { status: 'offline' } });
  });

  it('belongs to the default account only', async () => {
    const { ports } = oauthWorld(login(NOW + 60 * 60_000));
    const result = await oauthSource.fetch(ports, {
      provider: 'claude',
      id: 'work',
      key: 'claude@work',
      label: '~/.claude-work',
      directory: '/home/dev/.claude-work',
    });
    expect(result).toMatchObject({ ok: false, failure: { unused: true } });
  });

  it('never puts a token in a failure', async () => {
    const { ports } = oauthWorld({ ...login(NOW - 1000), refreshToken: 'r0' });
    const result = await oauthSource.fetch(ports);
    expect(JSON.stringify(result)).not.toMatch(/"a1"|r0|a1\b/);
  });
});
