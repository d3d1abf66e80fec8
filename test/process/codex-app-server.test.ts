/**
 * Codex's app-server source against the REAL Codex CLI (`@openai/codex`, a pinned dev dependency): the built plugin
 * starts `codex app-server` from PATH, which fetches `GET /backend-api/wham/usage` from a loopback mock of the ChatGPT
 * backend (`chatgpt_base_url` in a throwaway CODEX_HOME, a fake ChatGPT login of unsigned JWTs, every other outbound
 * connection sent to a proxy that refuses it). Also: a hung app-server is killed within the timeout.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, type Run, pluginTestBed, runPlugin } from '../support/plugin-harness.js';

const CODEX_BIN_DIR = join(ROOT, 'node_modules', '.bin');
/** The moment of the runs, for Headroom's clock; Codex itself runs on the real clock. */
const NOW = '2026-11-22T05:00:00Z';
const NOW_S = Date.parse(NOW) / 1000;
const ACCOUNT_ID = 'acc-appserver-0001';

const bed = pluginTestBed({ beforeAll, afterAll, beforeEach, afterEach });
const api = bed.api;

function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  // Codex decodes without verifying, but wants a non-empty signature segment.
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.unsigned`;
}

const AUTH_CLAIM = {
  chatgpt_plan_type: 'pro',
  chatgpt_user_id: 'user-appserver',
  user_id: 'user-appserver',
  chatgpt_account_id: ACCOUNT_ID,
};
const ID_TOKEN = jwt({ email: 'dev@example.com', 'https://api.openai.com/auth': AUTH_CLAIM });
/** The access token Codex gets from the mock's token endpoint after refreshing. */
const REFRESHED_ACCESS = jwt({ exp: 4_102_444_800, 'https://api.openai.com/auth': AUTH_CLAIM, marker: 'refreshed' });

/** Writes a fake ChatGPT login and a config.toml pointing Codex at the mock into the bed.current()'s ~/.codex. */
function codexHome(accessExp: number): string {
  const home = join(bed.current().home, '.codex');
  mkdirSync(home, { recursive: true });
  const auth = {
    OPENAI_API_KEY: null,
    tokens: {
      id_token: ID_TOKEN,
      access_token: jwt({ exp: accessExp, 'https://api.openai.com/auth': AUTH_CLAIM }),
      refresh_token: 'HEADROOMFIXTURE-appserver-refresh',
      account_id: ACCOUNT_ID,
    },
    last_refresh: '2026-11-20T09:00:00Z',
  };
  writeFileSync(join(home, 'auth.json'), JSON.stringify(auth, null, 2));
  const base = `http://127.0.0.1:${api.port}/backend-api`;
  writeFileSync(
    join(home, 'config.toml'),
    [
      `chatgpt_base_url = "${base}/"`,
      `openai_base_url = "${base}/codex"`,
      'forced_login_method = "chatgpt"',
      'check_for_update_on_startup = false',
      '[analytics]',
      'enabled = false',
      '[feedback]',
      'enabled = false',
      '',
    ].join('\n'),
  );
  return home;
}

/** What the mock serves as `GET /backend-api/wham/usage` (integer percents, as Codex's decoder requires). */
const USAGE = {
  plan_type: 'pro',
  rate_limit: {
    allowed: true,
    limit_reached: false,
    primary_window: {
      used_percent: 23,
      limit_window_seconds: 18000,
      reset_after_seconds: 9000,
      reset_at: NOW_S + 9000,
    },
    secondary_window: {
      used_percent: 61,
      limit_window_seconds: 604800,
      reset_after_seconds: 400000,
      reset_at: NOW_S + 400000,
    },
  },
  additional_rate_limits: [
    {
      limit_name: 'GPT-5.3-Codex-Spark',
      metered_feature: 'codex_bengalfox',
      rate_limit: {
        allowed: true,
        limit_reached: false,
        primary_window: {
          used_percent: 7,
          limit_window_seconds: 18000,
          reset_after_seconds: 12000,
          reset_at: NOW_S + 12000,
        },
        secondary_window: null,
      },
    },
  ],
  credits: { has_credits: true, unlimited: false, balance: '42.75' },
};

function serveChatGpt(): void {
  api.replies.set('/backend-api/wham/usage', { body: JSON.stringify(USAGE) });
  // Codex's workspace routing gate (account/read asks it): the account, an https origin, no constraint.
  api.replies.set('/backend-api/wham/accounts/check', {
    body: JSON.stringify({
      accounts: [
        {
          id: ACCOUNT_ID,
          name: 'Mock',
          workspace_backend_origin: 'https://chatgpt.com',
          account_routing_override: 'NO_CONSTRAINT',
        },
      ],
      account_ordering: [ACCOUNT_ID],
      default_account_id: ACCOUNT_ID,
    }),
  });
  api.replies.set('/backend-api/codex/models', { body: '{"models":[]}' });
  api.replies.set('/oauth/token', {
    body: JSON.stringify({
      id_token: ID_TOKEN,
      access_token: REFRESHED_ACCESS,
      refresh_token: 'HEADROOMFIXTURE-new-rt',
    }),
  });
}

/** Runs the plugin with the real `codex` first on PATH and nothing but loopback reachable. */
function runWithCodex(args: string[], env: Record<string, string>): Promise<Run> {
  return runPlugin(args, bed.current(), {
    ...api.baseUrls,
    PATH: `${CODEX_BIN_DIR}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HEADROOM_CODEX_BIN: '',
    HEADROOM_NOW: NOW,
    HEADROOM_CLAUDE: 'off',
    CODEX_REFRESH_TOKEN_URL_OVERRIDE: `http://127.0.0.1:${api.port}/oauth/token`,
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    ALL_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1,localhost',
    ...env,
  });
}

const EXPECTED_WINDOWS = [
  {
    id: 'session',
    label: 'Session (5 h)',
    usedPercent: 23,
    resetsAt: new Date((NOW_S + 9000) * 1000).toISOString(),
    windowMinutes: 300,
  },
  {
    id: 'weekly',
    label: 'Weekly',
    usedPercent: 61,
    resetsAt: new Date((NOW_S + 400000) * 1000).toISOString(),
    windowMinutes: 10080,
  },
  {
    id: 'gpt-5-3-codex-spark-session',
    label: 'GPT-5.3-Codex-Spark · Session (5 h)',
    usedPercent: 7,
    resetsAt: new Date((NOW_S + 12000) * 1000).toISOString(),
    windowMinutes: 300,
  },
];

describe('Codex through the real Codex CLI (codex app-server)', () => {
  it('is installed as a dev dependency whose binary runs here', () => {
    expect(existsSync(join(CODEX_BIN_DIR, 'codex'))).toBe(true);
  });

  it('shows every limit family and the credits the ChatGPT mock serves', async () => {
    serveChatGpt();
    codexHome(4_102_444_800);
    const result = await runWithCodex(['--format', 'json'], { HEADROOM_CODEX: 'app-server' });
    expect(result.code).toBe(0);
    const codex = JSON.parse(result.stdout).providers.find((p: { id: string }) => p.id === 'codex');
    expect(codex).toMatchObject({ id: 'codex', source: 'app-server', status: 'ok', plan: 'Pro' });
    expect(codex.windows).toEqual(EXPECTED_WINDOWS);
    expect(codex.money).toEqual([expect.objectContaining({ id: 'credits', balanceMinor: 4275, currency: 'credits' })]);
    // The limits came from Codex's own request, not from Headroom's.
    const usage = api.received.filter((request) => request.path === '/backend-api/wham/usage');
    expect(usage.length).toBeGreaterThanOrEqual(1);
    expect(usage.every((request) => request.headers['user-agent'] !== 'headroom')).toBe(true);
  }, 30_000);

  it('in auto, takes over when auth.json holds an expired token, and Codex refreshes it itself', async () => {
    serveChatGpt();
    const home = codexHome(NOW_S - 3600);
    const result = await runWithCodex(['--format', 'json'], {});
    expect(result.code).toBe(0);
    const codex = JSON.parse(result.stdout).providers.find((p: { id: string }) => p.id === 'codex');
    expect(codex).toMatchObject({ source: 'app-server', status: 'ok' });
    expect(codex.windows).toEqual(EXPECTED_WINDOWS);
    // Headroom never called the usage API with the expired token, nor the token endpoint: Codex did.
    expect(api.received.some((request) => request.headers['user-agent'] === 'headroom')).toBe(false);
    expect(api.received.some((request) => request.path === '/oauth/token')).toBe(true);
    expect(readFileSync(join(home, 'auth.json'), 'utf8')).toContain(REFRESHED_ACCESS);
  }, 30_000);

  it('kills a hung app-server within the start timeout and leaves no process behind', async () => {
    const pidFile = join(bed.current().dir, 'hung.pid');
    const script = join(bed.current().dir, 'hung-codex');
    // Ignores SIGTERM and never answers: only SIGKILL ends it (an ignored signal stays ignored across exec).
    writeFileSync(script, `#!/bin/sh\necho $$ > "${pidFile}"\ntrap '' TERM\nexec sleep 600\n`);
    chmodSync(script, 0o755);
    const started = Date.now();
    const result = await runPlugin(['--format', 'json'], bed.current(), {
      HEADROOM_NOW: NOW,
      HEADROOM_CLAUDE: 'off',
      HEADROOM_CODEX: 'app-server',
      HEADROOM_CODEX_BIN: script,
    });
    const elapsed = Date.now() - started;
    expect(result.code).toBe(0);
    const codex = JSON.parse(result.stdout).providers.find((p: { id: string }) => p.id === 'codex');
    expect(codex).toMatchObject({ status: 'error', message: "Codex's app-server did not start within 10 s." });
    // 10 s start timeout + 2 s from SIGTERM to SIGKILL, plus the run's own time.
    expect(elapsed).toBeGreaterThanOrEqual(12_000);
    expect(elapsed).toBeLessThan(16_000);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  }, 30_000);
});
