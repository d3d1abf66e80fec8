import { beforeEach, describe, expect, it } from 'vitest';
import type { HttpPostRequest, HttpRequest } from '../../core/ports.js';
import {
  extractGeminiOAuthClient,
  geminiApiSource,
  geminiFamilyOf,
  parseGeminiQuota,
  parseGoogleDuration,
  parseLoadCodeAssist,
  readGoogleError,
  resetGeminiMemory,
} from '../../core/providers/gemini.js';
import { fakePorts, fixtureJson, fixtureText, jsonResponse, type FakePortsOptions } from '../support/fake-ports.js';
import { numbersAsStrings } from '../support/numeric-strings.js';

const NOW = Date.UTC(2026, 10, 22, 5, 0, 0);
const DIR = '/home/dev/.gemini';
const ACCESS = 'ya29.HEADROOMTEST-gemini-access-1b2c';
const REFRESH = '1//HEADROOMTEST-gemini-refresh-9f8e';
const RENEWED = 'ya29.HEADROOMTEST-gemini-renewed-4d5e';
const CLIENT_ID = '123456789012-headroomtestclient.apps.googleusercontent.com';
const CLIENT_SECRET = 'GOCSPX-HEADROOMTEST-client-secret';
const SECRETS = [ACCESS, REFRESH, RENEWED, CLIENT_SECRET];

const codexbarQuota = () => fixtureJson('gemini/gemini-retrieveUserQuota-codexbar.json');
const loadCodeAssist = () => fixtureJson('gemini/gemini-loadCodeAssist-codexbar.json');

function credentials(expiresAt: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    access_token: ACCESS,
    refresh_token: REFRESH,
    scope: 'https://www.googleapis.com/auth/cloud-platform',
    token_type: 'Bearer',
    id_token: 'eyJ.HEADROOMTEST.sig',
    expiry_date: expiresAt,
    ...extra,
  });
}

function settings(selectedType: string): string {
  return JSON.stringify({ security: { auth: { selectedType } } });
}

const isPost = (request: HttpRequest): request is HttpPostRequest => 'body' in request;

/** Answers the token endpoint, loadCodeAssist and retrieveUserQuota as Google does by default. */
function google(overrides: Record<string, ReturnType<typeof jsonResponse>> = {}) {
  return (request: HttpRequest) => {
    const path = new URL(request.url).pathname;
    if (overrides[path]) return overrides[path];
    if (path === '/token') return jsonResponse({ access_token: RENEWED, expires_in: 3599, token_type: 'Bearer' });
    if (path === '/v1internal:loadCodeAssist') return jsonResponse(loadCodeAssist());
    if (path === '/v1internal:retrieveUserQuota') return jsonResponse(codexbarQuota());
    return jsonResponse({ error: 'not mocked' }, 404);
  };
}

function ports(options: FakePortsOptions = {}) {
  return fakePorts({
    now: NOW,
    http: google(),
    ...options,
    env: {
      HEADROOM_GEMINI_API_URL: 'http://mock',
      HEADROOM_GOOGLE_TOKEN_URL: 'http://mock/token',
      ...options.env,
    },
  });
}

beforeEach(() => resetGeminiMemory());

describe('parseGeminiQuota', () => {
  it('maps the Pro, Flash and Flash-Lite buckets to daily windows, used = 100 − 100 × remaining', () => {
    const result = parseGeminiQuota(codexbarQuota());
    const resetsAt = Date.UTC(2025, 0, 1);
    expect(result).toEqual({
      ok: true,
      problems: [],
      windows: [
        { id: 'pro', label: 'Pro (24 h)', usedPercent: 40, resetsAt, windowMinutes: 1440 },
        { id: 'flash', label: 'Flash (24 h)', usedPercent: 10, resetsAt, windowMinutes: 1440 },
        { id: 'flash-lite', label: 'Flash-Lite (24 h)', usedPercent: 20, resetsAt, windowMinutes: 1440 },
      ],
    });
  });

  it('reads the real answer with tokenType REQUESTS', () => {
    expect(parseGeminiQuota(fixtureJson('gemini/gemini-retrieveUserQuota-aim.json'))).toEqual({
      ok: true,
      problems: [],
      windows: [
        {
          id: 'pro',
          label: 'Pro (24 h)',
          usedPercent: 25,
          resetsAt: Date.parse('2025-10-22T16:01:15Z'),
          windowMinutes: 1440,
        },
      ],
    });
  });

  it('keeps the lowest remaining fraction of each family, with that bucket’s reset time', () => {
    const body = codexbarQuota() as { buckets: Record<string, unknown>[] };
    body.buckets.push(
      { modelId: 'gemini-3-pro-preview', remainingFraction: 0.25, resetTime: '2025-01-01T06:00:00Z' },
      { modelId: 'gemini-2.0-flash', remainingFraction: 0.95, resetTime: '2025-01-01T07:00:00Z' },
      { modelId: 'text-embedding-004', remainingFraction: 0, resetTime: '2025-01-01T08:00:00Z' },
    );
    const result = parseGeminiQuota(numbersAsStrings(body, ['remainingFraction']));
    expect(result.ok && result.windows.map((w) => [w.id, w.usedPercent, w.resetsAt])).toEqual([
      ['pro', 75, Date.UTC(2025, 0, 1, 6)],
      ['flash', 10, Date.UTC(2025, 0, 1)],
      ['flash-lite', 20, Date.UTC(2025, 0, 1)],
    ]);
  });

  it('leaves out an unreadable bucket and says so, keeping the others', () => {
    const body = codexbarQuota() as { buckets: unknown[] };
    body.buckets[1] = { modelId: 'gemini-2.5-flash', remainingFraction: 7 };
    body.buckets.push('nonsense');
    const result = parseGeminiQuota(body);
    expect(result.ok && result.windows.map((w) => w.id)).toEqual(['pro', 'flash-lite']);
    expect(result.ok && result.problems).toEqual([
      "Google's quota bucket 1 could not be read.",
      "Google's quota bucket 3 could not be read.",
    ]);
  });

  it('is an error when no family has a bucket, or the body is not an object', () => {
    expect(parseGeminiQuota({ buckets: [] })).toMatchObject({ ok: false, failure: { status: 'error' } });
    expect(parseGeminiQuota('<html>')).toMatchObject({ ok: false, failure: { status: 'error' } });
  });
});

describe('Gemini model families', () => {
  it('files models under Pro, Flash and Flash-Lite', () => {
    expect(geminiFamilyOf('gemini-2.5-pro')?.id).toBe('pro');
    expect(geminiFamilyOf('gemini-2.5-flash')?.id).toBe('flash');
    expect(geminiFamilyOf('gemini-2.5-flash-lite')?.id).toBe('flash-lite');
    expect(geminiFamilyOf('gemini-3-pro-preview')?.id).toBe('pro');
    expect(geminiFamilyOf('text-embedding-004')).toBeNull();
  });
});

describe('parseLoadCodeAssist', () => {
  it('reads project and plan from the real shape', () => {
    expect(parseLoadCodeAssist(loadCodeAssist())).toEqual({
      project: 'cloudaicompanion-123',
      plan: 'Gemini Code Assist in Google One AI Pro',
      ineligible: false,
    });
    expect(parseLoadCodeAssist({ currentTier: { id: 'free-tier' } })).toEqual({
      project: null,
      plan: 'Free',
      ineligible: false,
    });
  });

  it('recognises an account whose tier Gemini CLI no longer serves', () => {
    const info = parseLoadCodeAssist({
      ineligibleTiers: [
        { reasonCode: 'UNSUPPORTED_CLIENT', reasonMessage: 'no longer supported', tierId: 'free-tier' },
      ],
    });
    expect(info?.ineligible).toBe(true);
  });
});

describe('Google errors', () => {
  it('parses protobuf and Go durations', () => {
    expect(parseGoogleDuration('976.066617ms')).toBeCloseTo(976.066617);
    expect(parseGoogleDuration('0.976066617s')).toBeCloseTo(976.066617);
    expect(parseGoogleDuration('1h2m3s')).toBe(3_723_000);
    expect(parseGoogleDuration('soon')).toBeNull();
  });

  it('takes the reset from quotaResetTimeStamp while it lies ahead, else from quotaResetDelay', () => {
    const body = fixtureText('gemini/gemini-429-resource-exhausted-aim.json');
    const stamp = Date.parse('2026-01-02T16:30:12Z');
    expect(readGoogleError(body, stamp - 60_000).resetAt).toBe(stamp);
    expect(readGoogleError(body, stamp + 60_000).resetAt).toBeCloseTo(stamp + 60_000 + 976, 0);
  });
});

describe('extractGeminiOAuthClient', () => {
  it('reads the constants as gemini-cli’s oauth2.js declares them', () => {
    const js = `const OAUTH_CLIENT_ID = '${CLIENT_ID}';\n// comment\nconst OAUTH_CLIENT_SECRET = '${CLIENT_SECRET}';\n`;
    expect(extractGeminiOAuthClient(js)).toEqual({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  });

  it('falls back to the values’ own shapes in a bundle that renamed the constants', () => {
    const js = `var a="${CLIENT_ID}",b = "${CLIENT_SECRET}";`;
    expect(extractGeminiOAuthClient(js)).toEqual({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    expect(extractGeminiOAuthClient('const OAUTH_CLIENT_ID = "x";')).toBeNull();
  });
});

describe('the Gemini source', () => {
  const valid = {
    [`${DIR}/settings.json`]: settings('oauth-personal'),
    [`${DIR}/oauth_creds.json`]: credentials(NOW + 3_600_000),
  };

  it('asks loadCodeAssist, then retrieveUserQuota for its project, with the file’s token', async () => {
    const p = ports({ files: valid });
    const result = await geminiApiSource.fetch(p);
    expect(result).toMatchObject({
      ok: true,
      capture: { source: 'api', capturedAt: NOW, plan: 'Gemini Code Assist in Google One AI Pro' },
    });
    expect(result.ok && result.capture.windows.map((w) => [w.id, w.usedPercent])).toEqual([
      ['pro', 40],
      ['flash', 10],
      ['flash-lite', 20],
    ]);
    expect(p.requests.map((r) => new URL(r.url).pathname)).toEqual([
      '/v1internal:loadCodeAssist',
      '/v1internal:retrieveUserQuota',
    ]);
    expect(p.requests.every((r) => r.headers.Authorization === `Bearer ${ACCESS}`)).toBe(true);
    const [load, quota] = p.requests.filter(isPost);
    expect(JSON.parse(load!.body)).toEqual({ metadata: { ideType: 'GEMINI_CLI', pluginType: 'GEMINI' } });
    expect(JSON.parse(quota!.body)).toEqual({ project: 'cloudaicompanion-123' });
  });

  it('renews an expired token in memory with Gemini CLI’s OAuth client, once per process', async () => {
    const files = {
      ...valid,
      [`${DIR}/oauth_creds.json`]: credentials(NOW - 1000),
      '/home/dev/.npm-global/lib/node_modules/@google/gemini-cli/node_modules/@google/gemini-cli-core/dist/src/code_assist/oauth2.js': `export const OAUTH_CLIENT_ID = '${CLIENT_ID}';\nconst OAUTH_CLIENT_SECRET = '${CLIENT_SECRET}';`,
    };
    const p = ports({ files });
    const result = await geminiApiSource.fetch(p);
    expect(result.ok).toBe(true);
    const token = p.requests[0] as HttpPostRequest;
    expect(new URL(token.url).pathname).toBe('/token');
    expect(token.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(token.body))).toEqual({
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      refresh_token: REFRESH,
      grant_type: 'refresh_token',
    });
    expect(p.requests.slice(1).every((r) => r.headers.Authorization === `Bearer ${RENEWED}`)).toBe(true);
    // A second refresh in the same process reuses the renewed token.
    const again = ports({ files });
    await geminiApiSource.fetch(again);
    expect(again.requests.map((r) => new URL(r.url).pathname)).not.toContain('/token');
  });

  it('prefers GEMINI_OAUTH_CLIENT_ID and GEMINI_OAUTH_CLIENT_SECRET', async () => {
    const p = ports({
      files: { ...valid, [`${DIR}/oauth_creds.json`]: credentials(NOW - 1000) },
      env: { GEMINI_OAUTH_CLIENT_ID: 'env-id', GEMINI_OAUTH_CLIENT_SECRET: 'env-secret' },
    });
    expect((await geminiApiSource.fetch(p)).ok).toBe(true);
    expect(new URLSearchParams((p.requests[0] as HttpPostRequest).body).get('client_id')).toBe('env-id');
  });

  it('says how to fix an expired token when no Gemini CLI is installed', async () => {
    const p = ports({ files: { ...valid, [`${DIR}/oauth_creds.json`]: credentials(NOW - 1000) }, env: { PATH: '' } });
    const result = await geminiApiSource.fetch(p);
    expect(result).toMatchObject({ ok: false, failure: { status: 'signed-out' } });
    expect(!result.ok && result.failure.fix).toContain('GEMINI_OAUTH_CLIENT_ID');
    expect(p.requests).toEqual([]);
  });

  it('is signed out when Google refuses the refresh token', async () => {
    const p = ports({
      files: { ...valid, [`${DIR}/oauth_creds.json`]: credentials(NOW - 1000) },
      env: { GEMINI_OAUTH_CLIENT_ID: CLIENT_ID, GEMINI_OAUTH_CLIENT_SECRET: CLIENT_SECRET },
      http: google({ '/token': jsonResponse({ error: 'invalid_grant', error_description: 'Bad Request' }, 400) }),
    });
    const result = await geminiApiSource.fetch(p);
    expect(result).toMatchObject({
      ok: false,
      failure: { status: 'signed-out', fix: 'Run `gemini` and sign in again.' },
    });
  });

  it.each([
    ['gemini-api-key', 'Gemini API key'],
    ['vertex-ai', 'Vertex AI'],
    ['cloud-shell', 'only Login with Google'],
  ])('shows the unsupported %s login as a state with a fix, asking nothing', async (type, words) => {
    const p = ports({ files: { [`${DIR}/settings.json`]: settings(type) } });
    const result = await geminiApiSource.fetch(p);
    expect(result).toMatchObject({
      ok: false,
      failure: { status: 'signed-out', fix: expect.stringContaining('/auth') },
    });
    expect(!result.ok && result.failure.message).toContain(words);
    expect(p.requests).toEqual([]);
  });

  it('marks a machine without Gemini CLI as not set up', async () => {
    const result = await geminiApiSource.fetch(ports());
    expect(result).toMatchObject({ ok: false, failure: { status: 'signed-out', unused: true } });
  });

  it('says the tier is no longer served on the consumer-tier 403', async () => {
    const p = ports({
      files: valid,
      http: google({
        '/v1internal:loadCodeAssist': jsonResponse(
          fixtureJson('gemini/gemini-consumer-tier-deprecated-403-codexbar.json'),
          403,
        ),
      }),
    });
    const result = await geminiApiSource.fetch(p);
    expect(result).toMatchObject({ ok: false, failure: { status: 'unauthorized' } });
    expect(!result.ok && result.failure.message).toContain('no longer serves this account’s tier to Gemini CLI');
  });

  it('waits for the quota reset a 429 RESOURCE_EXHAUSTED names', async () => {
    const body = fixtureJson('gemini/gemini-429-resource-exhausted-aim.json') as {
      error: { details: { metadata?: Record<string, string> }[] };
    };
    const metadata = body.error.details[0]!.metadata!;
    metadata.quotaResetTimeStamp = new Date(NOW + 45 * 60_000).toISOString();
    let p = ports({ files: valid, http: google({ '/v1internal:retrieveUserQuota': jsonResponse(body, 429) }) });
    expect(await geminiApiSource.fetch(p)).toMatchObject({
      ok: false,
      failure: { status: 'rate-limited', retryAt: NOW + 45 * 60_000 },
    });
    delete metadata.quotaResetTimeStamp;
    metadata.quotaResetDelay = '1800s';
    p = ports({ files: valid, http: google({ '/v1internal:retrieveUserQuota': jsonResponse(body, 429) }) });
    expect(await geminiApiSource.fetch(p)).toMatchObject({
      ok: false,
      failure: { status: 'rate-limited', retryAt: NOW + 1_800_000 },
    });
  });

  it('never puts a token or the client secret into a failure', async () => {
    const cases: FakePortsOptions[] = [
      { files: { ...valid, [`${DIR}/oauth_creds.json`]: credentials(NOW - 1000) }, env: { PATH: '' } },
      {
        files: { ...valid, [`${DIR}/oauth_creds.json`]: credentials(NOW - 1000) },
        env: { GEMINI_OAUTH_CLIENT_ID: CLIENT_ID, GEMINI_OAUTH_CLIENT_SECRET: CLIENT_SECRET },
        http: google({ '/token': jsonResponse({ error: 'invalid_grant' }, 400) }),
      },
      { files: valid, http: google({ '/v1internal:retrieveUserQuota': jsonResponse({ error: { code: 500 } }, 500) }) },
      { files: { [`${DIR}/oauth_creds.json`]: `{"access_token": "${ACCESS}", "expiry_date": ` } },
    ];
    for (const options of cases) {
      const result = await geminiApiSource.fetch(ports(options));
      expect(result.ok).toBe(false);
      const text = JSON.stringify(result);
      for (const secret of SECRETS) expect(text).not.toContain(secret);
    }
  });
});
