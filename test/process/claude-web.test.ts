/**
 * Claude's `web` source end to end: the built plugin's `login claude-web` / `logout claude-web` and
 * `--format json` against a loopback claude.ai mock (two organisations, usage, overage, prepaid, credit grant, a
 * rotating Set-Cookie, both Cloudflare forms, 401, 429), with the session key in a real gnome-keyring-daemon on a
 * private bus (test/gjs/keyring-session.sh). A canary key must never appear in stdout, stderr, the state or config
 * directories, or the argv of the secret-tool the plugin spawns.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MockApi,
  ROOT,
  type Reply,
  type Run,
  type Sandbox,
  makeSandbox,
  runPlugin,
} from '../support/plugin-harness.js';

const CANARY = 'sk-ant-sid01-HEADROOMCANARY-web-0f3e9b7c5a1d';
const ROTATED = 'sk-ant-sid01-HEADROOMCANARY-rotated-7b2e4c9d';
const KEY_ATTRS = ['key', 'claude-session-key'];
const tools = ['dbus-run-session', 'gnome-keyring-daemon', 'secret-tool', 'gdbus'];
const missing = tools.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
const skip = missing.length > 0 && process.env.CI !== 'true';

const api = new MockApi();
let dir: string;
let bus: string;
let keyring: ChildProcess | undefined;
let sandbox: Sandbox;
const runs: Run[] = [];

/** Environment of the plugin's runs: the mock, the private bus, and a secret-tool that logs its argv. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...api.baseUrls,
    HEADROOM_CLAUDE_WEB_URL: `http://127.0.0.1:${api.port}`,
    HEADROOM_CODEX: 'off',
    DBUS_SESSION_BUS_ADDRESS: bus,
    PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    ...extra,
  };
}

async function run(args: string[], extra: Record<string, string> = {}, input?: string): Promise<Run> {
  const result = await runPlugin(args, sandbox, env(extra), input);
  runs.push(result);
  return result;
}

/** secret-tool on the private bus. */
function secretTool(args: string[], input = ''): string {
  return execFileSync('secret-tool', args, {
    input,
    encoding: 'utf8',
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus },
  });
}
function storedKey(): string | null {
  try {
    return secretTool(['lookup', ...KEY_ATTRS]) || null;
  } catch {
    return null;
  }
}
function plantKey(value: string): void {
  secretTool(['store', '--label=test', 'xdg:schema', 'org.gnome.shell.extensions.headroom', ...KEY_ATTRS], value);
}

interface JsonProvider {
  id: string;
  account: { id: string; label: string };
  source: string | null;
  status: string;
  message: string;
  fix: string;
  plan: string | null;
  retryAt: string | null;
  windows: { id: string; usedPercent: number }[];
  money: {
    id: string;
    usedMinor: number | null;
    limitMinor: number | null;
    balanceMinor: number | null;
    currency: string;
    unknown?: true;
  }[];
}
function claudeOf(result: Run): JsonProvider[] {
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { providers: JsonProvider[] }).providers.filter((p) => p.id === 'claude');
}

/** Usage fixtures with their reset times moved into the future (the captures' own have passed). */
function future(json: unknown): unknown {
  const shift = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(shift);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [
          k,
          k === 'resets_at' && typeof v === 'string' ? new Date(Date.now() + 3 * 3600_000).toISOString() : shift(v),
        ]),
      );
    }
    return value;
  };
  return shift(json);
}

const ORG = '/api/organizations';
/** The mock claude.ai: org-chat (the default: chat) and org-api (API-only), each with usage and money. */
function mockClaudeAi(overrides: Record<string, Reply> = {}): void {
  const web = (file: string, transform?: Reply['transform']): Reply => ({
    fixture: `claude/web/${file}`,
    ...(transform && { transform }),
  });
  const replies: Record<string, Reply> = {
    [ORG]: web('claude-web-organizations.json'),
    '/api/account': web('claude-web-account-memberships.json', (json) => {
      const account = json as { memberships: { organization: { uuid: string } }[] };
      account.memberships[1]!.organization.uuid = 'org-chat';
      return account;
    }),
    [`${ORG}/org-chat/usage`]: web('claude-web-usage-limits-fable-2026-07-03.json', future),
    [`${ORG}/org-chat/overage_spend_limit`]: web('claude-web-overage-spend-limit.json'),
    [`${ORG}/org-chat/prepaid/credits`]: web('claude-web-prepaid-credits.json'),
    [`${ORG}/org-chat/overage_credit_grant`]: { body: '{"amount":2500,"currency":"USD"}' },
    [`${ORG}/org-api/usage`]: web('claude-web-usage-basic.json', future),
    [`${ORG}/org-api/overage_spend_limit`]: web('claude-web-overage-spend-limit.json', (json) => ({
      ...(json as object),
      used_credits: 100,
      monthly_credit_limit: 5000,
    })),
    [`${ORG}/org-api/prepaid/credits`]: { status: 500, body: '{"error":"boom"}' },
    [`${ORG}/org-api/overage_credit_grant`]: { body: '{}' },
    ...overrides,
  };
  api.replies.clear();
  for (const [path, reply] of Object.entries(replies)) api.replies.set(path, reply);
}

/** Every file under a directory, as text. */
function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [readFileSync(path, 'latin1')];
  });
}

/**
 * A gnome-keyring-daemon on a private bus (test/gjs/keyring-session.sh, `unlocked` or `locked`), kept running until
 * killed; the plugin reaches it through DBUS_SESSION_BUS_ADDRESS.
 */
async function startKeyring(mode: 'unlocked' | 'locked'): Promise<{ bus: string; child: ChildProcess }> {
  const address = join(dir, `bus-${mode}`);
  const child = spawn(
    'dbus-run-session',
    [
      `--config-file=${join(ROOT, 'test', 'gjs', 'session-bus.conf')}`,
      '--',
      'sh',
      join(ROOT, 'test', 'gjs', 'keyring-session.sh'),
      mode,
      'sh',
      '-c',
      `printf %s "$DBUS_SESSION_BUS_ADDRESS" > ${JSON.stringify(`${address}.tmp`)} && mv ${JSON.stringify(`${address}.tmp`)} ${JSON.stringify(address)} && exec sleep 600`,
    ],
    { detached: true, stdio: 'ignore' },
  );
  for (let i = 0; i < 200 && !existsSync(address); i++) await new Promise((r) => setTimeout(r, 50));
  return { bus: readFileSync(address, 'utf8'), child };
}

beforeAll(async () => {
  if (skip) return;
  await api.start();
  dir = mkdtempSync(join(tmpdir(), 'headroom-web-'));
  const real = execFileSync('sh', ['-c', 'command -v secret-tool'], { encoding: 'utf8' }).trim();
  writeFileSync(
    join(dir, 'secret-tool'),
    `#!/bin/sh\nprintf '%s\\n' "$*" >> ${JSON.stringify(join(dir, 'argv.log'))}\nexec ${real} "$@"\n`,
  );
  chmodSync(join(dir, 'secret-tool'), 0o755);
  ({ bus, child: keyring } = await startKeyring('unlocked'));
}, 30_000);

afterAll(async () => {
  if (keyring?.pid) process.kill(-keyring.pid, 'SIGTERM');
  await api.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  if (skip) return;
  sandbox = makeSandbox(false);
  api.received.length = 0;
  mockClaudeAi();
  try {
    secretTool(['clear', ...KEY_ATTRS]);
  } catch {
    // nothing stored
  }
});
afterEach(() => {
  if (skip) return;
  // The canary (and its rotation) never leaves the keyring and the Cookie header.
  const texts = [
    ...runs.flatMap((r) => [r.stdout, r.stderr]),
    ...filesUnder(sandbox.state),
    ...filesUnder(join(sandbox.dir, 'config')),
    existsSync(join(dir, 'argv.log')) ? readFileSync(join(dir, 'argv.log'), 'utf8') : '',
  ];
  for (const text of texts) {
    expect(text).not.toContain('HEADROOMCANARY');
  }
  runs.length = 0;
  sandbox.cleanup();
});

describe.skipIf(skip)('Claude via the claude.ai session (web source)', () => {
  it('login checks the key, stores it only in the keyring and prints the organisations; json shows the default organisation with money', async () => {
    expect(missing).toEqual([]);
    const login = await run(['login', 'claude-web'], {}, `${CANARY}\n`);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain('API Org (org-api) — api');
    expect(login.stdout).toContain('Chat Org (org-chat) — chat');
    expect(login.stdout).toContain('Shown: Chat Org (the default');
    expect(storedKey()).toBe(CANARY);
    expect(api.received.map((r) => r.headers.cookie)).toEqual([`sessionKey=${CANARY}`]);

    const [claude, ...others] = claudeOf(await run(['--format', 'json']));
    expect(others).toEqual([]);
    expect(claude).toMatchObject({ source: 'web', status: 'ok', plan: 'Team', account: { label: 'Chat Org' } });
    expect(claude!.windows.map((w) => [w.id, w.usedPercent])).toEqual([
      ['session', 16],
      ['weekly', 10],
      ['weekly-fable', 5],
    ]);
    expect(claude!.money).toEqual([
      expect.objectContaining({ id: 'extra-usage', usedMinor: 6789, limitMinor: 12345, currency: 'USD' }),
      expect.objectContaining({ id: 'prepaid', balanceMinor: 10000, currency: 'USD' }),
      expect.objectContaining({ id: 'credit-grant', balanceMinor: 2500, currency: 'USD' }),
    ]);
    const cookies = new Set(api.received.map((r) => r.headers.cookie));
    expect(cookies).toEqual(new Set([`sessionKey=${CANARY}`]));
    expect(api.received.every((r) => /application\/json/.test(String(r.headers.accept)))).toBe(true);

    const text = await run(['--format', 'text']);
    expect(text.stdout).toContain('Extra usage');
    expect(text.stdout).toContain('US$67.89 of US$123.45 (55%)');
    expect(text.stdout).toContain('Prepaid         US$100.00 left');
  });

  it('--org twice shows both organisations, each labelled by name; a money call failing alone reads unknown, not zero', async () => {
    const login = await run(['login', 'claude-web', '--org', 'org-chat', '--org', 'API Org'], {}, CANARY);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain('Shown: Chat Org, API Org\n');
    const config = JSON.parse(readFileSync(join(sandbox.dir, 'config', 'headroom', 'config.json'), 'utf8')) as {
      providers: { claude: { organizations: string[] } };
    };
    expect(config.providers.claude.organizations).toEqual(['org-chat', 'org-api']);

    const [chat, apiOrg] = claudeOf(await run(['--format', 'json']));
    expect(chat).toMatchObject({ source: 'web', status: 'ok', account: { id: 'default', label: 'Chat Org' } });
    expect(apiOrg).toMatchObject({ source: 'web', status: 'ok', account: { id: 'org-api', label: 'API Org' } });
    expect(apiOrg!.windows.map((w) => [w.id, w.usedPercent])).toEqual([
      ['session', 9],
      ['weekly', 4],
      ['weekly-opus', 1],
    ]);
    expect(apiOrg!.money).toEqual([
      expect.objectContaining({ id: 'extra-usage', usedMinor: 100, limitMinor: 5000 }),
      expect.objectContaining({ id: 'prepaid', balanceMinor: null, unknown: true }),
    ]);
    expect(apiOrg!.message).toContain('prepaid balance could not be read');
    const text = await run(['--format', 'text']);
    expect(text.stdout).toContain('Claude (API Org)');
    expect(text.stdout).toMatch(/Prepaid\s+unknown/);
  });

  it('stores a key rotated by Set-Cookie and sends the new one next time', async () => {
    plantKey(CANARY);
    mockClaudeAi({
      [`${ORG}/org-chat/usage`]: {
        fixture: 'claude/web/claude-web-usage-limits-fable-2026-07-03.json',
        transform: future,
        headers: { 'set-cookie': `sessionKey=${ROTATED}; Path=/; Secure; HttpOnly; SameSite=Lax` },
      },
    });
    expect(claudeOf(await run(['--format', 'json']))[0]).toMatchObject({ source: 'web', status: 'ok' });
    expect(storedKey()).toBe(ROTATED);
    api.received.length = 0;
    await run(['--format', 'json', '--refresh']);
    expect(api.received[0]?.headers.cookie).toBe(`sessionKey=${ROTATED}`);
  });

  for (const [form, reply] of [
    ['a 403 with cf-mitigated: challenge', { status: 403, headers: { 'cf-mitigated': 'challenge' }, body: '' }],
    [
      'a "Just a moment…" page',
      {
        status: 403,
        headers: { 'content-type': 'text/html' },
        body: '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Enable JavaScript and cookies to continue</body></html>',
      },
    ],
  ] as const) {
    it(`shows Cloudflare's browser check (${form}) as its own state and keeps the key`, async () => {
      plantKey(CANARY);
      mockClaudeAi({ [ORG]: reply });
      const [claude] = claudeOf(await run(['--format', 'json']));
      expect(claude).toMatchObject({ status: 'error' });
      expect(claude!.message).toContain('claude.ai is asking for a browser check');
      expect(claude!.message).not.toMatch(/expired|sign in/i);
      expect(claude!.fix).toContain('the session key is kept');
      expect(storedKey()).toBe(CANARY);
    });
  }

  it('in auto, reads Claude Code’s OAuth login first and leaves claude.ai alone while it works', async () => {
    sandbox.cleanup();
    sandbox = makeSandbox(true);
    plantKey(CANARY);
    api.replies.set('/api/oauth/usage', {
      fixture: 'claude/oauth-usage/claude-oauth-usage-basic.json',
      transform: future,
    });
    const [claude] = claudeOf(await run(['--format', 'json']));
    expect(claude).toMatchObject({ source: 'api', status: 'ok' });
    expect(api.received.map((r) => r.path)).toEqual(['/api/oauth/usage']);
    // Forced, the web source is read even so.
    const forced = claudeOf(await run(['--format', 'json', '--refresh'], { HEADROOM_CLAUDE: 'web' }));
    expect(forced[0]).toMatchObject({ source: 'web', status: 'ok' });
  });

  it('an expired session (401) says to paste a new key', async () => {
    plantKey(CANARY);
    mockClaudeAi({
      [ORG]: {
        status: 401,
        body: '{"type":"error","error":{"type":"account_session_invalid","message":"Invalid authorization"}}',
      },
    });
    const [claude] = claudeOf(await run(['--format', 'json']));
    expect(claude).toMatchObject({ status: 'unauthorized' });
    expect(claude!.message).toContain('session has expired');
    expect(claude!.fix).toContain('headroom login claude-web');
  });

  it('a 429 waits for Retry-After', async () => {
    plantKey(CANARY);
    mockClaudeAi({ [`${ORG}/org-chat/usage`]: { status: 429, headers: { 'retry-after': '120' }, body: '{}' } });
    const before = Date.now();
    const [claude] = claudeOf(await run(['--format', 'json']));
    expect(claude).toMatchObject({ status: 'rate-limited' });
    const retryAt = Date.parse(claude!.retryAt!);
    expect(retryAt).toBeGreaterThanOrEqual(before + 119_000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 121_000);
    api.received.length = 0;
    await run(['--format', 'json', '--refresh']);
    expect(api.received).toEqual([]);
  });

  it('a key claude.ai refuses is not stored, and the error never echoes it', async () => {
    mockClaudeAi({ [ORG]: { status: 403, body: `{"error":"bad sessionKey=${CANARY}"}` } });
    const login = await run(['login', 'claude-web'], {}, `sessionKey=${CANARY}; Path=/`);
    expect(login.code).toBe(1);
    expect(login.stderr).toContain('The key was not stored');
    expect(storedKey()).toBeNull();
  });

  it('logout forgets the key', async () => {
    plantKey(CANARY);
    const logout = await run(['logout', 'claude-web']);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stdout).toContain('log out of claude.ai');
    expect(storedKey()).toBeNull();
  });

  it('with a locked keyring, login says to unlock it and writes nothing', async () => {
    const locked = await startKeyring('locked');
    try {
      const login = await run(['login', 'claude-web'], { DBUS_SESSION_BUS_ADDRESS: locked.bus }, CANARY);
      expect(login.code).toBe(1);
      expect(login.stderr).toContain('The keyring is locked.');
      expect(login.stderr).toContain('Unlock your login keyring');
      expect(existsSync(join(sandbox.dir, 'config', 'headroom', 'config.json'))).toBe(false);
    } finally {
      if (locked.child.pid) process.kill(-locked.child.pid, 'SIGTERM');
    }
  });

  it('without a Secret Service, login names the fix and writes nothing', async () => {
    const login = await run(['login', 'claude-web'], { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' }, CANARY);
    expect(login.code).toBe(1);
    expect(login.stderr).toContain('GNOME Keyring');
    expect(login.stderr).toContain('The key was not stored');
    expect(existsSync(join(sandbox.dir, 'config', 'headroom', 'config.json'))).toBe(false);
  });
});
