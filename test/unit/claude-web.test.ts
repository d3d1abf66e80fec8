/**
 * Claude's web source (core/providers/claude-web.ts): organisations, the default choice, money with unknown ≠ zero,
 * Set-Cookie rotation, Cloudflare, redaction, the keyring states; and its place in `auto` (after the OAuth API) and
 * in the accounts (one per further organisation). On CodexBar's captured claude.ai payloads (test/fixtures/claude/web).
 */
import { describe, expect, it } from 'vitest';
import { accountsOf } from '../../core/accounts.js';
import { providerInfo } from '../../core/catalog.js';
import type { HttpRequest, HttpResponse } from '../../core/ports.js';
import {
  claudeWebMoney,
  cleanSessionKey,
  defaultOrganization,
  fetchClaudeWeb,
  parseOrganizations,
  redactSessionSecrets,
  rotatedSessionKey,
} from '../../core/providers/claude-web.js';
import { claudeProvider } from '../../core/providers/claude.js';
import { refreshProvider } from '../../core/refresh.js';
import { selectedSources } from '../../core/scheduler.js';
import type { SecretKey, SecretResult, SecretStore } from '../../core/secrets.js';
import { fakePorts, fixtureJson, fixtureText } from '../support/fake-ports.js';

const KEY = 'sk-ant-sid01-unit-test-key';
const CLAUDE = providerInfo('claude')!;

/** An in-memory keyring, or one that fails with `problem`. */
function memoryStore(
  initial: string | null,
  problem?: 'locked' | 'unavailable',
): SecretStore & { value: string | null } {
  const failure = <T>(): SecretResult<T> => ({
    ok: false,
    problem: problem!,
    message: `keyring ${problem}.`,
    fix: 'fix it',
  });
  const store = {
    value: initial,
    // Only the session key's item: Headroom's own Claude sign-in (`claude-oauth`) is not in this keyring.
    lookup: (key: SecretKey) =>
      Promise.resolve(
        problem
          ? failure<string | null>()
          : { ok: true as const, value: key === 'claude-session-key' ? store.value : null },
      ),
    store: (_key: SecretKey, _label: string, value: string) => {
      if (problem) return Promise.resolve(failure<true>());
      store.value = value;
      return Promise.resolve({ ok: true as const, value: true as const });
    },
    clear: () => Promise.resolve({ ok: true as const, value: true as const }),
  };
  return store;
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** claude.ai with CodexBar's captures: org-api (API-only) then org-chat (chat). */
function claudeAi(overrides: Record<string, HttpResponse> = {}) {
  return (request: HttpRequest): HttpResponse => {
    const path = request.url.replace(/^https:\/\/claude\.ai/, '');
    if (overrides[path]) return overrides[path];
    if (path === '/api/organizations') return json(fixtureJson('claude/web/claude-web-organizations.json'));
    if (path.endsWith('/usage'))
      return { status: 200, headers: {}, body: fixtureText('claude/web/claude-web-usage-basic.json') };
    if (path.endsWith('/overage_spend_limit'))
      return json(fixtureJson('claude/web/claude-web-overage-spend-limit.json'));
    if (path.endsWith('/prepaid/credits')) return json(fixtureJson('claude/web/claude-web-prepaid-credits.json'));
    if (path.endsWith('/overage_credit_grant')) return json({});
    if (path === '/api/account') return json(fixtureJson('claude/web/claude-web-account-memberships.json'));
    return json({ error: 'not found' }, 404);
  };
}

describe('organisations', () => {
  it('reads the captured list and picks the chat organisation by default, not the first (API-only) one', () => {
    const orgs = parseOrganizations(fixtureJson('claude/web/claude-web-organizations.json'))!;
    expect(orgs.map((o) => [o.uuid, o.name, o.capabilities])).toEqual([
      ['org-api', 'API Org', ['api']],
      ['org-chat', 'Chat Org', ['chat']],
    ]);
    expect(defaultOrganization(orgs)?.uuid).toBe('org-chat');
  });

  it('without chat takes the first that is not API-only, else the first', () => {
    const org = (uuid: string, capabilities: string[]) => ({ uuid, name: uuid, capabilities });
    expect(defaultOrganization([org('a', ['api']), org('b', ['claude_pro'])])?.uuid).toBe('b');
    expect(defaultOrganization([org('a', ['api']), org('b', ['api'])])?.uuid).toBe('a');
    expect(defaultOrganization([])).toBeNull();
  });

  it('skips entries without a path-safe uuid and refuses a body that is not a list', () => {
    expect(parseOrganizations([{ uuid: '../x' }, { name: 'no id' }, { uuid: 'ok-1' }])?.map((o) => o.uuid)).toEqual([
      'ok-1',
    ]);
    expect(parseOrganizations({ orgs: [] })).toBeNull();
  });

  it('makes each further chosen organisation an account of its own, only in auto or web', () => {
    const settings = { directories: ['/home/me/.claude-work'], labels: {}, organizations: ['org-chat', 'API Org'] };
    const accounts = accountsOf(CLAUDE, settings, '/home/me');
    expect(accounts.map((a) => [a.key, a.organization ?? null, a.directory])).toEqual([
      ['claude', 'org-chat', null],
      ['claude@claude-work', null, '/home/me/.claude-work'],
      ['claude@org-api-org', 'API Org', null],
    ]);
    expect(accountsOf(CLAUDE, { ...settings, source: 'api' }, '/home/me').map((a) => a.key)).toEqual([
      'claude',
      'claude@claude-work',
    ]);
    const ids = (index: number) =>
      selectedSources(claudeProvider, { source: 'auto' }, accounts[index]).map((s) => s.id);
    expect(ids(0)).toEqual(['oauth', 'api', 'web', 'statusline']);
    expect(ids(1)).toEqual(['oauth', 'api', 'statusline']);
    expect(ids(2)).toEqual(['web']);
  });
});

describe('money', () => {
  it('reads overage, prepaid (lower-case currency) and a grant in minor units', () => {
    const problems: string[] = [];
    const money = claudeWebMoney(
      fixtureJson('claude/web/claude-web-overage-spend-limit.json'),
      fixtureJson('claude/web/claude-web-prepaid-credits.json'),
      { amount: 2500, currency: 'EUR' },
      problems,
    );
    expect(money.map((m) => [m.id, m.usedMinor, m.limitMinor, m.balanceMinor, m.currency])).toEqual([
      ['extra-usage', 6789, 12345, null, 'USD'],
      ['prepaid', null, null, 10000, 'USD'],
      ['credit-grant', null, null, 2500, 'EUR'],
    ]);
    expect(problems).toEqual([]);
  });

  it('shows a call that failed as unknown, never zero, and says so', () => {
    const problems: string[] = [];
    const money = claudeWebMoney(null, null, null, problems);
    expect(money.map((m) => [m.id, m.usedMinor, m.balanceMinor, m.unknown])).toEqual([
      ['extra-usage', null, null, true],
      ['prepaid', null, null, true],
      ['credit-grant', null, null, true],
    ]);
    expect(problems).toHaveLength(3);
  });

  it('leaves out disabled extra usage and an empty grant', () => {
    const money = claudeWebMoney({ is_enabled: false }, { amount: 0, currency: 'USD' }, {}, []);
    expect(money.map((m) => [m.id, m.balanceMinor])).toEqual([['prepaid', 0]]);
  });
});

describe('secrets', () => {
  it('redacts sessionKey values and sk-ant-sid tokens', () => {
    expect(redactSessionSecrets(`Cookie: sessionKey=${KEY}; x=1 and ${KEY}`)).toBe(
      'Cookie: sessionKey=[redacted]; x=1 and [redacted]',
    );
  });

  it('takes the key out of a pasted cookie line', () => {
    expect(cleanSessionKey(`  sessionKey=${KEY}; Path=/; HttpOnly\n`)).toBe(KEY);
    expect(cleanSessionKey(`${KEY}\n`)).toBe(KEY);
  });

  it('finds a rotated key among several Set-Cookie values', () => {
    const response = (cookie: string): HttpResponse => ({ status: 200, headers: { 'set-cookie': cookie }, body: '' });
    expect(rotatedSessionKey(response('a=1; Path=/, sessionKey=sk-ant-sid01-new; Path=/; HttpOnly'))).toBe(
      'sk-ant-sid01-new',
    );
    expect(rotatedSessionKey(response('lastActiveOrg=x; Path=/'))).toBeNull();
    expect(rotatedSessionKey(undefined)).toBeNull();
  });
});

describe('fetchClaudeWeb', () => {
  it('reads the default organisation with the key as a cookie, money and plan, and stores a rotated key', async () => {
    const secrets = memoryStore(KEY);
    const ports = {
      ...fakePorts({
        http: claudeAi({
          '/api/organizations/org-chat/usage': {
            status: 200,
            headers: { 'set-cookie': 'sessionKey=sk-ant-sid01-rotated; Path=/' },
            body: fixtureText('claude/web/claude-web-usage-basic.json'),
          },
        }),
      }),
      secrets,
    };
    const result = await fetchClaudeWeb(ports);
    expect(result.ok && result.capture).toMatchObject({
      source: 'web',
      accountLabel: 'Chat Org',
      windows: [{ id: 'session', usedPercent: 9 }, { id: 'weekly', usedPercent: 4 }, { id: 'weekly-opus' }],
    });
    expect(ports.requests.every((r) => r.headers.Cookie === `sessionKey=${KEY}` && r.timeoutMs === 15000)).toBe(true);
    expect(ports.requests.map((r) => r.url)).toContain('https://claude.ai/api/organizations/org-chat/prepaid/credits');
    expect(secrets.value).toBe('sk-ant-sid01-rotated');
  });

  it('tells a Cloudflare page apart from an expired session, and keeps the key', async () => {
    const page = '<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>';
    const challenges: HttpResponse[] = [
      { status: 403, headers: { 'cf-mitigated': 'challenge' }, body: '' },
      { status: 200, headers: { 'content-type': 'text/html' }, body: page },
    ];
    for (const response of challenges) {
      const secrets = memoryStore(KEY);
      const result = await fetchClaudeWeb({
        ...fakePorts({ http: claudeAi({ '/api/organizations': response }) }),
        secrets,
      });
      expect(!result.ok && result.failure.message).toContain('asking for a browser check');
      expect(secrets.value).toBe(KEY);
    }
    const expired = await fetchClaudeWeb({
      ...fakePorts({
        http: claudeAi({ '/api/organizations': json({ error: { type: 'account_session_invalid' } }, 401) }),
      }),
      secrets: memoryStore(KEY),
    });
    expect(!expired.ok && expired.failure).toMatchObject({
      status: 'unauthorized',
      fix: expect.stringContaining('login claude-web'),
    });
  });

  it('is quiet when no key is stored or no Secret Service runs, and names a locked keyring', async () => {
    const none = await fetchClaudeWeb({ ...fakePorts(), secrets: memoryStore(null) });
    expect(!none.ok && none.failure).toMatchObject({ status: 'signed-out', unused: true });
    const unavailable = await fetchClaudeWeb({ ...fakePorts(), secrets: memoryStore(null, 'unavailable') });
    expect(!unavailable.ok && unavailable.failure).toMatchObject({ status: 'error', unused: true });
    const locked = await fetchClaudeWeb({ ...fakePorts(), secrets: memoryStore(null, 'locked') });
    expect(!locked.ok && locked.failure).toMatchObject({ status: 'error', fix: 'fix it' });
    expect(!locked.ok && locked.failure.unused).toBeUndefined();
  });
});

describe('web in auto', () => {
  it('is asked only when the OAuth API has no current data', async () => {
    const ports = { ...fakePorts({ http: claudeAi() }), secrets: memoryStore(KEY) };
    const settings = { enabled: true, source: 'auto', directories: [], labels: {} };
    // No Claude Code login: the web source answers, and the missing login stays quiet.
    const { snapshot } = await refreshProvider(claudeProvider, ports, settings, 60_000, undefined, { force: false });
    expect(snapshot).toMatchObject({ source: 'web', status: 'ok', message: '', account: { label: 'Chat Org' } });

    const withLogin = {
      ...fakePorts({
        files: {
          '/home/user/.claude/.credentials.json': JSON.stringify({ claudeAiOauth: { accessToken: 'sk-ant-oat01-x' } }),
        },
        home: '/home/user',
        http: (request) =>
          request.url.includes('/api/oauth/usage')
            ? { status: 200, headers: {}, body: fixtureText('claude/web/claude-web-usage-basic.json') }
            : claudeAi()(request),
      }),
      secrets: memoryStore(KEY),
    };
    const oauth = await refreshProvider(claudeProvider, withLogin, settings, 60_000, undefined, { force: false });
    expect(oauth.snapshot).toMatchObject({ source: 'api', status: 'ok' });
    expect(withLogin.requests.map((r) => r.url)).toEqual(['https://api.anthropic.com/api/oauth/usage']);

    // The OAuth API rate-limited and claude.ai behind Cloudflare: the OAuth values stay, and both are named.
    const bothFail = {
      ...fakePorts({
        files: {
          '/home/user/.claude/.credentials.json': JSON.stringify({ claudeAiOauth: { accessToken: 'sk-ant-oat01-x' } }),
        },
        home: '/home/user',
        now: Date.UTC(2026, 10, 22, 5, 2, 0),
        http: (request): HttpResponse =>
          request.url.includes('/api/oauth/usage')
            ? { status: 429, headers: { 'retry-after': '600' }, body: '{}' }
            : { status: 403, headers: { 'cf-mitigated': 'challenge' }, body: '' },
      }),
      secrets: memoryStore(KEY),
    };
    const next = await refreshProvider(claudeProvider, bothFail, settings, 60_000, oauth.memory, { force: true });
    expect(next.snapshot).toMatchObject({ source: 'api', status: 'rate-limited', stale: true });
    expect(next.snapshot.message).toBe(
      'Anthropic is rate-limiting usage requests. claude.ai is asking for a browser check (Cloudflare), so Headroom cannot read it now.',
    );
    expect(bothFail.requests.map((r) => r.url)).toEqual([
      'https://api.anthropic.com/api/oauth/usage',
      'https://claude.ai/api/organizations',
    ]);
  });
});
