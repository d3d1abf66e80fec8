/**
 * Gemini through the built plugin: a bed.current() home with Gemini CLI's `~/.gemini/settings.json` and `oauth_creds.json`
 * (the shape gemini-cli writes, made-up tokens), a stand-in installed Gemini CLI package declaring a made-up OAuth
 * client, and a loopback mock of Google's Code Assist API and token endpoint replaying the captured payloads.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURE_SECRETS, type Run, pluginTestBed, runPlugin } from '../support/plugin-harness.js';

const LOAD = '/v1internal:loadCodeAssist';
const QUOTA = '/v1internal:retrieveUserQuota';
const TOKEN = '/token';
const NOW = '2026-11-22T05:00:00Z';
const NOW_MS = Date.parse(NOW);
/** Gemini's quota resets 10 h after NOW in these tests (the captured reset times lie in the past). */
const RESET = new Date(NOW_MS + 10 * 3_600_000).toISOString();

const ACCESS = 'ya29.HEADROOMFIXTURE-gemini-access-6a1f';
const REFRESH = '1//HEADROOMFIXTURE-gemini-refresh-2c7d';
const RENEWED = 'ya29.HEADROOMFIXTURE-gemini-renewed-8e3b';
const CLIENT_ID = '123456789012-headroomfixture.apps.googleusercontent.com';
const CLIENT_SECRET = 'GOCSPX-HEADROOMFIXTURE-client-5b9c';
const SECRETS = [...FIXTURE_SECRETS, ACCESS, REFRESH, RENEWED, CLIENT_SECRET, 'HEADROOMFIXTURE'];

const bed = pluginTestBed({ beforeAll, afterAll, beforeEach, afterEach });
const api = bed.api;

/** Runs the plugin with Claude and Codex off, so that everything shown is Gemini's. */
function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runPlugin(args, bed.current(), {
    ...api.baseUrls,
    HEADROOM_NOW: NOW,
    HEADROOM_CLAUDE: 'off',
    HEADROOM_CODEX: 'off',
    ...env,
  });
}

const geminiDir = (): string => join(bed.current().home, '.gemini');

/** Writes Gemini CLI's settings (auth type) and, unless null, its OAuth credentials expiring at `expiresAt`. */
function writeGeminiLogin(selectedType: string, expiresAt: number | null = NOW_MS + 3_600_000): void {
  mkdirSync(geminiDir(), { recursive: true });
  writeFileSync(
    join(geminiDir(), 'settings.json'),
    JSON.stringify({ security: { auth: { selectedType } }, ui: { theme: 'Default' } }, null, 2),
  );
  if (expiresAt === null) return;
  writeFileSync(
    join(geminiDir(), 'oauth_creds.json'),
    JSON.stringify({
      access_token: ACCESS,
      scope: 'https://www.googleapis.com/auth/cloud-platform openid',
      token_type: 'Bearer',
      id_token: 'eyJhbGciOiJSUzI1NiJ9.HEADROOMFIXTURE.sig',
      expiry_date: expiresAt,
      refresh_token: REFRESH,
    }),
  );
}

/** A stand-in global npm install of Gemini CLI whose `oauth2.js` declares the OAuth client as gemini-cli's does. */
function installGeminiCli(): void {
  const dir = join(
    bed.current().home,
    '.npm-global/lib/node_modules/@google/gemini-cli/node_modules/@google/gemini-cli-core/dist/src/code_assist',
  );
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'oauth2.js'),
    `// OAuth Client ID used to initiate OAuth2Client class.\nconst OAUTH_CLIENT_ID = '${CLIENT_ID}';\n` +
      `const OAUTH_CLIENT_SECRET = '${CLIENT_SECRET}';\nexport {};\n`,
  );
}

/** The captured quota buckets with their reset times moved to {@link RESET}. */
function serveQuota(): void {
  api.replies.set(LOAD, { fixture: 'gemini/gemini-loadCodeAssist-codexbar.json' });
  api.replies.set(QUOTA, {
    fixture: 'gemini/gemini-retrieveUserQuota-codexbar.json',
    transform: (json) => {
      const body = json as { buckets: { resetTime: string }[] };
      for (const bucket of body.buckets) bucket.resetTime = RESET;
      return body;
    },
  });
  api.replies.set(TOKEN, { body: JSON.stringify({ access_token: RENEWED, expires_in: 3599, token_type: 'Bearer' }) });
}

interface JsonGemini {
  id: string;
  status: string;
  message: string;
  fix: string;
  plan: string | null;
  retryAt: string | null;
  windows: { id: string; label: string; usedPercent: number; resetsAt: string | null; windowMinutes: number }[];
}

function gemini(result: Run): JsonGemini | undefined {
  const document = JSON.parse(result.stdout) as { providers: JsonGemini[] };
  return document.providers.find((p) => p.id === 'gemini');
}

function stateTexts(): string[] {
  const dir = join(bed.current().state, 'headroom');
  return readdirSync(dir).map((name) => readFileSync(join(dir, name), 'utf8'));
}

function expectNoSecrets(...texts: string[]): void {
  for (const text of texts) for (const secret of SECRETS) expect(text).not.toContain(secret);
}

const paths = (): string[] => api.received.map((r) => r.path);

describe('Gemini on a loopback Code Assist API', () => {
  it("shows the Pro, Flash and Flash-Lite daily windows of the captured buckets, asking for loadCodeAssist's project", async () => {
    writeGeminiLogin('oauth-personal');
    serveQuota();
    const result = await run(['--format', 'json', '--refresh']);
    expect(result.code).toBe(0);
    expect(gemini(result)).toMatchObject({
      status: 'ok',
      plan: 'Gemini Code Assist in Google One AI Pro',
      windows: [
        {
          id: 'pro',
          label: 'Pro (24 h)',
          usedPercent: 40,
          resetsAt: RESET.replace(/\.\d+Z$/, '.000Z'),
          windowMinutes: 1440,
        },
        { id: 'flash', label: 'Flash (24 h)', usedPercent: 10, windowMinutes: 1440 },
        { id: 'flash-lite', label: 'Flash-Lite (24 h)', usedPercent: 20, windowMinutes: 1440 },
      ],
    });
    expect(paths()).toEqual([LOAD, QUOTA]);
    expect(api.received.every((r) => r.method === 'POST' && r.headers.authorization === `Bearer ${ACCESS}`)).toBe(true);
    expect(JSON.parse(api.received[1]!.body!)).toEqual({ project: 'cloudaicompanion-123' });

    const text = await run(['--format', 'text']);
    expect(text.stdout.split('\n')[0]).toBe('Headroom  G 40%');
    expect(text.stdout).toMatch(/Gemini · Gemini Code Assist in Google One AI Pro/);
    expect(text.stdout).toMatch(/Flash-Lite \(24 h\) +[░▓█]+ +20% used/);
    expectNoSecrets(result.stdout, result.stderr, text.stdout, text.stderr, ...stateTexts());
  });

  it('renews an expired access token in memory only: the credential file keeps its bytes', async () => {
    writeGeminiLogin('oauth-personal', NOW_MS - 5 * 60_000);
    installGeminiCli();
    serveQuota();
    const before = readFileSync(join(geminiDir(), 'oauth_creds.json'));
    const files = readdirSync(geminiDir()).sort();
    const result = await run(['--format', 'json', '--refresh', '--verbose']);
    expect(gemini(result)).toMatchObject({ status: 'ok', windows: [{ usedPercent: 40 }, {}, {}] });
    expect(paths()).toEqual([TOKEN, LOAD, QUOTA]);
    const token = api.received[0]!;
    expect(token.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(token.body))).toEqual({
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      refresh_token: REFRESH,
      grant_type: 'refresh_token',
    });
    expect(api.received.slice(1).map((r) => r.headers.authorization)).toEqual([
      `Bearer ${RENEWED}`,
      `Bearer ${RENEWED}`,
    ]);
    expect(readFileSync(join(geminiDir(), 'oauth_creds.json')).equals(before)).toBe(true);
    expect(readdirSync(geminiDir()).sort()).toEqual(files);
    expectNoSecrets(result.stdout, result.stderr, ...stateTexts());
  });

  it('says what to do when the token has expired and no Gemini CLI is installed to renew it', async () => {
    writeGeminiLogin('oauth-personal', NOW_MS - 5 * 60_000);
    serveQuota();
    const result = await run(['--format', 'json', '--refresh'], { PATH: '/usr/bin:/bin' });
    expect(gemini(result)).toMatchObject({
      status: 'signed-out',
      fix: expect.stringContaining('GEMINI_OAUTH_CLIENT_ID'),
    });
    expect(paths()).toEqual([]);
  });

  it.each([
    ['gemini-api-key', 'signed-out', 'Gemini API key'],
    ['vertex-ai', 'signed-out', 'Vertex AI'],
  ])('shows a %s login as a state with a fix, asking Google nothing', async (type, status, words) => {
    writeGeminiLogin(type, null);
    serveQuota();
    const result = await run(['--format', 'json', '--refresh']);
    const shown = gemini(result);
    expect(shown).toMatchObject({ status, fix: 'Run `gemini`, type /auth and choose Login with Google.' });
    expect(shown?.message).toContain(words);
    expect(paths()).toEqual([]);
  });

  it.each([
    ['the consumer-tier 403', { status: 403, fixture: 'gemini/gemini-consumer-tier-deprecated-403-codexbar.json' }],
    [
      'an UNSUPPORTED_CLIENT ineligible tier',
      {
        body: JSON.stringify({
          ineligibleTiers: [{ reasonCode: 'UNSUPPORTED_CLIENT', reasonMessage: 'This client is no longer supported.' }],
        }),
      },
    ],
  ])('says the tier is no longer served to Gemini CLI on %s', async (_name, reply) => {
    writeGeminiLogin('oauth-personal');
    serveQuota();
    api.replies.set(LOAD, reply);
    const result = await run(['--format', 'json', '--refresh']);
    const shown = gemini(result);
    expect(shown?.status).toBe('unauthorized');
    expect(shown?.message).toContain('no longer serves this account’s tier to Gemini CLI');
    expect(shown?.fix).toContain('HEADROOM_GEMINI=off');
    expect(paths()).toEqual([LOAD]);
    const text = await run(['--format', 'text']);
    expect(text.stdout).toContain('Gemini');
    expect(text.stdout).toContain('no longer serves');
  });

  it('waits out a 429 RESOURCE_EXHAUSTED until its quotaResetDelay has passed, keeping the last values', async () => {
    writeGeminiLogin('oauth-personal');
    serveQuota();
    await run(['--format', 'json', '--refresh']);
    api.received.length = 0;
    api.replies.set(QUOTA, {
      status: 429,
      fixture: 'gemini/gemini-429-resource-exhausted-aim.json',
      transform: (json) => {
        const body = json as { error: { details: { metadata?: Record<string, string> }[] } };
        const metadata = body.error.details[0]!.metadata!;
        delete metadata.quotaResetTimeStamp;
        metadata.quotaResetDelay = '1800s';
        return body;
      },
    });
    const later = new Date(NOW_MS + 2 * 60_000).toISOString();
    const limited = await run(['--format', 'json', '--refresh'], { HEADROOM_NOW: later });
    expect(gemini(limited)).toMatchObject({
      status: 'rate-limited',
      retryAt: new Date(NOW_MS + 2 * 60_000 + 1_800_000).toISOString(),
      windows: [{ usedPercent: 40 }, { usedPercent: 10 }, { usedPercent: 20 }],
    });
    expect(paths()).toEqual([LOAD, QUOTA]);
    api.received.length = 0;
    const stillWaiting = new Date(NOW_MS + 20 * 60_000).toISOString();
    const again = await run(['--format', 'json', '--refresh'], { HEADROOM_NOW: stillWaiting });
    expect(gemini(again)?.status).toBe('rate-limited');
    expect(paths()).toEqual([]);
    const after = new Date(NOW_MS + 33 * 60_000).toISOString();
    await run(['--format', 'json', '--refresh'], { HEADROOM_NOW: after });
    expect(paths()).toEqual([LOAD, QUOTA]);
  });

  it('shows no Gemini section, title item or alert on a machine without Gemini CLI', async () => {
    api.replies.set('/backend-api/wham/usage', { fixture: 'codex/wham-usage/codex-wham-usage-real-aim.json' });
    const result = await run(['--format', 'json', '--refresh'], { HEADROOM_CODEX: 'api' });
    const document = JSON.parse(result.stdout) as { providers: { id: string }[]; alerts: { provider: string }[] };
    expect(document.providers.map((p) => p.id)).toEqual(['codex']);
    expect(document.alerts.filter((a) => a.provider === 'gemini')).toEqual([]);
    expect(paths()).not.toContain(LOAD);
  });
});
