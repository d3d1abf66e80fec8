import { describe, expect, it } from 'vitest';
import type { Capture, Failure, ProviderId, SourceId, SourceResult } from '../../core/model.js';
import type { Ports } from '../../core/ports.js';
import type { ProviderDefinition, SourceDefinition } from '../../core/provider.js';
import { claudeCredentialsFingerprint, claudeProvider } from '../../core/providers/claude.js';
import { codexCredentialsFingerprint, codexProvider } from '../../core/providers/codex.js';
import {
  type Memory,
  type ProviderMemory,
  type SourceMemory,
  refreshAll,
  refreshProvider,
} from '../../core/refresh.js';
import { deserializeState, emptyState, serializeState } from '../../core/session.js';
import {
  BACKOFF_MAX_MS,
  CREDENTIALS_RECHECK_MS,
  allowedAt,
  backoffDelay,
  gateSource,
  isOffline,
  nextWakeAt,
  recordAttempt,
  withJitter,
} from '../../core/scheduler.js';
import { DEFAULT_SETTINGS, type Settings } from '../../core/settings.js';
import { fakePorts, fixtureJson, jsonResponse } from '../support/fake-ports.js';
import { parseMemory } from '../../core/memory.js';
import { providerSettings } from '../support/builders.js';

const T = Date.UTC(2026, 10, 22, 5, 0, 0);
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const INTERVAL = MIN;
/** No jitter: the middle of the range. */
const MIDDLE = (): number => 0.5;

interface ScriptedSource extends SourceDefinition {
  calls: number[];
}

/** A source that answers through `answer(callIndex, ports)` and records when it was called. */
function scripted(
  id: SourceId,
  remote: boolean,
  answer: (call: number, ports: Ports) => SourceResult,
  fingerprint?: (ports: Ports) => Promise<string | null>,
): ScriptedSource {
  const source: ScriptedSource = {
    id,
    label: id,
    remote,
    calls: [],
    async fetch(ports) {
      source.calls.push(ports.clock.now());
      return answer(source.calls.length - 1, ports);
    },
    ...(fingerprint ? { credentialsFingerprint: fingerprint } : {}),
  };
  return source;
}

function provider(id: ProviderId, ...sources: SourceDefinition[]): ProviderDefinition {
  return {
    id,
    name: id,
    letter: id[0]!.toUpperCase(),
    tool: id,
    usageUrl: '',
    connectHelp: '',
    directories: { configKey: 'dirs', env: 'HEADROOM_DIRS', defaultDirectory: `~/.${id}`, nouns: 'directories' },
    sources,
  };
}

const capture = (capturedAt: number): Capture => ({
  source: 'api',
  capturedAt,
  plan: null,
  windows: [{ id: 'session', label: 'Session (5 h)', usedPercent: 10, resetsAt: null, windowMinutes: 300 }],
  money: [],
});
const ok = (ports: Ports): SourceResult => ({ ok: true, capture: capture(ports.clock.now()) });
const fail = (failure: Failure): SourceResult => ({ ok: false, failure });
const SERVER_ERROR: Failure = { status: 'error', message: 'api.example had a server error (HTTP 503).', fix: '' };
const OFFLINE: Failure = { status: 'offline', message: "Can't reach api.example.", fix: '' };

/** Polls one provider at the given instants, carrying its memory; returns the memory after the last poll. */
async function pollAt(
  definition: ProviderDefinition,
  times: number[],
  options: { force?: (now: number) => boolean; random?: () => number; previous?: ProviderMemory } = {},
): Promise<ProviderMemory | undefined> {
  let memory = options.previous;
  for (const now of times) {
    const result = await refreshProvider(definition, fakePorts({ now }), providerSettings(), INTERVAL, memory, {
      force: options.force?.(now) ?? false,
      random: options.random ?? MIDDLE,
    });
    memory = result.memory;
  }
  return memory;
}

/** Every minute from `from` for `minutes` minutes. */
const everyMinute = (from: number, minutes: number): number[] =>
  Array.from({ length: minutes + 1 }, (_, i) => from + i * MIN);

const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => (t - times[i]!) / MIN);

function settingsWith(change: (settings: Settings) => void): Settings {
  const settings: Settings = structuredClone(DEFAULT_SETTINGS);
  change(settings);
  return settings;
}

describe('jitter and back-off', () => {
  it('jitters computed delays by ±10 %', () => {
    expect(withJitter(10 * MIN, () => 0)).toBe(9 * MIN);
    expect(withJitter(10 * MIN, MIDDLE)).toBe(10 * MIN);
    expect(withJitter(10 * MIN, () => 0.999_999)).toBe(11 * MIN);
    // A broken random source falls back to no jitter.
    expect(withJitter(10 * MIN, () => Number.NaN)).toBe(10 * MIN);
  });

  it('doubles from 1 min and caps at 30 min', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => backoffDelay(n, MIDDLE) / MIN)).toEqual([1, 2, 4, 8, 16, 30, 30, 30]);
    expect(backoffDelay(1, () => 0)).toBe(54 * SEC);
    expect(backoffDelay(1, () => 0.999_999)).toBe(66 * SEC);
    expect(backoffDelay(9, () => 0.999_999)).toBe(BACKOFF_MAX_MS);
    expect(backoffDelay(9, () => 0)).toBe(27 * MIN);
  });
});

describe('429: Retry-After', () => {
  it('honours the retry time through a storm, even when forced, with no jitter on it', async () => {
    // Every answer is a 429 asking for 10 more minutes.
    const api = scripted('api', true, (_call, ports) =>
      fail({ status: 'rate-limited', message: 'Rate-limited.', fix: '', retryAt: ports.clock.now() + 10 * MIN }),
    );
    await pollAt(provider('claude', api), everyMinute(T, 45), { force: () => true, random: () => 0 });
    expect(api.calls.map((t) => (t - T) / MIN)).toEqual([0, 10, 20, 30, 40]);
  });

  it('backs off 5 min ± jitter after a 429 without a retry time', async () => {
    const api = scripted('api', true, () => fail({ status: 'rate-limited', message: 'Rate-limited.', fix: '' }));
    const memory = await pollAt(provider('claude', api), [T], { random: () => 0.999_999 });
    expect(memory?.sources.api?.nextAllowedAt).toBe(T + 5.5 * MIN);
    await pollAt(provider('claude', api), [T + 5 * MIN, T + 5.5 * MIN - 1, T + 5.5 * MIN], { previous: memory });
    expect(api.calls).toEqual([T, T + 5.5 * MIN]);
  });

  it('spares Anthropic through a real 429 storm with `retry-after: 0`', async () => {
    const files = {
      '/home/dev/.claude/.credentials.json': JSON.stringify({
        claudeAiOauth: { accessToken: 'sk-ant-oat01-TOKEN', expiresAt: T + 24 * HOUR, scopes: ['user:profile'] },
      }),
    };
    const requests: number[] = [];
    let memory: Memory = {};
    const settings = settingsWith((s) => (s.providers.codex!.enabled = false));
    for (const now of everyMinute(T, 30)) {
      const ports = fakePorts({
        now,
        files,
        http: () => {
          requests.push(now);
          return jsonResponse({ error: { type: 'rate_limit_error' } }, 429, { 'retry-after': '0' });
        },
      });
      memory = (await refreshAll([claudeProvider], ports, settings, memory, { force: false, random: MIDDLE })).memory;
    }
    // Retry-After 0 is no retry time: core/http.ts's 5-minute default applies.
    expect(gaps(requests)).toEqual([5, 5, 5, 5, 5, 5]);
  });
});

describe('errors and offline: exponential back-off', () => {
  it('grows 1, 2, 4, … min, caps at 30 min, and resets on success', async () => {
    let healthy = false;
    const api = scripted('api', true, (_call, ports) => (healthy ? ok(ports) : fail(SERVER_ERROR)));
    const definition = provider('claude', api);
    let memory = await pollAt(definition, everyMinute(T, 130));
    expect(gaps(api.calls)).toEqual([1, 2, 4, 8, 16, 30, 30, 30]);
    expect(memory?.sources.api).toMatchObject({ failures: 9, lastFailure: SERVER_ERROR });

    healthy = true;
    const recovered = T + 151 * MIN;
    memory = await pollAt(definition, [recovered], { previous: memory });
    expect(memory?.sources.api).toEqual({
      lastAttemptAt: recovered,
      lastGood: capture(recovered),
      lastFailure: null,
    });

    healthy = false;
    api.calls.length = 0;
    await pollAt(definition, everyMinute(recovered + MIN, 10), { previous: memory });
    expect(gaps(api.calls)).toEqual([1, 2, 4]);
  });

  it('backs off offline sources the same way, keeping the last good data', async () => {
    const api = scripted('api', true, (call, ports) => (call === 0 ? ok(ports) : fail(OFFLINE)));
    const memory = await pollAt(provider('codex', api), everyMinute(T, 12));
    expect(gaps(api.calls)).toEqual([1, 1, 2, 4]);
    expect(memory?.sources.api?.lastGood?.capturedAt).toBe(T);
  });

  it('jitters the back-off', async () => {
    const api = scripted('api', true, () => fail(SERVER_ERROR));
    const memory = await pollAt(provider('claude', api), [T], { random: () => 0 });
    expect(memory?.sources.api?.nextAllowedAt).toBe(T + 54 * SEC);
    // The minimum interval still holds under the jitter.
    expect(gateSource(memory?.sources.api, T + 55 * SEC, INTERVAL, false)).toEqual({
      ask: false,
      reason: 'interval',
      until: T + MIN,
    });
  });

  it('lets "Refresh now" through a back-off, but not through a 429', async () => {
    const api = scripted('api', true, () => fail(SERVER_ERROR));
    const definition = provider('claude', api);
    const memory = await pollAt(definition, everyMinute(T, 7)); // calls at 0, 1, 3, 7: now backing off 8 min
    expect(api.calls).toHaveLength(4);
    await pollAt(definition, [T + 8 * MIN], { previous: memory, force: () => true });
    expect(api.calls).toHaveLength(5);
  });
});

describe('sign-in problems: paused until the credentials change', () => {
  const CREDENTIALS = '/home/dev/.claude/.credentials.json';
  const login = (mtimeMs: number, token = 'sk-ant-oat01-TOKEN') => ({
    [CREDENTIALS]: {
      text: JSON.stringify({ claudeAiOauth: { accessToken: token, expiresAt: T + 48 * HOUR, scopes: [] } }),
      mtimeMs,
    },
  });

  /** Runs the real Claude provider at each (time, files) step; the API always answers 401. */
  async function run(
    steps: { now: number; files: Record<string, { text: string; mtimeMs: number }>; force?: boolean }[],
  ) {
    const requests: number[] = [];
    let memory: Memory = {};
    const settings = settingsWith((s) => (s.providers.codex!.enabled = false));
    for (const step of steps) {
      const ports = fakePorts({
        now: step.now,
        files: step.files,
        http: () => {
          requests.push(step.now);
          return jsonResponse({ error: { type: 'authentication_error' } }, 401);
        },
      });
      const result = await refreshAll([claudeProvider], ports, settings, memory, {
        force: step.force ?? false,
        random: MIDDLE,
      });
      memory = result.memory;
    }
    return { requests, memory };
  }

  it('does not ask again until the credentials file changes (401)', async () => {
    const { requests, memory } = await run([
      { now: T, files: login(T - HOUR) },
      { now: T + 5 * MIN, files: login(T - HOUR) },
      { now: T + 3 * HOUR, files: login(T - HOUR) },
      // `claude` rewrote its login.
      { now: T + 3 * HOUR + MIN, files: login(T + 3 * HOUR) },
      { now: T + 3 * HOUR + 2 * MIN, files: login(T + 3 * HOUR) },
    ]);
    expect(requests).toEqual([T, T + 3 * HOUR + MIN]);
    expect(memory.claude?.sources.api).toMatchObject({
      lastFailure: { status: 'unauthorized' },
      nextAllowedAt: null,
      credentialsFingerprint: `${CREDENTIALS}:${login(0)[CREDENTIALS].text.length}:${T + 3 * HOUR}`,
    });
  });

  it('asks when forced', async () => {
    const { requests } = await run([
      { now: T, files: login(T - HOUR) },
      { now: T + 5 * MIN, files: login(T - HOUR), force: true },
    ]);
    expect(requests).toEqual([T, T + 5 * MIN]);
  });

  it('re-checks every 15 min when the login sits in the macOS Keychain', async () => {
    const api = scripted(
      'api',
      true,
      () => fail({ status: 'unauthorized', message: 'Rejected (HTTP 401).', fix: '' }),
      async () => null,
    );
    await pollAt(provider('claude', api), everyMinute(T, 40));
    expect(gaps(api.calls)).toEqual([15, 15]);
    expect(CREDENTIALS_RECHECK_MS).toBe(15 * MIN);
  });

  it('pauses a signed-out Codex until auth.json appears', async () => {
    const AUTH = '/home/dev/.codex/auth.json';
    const requests: number[] = [];
    let memory: Memory = {};
    const settings = settingsWith((s) => {
      s.providers.claude!.enabled = false;
      s.providers.codex!.source = 'api';
    });
    const steps: [number, Record<string, { text: string; mtimeMs: number }>][] = [
      [T, {}],
      [T + 30 * MIN, {}],
      [T + 31 * MIN, { [AUTH]: { text: JSON.stringify({ tokens: { access_token: 'tok' } }), mtimeMs: T + 31 * MIN } }],
    ];
    for (const [now, files] of steps) {
      const ports = fakePorts({
        now,
        files,
        http: () => {
          requests.push(now);
          return jsonResponse(fixtureJson('codex/wham-usage/codex-wham-usage-basic.json'));
        },
      });
      const result = await refreshAll([codexProvider], ports, settings, memory, { force: false, random: MIDDLE });
      memory = result.memory;
      if (now === T) expect(result.snapshots[0]?.status).toBe('signed-out');
    }
    expect(requests).toEqual([T + 31 * MIN]);
    expect(memory.codex?.sources.api?.lastFailure).toBeNull();
  });

  it('fingerprints credentials without reading them', async () => {
    const claudeFiles = { '/cfg/.credentials.json': { text: '{"a":1}', mtimeMs: 1234 }, ...login(99) };
    expect(await claudeCredentialsFingerprint(fakePorts({ files: login(99) }))).toMatch(
      /^\/home\/dev\/\.claude\/\.credentials\.json:\d+:99$/,
    );
    // The reader's order: $CLAUDE_CONFIG_DIR before ~/.claude.
    expect(
      await claudeCredentialsFingerprint(fakePorts({ files: claudeFiles, env: { CLAUDE_CONFIG_DIR: '/cfg' } })),
    ).toBe('/cfg/.credentials.json:7:1234');
    expect(await claudeCredentialsFingerprint(fakePorts())).toBe('none:/home/dev/.claude/.credentials.json');
    expect(await claudeCredentialsFingerprint(fakePorts({ platform: 'darwin' }))).toBeNull();
    expect(
      await codexCredentialsFingerprint(
        fakePorts({ files: { '/srv/codex/auth.json': { text: '{}', mtimeMs: 5 } }, env: { CODEX_HOME: '/srv/codex' } }),
      ),
    ).toBe('/srv/codex/auth.json:2:5');
    expect(await codexCredentialsFingerprint(fakePorts())).toBe('none:/home/dev/.codex/auth.json');
  });
});

describe('offline detection and waking', () => {
  const claudeApi = (answer: (ports: Ports) => SourceResult) => scripted('api', true, (_c, ports) => answer(ports));
  const codexLogs = scripted('logs', false, (_c, ports) => ({
    ok: true,
    capture: { ...capture(ports.clock.now()), source: 'logs' },
  }));

  it('reports offline when every enabled remote source is offline', async () => {
    const claude = provider(
      'claude',
      claudeApi(() => fail(OFFLINE)),
    );
    const codex = provider(
      'codex',
      claudeApi(() => fail(OFFLINE)),
      codexLogs,
    );
    const both = await refreshAll([claude, codex], fakePorts({ now: T }), DEFAULT_SETTINGS, {}, { force: false });
    expect(both.offline).toBe(true);
    // The local logs still answer; the snapshot shows them.
    expect(both.snapshots[1]?.source).toBe('logs');

    const codexOk = provider('codex', claudeApi(ok));
    const one = await refreshAll([claude, codexOk], fakePorts({ now: T }), DEFAULT_SETTINGS, {}, { force: false });
    expect(one.offline).toBe(false);

    // A disabled provider does not count.
    const claudeOnly = settingsWith((s) => (s.providers.codex!.enabled = false));
    expect(isOffline(one.memory, claudeOnly, [claude, codexOk])).toBe(true);
    // No remote source at all: not offline.
    const logsOnly = settingsWith((s) => {
      s.providers.claude!.enabled = false;
      s.providers.codex!.source = 'logs';
    });
    expect(isOffline(both.memory, logsOnly, [claude, codex])).toBe(false);
  });

  it('nextWakeAt gives the earliest time a remote source may be asked', () => {
    const defs = [provider('claude', claudeApi(ok)), provider('codex', claudeApi(ok), codexLogs)];
    const source = (memory: Partial<SourceMemory>): SourceMemory => ({
      lastAttemptAt: T,
      lastGood: null,
      lastFailure: null,
      ...memory,
    });
    const rateLimited: Failure = { status: 'rate-limited', message: '', fix: '', retryAt: T + 40 * MIN };
    const unauthorized: Failure = { status: 'unauthorized', message: '', fix: '' };
    const memory: Memory = {
      claude: { sources: { api: source({ lastFailure: rateLimited, nextAllowedAt: T + 40 * MIN }) } },
      codex: { sources: { api: source({ lastFailure: SERVER_ERROR, failures: 4, nextAllowedAt: T + 8 * MIN }) } },
    };
    expect(nextWakeAt(memory, DEFAULT_SETTINGS, T, defs)).toBe(T + 8 * MIN);
    // Codex on logs only: its API does not count.
    const logs = settingsWith((s) => (s.providers.codex!.source = 'logs'));
    expect(nextWakeAt(memory, logs, T, defs)).toBe(T + 40 * MIN);
    // Never before now.
    expect(nextWakeAt(memory, DEFAULT_SETTINGS, T + HOUR, defs)).toBe(T + HOUR);
    // After a success, the minimum interval.
    expect(nextWakeAt({ claude: { sources: { api: source({}) } } }, logs, T, defs)).toBe(T + MIN);
    // A source never asked may be asked now.
    expect(nextWakeAt({}, DEFAULT_SETTINGS, T, defs)).toBe(T);
    // Every remote source paused until its credentials change: nothing to wake for.
    const paused = source({ lastFailure: unauthorized, nextAllowedAt: null, credentialsFingerprint: 'f' });
    expect(nextWakeAt({ claude: { sources: { api: paused } } }, logs, T, defs)).toBeNull();
    // Nothing enabled.
    const none = settingsWith((s) => {
      s.providers.claude!.enabled = false;
      s.providers.codex!.enabled = false;
    });
    expect(nextWakeAt(memory, none, T, defs)).toBeNull();
    expect(allowedAt(undefined, INTERVAL)).toBe(-Infinity);
  });

  it('refreshAll says when to wake', async () => {
    const claude = provider(
      'claude',
      claudeApi(() => fail(OFFLINE)),
    );
    const settings = settingsWith((s) => (s.providers.codex!.enabled = false));
    const result = await refreshAll([claude], fakePorts({ now: T }), settings, {}, { force: false, random: MIDDLE });
    expect(result.nextWakeAt).toBe(T + MIN);
  });
});

describe('state files', () => {
  it('parses memory written before the scheduler and keeps its old rules', () => {
    const old = {
      claude: {
        sources: {
          api: {
            lastAttemptAt: T,
            lastGood: null,
            lastFailure: { status: 'rate-limited', message: 'Rate-limited.', fix: '', retryAt: T + 10 * MIN },
          },
        },
      },
      codex: { sources: { api: { lastAttemptAt: T, lastGood: null, lastFailure: SERVER_ERROR } } },
    };
    const memory = deserializeState(JSON.stringify({ version: 1, memory: old })).memory;
    expect(memory).toEqual(old);
    // The 429's retry time still holds, even when forced.
    expect(gateSource(memory.claude?.sources.api, T + 5 * MIN, INTERVAL, true)).toMatchObject({ ask: false });
    // An old error: only the minimum interval.
    expect(gateSource(memory.codex?.sources.api, T + MIN, INTERVAL, false)).toEqual({ ask: true });
    // An old sign-in failure is not paused.
    const oldUnauthorized: SourceMemory = {
      lastAttemptAt: T,
      lastGood: null,
      lastFailure: { status: 'unauthorized', message: '', fix: '' },
    };
    expect(gateSource(oldUnauthorized, T + MIN, INTERVAL, false)).toEqual({ ask: true });
  });

  it('round-trips the new fields', () => {
    const memory: Memory = {
      claude: {
        sources: {
          api: recordAttempt(
            undefined,
            fail({ status: 'unauthorized', message: 'Rejected.', fix: '' }),
            T,
            '/home/dev/.claude/.credentials.json:10:1',
            MIDDLE,
          ),
        },
      },
      codex: { sources: { api: recordAttempt(undefined, fail(OFFLINE), T, undefined, MIDDLE) } },
    };
    expect(memory.codex?.sources.api).toMatchObject({ failures: 1, nextAllowedAt: T + MIN });
    expect(deserializeState(serializeState({ ...emptyState(), memory })).memory).toEqual(memory);
    const bad = { ...memory.codex?.sources.api, failures: 'x' };
    expect(parseMemory({ codex: { sources: { api: bad } } }).memory).toEqual({
      codex: { sources: {}, foreign: { api: bad } },
    });
  });
});
