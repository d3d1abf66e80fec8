/**
 * The Codex app-server client (core/providers/codex-app-server.ts) over a scripted process that answers as the real
 * Codex CLI 0.169.0 did in test/fixtures/codex/app-server/real-cli-codex-app-server-transcript.jsonl.
 */
import { describe, expect, it } from 'vitest';
import type { PipedProcess, Ports, SpawnOptions } from '../../core/ports.js';
import {
  APP_SERVER_TIMEOUTS,
  parseAppServerRateLimits,
  readCodexAppServer,
} from '../../core/providers/codex-app-server.js';
import { fakePorts, fixtureText } from '../support/fake-ports.js';

interface TranscriptLine {
  dir: 'client->server' | 'server->client';
  msg: { id?: number; method?: string; params?: unknown; result?: unknown; error?: unknown };
}

const TRANSCRIPT: TranscriptLine[] = fixtureText('codex/app-server/real-cli-codex-app-server-transcript.jsonl')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as TranscriptLine);

/** The real server's messages: its reply to each method (first occurrence) and its notifications. */
const REAL_REPLIES = new Map<string, unknown>();
for (const [index, line] of TRANSCRIPT.entries()) {
  if (line.dir !== 'client->server' || line.msg.id === undefined || REAL_REPLIES.has(line.msg.method!)) continue;
  const reply = TRANSCRIPT.slice(index).find((l) => l.dir === 'server->client' && l.msg.id === line.msg.id);
  REAL_REPLIES.set(line.msg.method!, reply?.msg);
}
const NOTIFICATIONS = TRANSCRIPT.filter((l) => l.dir === 'server->client' && l.msg.id === undefined).map((l) => l.msg);

interface Script {
  /** The reply (without id) to a method; absent → never answers. */
  replies: Map<string, unknown>;
  /** Ignores SIGTERM. */
  stubborn?: boolean;
}

/** Ports whose subprocess is a scripted app-server; records what was sent and which signals arrived. */
function scriptedPorts(script: Script, env: Record<string, string> = {}) {
  const sent: { method?: string; params?: unknown }[] = [];
  const signals: string[] = [];
  const spawned: { argv: string[]; env: Record<string, string> }[] = [];
  let stdinClosed = false;
  const base = fakePorts({ env });
  const ports: Ports = {
    ...base,
    subprocess: {
      run: base.subprocess.run,
      delay: (ms) => new Promise((resolve) => setTimeout(resolve, ms / 1000)),
      spawn: async (argv: string[], options: SpawnOptions): Promise<PipedProcess> => {
        spawned.push({ argv, env: options.env });
        let end: (code: number | null) => void = () => {};
        const exited = new Promise<number | null>((resolve) => (end = resolve));
        let running = true;
        const finish = (code: number | null): void => {
          running = false;
          end(code);
        };
        for (const note of NOTIFICATIONS) queueMicrotask(() => options.onLine(JSON.stringify(note)));
        return {
          write(text) {
            if (!running) return;
            const message = JSON.parse(text) as { id?: number; method: string; params?: unknown };
            sent.push({ method: message.method, ...(message.params !== undefined && { params: message.params }) });
            const reply = message.id === undefined ? undefined : script.replies.get(message.method);
            if (reply) queueMicrotask(() => options.onLine(JSON.stringify({ ...reply, id: message.id })));
          },
          closeStdin() {
            stdinClosed = true;
          },
          signal(signal) {
            if (!running) return;
            signals.push(signal);
            if (signal === 'SIGKILL' || !script.stubborn) finish(null);
          },
          exited,
        };
      },
    },
  };
  return { ports, sent, signals, spawned, stdinClosed: () => stdinClosed };
}

const REAL = { replies: REAL_REPLIES };

describe('Codex app-server client', () => {
  it('reads every limit family, the credits and the plan from the real server answers', async () => {
    const fake = scriptedPorts(REAL);
    const result = await readCodexAppServer(fake.ports);
    expect(result).toEqual({
      ok: true,
      capture: {
        source: 'app-server',
        capturedAt: fake.ports.clock.now(),
        plan: 'Pro',
        windows: [
          { id: 'session', label: 'Session (5 h)', usedPercent: 23, resetsAt: 1795330097000, windowMinutes: 300 },
          { id: 'weekly', label: 'Weekly', usedPercent: 61, resetsAt: 1795521097000, windowMinutes: 10080 },
          {
            id: 'gpt-5-3-codex-spark-session',
            label: 'GPT-5.3-Codex-Spark · Session (5 h)',
            usedPercent: 7,
            resetsAt: 1795333097000,
            windowMinutes: 300,
          },
        ],
        money: [
          {
            id: 'credits',
            label: 'Credits',
            usedMinor: null,
            limitMinor: null,
            balanceMinor: 4275,
            currency: 'credits',
            exponent: 2,
            unlimited: false,
          },
        ],
      },
    });
  });

  it('speaks the protocol as CodexBar does, from PATH, and stops the server afterwards', async () => {
    const fake = scriptedPorts(REAL);
    await readCodexAppServer(fake.ports, {
      provider: 'codex',
      id: 'work',
      key: 'codex@work',
      label: 'work',
      directory: '/w/.codex',
    });
    expect(fake.spawned).toEqual([
      { argv: ['codex', '-s', 'read-only', '-a', 'never', 'app-server'], env: { CODEX_HOME: '/w/.codex' } },
    ]);
    expect(fake.sent.map((m) => m.method)).toEqual([
      'initialize',
      'initialized',
      'account/read',
      'account/rateLimits/read',
    ]);
    expect(fake.sent[0]?.params).toMatchObject({ capabilities: { experimentalApi: true } });
    expect(fake.sent[2]?.params).toEqual({ refreshToken: false });
    expect(fake.stdinClosed()).toBe(true);
    expect(fake.signals).toEqual(['SIGTERM']);
  });

  it('runs HEADROOM_CODEX_BIN when set', async () => {
    const fake = scriptedPorts(REAL, { HEADROOM_CODEX_BIN: '/opt/codex/bin/codex' });
    await readCodexAppServer(fake.ports);
    expect(fake.spawned[0]?.argv[0]).toBe('/opt/codex/bin/codex');
  });

  it('kills a server that never answers: SIGTERM, then SIGKILL after the grace period', async () => {
    const fake = scriptedPorts({ replies: new Map(), stubborn: true });
    const result = await readCodexAppServer(fake.ports);
    expect(result).toMatchObject({
      ok: false,
      failure: { status: 'error', message: "Codex's app-server did not start within 10 s." },
    });
    expect(fake.signals).toEqual(['SIGTERM', 'SIGKILL']);
  });

  it('times out a request after a started server', async () => {
    const replies = new Map(REAL_REPLIES);
    replies.delete('account/rateLimits/read');
    const result = await readCodexAppServer(scriptedPorts({ replies }).ports);
    expect(result).toMatchObject({ ok: false, failure: { message: "Codex's app-server did not answer within 5 s." } });
  });

  it('says an API-key login has no plan limits (account type apiKey, or error -32600)', async () => {
    const apiKey = new Map(REAL_REPLIES);
    apiKey.set('account/read', { result: { account: { type: 'apiKey' }, requiresOpenaiAuth: true } });
    const invalid = new Map(REAL_REPLIES);
    invalid.set('account/read', { result: { account: null, requiresOpenaiAuth: false } });
    invalid.set('account/rateLimits/read', { error: { code: -32600, message: 'chatgpt authentication required' } });
    for (const replies of [apiKey, invalid]) {
      expect(await readCodexAppServer(scriptedPorts({ replies }).ports)).toMatchObject({
        ok: false,
        failure: { status: 'signed-out', message: 'Codex is signed in with an API key, which has no plan limits.' },
      });
    }
  });

  it('says Codex is not signed in when it has no login, and never quotes an RPC error', async () => {
    const none = new Map(REAL_REPLIES);
    none.set('account/read', { result: { account: null, requiresOpenaiAuth: true } });
    expect(await readCodexAppServer(scriptedPorts({ replies: none }).ports)).toMatchObject({
      ok: false,
      failure: { status: 'signed-out', message: 'Codex is not signed in with ChatGPT.' },
    });
    const failing = new Map(REAL_REPLIES);
    failing.set('account/rateLimits/read', { error: { code: -32603, message: 'body={"secret":"x"}' } });
    const result = await readCodexAppServer(scriptedPorts({ replies: failing }).ports);
    expect(result).toMatchObject({
      ok: false,
      failure: { message: "Codex's app-server could not fetch your limits." },
    });
    expect(JSON.stringify(result)).not.toContain('secret');
  });

  it('is unused (auto passes over it) when codex cannot be started or the shell cannot run programs', async () => {
    const base = fakePorts();
    const missing: Ports = {
      ...base,
      subprocess: { ...base.subprocess, delay: async () => {}, spawn: () => Promise.reject(new Error('ENOENT')) },
    };
    expect(await readCodexAppServer(missing)).toMatchObject({ ok: false, failure: { status: 'error', unused: true } });
    expect(await readCodexAppServer(base)).toMatchObject({ ok: false, failure: { unused: true } });
  });

  it('keeps the readable parts and names the unreadable ones', () => {
    const limits = (REAL_REPLIES.get('account/rateLimits/read') as { result: Record<string, unknown> }).result;
    const byId = limits.rateLimitsByLimitId as Record<string, Record<string, unknown>>;
    const broken = {
      ...limits,
      rateLimitsByLimitId: { ...byId, codex: { ...byId.codex, secondary: { usedPercent: 'lots' }, credits: 7 } },
    };
    const parsed = parseAppServerRateLimits(broken);
    expect(parsed.ok && parsed.windows.map((w) => w.id)).toEqual(['session', 'gpt-5-3-codex-spark-session']);
    expect(parsed.ok && parsed.problems).toEqual([
      "Codex's app-server secondary window could not be read.",
      "Codex's app-server credits could not be read.",
    ]);
    expect(parseAppServerRateLimits({ rateLimits: null })).toMatchObject({ ok: false, failure: { status: 'error' } });
    expect(parseAppServerRateLimits('nope')).toMatchObject({ ok: false });
  });

  it('has bounded defaults that fit inside the CLI run deadline after a 15 s API timeout', () => {
    const { startMs, requestMs, graceMs } = APP_SERVER_TIMEOUTS;
    expect(15_000 + startMs + 2 * requestMs + graceMs).toBeLessThan(40_000);
  });
});
