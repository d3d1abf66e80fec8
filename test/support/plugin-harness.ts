/**
 * Runs the built plugin as a user would (`node dist/swiftbar/headroom.5m.mjs`) against a loopback HTTP server that
 * replays captured payloads, with HOME pointing at a copy of the fixture home.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PLUGIN = join(ROOT, 'dist', 'swiftbar', 'headroom.5m.mjs');
const FIXTURES = join(ROOT, 'test', 'fixtures');

/** Every secret in the fixture home; none may appear in any output or state file. */
export const FIXTURE_SECRETS = [
  'sk-ant-oat01-HEADROOMFIXTURE-claude-access-7f3a9c1e5b2d4086',
  'sk-ant-ort01-HEADROOMFIXTURE-claude-refresh-2b8e6d0f4a1c9735',
  'HEADROOMFIXTURE-codex-access-token-5e1d7c9a',
  'HEADROOMFIXTURE-codex-refresh-token-0c4f8b2e',
  'HEADROOMFIXTURE-codex-id-signature',
  'sk-ant-oat01-HEADROOMFIXTURE-claude-work-access-3d5e7f9a1b2c',
  'sk-ant-ort01-HEADROOMFIXTURE-claude-work-refresh-8c6a4e2f0d1b',
  'HEADROOMFIXTURE-codex-work-access-token-9b3f',
  'HEADROOMFIXTURE-codex-work-refresh-token-4a7e',
];

/** A canned answer of the mock server. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** A fixture path under test/fixtures, or a literal body. */
  fixture?: string;
  body?: string;
  /**
   * Rewrites the fixture's parsed JSON at request time (e.g. to move its reset times to the present, or to answer
   * each account's token differently).
   */
  transform?: (json: unknown, request: Received) => unknown;
  /** Close the socket without answering. */
  destroy?: boolean;
  /**
   * Chooses another reply at request time from the variables set through `GET /__set` (e.g. a Cloudflare page once
   * an end-to-end test asks for one); undefined keeps this reply.
   */
  vary?: (vars: ReadonlyMap<string, string>) => Reply | undefined;
}

/** A request the mock server received. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  /** `GET`, `POST`… */
  method?: string;
  /** The request body as text (empty for a GET). */
  body?: string;
}

/** A loopback server that answers by path and records what it was asked. */
export class MockApi {
  readonly received: Received[] = [];
  replies = new Map<string, Reply>();
  /** Values a test (or code under test, via `GET /__set?name=value`) sets for transforms to read. */
  readonly vars = new Map<string, string>();
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0] ?? '';
      if (path === '/__set') {
        for (const [name, value] of new URLSearchParams((request.url ?? '').split('?')[1] ?? '')) {
          this.vars.set(name, value);
        }
        response.writeHead(204).end();
        return;
      }
      if (path === '/__requests') {
        response.writeHead(200, { 'content-type': 'application/json' });
        const byPath: Record<string, number> = {};
        for (const { path: asked } of this.received) byPath[asked] = (byPath[asked] ?? 0) + 1;
        response.end(JSON.stringify({ count: this.received.length, byPath }));
        return;
      }
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => this.answer(request, response, path, Buffer.concat(chunks).toString('utf8')));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  private answer(request: IncomingMessage, response: ServerResponse, path: string, requestBody: string): void {
    const received: Received = { path, headers: request.headers, method: request.method, body: requestBody };
    this.received.push(received);
    const listed = this.replies.get(path);
    const reply = listed?.vary?.(this.vars) ?? listed;
    if (!reply) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not mocked"}');
      return;
    }
    if (reply.destroy) {
      request.socket.destroy();
      return;
    }
    let body: string | Buffer = reply.fixture ? readFileSync(join(FIXTURES, reply.fixture)) : (reply.body ?? '');
    if (reply.transform) body = JSON.stringify(reply.transform(JSON.parse(body.toString('utf8')), received));
    response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers }).end(body);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  get baseUrls(): Record<string, string> {
    return {
      HEADROOM_ANTHROPIC_API_URL: `http://127.0.0.1:${this.port}`,
      HEADROOM_CHATGPT_API_URL: `http://127.0.0.1:${this.port}/backend-api`,
      HEADROOM_GEMINI_API_URL: `http://127.0.0.1:${this.port}`,
      HEADROOM_GOOGLE_TOKEN_URL: `http://127.0.0.1:${this.port}/token`,
    };
  }
}

/** A scratch directory with a copy of the fixture home and empty state/config directories. */
export interface Sandbox {
  dir: string;
  /** A copy of the built plugin, away from the repository's node_modules, as a user installs it. */
  plugin: string;
  home: string;
  state: string;
  cleanup(): void;
}

/** Copies test/fixtures/home into a fresh temp dir; rollout mtimes are set to when the CLI wrote them. */
export function makeSandbox(withHome = true): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-test-'));
  const home = join(dir, 'home');
  const plugin = join(dir, 'plugins', 'headroom.5m.mjs');
  cpSync(join(ROOT, 'dist', 'swiftbar'), join(dir, 'plugins'), { recursive: true });
  if (withHome) {
    cpSync(join(FIXTURES, 'home'), home, { recursive: true });
    const day = join(home, '.codex', 'sessions', '2026', '11', '22');
    const written: Record<string, string> = {
      'rollout-2026-11-22T04-16-03-01a20177-e1b8-7602-87bd-64e0566149ee.jsonl': '2026-11-22T04:16:03.864Z',
      'rollout-2026-11-22T04-22-55-01a2017e-2bde-7e91-874b-84bc1e60ed91.jsonl': '2026-11-22T04:22:56.195Z',
    };
    for (const [name, at] of Object.entries(written)) utimesSync(join(day, name), new Date(at), new Date(at));
  }
  return { dir, plugin, home, state: join(dir, 'state'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The result of one plugin run. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built plugin from an unrelated working directory with a clean environment plus `env`; `input`, when
 * given, is written to its stdin (as Claude Code feeds a status-line command).
 */
export function runPlugin(args: string[], sandbox: Sandbox, env: Record<string, string>, input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [sandbox.plugin, ...args], {
      cwd: sandbox.dir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: sandbox.home,
        XDG_STATE_HOME: sandbox.state,
        XDG_CONFIG_HOME: join(sandbox.dir, 'config'),
        TZ: 'Europe/Berlin',
        LANG: 'en_GB.UTF-8',
        // Codex's app-server source would start whatever `codex` is on PATH (node_modules/.bin under npm): tests that
        // want it set HEADROOM_CODEX_BIN or PATH themselves.
        HEADROOM_CODEX_BIN: '/nonexistent/codex',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin.end(input);
  });
}

/** The mocked paths of Claude's and Codex's usage endpoints. */
export const API_PATHS = { claude: '/api/oauth/usage', codex: '/backend-api/wham/usage' } as const;

/**
 * A mock API started for a test file and a fresh sandbox for each test, registered with vitest's hooks given (so
 * this module stays free of vitest). `current()` is the running test's sandbox.
 */
export function pluginTestBed(hooks: {
  beforeAll: (fn: () => Promise<void>) => void;
  afterAll: (fn: () => Promise<void>) => void;
  beforeEach: (fn: () => void) => void;
  afterEach: (fn: () => void) => void;
}): { api: MockApi; current: () => Sandbox } {
  const api = new MockApi();
  let sandbox: Sandbox | undefined;
  hooks.beforeAll(() => api.start());
  hooks.afterAll(() => api.stop());
  hooks.beforeEach(() => {
    sandbox = makeSandbox();
    api.received.length = 0;
    api.replies.clear();
  });
  hooks.afterEach(() => sandbox?.cleanup());
  return { api, current: () => sandbox! };
}
