/**
 * Headroom's own Claude sign-in, end to end with the built plugin: `headroom login claude` against a loopback OAuth
 * server (which checks PKCE, state, the redirect URI and the client id, and rotates refresh tokens, refusing a
 * reused one with invalid_grant), `BROWSER` set to a script that follows the authorize redirect to the callback,
 * the tokens in a real gnome-keyring-daemon on a private session bus (test/gjs/keyring-session.sh) and nowhere else;
 * then the `oauth` source across expiries, two concurrent runs, invalid_grant and logout. Claude Code's credentials
 * file must stay byte for byte as it was.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type Run, type Sandbox, makeSandbox, runPlugin } from '../support/plugin-harness.js';

const CLIENT_ID = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';
const EMAIL = 'oauth-user@example.com';
const tools = ['dbus-run-session', 'gnome-keyring-daemon', 'secret-tool', 'gdbus'];
const missing = tools.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
const skip = missing.length > 0 && process.env.CI !== 'true';

/**
 * A loopback Claude: `/authorize` (302 to the redirect URI with a code), `/token` (JSON; code exchange and rotating
 * refresh), `/api/oauth/usage` and `/api/oauth/profile` (the newest access token only). Everything it finds wrong
 * goes to `problems`.
 */
class OAuthServer {
  problems: string[] = [];
  /** Refresh tokens redeemed, in order (including refused ones). */
  redemptions: string[] = [];
  usageTokens: string[] = [];
  /** Refuse every refresh from now on (the user revoked Headroom's access). */
  revoked = false;
  private generation = 0;
  private codes = new Map<string, { challenge: string; redirectUri: string; state: string; used: boolean }>();
  private server: Server | undefined;
  port = 0;

  access = (n = this.generation): string => `sk-ant-oat01-HROAUTH-access-${n}`;
  refresh = (n = this.generation): string => `sk-ant-ort01-HROAUTH-refresh-${n}`;
  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }

  private json(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private issue(response: ServerResponse): void {
    this.generation += 1;
    this.json(response, 200, {
      token_type: 'Bearer',
      access_token: this.access(),
      refresh_token: this.refresh(),
      expires_in: 3600,
      scope: 'user:profile user:inference',
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.base);
    const q = Object.fromEntries(url.searchParams);
    if (url.pathname === '/authorize') {
      if (q.client_id !== CLIENT_ID) this.problems.push(`authorize: client_id ${q.client_id}`);
      if (q.response_type !== 'code') this.problems.push('authorize: response_type');
      if (q.code_challenge_method !== 'S256') this.problems.push('authorize: method');
      const manualPage = `${this.base}/oauth/code/callback`;
      if (!/^http:\/\/localhost:\d+\/callback$/.test(q.redirect_uri ?? '') && q.redirect_uri !== manualPage) {
        this.problems.push('authorize: redirect');
      }
      if (!(q.scope ?? '').split(' ').includes('user:profile')) this.problems.push('authorize: scope');
      if (!q.state || !q.code_challenge) this.problems.push('authorize: state or challenge missing');
      const code = `code-${this.codes.size + 1}`;
      this.codes.set(code, {
        challenge: q.code_challenge!,
        redirectUri: q.redirect_uri!,
        state: q.state!,
        used: false,
      });
      response.writeHead(302, { location: `${q.redirect_uri}?code=${code}&state=${encodeURIComponent(q.state!)}` });
      response.end();
      return;
    }
    if (url.pathname === '/token' && request.method === 'POST') {
      let text = '';
      for await (const chunk of request) text += String(chunk);
      if (!String(request.headers['content-type']).startsWith('application/json')) this.problems.push('token: type');
      const body = JSON.parse(text) as Record<string, string>;
      if (body.client_id !== CLIENT_ID) this.problems.push('token: client_id');
      if (body.grant_type === 'authorization_code') {
        const issued = this.codes.get(body.code!);
        const hash = createHash('sha256')
          .update(body.code_verifier ?? '')
          .digest('base64url');
        if (!issued || issued.used) return this.json(response, 400, { error: 'invalid_grant' });
        issued.used = true;
        if (hash !== issued.challenge) this.problems.push('token: verifier does not hash to the challenge');
        if (body.redirect_uri !== issued.redirectUri) this.problems.push('token: redirect_uri differs');
        if (body.state !== issued.state) this.problems.push('token: state differs');
        if (hash !== issued.challenge) return this.json(response, 400, { error: 'invalid_grant' });
        return this.issue(response);
      }
      if (body.grant_type === 'refresh_token') {
        this.redemptions.push(body.refresh_token!);
        // A short pause, so that concurrent runs overlap while one of them is redeeming.
        await new Promise((resolve) => setTimeout(resolve, 300));
        if (this.revoked || body.refresh_token !== this.refresh()) {
          return this.json(response, 400, { error: 'invalid_grant', error_description: 'Refresh token is invalid' });
        }
        return this.issue(response);
      }
      return this.json(response, 400, { error: 'unsupported_grant_type' });
    }
    const bearer = String(request.headers.authorization ?? '');
    const valid = this.generation > 0 && bearer === `Bearer ${this.access()}`;
    if (url.pathname === '/api/oauth/usage') {
      this.usageTokens.push(bearer.replace(/^Bearer /, ''));
      if (!valid) return this.json(response, 401, { type: 'error', error: { type: 'authentication_error' } });
      const usage = readFileSync(join(ROOT, 'test/fixtures/claude/oauth-usage/claude-oauth-usage-basic.json'), 'utf8');
      response.writeHead(200, { 'content-type': 'application/json' }).end(usage);
      return;
    }
    if (url.pathname === '/api/oauth/profile') {
      if (!valid) return this.json(response, 401, { type: 'error', error: { type: 'authentication_error' } });
      return this.json(response, 200, {
        account: { uuid: 'acc-1', email: EMAIL, full_name: 'O. User' },
        organization: { uuid: 'org-1', name: 'Example Org' },
      });
    }
    this.json(response, 404, { error: 'not found' });
  }
}

let keyring: ChildProcess | undefined;
let bus = '';
let sandbox: Sandbox;
const server = new OAuthServer();
const runs: Run[] = [];
let ccCredentials: Buffer;

/** Starts a throwaway GNOME Keyring on a private bus that lives until afterAll, and returns the bus address. */
async function startKeyring(dir: string): Promise<string> {
  const file = join(dir, 'bus-address');
  keyring = spawn(
    'dbus-run-session',
    [
      `--config-file=${join(ROOT, 'test', 'gjs', 'session-bus.conf')}`,
      '--',
      'sh',
      join(ROOT, 'test', 'gjs', 'keyring-session.sh'),
      'unlocked',
      'sh',
      '-c',
      `printf %s "$DBUS_SESSION_BUS_ADDRESS" > ${JSON.stringify(file)}; exec sleep 300`,
    ],
    { stdio: 'ignore', detached: true },
  );
  for (let i = 0; i < 200 && !existsSync(file); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return readFileSync(file, 'utf8');
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    DBUS_SESSION_BUS_ADDRESS: bus,
    HEADROOM_CLAUDE_AUTHORIZE_URL: `${server.base}/authorize`,
    HEADROOM_CLAUDE_TOKEN_URL: `${server.base}/token`,
    HEADROOM_ANTHROPIC_API_URL: server.base,
    HEADROOM_CHATGPT_API_URL: `${server.base}/backend-api`,
    HEADROOM_CODEX: 'off',
    ...extra,
  };
}

async function plugin(args: string[], extra: Record<string, string> = {}, input?: string): Promise<Run> {
  const run = await runPlugin(args, sandbox, env(extra), input);
  runs.push(run);
  return run;
}

/** The keyring item as stored, parsed; null when there is none. */
function keyringItem(): Record<string, unknown> | null {
  const out = spawnSync('secret-tool', ['lookup', 'key', 'claude-oauth'], {
    encoding: 'utf8',
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus },
  });
  return out.status === 0 && out.stdout ? (JSON.parse(out.stdout) as Record<string, unknown>) : null;
}

interface JsonProvider {
  id: string;
  source: string | null;
  status: string;
  message: string;
  windows: unknown[];
}

function claudeOf(run: Run): JsonProvider & { alerts: { kind?: string; title?: string }[] } {
  expect(run.code, run.stderr).toBe(0);
  const doc = JSON.parse(run.stdout) as { providers: JsonProvider[]; alerts: { kind?: string; title?: string }[] };
  return { ...doc.providers.find((p) => p.id === 'claude')!, alerts: doc.alerts };
}

const T0 = Date.now();
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

beforeAll(async () => {
  if (skip) return;
  sandbox = makeSandbox();
  ccCredentials = readFileSync(join(sandbox.home, '.claude', '.credentials.json'));
  bus = await startKeyring(sandbox.dir);
  await server.start();
  // A "browser" that follows the authorize redirect to Headroom's loopback callback, as a real one does.
  writeFileSync(
    join(sandbox.dir, 'browser.mjs'),
    `import { writeFileSync } from 'node:fs';
const response = await fetch(process.argv[2]);
writeFileSync(${JSON.stringify(join(sandbox.dir, 'browser.log'))}, response.status + ' ' + (await response.text()));
`,
  );
  writeFileSync(
    join(sandbox.dir, 'browser'),
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(sandbox.dir, 'browser.mjs'))} "$1"\n`,
    { mode: 0o755 },
  );
}, 30_000);

afterAll(async () => {
  if (keyring?.pid) process.kill(-keyring.pid, 'SIGTERM');
  await server.stop();
  sandbox?.cleanup();
});

describe.skipIf(skip)("Headroom's own Claude sign-in, end to end", () => {
  it('signs in through the browser, keeps the tokens only in the keyring, and shows Claude via oauth', async () => {
    expect(missing).toEqual([]);
    const login = await plugin(['login', 'claude', '--timeout', '30'], { BROWSER: join(sandbox.dir, 'browser') });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(`Signed in to Claude as ${EMAIL} (Example Org).`);
    expect(login.stdout).toContain(`${server.base}/authorize?code=true&client_id=${CLIENT_ID}`);
    const log = join(sandbox.dir, 'browser.log');
    for (let i = 0; i < 100 && !existsSync(log); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readFileSync(log, 'utf8')).toMatch(/^200 .*Signed in to Claude/);
    expect(server.problems).toEqual([]);
    expect(keyringItem()).toMatchObject({
      accessToken: server.access(1),
      refreshToken: server.refresh(1),
      email: EMAIL,
    });

    const first = claudeOf(await plugin(['--format', 'json']));
    expect(first).toMatchObject({ source: 'oauth', status: 'ok' });
    expect(first.windows.length).toBeGreaterThan(0);
    expect(server.usageTokens).toContain(server.access(1));
    expect(server.redemptions).toEqual([]);
  }, 60_000);

  it('renews the token a few minutes before it expires, rotating the refresh token, and uses the new one', async () => {
    const before = server.usageTokens.length;
    const run = claudeOf(await plugin(['--format', 'json'], { HEADROOM_NOW: at(57) }));
    expect(run).toMatchObject({ source: 'oauth', status: 'ok' });
    expect(server.redemptions).toEqual([server.refresh(1)]);
    expect(keyringItem()).toMatchObject({ accessToken: server.access(2), refreshToken: server.refresh(2) });
    expect(server.usageTokens.slice(before)).toContain(server.access(2));
    expect(server.usageTokens.slice(before)).not.toContain(server.access(1));
  }, 60_000);

  it('redeems the refresh token once when two runs find it expired at the same moment', async () => {
    const [a, b] = await Promise.all([
      plugin(['--format', 'json', '--refresh'], { HEADROOM_NOW: at(180) }),
      plugin(['--format', 'json', '--refresh'], { HEADROOM_NOW: at(180) }),
    ]);
    expect(claudeOf(a)).toMatchObject({ source: 'oauth', status: 'ok' });
    expect(claudeOf(b)).toMatchObject({ source: 'oauth', status: 'ok' });
    expect(server.redemptions).toEqual([server.refresh(1), server.refresh(2)]);
    expect(keyringItem()).toMatchObject({ refreshToken: server.refresh(3) });
  }, 60_000);

  it('says "signed out" once when the refresh token is refused with invalid_grant', async () => {
    server.revoked = true;
    const ended = claudeOf(await plugin(['--format', 'json', '--refresh'], { HEADROOM_NOW: at(400) }));
    expect(ended).toMatchObject({ status: 'signed-out' });
    expect(ended.message).toContain("Headroom's own Claude sign-in has ended");
    expect(ended.alerts.map((alert) => alert.title)).toEqual(['Claude: signed out']);
    const item = keyringItem();
    expect(item).toMatchObject({ signedOut: true, refreshToken: null, accessToken: '', email: EMAIL });
    const again = claudeOf(await plugin(['--format', 'json'], { HEADROOM_NOW: at(420) }));
    expect(again.status).toBe('signed-out');
    expect(again.alerts).toEqual([]);
    expect(server.redemptions).toEqual([server.refresh(1), server.refresh(2), server.refresh(3)]);
  }, 60_000);

  it('lets two processes that share no refresh run redeem a refresh token once (the claude-oauth-refresh lock)', async () => {
    // A sign-in whose token has expired, written as the CLI writes it; the server takes its refresh token again.
    server.revoked = false;
    const item = {
      ...keyringItem(),
      accessToken: server.access(),
      refreshToken: server.refresh(),
      signedOut: false,
      expiresAt: Date.now() - 1000,
    };
    const stored = spawnSync(
      'secret-tool',
      [
        'store',
        '--label=Headroom: Claude sign-in',
        'xdg:schema',
        'org.gnome.shell.extensions.headroom',
        'key',
        'claude-oauth',
      ],
      { input: JSON.stringify(item), env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus } },
    );
    expect(stored.status).toBe(0);
    const driver = join(sandbox.dir, 'driver.mjs');
    await esbuild.build({
      stdin: {
        contents: `import { ownAccessToken } from ${JSON.stringify(join(ROOT, 'core', 'oauth.ts'))};
import { nodePorts } from ${JSON.stringify(join(ROOT, 'swiftbar-plugin', 'node-ports.ts'))};
const result = await ownAccessToken(nodePorts({ verbose: false }));
process.stdout.write(result.ok ? result.login.accessToken : 'failed: ' + result.failure.message);`,
        resolveDir: ROOT,
        loader: 'ts',
      },
      outfile: driver,
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'error',
    });
    const before = server.redemptions.length;
    const drive = (): Promise<string> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [driver], {
          env: { ...env(), PATH: process.env.PATH ?? '', HOME: sandbox.home, XDG_STATE_HOME: sandbox.state },
        });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
        child.on('close', () => resolve(out));
      });
    const answers = await Promise.all([drive(), drive()]);
    expect(server.redemptions.length - before).toBe(1);
    expect(answers).toEqual([server.access(), server.access()]);
    expect(keyringItem()).toMatchObject({ refreshToken: server.refresh() });
  }, 60_000);

  it('signs in with --manual from a pasted code#state, and refuses a code of another sign-in', async () => {
    const manual = (paste: (code: string, state: string) => string): Promise<Run> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [sandbox.plugin, 'login', 'claude', '--manual', '--timeout', '30'], {
          env: {
            ...env({ HEADROOM_CLAUDE_MANUAL_REDIRECT_URL: `${server.base}/oauth/code/callback` }),
            PATH: process.env.PATH ?? '',
            HOME: sandbox.home,
            XDG_STATE_HOME: sandbox.state,
          },
        });
        let stdout = '';
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
          const url = /^ {2}(http\S+)$/m.exec(stdout)?.[1];
          if (!url || !stdout.includes('paste the code')) return;
          // The user opens the URL elsewhere; Claude's code page shows `<code>#<state>`.
          void fetch(url, { redirect: 'manual' }).then((response) => {
            const back = new URL(response.headers.get('location')!);
            expect(back.origin + back.pathname).toBe(`${server.base}/oauth/code/callback`);
            child.stdin.end(`${paste(back.searchParams.get('code')!, back.searchParams.get('state')!)}\n`);
          });
        });
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const wrong = await manual((code) => `${code}#not-this-state`);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('did not carry this sign-in’s state');
    const right = await manual((code, state) => `${code}#${state}`);
    runs.push(wrong, right);
    expect(right.code, right.stderr).toBe(0);
    expect(right.stdout).toContain(`Signed in to Claude as ${EMAIL}`);
    expect(server.problems).toEqual([]);
    expect(keyringItem()).toMatchObject({ accessToken: server.access(), refreshToken: server.refresh() });
  }, 60_000);

  it('gives up after --timeout with a clear message and closes its port', async () => {
    const run = await plugin(['login', 'claude', '--timeout', '1'], { BROWSER: 'true' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no sign-in arrived within 1 s; run `headroom login claude` again');
    const port = Number(/localhost%3A(\d+)%2Fcallback/.exec(run.stdout)?.[1]);
    expect(port).toBeGreaterThan(0);
    const refused = await fetch(`http://127.0.0.1:${port}/callback`).then(
      () => false,
      () => true,
    );
    expect(refused).toBe(true);
  }, 60_000);

  it('forgets the sign-in on logout', async () => {
    const out = await plugin(['logout', 'claude']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain(`Signed out of Headroom's own Claude sign-in (${EMAIL})`);
    expect(keyringItem()).toBeNull();
  }, 60_000);

  it("left Claude Code's credentials byte for byte as they were, and no token outside the keyring", () => {
    expect(readFileSync(join(sandbox.home, '.claude', '.credentials.json')).equals(ccCredentials)).toBe(true);
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (!path.startsWith(join(sandbox.dir, 'plugins')) && !path.endsWith('driver.mjs')) files.push(path);
      }
    };
    walk(sandbox.dir);
    expect(files.some((path) => path.includes('state'))).toBe(true);
    for (const path of files) expect(readFileSync(path, 'utf8'), path).not.toContain('HROAUTH');
    for (const run of runs) expect(run.stdout + run.stderr).not.toContain('HROAUTH');
  });
});
