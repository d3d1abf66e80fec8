/**
 * The Telemetry section when Prometheus is down, slow, failing, answering nonsense, without Claude Code's metrics,
 * or behind basic auth: each is a clear state in that section only, and the usage limits above it are exactly what
 * they are without telemetry. The built CLI runs against a loopback server playing both the providers' APIs and
 * Prometheus; the secret of basic auth comes from a file or from a real keyring (secret-tool, on a private session bus
 * with a throwaway GNOME Keyring) and never shows up in any output or state file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MockApi, ROOT, type Run, type Sandbox, makeSandbox, runPlugin } from '../support/plugin-harness.js';
import { freePort } from '../support/prometheus.js';

const JAN_NOW = '2026-01-02T17:30:00Z';
const NAMES = '/prom/api/v1/label/__name__/values';
const QUERY = '/prom/api/v1/query';
const RANGE = '/prom/api/v1/query_range';
const PASSWORD = 'HEADROOMFIXTURE-prometheus-pä$$word';
const BASIC = `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`;

const api = new MockApi();
let sandbox: Sandbox;

beforeAll(() => api.start());
afterAll(() => api.stop());
beforeEach(() => {
  sandbox = makeSandbox();
  api.received.length = 0;
  api.replies.clear();
});
afterEach(() => sandbox.cleanup());

const prometheusUrl = (): string => `http://127.0.0.1:${api.port}/prom`;

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runPlugin(args, sandbox, { ...api.baseUrls, HEADROOM_PROMETHEUS_URL: prometheusUrl(), ...env });
}

function serveProviders(): void {
  api.replies.set('/api/oauth/usage', { fixture: 'claude/oauth-usage/claude-oauth-usage-real-aim-2026-01.json' });
  api.replies.set('/backend-api/wham/usage', { fixture: 'codex/wham-usage/codex-wham-usage-real-aim.json' });
}

/** A Prometheus holding Claude Code's token and cost metrics: every query answers 3 (tokens) or 0.5 (USD). */
function servePrometheus(): void {
  api.replies.set(NAMES, {
    body: JSON.stringify({
      status: 'success',
      data: ['claude_code_cost_usage_total', 'claude_code_token_usage_total', 'up'],
    }),
  });
  api.replies.set(QUERY, {
    body: JSON.stringify({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [{ metric: { model: 'claude-sonnet-4-5', type: 'input' }, value: [0, '3'] }],
      },
    }),
  });
  api.replies.set(RANGE, {
    body: JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }),
  });
}

async function telemetryJson(env: Record<string, string> = {}) {
  const result = await run(['telemetry', '--json'], env);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

/** The limits part of the JSON document: what must never change because of telemetry. */
async function providers(env: Record<string, string>) {
  const result = await run(['--format', 'json'], { HEADROOM_NOW: JAN_NOW, HEADROOM_CODEX: 'api', ...env });
  return JSON.parse(result.stdout);
}

function stateText(): string {
  const dir = join(sandbox.state, 'headroom');
  return readdirSync(dir)
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('\n');
}

describe('telemetry failures are a state of the Telemetry section only', () => {
  it('is null in JSON v1 and says how to turn it on when no Prometheus is configured', async () => {
    serveProviders();
    const document = await providers({ HEADROOM_PROMETHEUS_URL: '' });
    expect(document.telemetry).toBeNull();
    expect(JSON.parse((await run(['telemetry', '--json'], { HEADROOM_PROMETHEUS_URL: '' })).stdout)).toBeNull();
    const text = await run(['telemetry'], { HEADROOM_PROMETHEUS_URL: '' });
    expect(text.stdout).toMatch(/^Telemetry is off: set HEADROOM_PROMETHEUS_URL/);
    expect(api.received.filter((request) => request.path.startsWith('/prom'))).toEqual([]);
  });

  it('Prometheus down: offline, the limits unchanged', async () => {
    serveProviders();
    const closed = `http://127.0.0.1:${await freePort()}`;
    const without = await providers({ HEADROOM_PROMETHEUS_URL: '' });
    sandbox.cleanup();
    sandbox = makeSandbox();
    const withDown = await providers({ HEADROOM_PROMETHEUS_URL: closed });
    expect(withDown.providers).toEqual(without.providers);
    expect(withDown.telemetry).toMatchObject({
      status: 'offline',
      message: expect.stringMatching(/^Can't reach 127\.0\.0\.1:\d+\.$/),
      fix: `Check that Prometheus runs at ${closed} and that this computer can reach it; Headroom asks again at the next refresh.`,
      tokens: null,
      costUsd: null,
      sessions: null,
      byModel: [],
      overTime: null,
    });
    const menu = await run([], {
      HEADROOM_PROMETHEUS_URL: closed,
      HEADROOM_NOW: JAN_NOW,
      HEADROOM_CODEX: 'api',
      SWIFTBAR: '1',
    });
    expect(menu.stdout.split('\n')[0]).toMatch(/^C 24% · X 3% \|/);
    expect(menu.stdout).toMatch(/^⚠ Can't reach 127\.0\.0\.1:\d+\. \| color=#b25000,#ffb340/m);
  });

  it('HTTP 500: an error, the limits still shown', async () => {
    serveProviders();
    api.replies.set(NAMES, { status: 500, body: 'upstream failed' });
    const document = await providers({});
    expect(document.providers.map((p: { status: string }) => p.status)).toEqual(['ok', 'ok']);
    expect(document.telemetry).toMatchObject({
      status: 'error',
      message: `127.0.0.1:${api.port} had a server error (HTTP 500).`,
      tokens: null,
    });
  });

  it('invalid JSON: an error naming it', async () => {
    api.replies.set(NAMES, { body: '{"status":"success","data":["claude_code_tok' });
    expect(await telemetryJson()).toMatchObject({ status: 'error', message: expect.stringMatching(/malformed/) });
  });

  it("a body that is not Prometheus's API (a Grafana URL): an error with the fix", async () => {
    api.replies.set(NAMES, { body: '{"message":"Unauthorized"}' });
    expect(await telemetryJson()).toMatchObject({
      status: 'error',
      message: `127.0.0.1:${api.port} did not answer like Prometheus's HTTP API (/api/v1/label/__name__/values).`,
      fix: expect.stringContaining('http://localhost:9090'),
    });
  });

  it("Prometheus's own error JSON: its sentence, the figures it could not give null", async () => {
    servePrometheus();
    api.replies.set(RANGE, {
      status: 422,
      body: JSON.stringify({
        status: 'error',
        errorType: 'execution',
        error: 'query processing would load too many samples into memory in query execution',
      }),
    });
    const report = await telemetryJson();
    expect(report).toMatchObject({
      status: 'error',
      message:
        'Some figures are missing: Prometheus: query processing would load too many samples into memory in query execution (execution)',
      tokens: 3,
      costUsd: 3,
      overTime: null,
    });
  });

  it('no Claude Code metrics: says so and how to enable them, every figure null (never 0)', async () => {
    api.replies.set(NAMES, { body: JSON.stringify({ status: 'success', data: ['go_goroutines', 'up'] }) });
    const report = await telemetryJson();
    expect(report).toMatchObject({
      status: 'no-metrics',
      message: `Prometheus at 127.0.0.1:${api.port} has none of Claude Code's metrics.`,
      fix: expect.stringContaining('CLAUDE_CODE_ENABLE_TELEMETRY=1'),
      metrics: [],
      tokens: null,
      tokensByType: { input: null, output: null, cacheRead: null, cacheCreation: null },
      activeSeconds: null,
      commits: null,
    });
    expect(api.received.filter((request) => request.path === QUERY)).toEqual([]);
    const check = await run(['telemetry', '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^Connected, but Prometheus has none of Claude Code's metrics\. Run Claude Code with/);
  });

  it('a metric the server lacks is null while the others are figures', async () => {
    servePrometheus();
    const report = await telemetryJson();
    expect(report).toMatchObject({ status: 'ok', tokens: 3, costUsd: 3, sessions: null, commits: null });
    expect(report.tokensByType).toEqual({ input: 3, output: 0, cacheRead: 0, cacheCreation: 0 });
    expect(report.byModel).toEqual([{ model: 'claude-sonnet-4-5', tokens: 3, costUsd: 3 }]);
    expect(report.overTime).toHaveLength(24);
    // Only the metrics it has are queried: tokens and cost, and the sparkline.
    expect(api.received.filter((request) => request.path === QUERY)).toHaveLength(2);
  });

  it('a slow Prometheus: gives up after the timeout, offline', async () => {
    serveProviders();
    const slow = await freePort();
    const { createServer } = await import('node:net');
    const hang = createServer(() => {}).listen(slow, '127.0.0.1');
    try {
      const started = Date.now();
      const document = await providers({
        HEADROOM_PROMETHEUS_URL: `http://127.0.0.1:${slow}`,
        HEADROOM_PROMETHEUS_TIMEOUT: '1',
      });
      expect(Date.now() - started).toBeLessThan(8000);
      expect(document.telemetry).toMatchObject({
        status: 'offline',
        message: `127.0.0.1:${slow} did not answer within 1 s.`,
      });
      expect(document.providers.map((p: { status: string }) => p.status)).toEqual(['ok', 'ok']);
    } finally {
      hang.close();
    }
  });

  it('refuses credentials in the URL without repeating them', async () => {
    const result = await run(['telemetry', '--json'], {
      HEADROOM_PROMETHEUS_URL: `http://alice:${PASSWORD}@127.0.0.1:${api.port}/prom`,
    });
    expect(JSON.parse(result.stdout)).toBeNull();
    expect(result.stderr).toContain('HEADROOM_PROMETHEUS_URL: credentials in the URL are not accepted');
    expect(result.stderr).not.toContain(PASSWORD);
    expect(api.received).toEqual([]);
  });
});

describe('basic auth', () => {
  /** Prometheus behind basic auth: 401 without the right Authorization header. */
  function requireBasicAuth(): void {
    servePrometheus();
    for (const path of [NAMES, QUERY, RANGE]) {
      const reply = api.replies.get(path)!;
      api.replies.set(path, {
        ...reply,
        transform: (json, request) =>
          request.headers.authorization === BASIC ? json : { status: 'error', error: 'unauthorized' },
      });
    }
  }

  it('401 without a login: unauthorized, with the fix', async () => {
    api.replies.set(NAMES, { status: 401, body: 'Unauthorized' });
    expect(await telemetryJson()).toMatchObject({
      status: 'unauthorized',
      message: 'Prometheus rejected the saved login (HTTP 401).',
      fix: expect.stringContaining('username and password'),
    });
  });

  it('sends the password from a file, and it appears nowhere', async () => {
    requireBasicAuth();
    const file = join(sandbox.dir, 'prometheus-password');
    writeFileSync(file, `${PASSWORD}\n`, { mode: 0o600 });
    const env = { HEADROOM_PROMETHEUS_USERNAME: 'alice', HEADROOM_PROMETHEUS_PASSWORD_FILE: file };
    const report = await telemetryJson(env);
    expect(report).toMatchObject({ status: 'ok', tokens: 3 });
    expect(api.received.filter((r) => r.path.startsWith('/prom')).every((r) => r.headers.authorization === BASIC)).toBe(
      true,
    );
    serveProviders();
    const outputs = [
      await run(['--format', 'json', '--verbose'], env),
      await run(['--verbose'], { ...env, SWIFTBAR: '1' }),
    ];
    for (const output of [...outputs.flatMap((o) => [o.stdout, o.stderr]), stateText()]) {
      expect(output).not.toContain(PASSWORD);
      expect(output).not.toContain(BASIC.slice('Basic '.length));
    }
  });

  it('a wrong password: unauthorized', async () => {
    api.replies.set(NAMES, { status: 401, body: 'Unauthorized' });
    const file = join(sandbox.dir, 'wrong');
    writeFileSync(file, 'not-it\n');
    const report = await telemetryJson({
      HEADROOM_PROMETHEUS_USERNAME: 'alice',
      HEADROOM_PROMETHEUS_PASSWORD_FILE: file,
    });
    expect(report.status).toBe('unauthorized');
    expect(api.received.find((r) => r.path === NAMES)?.headers.authorization).toBe(
      `Basic ${Buffer.from('alice:not-it').toString('base64')}`,
    );
  });

  it('a missing password file: signed out, naming the file', async () => {
    const file = join(sandbox.dir, 'absent');
    expect(
      await telemetryJson({ HEADROOM_PROMETHEUS_USERNAME: 'alice', HEADROOM_PROMETHEUS_PASSWORD_FILE: file }),
    ).toMatchObject({ status: 'signed-out', message: `The Prometheus password file ${file} is missing.` });
    expect(api.received).toEqual([]);
  });

  const keyringTools = ['dbus-run-session', 'gnome-keyring-daemon', 'gdbus', 'secret-tool'];
  const missing = keyringTools.filter(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0,
  );
  if (missing.length > 0 && process.env.CI === 'true') throw new Error(`missing ${missing.join(', ')}`);

  it.skipIf(missing.length > 0)(
    'keeps the password in a real keyring (secret-tool, stdin only) where the CLI and GNOME both find it',
    async () => {
      requireBasicAuth();
      // One private session bus and keyring for the whole script: store, use, look up as GNOME's schema would.
      const script = [
        'printf %s "$SECRET" | node "$PLUGIN" telemetry --store-secret',
        'node "$PLUGIN" telemetry --json > "$OUT/report.json"',
        'secret-tool lookup key prometheus-secret > "$OUT/lookup.txt"',
        'secret-tool search --all xdg:schema org.gnome.shell.extensions.headroom > "$OUT/search.txt" 2>&1',
      ].join(' && ');
      const child = spawn(
        'dbus-run-session',
        [
          `--config-file=${join(ROOT, 'test', 'gjs', 'session-bus.conf')}`,
          '--',
          'sh',
          join(ROOT, 'test', 'gjs', 'keyring-session.sh'),
          'unlocked',
          'sh',
          '-c',
          script,
        ],
        {
          env: {
            PATH: process.env.PATH,
            SECRET: PASSWORD,
            PLUGIN: sandbox.plugin,
            OUT: sandbox.dir,
            HEADROOM_PROMETHEUS_URL: prometheusUrl(),
            HEADROOM_PROMETHEUS_USERNAME: 'alice',
            HEADROOM_CLAUDE: 'off',
            HEADROOM_CODEX: 'off',
          },
        },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(output).toContain('Stored in the keyring.');
      expect(code).toBe(0);
      expect(JSON.parse(readFileSync(join(sandbox.dir, 'report.json'), 'utf8'))).toMatchObject({
        status: 'ok',
        tokens: 3,
      });
      expect(readFileSync(join(sandbox.dir, 'lookup.txt'), 'utf8')).toBe(PASSWORD);
      const search = readFileSync(join(sandbox.dir, 'search.txt'), 'utf8');
      expect(search).toContain('attribute.key = prometheus-secret');
      expect(search).toContain('label = Headroom: Prometheus password or token');
      expect(output).not.toContain(PASSWORD);
    },
    30_000,
  );
});
