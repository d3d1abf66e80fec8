import { describe, expect, it } from 'vitest';
import type { Failure } from '../../core/model.js';
import { TransportError } from '../../core/ports.js';
import { codexApiSource, codexProvider, parseCodexUsage, readCodexAuth } from '../../core/providers/codex.js';
import { normaliseCodexFamilies, normaliseCodexWindows } from '../../core/providers/codex-shared.js';
import { session, weekly } from '../support/builders.js';
import { fakePorts, fixtureJson, fixtureText, jsonResponse, type FakePortsOptions } from '../support/fake-ports.js';
import { numbersAsStrings } from '../support/numeric-strings.js';

const AUTH_PATH = '/home/dev/.codex/auth.json';
const NOW = Date.UTC(2026, 10, 22, 5, 0, 0);
const TOKEN = 'tok-SECRET-4c1d';

/** An unsigned JWT carrying the given claims. */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(claims)}.sig`;
}

function authFile(tokens: Record<string, unknown>, apiKey: string | null = null): string {
  return JSON.stringify({ OPENAI_API_KEY: apiKey, tokens, last_refresh: '2026-11-20T12:00:00Z' });
}

function wham(name: string): unknown {
  return fixtureJson(`codex/wham-usage/codex-wham-usage-${name}.json`);
}

describe('normaliseCodexWindows', () => {
  const main = { idPrefix: '', labelPrefix: '' };

  it('classifies by length, not slot, and orders session before weekly', () => {
    const windows = normaliseCodexWindows(
      {
        primary: { usedPercent: 40, windowMinutes: 10079, resetsAt: 2 },
        secondary: { usedPercent: 10, windowMinutes: 299, resetsAt: 1 },
      },
      main,
    );
    expect(windows).toEqual([session(10, 1), weekly(40, 2)]);
  });

  it('treats a lone weekly window in primary as the weekly window', () => {
    const windows = normaliseCodexWindows(
      { primary: { usedPercent: 5, windowMinutes: 10080, resetsAt: null }, secondary: null },
      main,
    );
    expect(windows).toEqual([weekly(5, null)]);
  });

  it('names other lengths by their length and keeps the exact minutes', () => {
    const windows = normaliseCodexWindows(
      {
        primary: { usedPercent: 1, windowMinutes: 1440, resetsAt: null },
        secondary: { usedPercent: 2, windowMinutes: 480, resetsAt: null },
      },
      main,
    );
    expect(windows).toEqual([
      { id: 'window-1440m', label: 'Daily', usedPercent: 1, resetsAt: null, windowMinutes: 1440 },
      { id: 'window-480m', label: '8 h', usedPercent: 2, resetsAt: null, windowMinutes: 480 },
    ]);
    expect(
      normaliseCodexWindows(
        { primary: { usedPercent: 0, windowMinutes: 43200, resetsAt: null }, secondary: null },
        main,
      ),
    ).toEqual([{ id: 'window-43200m', label: '30 d', usedPercent: 0, resetsAt: null, windowMinutes: 43200 }]);
  });

  it('keeps the first of two windows with the same id', () => {
    const windows = normaliseCodexWindows(
      {
        primary: { usedPercent: 7, windowMinutes: 300, resetsAt: null },
        secondary: { usedPercent: 8, windowMinutes: 301, resetsAt: null },
      },
      main,
    );
    expect(windows).toEqual([session(7, null)]);
  });

  it('falls back to the slot only when the length is unknown', () => {
    const windows = normaliseCodexWindows(
      {
        primary: { usedPercent: 3, windowMinutes: null, resetsAt: null },
        secondary: { usedPercent: 4, windowMinutes: null, resetsAt: null },
      },
      main,
    );
    expect(windows).toEqual([
      { ...session(3, null), windowMinutes: null },
      { ...weekly(4, null), windowMinutes: null },
    ]);
  });

  it('prefixes the ids and labels of an extra group', () => {
    const windows = normaliseCodexWindows(
      { primary: { usedPercent: 30, windowMinutes: 300, resetsAt: null }, secondary: null },
      { idPrefix: 'spark', labelPrefix: 'Spark' },
    );
    expect(windows).toEqual([
      { id: 'spark-session', label: 'Spark · Session (5 h)', usedPercent: 30, resetsAt: null, windowMinutes: 300 },
    ]);
  });
});

describe('normaliseCodexFamilies', () => {
  const group = (usedPercent: number) => ({
    primary: { usedPercent, windowMinutes: 300, resetsAt: null },
    secondary: null,
  });
  const ids = (windows: { id: string; label: string }[]) => windows.map((w) => [w.id, w.label]);

  it('numbers the second family of the same name or slug', () => {
    const windows = normaliseCodexFamilies(group(1), [
      { key: 'codex_a', name: 'Spark', group: group(2) },
      { key: 'codex_b', name: 'spark', group: group(3) },
      { key: 'codex_c', name: 'Spark 2', group: group(4) },
    ]);
    expect(ids(windows)).toEqual([
      ['session', 'Session (5 h)'],
      ['spark-session', 'Spark · Session (5 h)'],
      ['spark-2-session', 'spark (2) · Session (5 h)'],
      ['spark-2-2-session', 'Spark 2 (2) · Session (5 h)'],
    ]);
  });

  it('names a family whose name slugs to nothing after its key, else "limit"', () => {
    const windows = normaliseCodexFamilies(null, [
      { key: 'codex_bengalfox', name: '⚡', group: group(1) },
      { key: null, name: '—', group: group(2) },
      { key: '…', name: null, group: group(3) },
    ]);
    expect(ids(windows)).toEqual([
      ['codex-bengalfox-session', '⚡ · Session (5 h)'],
      ['limit-session', '— · Session (5 h)'],
      ['limit-2-session', '… (2) · Session (5 h)'],
    ]);
  });

  it('drops a window of absurd length instead of naming it by its minutes', () => {
    const windows = normaliseCodexFamilies(
      {
        primary: { usedPercent: 1, windowMinutes: 1.66e298, resetsAt: null },
        secondary: { usedPercent: 2, windowMinutes: 10080, resetsAt: null },
      },
      [
        {
          key: 'x',
          name: 'X',
          group: { primary: { usedPercent: 3, windowMinutes: 527041, resetsAt: null }, secondary: null },
        },
      ],
    );
    expect(windows).toEqual([weekly(2, null)]);
  });
});

describe('parseCodexUsage', () => {
  it('parses the basic payload', () => {
    expect(parseCodexUsage(wham('basic'))).toEqual({
      ok: true,
      problems: [],
      plan: null,
      windows: [session(22, 1766948068000), weekly(43, 1767407914000)],
      money: [],
    });
  });

  it('parses a Free plan with a lone weekly window', () => {
    expect(parseCodexUsage(wham('free-weekly-only'))).toEqual({
      ok: true,
      problems: [],
      plan: 'Free',
      windows: [weekly(0, 1775468693000)],
      money: [],
    });
  });

  it('drops credits when has_credits is false, even with a string balance', () => {
    expect(parseCodexUsage(wham('credits-string-balance'))).toEqual({
      ok: true,
      problems: [],
      plan: 'Pro',
      windows: [session(12, 1766948068000)],
      money: [],
    });
  });

  it('parses the real payload and ignores the code review limit', () => {
    expect(parseCodexUsage(wham('real-aim'))).toEqual({
      ok: true,
      problems: [],
      plan: 'Pro',
      windows: [session(3, 1767385852000), weekly(9, 1767859444000)],
      money: [],
    });
  });

  it('adds additional rate limits as their own groups', () => {
    expect(parseCodexUsage(wham('spark-additional-rate-limits'))).toEqual({
      ok: true,
      problems: [],
      plan: 'Pro',
      windows: [
        session(22, 1766948068000),
        weekly(43, 1767407914000),
        {
          id: 'gpt-5-3-codex-spark-session',
          label: 'GPT-5.3-Codex-Spark · Session (5 h)',
          usedPercent: 30,
          resetsAt: 1766948068000,
          windowMinutes: 300,
        },
        {
          id: 'gpt-5-3-codex-spark-weekly',
          label: 'GPT-5.3-Codex-Spark · Weekly',
          usedPercent: 100,
          resetsAt: 1767407914000,
          windowMinutes: 10080,
        },
      ],
      money: [],
    });
  });

  it('skips malformed additional limits one by one, names them, and falls back to metered_feature', () => {
    const result = parseCodexUsage({
      rate_limit: null,
      additional_rate_limits: [
        { limit_name: 'Broken', rate_limit: { primary_window: { used_percent: 'x' } } },
        'nonsense',
        {
          limit_name: null,
          metered_feature: 'codex_bengalfox',
          rate_limit: { primary_window: { used_percent: 5, limit_window_seconds: 18000 } },
        },
      ],
    });
    expect(result).toEqual({
      ok: true,
      problems: [
        "ChatGPT's Broken primary_window could not be read.",
        "ChatGPT's additional_rate_limits[1] entry could not be read.",
      ],
      plan: null,
      windows: [
        {
          id: 'codex-bengalfox-session',
          label: 'codex_bengalfox · Session (5 h)',
          usedPercent: 5,
          resetsAt: null,
          windowMinutes: 300,
        },
      ],
      money: [],
    });
  });

  it('rounds window seconds up, accepts float percentages and swapped slots', () => {
    const result = parseCodexUsage({
      plan_type: 'free_workspace',
      rate_limit: {
        primary_window: { used_percent: 61.5, limit_window_seconds: 604800, reset_at: 1790400000 },
        secondary_window: { used_percent: 23, limit_window_seconds: 18001, reset_at: 1790009000 },
      },
    });
    expect(result).toEqual({
      ok: true,
      problems: [],
      plan: 'Free Workspace',
      windows: [session(23, 1790009000000), weekly(61.5, 1790400000000)],
      money: [],
    });
  });

  it('names a window of another length by its minutes, rounded up', () => {
    const result = parseCodexUsage({
      rate_limit: { primary_window: { used_percent: 4, limit_window_seconds: 86399 } },
    });
    expect(result).toMatchObject({
      ok: true,
      problems: [],
      windows: [{ id: 'window-1440m', label: 'Daily', usedPercent: 4, resetsAt: null, windowMinutes: 1440 }],
    });
  });

  it('uses reset_after_seconds from the fetch time only when reset_at is missing', () => {
    const body = {
      rate_limit: {
        primary_window: { used_percent: 1, limit_window_seconds: 18000, reset_after_seconds: 600 },
        secondary_window: {
          used_percent: 2,
          limit_window_seconds: 604800,
          reset_after_seconds: 60,
          reset_at: 1790400000,
        },
      },
    };
    expect(parseCodexUsage(body, NOW)).toMatchObject({
      ok: true,
      problems: [],
      windows: [session(1, NOW + 600_000), weekly(2, 1790400000000)],
    });
    expect(parseCodexUsage(body)).toMatchObject({ ok: true, windows: [session(1, null), weekly(2, 1790400000000)] });
  });

  it('turns credits into money in hundredths', () => {
    const credits = (value: unknown) => {
      const result = parseCodexUsage({ rate_limit: null, credits: value });
      return result.ok ? result.money : result.failure;
    };
    const money = {
      id: 'credits',
      label: 'Credits',
      usedMinor: null,
      limitMinor: null,
      currency: 'credits',
      exponent: 2,
    };
    expect(credits({ has_credits: true, unlimited: false, balance: '42.75' })).toEqual([
      { ...money, balanceMinor: 4275, unlimited: false },
    ]);
    expect(credits({ has_credits: true, unlimited: false, balance: 17.5 })).toEqual([
      { ...money, balanceMinor: 1750, unlimited: false },
    ]);
    expect(credits({ has_credits: false, unlimited: true, balance: null })).toEqual([
      { ...money, balanceMinor: null, unlimited: true },
    ]);
    expect(credits({ has_credits: false, unlimited: false, balance: '5' })).toMatchObject({ status: 'error' });
  });

  it('keeps two additional limits of the same name apart and drops a window of absurd length', () => {
    const body = wham('spark-additional-rate-limits') as {
      rate_limit: { primary_window: { limit_window_seconds: number } };
      additional_rate_limits: { limit_name: string; metered_feature: string }[];
    };
    const [spark] = body.additional_rate_limits;
    body.additional_rate_limits.push({ ...spark!, metered_feature: 'codex_other' });
    body.rate_limit.primary_window.limit_window_seconds = 1e300;
    const result = parseCodexUsage(body);
    expect(result.ok && result.problems).toEqual(["ChatGPT's primary_window could not be read."]);
    expect(result.ok && result.windows.map((w) => [w.id, w.label, w.usedPercent])).toEqual([
      ['weekly', 'Weekly', 43],
      ['gpt-5-3-codex-spark-session', 'GPT-5.3-Codex-Spark · Session (5 h)', 30],
      ['gpt-5-3-codex-spark-weekly', 'GPT-5.3-Codex-Spark · Weekly', 100],
      ['gpt-5-3-codex-spark-2-session', 'GPT-5.3-Codex-Spark (2) · Session (5 h)', 30],
      ['gpt-5-3-codex-spark-2-weekly', 'GPT-5.3-Codex-Spark (2) · Weekly', 100],
    ]);
  });

  it.each(['real-aim', 'spark-additional-rate-limits', 'free-weekly-only'])(
    'reads numbers sent as strings in %s as the numbers',
    (name) => {
      const body = wham(name);
      const strings = numbersAsStrings(body, [
        'used_percent',
        'limit_window_seconds',
        'reset_at',
        'reset_after_seconds',
        'balance',
      ]);
      expect(JSON.stringify(strings)).toContain('"used_percent":"');
      expect(parseCodexUsage(strings, NOW)).toEqual(parseCodexUsage(body, NOW));
    },
  );

  it('names the window of the real Spark payload that it cannot read, and keeps the others', () => {
    const body = wham('spark-additional-rate-limits') as {
      additional_rate_limits: { rate_limit: { secondary_window: { used_percent: unknown } } }[];
    };
    body.additional_rate_limits[0]!.rate_limit.secondary_window.used_percent = 'full';
    const result = parseCodexUsage(body);
    expect(result).toMatchObject({
      ok: true,
      problems: ["ChatGPT's GPT-5.3-Codex-Spark secondary_window could not be read."],
    });
    expect(result.ok && result.windows.map((w) => [w.id, w.usedPercent])).toEqual([
      ['session', 22],
      ['weekly', 43],
      ['gpt-5-3-codex-spark-session', 30],
    ]);
  });

  it('names unreadable credits and an unreadable main rate_limit', () => {
    const body = wham('real-aim') as Record<string, unknown>;
    expect(parseCodexUsage({ ...body, credits: 'plenty' })).toMatchObject({
      ok: true,
      problems: ["ChatGPT's credits could not be read."],
      money: [],
    });
    const extra = wham('spark-additional-rate-limits') as Record<string, unknown>;
    const result = parseCodexUsage({ ...extra, rate_limit: [1, 2] });
    expect(result).toMatchObject({ ok: true, problems: ["ChatGPT's rate_limit could not be read."] });
    expect(result.ok && result.windows.map((w) => w.id)).toEqual([
      'gpt-5-3-codex-spark-session',
      'gpt-5-3-codex-spark-weekly',
    ]);
  });

  it.each([
    ['null', null],
    ['an array', [1, 2]],
    ['a string', 'usage'],
    ['an empty object', {}],
    ['the reset-credits payload', fixtureJson('codex/wham-usage/codex-wham-rate-limit-reset-credits.json')],
    ['a string percentage', { rate_limit: { primary_window: { used_percent: 'lots' } } }],
    ['a rate_limit string', { rate_limit: 'none' }],
  ])('rejects %s', (_, body) => {
    expect(parseCodexUsage(body)).toEqual({
      ok: false,
      failure: {
        status: 'error',
        message: 'ChatGPT sent usage data in an unexpected format.',
        fix: 'If this persists, update Headroom.',
      },
    });
  });
});

describe('readCodexAuth', () => {
  it('reads the fixture auth.json', async () => {
    const ports = fakePorts({ files: { [AUTH_PATH]: fixtureText('codex/auth/codex-auth.json') } });
    expect(await readCodexAuth(ports)).toEqual({
      ok: true,
      auth: { accessToken: 'access-token', accountId: 'account-123', plan: null },
    });
  });

  it('honours CODEX_HOME', async () => {
    const ports = fakePorts({
      env: { CODEX_HOME: '/srv/codex' },
      files: { '/srv/codex/auth.json': authFile({ access_token: TOKEN, account_id: 'acc-1' }) },
    });
    expect(await readCodexAuth(ports)).toMatchObject({ ok: true, auth: { accessToken: TOKEN, accountId: 'acc-1' } });
  });

  it('takes the account id and plan from the id_token claims', async () => {
    const idToken = jwt({
      email: 'dev@example.com',
      'https://api.openai.com/auth': { chatgpt_account_id: 'acc-from-id', chatgpt_plan_type: 'plus' },
    });
    const access = jwt({ exp: NOW / 1000 + 3600, chatgpt_account_id: 'acc-from-access' });
    const ports = fakePorts({ files: { [AUTH_PATH]: authFile({ id_token: idToken, access_token: access }) } });
    expect(await readCodexAuth(ports)).toEqual({
      ok: true,
      auth: { accessToken: access, accountId: 'acc-from-id', plan: 'Plus' },
    });
  });

  it('falls back to the access token claims and the first organization, with camelCase keys', async () => {
    const access = jwt({ exp: NOW / 1000 + 60, organizations: [{ id: 'org-7' }, { id: 'org-8' }] });
    const ports = fakePorts({ files: { [AUTH_PATH]: authFile({ accessToken: access, idToken: 'not-a-jwt' }) } });
    expect(await readCodexAuth(ports)).toEqual({
      ok: true,
      auth: { accessToken: access, accountId: 'org-7', plan: null },
    });
  });

  it('leaves the account id unknown when nothing names it', async () => {
    const ports = fakePorts({ files: { [AUTH_PATH]: authFile({ access_token: TOKEN }) } });
    expect(await readCodexAuth(ports)).toEqual({ ok: true, auth: { accessToken: TOKEN, accountId: null, plan: null } });
  });

  it('reports a missing file as signed out', async () => {
    expect(await readCodexAuth(fakePorts())).toEqual({
      ok: false,
      failure: {
        status: 'signed-out',
        message: 'Codex is not signed in.',
        fix: 'Run `codex` and sign in with ChatGPT.',
      },
    });
  });

  it('reports an API-key-only login as signed out', async () => {
    const ports = fakePorts({
      files: { [AUTH_PATH]: JSON.stringify({ OPENAI_API_KEY: 'sk-SECRET-key', tokens: null }) },
    });
    const result = await readCodexAuth(ports);
    expect(result).toEqual({
      ok: false,
      failure: {
        status: 'signed-out',
        message: 'Codex is signed in with an API key, which has no plan limits.',
        fix: 'Run `codex login` and choose Sign in with ChatGPT.',
      },
    });
  });

  it('reports an expired access token as signed out', async () => {
    const access = jwt({ exp: NOW / 1000 - 1, chatgpt_account_id: 'acc' });
    const ports = fakePorts({ files: { [AUTH_PATH]: authFile({ access_token: access }) } });
    const result = await readCodexAuth(ports);
    expect(result).toEqual({
      ok: false,
      failure: {
        status: 'signed-out',
        message: "Codex's login has expired.",
        fix: 'Run `codex` once; it renews its own login.',
      },
    });
  });

  it('reports an unreadable file as an error naming the path', async () => {
    const ports = fakePorts({ files: { [AUTH_PATH]: authFile({ access_token: TOKEN }) }, unreadable: [AUTH_PATH] });
    const result = await readCodexAuth(ports);
    expect(result).toMatchObject({ ok: false, failure: { status: 'error' } });
    expect(!result.ok && result.failure.message).toContain(AUTH_PATH);
  });

  it.each([
    ['truncated JSON', `{"tokens":{"access_token":"${TOKEN}"`],
    ['tokens of the wrong type', JSON.stringify({ tokens: TOKEN })],
    ['an array', `["${TOKEN}"]`],
  ])('reports %s as an error without the contents', async (_, text) => {
    const result = await readCodexAuth(fakePorts({ files: { [AUTH_PATH]: text } }));
    expect(result).toMatchObject({ ok: false, failure: { status: 'error' } });
    expect(!result.ok && result.failure.message).toContain(AUTH_PATH);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });
});

describe('Codex API source', () => {
  const withAuth = (options: FakePortsOptions = {}, tokens: Record<string, unknown> = {}) =>
    fakePorts({
      ...options,
      files: { [AUTH_PATH]: authFile({ access_token: TOKEN, account_id: 'acc-42', ...tokens }), ...options.files },
    });

  it('is the first source of the Codex provider, then the app-server (a fallback), then the logs', () => {
    expect(codexProvider).toMatchObject({
      id: 'codex',
      name: 'Codex',
      letter: 'X',
      usageUrl: 'https://chatgpt.com/codex/settings/usage',
      connectHelp: 'Run `codex` and sign in with your ChatGPT plan.',
    });
    expect(codexProvider.sources.map((s) => [s.id, s.label, s.remote])).toEqual([
      ['api', 'ChatGPT API', true],
      ['app-server', 'app-server', true],
      ['logs', 'local logs', false],
    ]);
    expect(codexProvider.sources[0]).toBe(codexApiSource);
    expect(codexProvider.sources.map((s) => s.fallback === true)).toEqual([false, true, false]);
  });

  it('sends exactly the expected request and captures the windows', async () => {
    const ports = withAuth({ http: () => jsonResponse(wham('spark-additional-rate-limits')) });
    const result = await codexApiSource.fetch(ports);
    expect(ports.requests).toEqual([
      {
        url: 'https://chatgpt.com/backend-api/wham/usage',
        headers: {
          Authorization: `Bearer ${TOKEN}`,
          'ChatGPT-Account-Id': 'acc-42',
          Accept: 'application/json',
          'User-Agent': 'headroom',
        },
        timeoutMs: 15000,
      },
    ]);
    expect(result).toMatchObject({ ok: true, capture: { source: 'api', capturedAt: NOW, plan: 'Pro', money: [] } });
    expect(result.ok && result.capture.windows.map((w) => [w.id, w.usedPercent])).toEqual([
      ['session', 22],
      ['weekly', 43],
      ['gpt-5-3-codex-spark-session', 30],
      ['gpt-5-3-codex-spark-weekly', 100],
    ]);
  });

  it('puts the windows it could not read in the capture', async () => {
    const body = wham('basic') as { rate_limit: { secondary_window: Record<string, unknown> } };
    body.rate_limit.secondary_window = { used_percent: null };
    const result = await codexApiSource.fetch(withAuth({ http: () => jsonResponse(body) }));
    expect(result).toMatchObject({
      ok: true,
      capture: { windows: [session(22, 1766948068000)], problems: ["ChatGPT's secondary_window could not be read."] },
    });
  });

  it('omits ChatGPT-Account-Id when unknown and falls back to the login plan', async () => {
    const idToken = jwt({ 'https://api.openai.com/auth': { chatgpt_plan_type: 'plus' } });
    const ports = withAuth({ http: () => jsonResponse(wham('basic')) }, { account_id: null, id_token: idToken });
    const result = await codexApiSource.fetch(ports);
    expect(Object.keys(ports.requests[0]?.headers ?? {})).toEqual(['Authorization', 'Accept', 'User-Agent']);
    expect(result).toMatchObject({ ok: true, capture: { plan: 'Plus' } });
  });

  it('honours HEADROOM_CHATGPT_API_URL without a trailing slash', async () => {
    const ports = withAuth({
      env: { HEADROOM_CHATGPT_API_URL: 'http://127.0.0.1:8123/backend-api/' },
      http: () => jsonResponse(wham('basic')),
    });
    await codexApiSource.fetch(ports);
    expect(ports.requests[0]?.url).toBe('http://127.0.0.1:8123/backend-api/wham/usage');
  });

  it('makes no request without a login', async () => {
    const ports = fakePorts({ http: () => jsonResponse(wham('basic')) });
    expect(await codexApiSource.fetch(ports)).toMatchObject({ ok: false, failure: { status: 'signed-out' } });
    expect(ports.requests).toEqual([]);
  });

  const failures: [string, FakePortsOptions['http'], Partial<Failure>][] = [
    [
      '401',
      () => jsonResponse({ detail: 'Unauthorized' }, 401),
      {
        status: 'unauthorized',
        message: 'ChatGPT rejected the saved login (HTTP 401).',
        fix: "Run `codex` once to sign in again; Headroom never refreshes Codex's tokens.",
      },
    ],
    ['403', () => jsonResponse({}, 403), { status: 'unauthorized' }],
    [
      '429 with Retry-After',
      () => jsonResponse({}, 429, { 'retry-after': '120' }),
      { status: 'rate-limited', retryAt: NOW + 120_000 },
    ],
    [
      'an HTML page',
      () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<!DOCTYPE html><html></html>' }),
      { status: 'error', message: 'chatgpt.com sent a web page instead of usage data.' },
    ],
    [
      'truncated JSON',
      () => jsonResponse('{"rate_limit":{"primary_window":{"used_perc'),
      { status: 'error', message: 'chatgpt.com sent malformed or truncated JSON.' },
    ],
    [
      'wrong types',
      () => jsonResponse({ rate_limit: { primary_window: { used_percent: 'lots' } } }),
      { status: 'error', message: 'ChatGPT sent usage data in an unexpected format.' },
    ],
    [
      'a timeout',
      () => {
        throw new TransportError('timeout', `timed out sending Bearer ${TOKEN}`);
      },
      { status: 'offline', message: 'chatgpt.com did not answer within 15 s.' },
    ],
  ];

  it.each(failures)('maps %s to a failure without the token', async (_, http, expected) => {
    const result = await codexApiSource.fetch(withAuth({ http }));
    expect(result).toMatchObject({ ok: false, failure: expected });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });
});
