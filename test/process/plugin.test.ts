/**
 * The built plugin, run as a process against a loopback server replaying captured payloads, with HOME at a fixture
 * home holding a Claude Code credentials file, a Codex auth.json and rollouts written by the real Codex CLI.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FIXTURE_SECRETS,
  MockApi,
  PLUGIN,
  ROOT,
  type Run,
  type Sandbox,
  makeSandbox,
  runPlugin,
} from '../support/plugin-harness.js';

const CLAUDE_PATH = '/api/oauth/usage';
const CODEX_PATH = '/backend-api/wham/usage';
/** 2026-01-02 17:30 UTC (18:30 in Berlin): the moment of the two "aim" captures, both documented real responses. */
const JAN_NOW = '2026-01-02T17:30:00Z';
/** 2026-11-22 05:00 UTC: half an hour after the real Codex CLI wrote the fixture rollouts. */
const NOV_NOW = '2026-11-22T05:00:00Z';

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

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runPlugin(args, sandbox, { ...api.baseUrls, ...env });
}

function credentialBytes(): Buffer[] {
  return [
    readFileSync(join(sandbox.home, '.claude', '.credentials.json')),
    readFileSync(join(sandbox.home, '.codex', 'auth.json')),
  ];
}

function stateFiles(): string[] {
  const dir = join(sandbox.state, 'headroom');
  return readdirSync(dir).map((name) => join(dir, name));
}

function expectNoSecrets(...texts: string[]): void {
  for (const text of texts) for (const secret of FIXTURE_SECRETS) expect(text).not.toContain(secret);
}

function serveAim(): void {
  api.replies.set(CLAUDE_PATH, { fixture: 'claude/oauth-usage/claude-oauth-usage-real-aim-2026-01.json' });
  api.replies.set(CODEX_PATH, { fixture: 'codex/wham-usage/codex-wham-usage-real-aim.json' });
}

describe('the built plugin on real captured payloads', () => {
  it('is one standalone executable with a node shebang and xbar metadata', () => {
    const text = readFileSync(PLUGIN, 'utf8');
    expect(text.split('\n')[0]).toBe('#!/usr/bin/env -S PATH="${PATH}:/opt/homebrew/bin:/usr/local/bin" node');
    expect(text).toContain('<xbar.title>Headroom</xbar.title>');
    expect(statSync(PLUGIN).mode & 0o111).toBe(0o111);
    expect(text).not.toMatch(/^import .* from ["'](?!node:)/m);
  });

  it('prints the terminal view with every window, percent and local reset time', async () => {
    serveAim();
    const before = credentialBytes();
    const result = await run([], { HEADROOM_NOW: JAN_NOW, HEADROOM_CODEX: 'api' });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('Headroom  C 24% · X 3%');
    expect(result.stdout).toContain('Claude · Max 20x  (via OAuth API · updated 18:30)');
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}Session \(5 h\) +[█▌░]+ +24% used {2}resets in 2 h 29 min \(20:59\)$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}Weekly +[█▌░]+ +36% used {2}resets in 5 d 13 h \(Thu 07:59\)$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}Weekly · Sonnet +[█▌░]+ +1% used {2}resets in 5 d 21 h \(Thu 15:59\)$/),
    );
    expect(result.stdout).toContain('Codex · Pro  (via ChatGPT API · updated 18:30)');
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}Session \(5 h\) +[█▌░]+ +3% used {2}resets in 3 h \(21:30\)$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}Weekly +[█▌░]+ +9% used {2}resets in 5 d 14 h \(Thu 09:04\)$/),
    );
    expect(credentialBytes()).toEqual(before);
  });

  it('sends the providers the headers they expect, and no token to anyone else', async () => {
    serveAim();
    await run(['--format', 'json'], { HEADROOM_NOW: JAN_NOW, HEADROOM_CODEX: 'api' });
    const claude = api.received.find((request) => request.path === CLAUDE_PATH);
    const codex = api.received.find((request) => request.path === CODEX_PATH);
    expect(claude?.headers).toMatchObject({
      authorization: `Bearer ${FIXTURE_SECRETS[0]}`,
      'anthropic-beta': 'oauth-2025-04-20',
      accept: 'application/json',
    });
    expect(claude?.headers['user-agent']).toMatch(/^claude-code\//);
    expect(codex?.headers).toMatchObject({
      authorization: `Bearer ${FIXTURE_SECRETS[2]}`,
      'chatgpt-account-id': 'acc-fixture-0001',
      accept: 'application/json',
    });
    expect(api.received).toHaveLength(2);
  });

  it('prints the stable v1 JSON document', async () => {
    serveAim();
    const result = await run(['--format', 'json'], { HEADROOM_NOW: JAN_NOW, HEADROOM_CODEX: 'api' });
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({ version: 1, generatedAt: '2026-01-02T17:30:00.000Z' });
    const [claude, codex] = document.providers;
    expect(claude).toMatchObject({ id: 'claude', source: 'api', status: 'ok', stale: false, plan: 'Max 20x' });
    expect(claude.fetchedAt).toBe('2026-01-02T17:30:00.000Z');
    expect(claude.windows).toEqual([
      {
        id: 'session',
        label: 'Session (5 h)',
        usedPercent: 24,
        resetsAt: '2026-01-02T19:59:59.600Z',
        windowMinutes: 300,
      },
      { id: 'weekly', label: 'Weekly', usedPercent: 36, resetsAt: '2026-01-08T06:59:59.600Z', windowMinutes: 10080 },
      {
        id: 'weekly-sonnet',
        label: 'Weekly · Sonnet',
        usedPercent: 1,
        resetsAt: '2026-01-08T14:59:59.600Z',
        windowMinutes: 10080,
      },
    ]);
    expect(claude.money).toEqual([]);
    expect(codex).toMatchObject({ id: 'codex', source: 'api', status: 'ok', plan: 'Pro' });
    expect(codex.windows).toEqual([
      {
        id: 'session',
        label: 'Session (5 h)',
        usedPercent: 3,
        resetsAt: '2026-01-02T20:30:52.000Z',
        windowMinutes: 300,
      },
      { id: 'weekly', label: 'Weekly', usedPercent: 9, resetsAt: '2026-01-08T08:04:04.000Z', windowMinutes: 10080 },
    ]);
  });

  it('prints one JSON line for a Waybar custom module, coloured by the fullest window', async () => {
    serveAim();
    const result = await run(['--format', 'waybar'], { HEADROOM_NOW: JAN_NOW, HEADROOM_CODEX: 'api' });
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
    const line = JSON.parse(result.stdout);
    expect(line).toEqual({
      text: 'C 24% · X 3%',
      tooltip: expect.any(String),
      class: 'normal',
      percentage: 36,
      alt: 'normal',
    });
    expect(line.tooltip).toContain('Claude · Max 20x\nSession (5 h): 24% used · resets');
    expect(line.tooltip).toContain('Weekly · Sonnet: 1% used');
    expect(line.tooltip).toContain('Codex · Pro\nSession (5 h): 3% used');

    api.replies.set(CLAUDE_PATH, {
      fixture: 'claude/oauth-usage/claude-oauth-usage-real-aim-2026-01.json',
      transform: (json) => ({ ...(json as object), seven_day: { utilization: 93, resets_at: '2026-01-08T06:59:59Z' } }),
    });
    const hot = JSON.parse((await run(['--format=waybar', '--refresh'], { HEADROOM_NOW: JAN_NOW })).stdout);
    expect(hot).toMatchObject({ class: 'critical', alt: 'critical', percentage: 93 });
  });

  it('prints SwiftBar menu lines with colours, a refresh item and the usage links', async () => {
    serveAim();
    const result = await run([], { HEADROOM_NOW: JAN_NOW, HEADROOM_CODEX: 'api', SWIFTBAR: '1' });
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('C 24% · X 3% | sfimage=gauge.with.dots.needle.33percent symbolize=false emojize=false');
    expect(lines[1]).toBe('---');
    expect(lines).toContain(
      'Session (5 h): 24% used · resets in 2 h 29 min (20:59) | color=#1d1d1f,#f5f5f7 symbolize=false emojize=false',
    );
    expect(lines).toContain(
      `Refresh now | bash=${sandbox.plugin} param0=--refresh terminal=false refresh=true symbolize=false emojize=false`,
    );
    expect(lines).toContain(
      'Open Claude usage page | href=https://claude.ai/settings/usage symbolize=false emojize=false',
    );
    expect(lines.filter((line) => line === '---').length).toBeGreaterThanOrEqual(3);
  });

  it('prints xbar lines with only parameters xbar accepts', async () => {
    serveAim();
    const result = await run([], { HEADROOM_NOW: JAN_NOW, HEADROOM_CODEX: 'api', XBARDarkMode: 'true' });
    const accepted = new Set(['color', 'size', 'bash', 'param1', 'terminal', 'refresh', 'href', 'emojize', 'ansi']);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('C 24% · X 3% | emojize=false ansi=false');
    expect(lines).toContain(
      `Refresh now | bash=${sandbox.plugin} param1=--refresh terminal=false refresh=true emojize=false ansi=false`,
    );
    for (const line of lines.filter((l) => l.includes(' | '))) {
      const params = line.slice(line.indexOf(' | ') + 3).match(/(\w+)=/g) ?? [];
      for (const key of params) expect(accepted).toContain(key.slice(0, -1));
    }
  });

  it('keeps state between runs in a private file and spares the APIs', async () => {
    serveAim();
    const env = { HEADROOM_NOW: JAN_NOW, HEADROOM_CODEX: 'api' };
    const first = await run(['--format', 'json'], env);
    const second = await run(['--format', 'json'], env);
    expect(api.received).toHaveLength(2);
    expect(JSON.parse(second.stdout).providers).toEqual(JSON.parse(first.stdout).providers);
    await run(['--refresh', '--format', 'json'], env);
    expect(api.received).toHaveLength(4);
    const dir = join(sandbox.state, 'headroom');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of stateFiles()) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expectNoSecrets(readFileSync(file, 'utf8'));
    }
  });

  it('reads the same from its stored locale recipes as from Intl, in any locale, and survives a damaged file', async () => {
    serveAim();
    const recipes = join(sandbox.state, 'headroom', 'intl-replay.json');
    for (const LANG of ['de_DE.UTF-8', 'en_US.UTF-8']) {
      const env = { HEADROOM_NOW: JAN_NOW, HEADROOM_CODEX: 'api', LANG, TZ: 'Europe/Berlin' };
      // First run of this locale: formatted with Intl; the recipes are stored for the next runs (core/intl-replay.ts).
      const first = await run(['--format', 'text'], env);
      const stored = JSON.parse(readFileSync(recipes, 'utf8')) as { key: string; recipes: Record<string, unknown> };
      expect(stored.key).toContain(LANG);
      expect(Object.keys(stored.recipes).length).toBeGreaterThan(2);
      expect(statSync(recipes).mode & 0o777).toBe(0o600);
      // Replayed: the same text, to the character (German percent spacing, 24-hour clock, weekday names).
      const second = await run(['--format', 'text'], env);
      expect(second.stdout).toBe(first.stdout);
      expect(first.stdout).toMatch(
        LANG.startsWith('de') ? /24\u00a0% used.*\(Do\., 15:59\)/s : /24% used.*\(Thu 3:59 PM\)/s,
      );
      writeFileSync(recipes, '{"key": 5, "recipes": [');
      const damaged = await run(['--format', 'text'], env);
      expect(damaged.stdout).toBe(first.stdout);
      expect(damaged.stderr).toBe('');
    }
  });

  it('falls back to the rollouts the real Codex CLI wrote when the API fails', async () => {
    api.replies.set(CLAUDE_PATH, {
      status: 429,
      headers: { 'retry-after': '120' },
      fixture: 'claude/oauth-usage/claude-oauth-usage-429-error.json',
    });
    api.replies.set(CODEX_PATH, { status: 503, body: '<html><body>upstream error</body></html>' });
    const result = await run(['--format', 'json'], { HEADROOM_NOW: NOV_NOW });
    const [claude, codex] = JSON.parse(result.stdout).providers;
    expect(claude).toMatchObject({ status: 'rate-limited', stale: false, retryAt: '2026-11-22T05:02:00.000Z' });
    expect(claude.windows).toEqual([]);
    expect(codex).toMatchObject({ source: 'logs', status: 'ok', plan: 'Pro', fetchedAt: '2026-11-22T04:22:56.165Z' });
    expect(codex.windows).toEqual([
      {
        id: 'session',
        label: 'Session (5 h)',
        usedPercent: 22,
        resetsAt: '2026-11-22T08:32:55.000Z',
        windowMinutes: 300,
      },
      { id: 'weekly', label: 'Weekly', usedPercent: 55.5, resetsAt: '2026-11-26T19:29:35.000Z', windowMinutes: 10080 },
    ]);
    expect(codex.message).toMatch(/server error \(HTTP 503\)/);
    const text = await run([], { HEADROOM_NOW: NOV_NOW });
    expect(text.stdout).toContain('Headroom  C – · X 22%');
    expect(text.stdout).toMatch(/! Rate-limited: Anthropic is rate-limiting usage requests\. Next try after 06:02\./);
    expect(api.received.filter((request) => request.path === CLAUDE_PATH)).toHaveLength(1);
  });

  it('keeps the last good values visible, marked stale, when a later answer is bad', async () => {
    serveAim();
    await run([], { HEADROOM_NOW: JAN_NOW, HEADROOM_CODEX: 'api' });
    const bad: Array<[string, Record<string, unknown>]> = [
      ['<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>', { status: 'error' }],
      ['{"five_hour": {"utilization": 24.0, "resets_at": "2026-01-02T19:5', { status: 'error' }],
      ['{"five_hour": {"utilization": "lots"}}', { status: 'error' }],
    ];
    for (const [body, expected] of bad) {
      api.replies.set(CLAUDE_PATH, { body });
      const result = await run(['--refresh', '--format', 'json'], { HEADROOM_NOW: JAN_NOW, HEADROOM_CODEX: 'api' });
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      const claude = JSON.parse(result.stdout).providers[0];
      expect(claude).toMatchObject({ ...expected, stale: true, fetchedAt: '2026-01-02T17:30:00.000Z' });
      expect(claude.windows.map((w: { usedPercent: number }) => w.usedPercent)).toEqual([24, 36, 1]);
    }
    api.replies.set(CLAUDE_PATH, { status: 401, fixture: 'claude/oauth-usage/claude-oauth-usage-401-error.json' });
    const swiftbar = await run(['--refresh'], { HEADROOM_NOW: JAN_NOW, HEADROOM_CODEX: 'api', SWIFTBAR: '1' });
    expect(swiftbar.stdout).toContain('⚠ Login rejected: Anthropic rejected the saved login (HTTP 401).');
    expect(swiftbar.stdout).toContain('Run `claude` once to sign in again');
    expect(swiftbar.stdout).toMatch(/Session \(5 h\): 24% used .*color=#6e6e73,#a1a1a6/);
  });

  it('says which host it cannot reach when the connection is refused or dropped', async () => {
    api.replies.set(CODEX_PATH, { destroy: true });
    // A port that was free a moment ago (fetch refuses the spec's blocked ports such as 9 outright).
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await run(['--format', 'json'], {
      HEADROOM_NOW: JAN_NOW,
      HEADROOM_CODEX: 'api',
      HEADROOM_ANTHROPIC_API_URL: `http://127.0.0.1:${port}`,
    });
    const [claude, codex] = JSON.parse(result.stdout).providers;
    expect(claude).toMatchObject({ status: 'offline', message: `Can't reach 127.0.0.1:${port}.` });
    expect(codex).toMatchObject({ status: 'offline' });
    expect(result.stderr).toBe('');
  });

  it('never lets API text add menu structure or parameters', async () => {
    api.replies.set(CLAUDE_PATH, {
      body: JSON.stringify({
        five_hour: { utilization: 10, resets_at: null },
        limits: [
          {
            kind: 'weekly_scoped',
            group: 'weekly',
            percent: 5,
            resets_at: null,
            scope: { model: { display_name: 'Evil | href=https://attacker.example\n---\n--Sub bash=/bin/sh' } },
          },
        ],
      }),
    });
    const result = await run([], { HEADROOM_NOW: JAN_NOW, HEADROOM_CODEX: 'off', SWIFTBAR: '1' });
    const lines = result.stdout.trimEnd().split('\n');
    const evil = lines.filter((line) => line.includes('Evil'));
    expect(evil).toHaveLength(1);
    expect(evil[0]).toMatch(
      /^Weekly · Evil ¦ href=https:\/\/attacker\.example --- --Sub bash=\/bin\/sh: 5% used \| color=/,
    );
    expect(evil[0]!.split('|')).toHaveLength(2);
    expect(lines.filter((line) => line.startsWith('--') && line !== '---')).toEqual([]);
  });

  it('tells a user with no logins how to connect, without touching the network', async () => {
    sandbox.cleanup();
    sandbox = makeSandbox(false);
    const result = await run([], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'Headroom found no Claude Code, Codex or Gemini CLI login on this machine.',
        '',
        'To connect:',
        '  Claude: Run `claude` and sign in with your Claude Pro or Max plan.',
        '  Codex: Run `codex` and sign in with your ChatGPT plan.',
        '  Gemini: Run `gemini` and choose Login with Google.',
        '',
        'Then run Headroom again.',
        '',
      ].join('\n'),
    );
    expect(api.received).toEqual([]);
  });

  it('shows no token in any output format or state file', async () => {
    serveAim();
    const outputs: string[] = [];
    const flavours: Record<string, string>[] = [{}, { SWIFTBAR: '1' }, { XBARDarkMode: 'false' }];
    for (const env of flavours) {
      const result = await run(['--refresh'], { HEADROOM_NOW: JAN_NOW, ...env });
      outputs.push(result.stdout, result.stderr);
    }
    api.replies.set(CLAUDE_PATH, { status: 401, fixture: 'claude/oauth-usage/claude-oauth-usage-401-error.json' });
    const json = await run(['--refresh', '--format', 'json', '--verbose'], { HEADROOM_NOW: JAN_NOW });
    outputs.push(json.stdout, json.stderr);
    expectNoSecrets(...outputs, ...stateFiles().map((file) => readFileSync(file, 'utf8')));
  });

  it('rejects unknown arguments with a usage message', async () => {
    const result = await run(['--format', 'yaml'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--format takes one of swiftbar, xbar, text, json');
  });
});

describe('several accounts of one provider', () => {
  const WORK_CLAUDE = 'sk-ant-oat01-HEADROOMFIXTURE-claude-work-access-3d5e7f9a1b2c';
  const WORK_CODEX = 'HEADROOMFIXTURE-codex-work-access-token-9b3f';

  /** The aim payloads, with each work account's session window at its own value. */
  function serveByAccount(): void {
    const bearer = (request: { headers: Record<string, unknown> }): string =>
      String(request.headers.authorization ?? '').replace(/^Bearer /, '');
    api.replies.set(CLAUDE_PATH, {
      fixture: 'claude/oauth-usage/claude-oauth-usage-real-aim-2026-01.json',
      transform: (json, request) => {
        const body = json as { five_hour: { utilization: number } };
        if (bearer(request) === WORK_CLAUDE) body.five_hour.utilization = 61;
        return body;
      },
    });
    api.replies.set(CODEX_PATH, {
      fixture: 'codex/wham-usage/codex-wham-usage-real-aim.json',
      transform: (json, request) => {
        const body = json as { rate_limit: { primary_window: { used_percent: number } } };
        if (bearer(request) === WORK_CODEX) body.rate_limit.primary_window.used_percent = 42;
        return body;
      },
    });
  }

  function accountsEnv(): Record<string, string> {
    return {
      HEADROOM_NOW: JAN_NOW,
      HEADROOM_CODEX: 'api',
      HEADROOM_CLAUDE_CONFIG_DIRS: join(sandbox.home, '.claude-work'),
      HEADROOM_CODEX_HOMES: join(sandbox.home, '.codex-work'),
      HEADROOM_TITLE: 'claude.session,claude@claude-work.session,codex.session,codex@codex-work.session',
    };
  }

  it('shows two Claude Code profiles and two Codex homes as four sections in text, SwiftBar and JSON', async () => {
    serveByAccount();
    const before = credentialBytes();
    const text = await run([], accountsEnv());
    expect(text.stderr).toBe('');
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe('Headroom  C 24% · C@claude-work 61% · X 3% · X@codex-work 42%');
    expect(lines.filter((line) => /^(Claude|Codex) /.test(line))).toEqual([
      'Claude (~/.claude) · Max 20x  (via OAuth API · updated 18:30)',
      'Claude (~/.claude-work) · Pro  (via OAuth API · updated 18:30)',
      'Codex (~/.codex) · Pro  (via ChatGPT API · updated 18:30)',
      'Codex (~/.codex-work) · Pro  (via ChatGPT API · updated 18:30)',
    ]);

    const swiftbar = await run(['--format', 'swiftbar', '--refresh'], accountsEnv());
    // The provider sections' headings (the Spend section below them has one too).
    const headings = swiftbar.stdout
      .split('\n')
      .filter((line) => line.includes('size=14') && !line.startsWith('Spend'));
    expect(headings.map((line) => line.split(' | ')[0])).toEqual([
      'Claude (~/.claude) · Max 20x',
      'Claude (~/.claude-work) · Pro',
      'Codex (~/.codex) · Pro',
      'Codex (~/.codex-work) · Pro',
    ]);
    expect(swiftbar.stdout.match(/Open Claude usage page/g)).toHaveLength(1);

    const json = JSON.parse((await run(['--format', 'json', '--refresh'], accountsEnv())).stdout);
    expect(
      json.providers.map((p: { id: string; account: object; windows: { usedPercent: number }[] }) => [
        p.id,
        p.account,
        p.windows[0]?.usedPercent,
      ]),
    ).toEqual([
      ['claude', { id: 'default', label: '~/.claude' }, 24],
      ['claude', { id: 'claude-work', label: '~/.claude-work' }, 61],
      ['codex', { id: 'default', label: '~/.codex' }, 3],
      ['codex', { id: 'codex-work', label: '~/.codex-work' }, 42],
    ]);
    // Each account asked with its own login, once per run that refreshed; nobody's login was touched.
    const tokens = api.received.map((request) => String(request.headers.authorization));
    expect(new Set(tokens)).toEqual(
      new Set([FIXTURE_SECRETS[0], WORK_CLAUDE, FIXTURE_SECRETS[2], WORK_CODEX].map((t) => `Bearer ${t}`)),
    );
    expect(credentialBytes()).toEqual(before);
    const state = JSON.parse(readFileSync(join(sandbox.state, 'headroom', 'state.json'), 'utf8'));
    // Gemini CLI is not set up in the fixture home: it has no section, but its memory notes that (and no secret).
    expect(Object.keys(state.memory).sort()).toEqual([
      'claude',
      'claude@claude-work',
      'codex',
      'codex@codex-work',
      'gemini',
    ]);
    expectNoSecrets(text.stdout, swiftbar.stdout, JSON.stringify(json), JSON.stringify(state));
  });

  it('takes account labels and extra directories from config.json', async () => {
    serveByAccount();
    mkdirSync(join(sandbox.dir, 'config', 'headroom'), { recursive: true });
    writeFileSync(
      join(sandbox.dir, 'config', 'headroom', 'config.json'),
      JSON.stringify({
        providers: {
          claude: { configDirs: ['~/.claude-work'], labels: { default: 'Personal', 'claude-work': 'Work' } },
          codex: { enabled: false },
        },
      }),
    );
    const result = await run([], { HEADROOM_NOW: JAN_NOW });
    expect(result.stdout).toContain('Claude (Personal) · Max 20x');
    expect(result.stdout).toContain('Claude (Work) · Pro');
    expect(result.stdout).not.toContain('Codex');
  });
});

describe('a state file shared with a newer Headroom', () => {
  it("honours the known provider's Retry-After and last good values, and writes back what it does not know", async () => {
    const stateDir = join(sandbox.state, 'headroom');
    mkdirSync(stateDir, { recursive: true });
    const future = readFileSync(join(ROOT, 'test', 'fixtures', 'stored', 'future', 'state.json'), 'utf8');
    writeFileSync(join(stateDir, 'state.json'), future);
    // The newer Headroom's document holds a Gemini entry; this build knows Gemini, so it is switched off to stay as is.
    const result = await run(['--format', 'json'], {
      HEADROOM_NOW: NOV_NOW,
      HEADROOM_CODEX: 'off',
      HEADROOM_GEMINI: 'off',
    });
    expect(api.received.filter((request) => request.path === CLAUDE_PATH)).toEqual([]);
    const [claude] = JSON.parse(result.stdout).providers;
    expect(claude).toMatchObject({ id: 'claude', status: 'rate-limited', stale: true, plan: 'Max 20x' });
    expect(claude.windows.map((w: { usedPercent: number }) => w.usedPercent)).toEqual([37, 12]);
    const written = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8'));
    const original = JSON.parse(future);
    expect(written.version).toBe(3);
    for (const key of ['gemini', 'claude@org-2c1f', 'cursor'])
      expect(written.memory[key]).toEqual(original.memory[key]);
    // `web` was this fixture's source from the future; this Headroom has it now (the claude.ai session), asks it while
    // the OAuth API waits for its Retry-After, and without a keyring finds it quietly not set up.
    expect(written.memory.claude.sources.web.lastFailure).toMatchObject({ unused: true });
    expect(written.alerts.snoozes).toEqual(original.alerts.snoozes);
  });
});

describe('notifications from the built plugin', () => {
  /** A fake `open` (and `notify-send`) on PATH that records its argv, one JSON line per call. */
  function fakeCommands(): { path: string; calls: () => string[][] } {
    const bin = join(sandbox.dir, 'bin');
    const log = join(sandbox.dir, 'calls.jsonl');
    mkdirSync(bin, { recursive: true });
    for (const name of ['open', 'notify-send', 'osascript']) {
      writeFileSync(
        join(bin, name),
        `#!${process.execPath}\nrequire('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify([${JSON.stringify(name)}, ...process.argv.slice(2)]) + '\\n');\n`,
        { mode: 0o755 },
      );
    }
    return {
      path: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      calls: () =>
        existsSync(log)
          ? readFileSync(log, 'utf8')
              .trim()
              .split('\n')
              .map((line) => JSON.parse(line) as string[])
          : [],
    };
  }

  /**
   * The "aim" Claude payload with its session window at `percent` used, early in a window that resets at 22:25 UTC
   * (so the pace forecast stays quiet and only thresholds speak).
   */
  function claudeAt(percent: number): void {
    api.replies.set(CLAUDE_PATH, {
      fixture: 'claude/oauth-usage/claude-oauth-usage-real-aim-2026-01.json',
      transform: (json) => ({
        ...(json as object),
        five_hour: { utilization: percent, resets_at: '2026-01-02T22:25:00.000000+00:00' },
      }),
    });
  }

  it('two runs across 80 % emit exactly one SwiftBar notify URL, and the reset one more', async () => {
    const commands = fakeCommands();
    const env = { HEADROOM_NOW: JAN_NOW, HEADROOM_CODEX: 'off', SWIFTBAR: '1', PATH: commands.path };
    claudeAt(79);
    await run(['--refresh'], env);
    expect(commands.calls()).toEqual([]);
    claudeAt(81);
    await run(['--refresh'], { ...env, HEADROOM_NOW: '2026-01-02T17:35:00Z' });
    await run(['--refresh'], { ...env, HEADROOM_NOW: '2026-01-02T17:40:00Z' });
    const calls = commands.calls();
    expect(calls).toHaveLength(1);
    const [command, flag, url] = calls[0]!;
    expect([command, flag]).toEqual(['open', '-g']);
    const parsed = new URL(url!);
    expect(parsed.protocol).toBe('swiftbar:');
    expect(parsed.hostname).toBe('notify');
    expect(parsed.searchParams.get('plugin')).toBe('headroom.5m.mjs');
    expect(parsed.searchParams.get('title')).toMatch(/Claude/);
    expect(parsed.searchParams.get('body')).toMatch(/81% used/);
    expect(parsed.searchParams.get('href')).toBe('https://claude.ai/settings/usage');
    expect(url).not.toContain('+');

    // The window resets at 22:25 UTC; a run after it says so once.
    claudeAt(0);
    await run(['--refresh', '--format', 'json'], { ...env, HEADROOM_NOW: '2026-01-02T22:30:00Z' });
    const after = commands.calls();
    expect(after).toHaveLength(2);
    expect(new URL(after[1]![2]!).searchParams.get('body')).toMatch(/full capacity/i);
  });

  it('lists the alerts of the run in --format json, and uses notify-send in a terminal on Linux', async () => {
    const commands = fakeCommands();
    const env = { HEADROOM_NOW: JAN_NOW, HEADROOM_CODEX: 'off', PATH: commands.path };
    claudeAt(92);
    const result = await run(['--refresh', '--format', 'json'], env);
    const alerts = JSON.parse(result.stdout).alerts as { kind: string; provider: string; windowId: string }[];
    expect(alerts).toEqual([expect.objectContaining({ kind: 'threshold', provider: 'claude', windowId: 'session' })]);
    expect(commands.calls()).toEqual([
      [
        'notify-send',
        '--urgency=normal',
        '--app-name=Headroom',
        expect.stringMatching(/Claude/),
        expect.stringMatching(/92% used/),
      ],
    ]);
    const again = await run(['--refresh', '--format', 'json'], { ...env, HEADROOM_NOW: '2026-01-02T17:31:00Z' });
    expect(JSON.parse(again.stdout).alerts).toEqual([]);
    expectNoSecrets(result.stdout, again.stdout, ...commands.calls().flat());
  });
});
