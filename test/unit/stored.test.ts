/**
 * Stored documents shared with other versions of Headroom: a hand-made document from a "future" release (unknown
 * top-level keys, providers, sources, accounts, window entries, statuses and fields) is read as far as it is
 * understood, honoured where it is, and written back with nothing lost.
 */
import { describe, expect, it } from 'vitest';
import { openHistory, parseHistory, recordSamples } from '../../core/history.js';
import { runRefresh } from '../../core/session.js';
import { DEFAULT_SETTINGS } from '../../core/settings.js';
import { deserializeState, serializeState } from '../../core/state.js';
import { T, defaultAccount, session } from '../support/builders.js';
import { fakePorts, fixtureText } from '../support/fake-ports.js';

const FUTURE_STATE = fixtureText('stored/future/state.json');
const FUTURE_HISTORY = fixtureText('stored/future/history.jsonl');

describe('a state document written by a newer Headroom', () => {
  const state = deserializeState(FUTURE_STATE);

  it('reads what it understands: the known source with its Retry-After, and well-formed entries of others', () => {
    const api = state.memory.claude?.sources.api;
    expect(api?.nextAllowedAt).toBe(Date.UTC(2026, 10, 22, 6, 0, 0));
    expect(api?.lastGood?.windows.map((w) => [w.id, w.usedPercent])).toEqual([
      ['session', 37],
      ['weekly', 12],
    ]);
    expect(state.memory.gemini?.sources.api?.lastGood?.plan).toBe('Standard');
    expect(state.alerts.windows['claude/session']?.fired).toEqual([80]);
  });

  it('keeps aside what it cannot read, entry by entry', () => {
    expect(Object.keys(state.memory.claude?.sources ?? {})).toEqual(['api']);
    expect(Object.keys(state.memory.claude?.foreign ?? {})).toEqual(['web', 'statusline']);
    expect(state.stored?.memory).toEqual({ cursor: 'a value of a shape this build has never seen' });
    expect(Object.keys(state.alerts.foreign?.windows ?? {})).toEqual(['claude/weekly']);
    expect(Object.keys(state.alerts.foreign?.signIn ?? {})).toEqual(['codex']);
  });

  it('writes it back with nothing lost, its version kept', () => {
    expect(JSON.parse(serializeState(state))).toEqual(JSON.parse(FUTURE_STATE));
  });

  it('honours the Retry-After and the last good values after a refresh, and still loses nothing', async () => {
    const ports = fakePorts({ now: T, home: '/home/me' });
    const settings = { ...DEFAULT_SETTINGS, providers: { ...DEFAULT_SETTINGS.providers } };
    settings.providers.codex = { ...settings.providers.codex!, enabled: false };
    // Gemini is known to this build now; switched off, its entry stays as the newer Headroom wrote it.
    settings.providers.gemini = { ...settings.providers.gemini!, enabled: false };
    // This build knows a `statusline` source of its own; asking only `api` keeps the newer one's entry untouched.
    settings.providers.claude = { ...settings.providers.claude!, source: 'api' };
    const outcome = await runRefresh(ports, settings, deserializeState(FUTURE_STATE), null, { force: true });
    expect(ports.requests).toEqual([]);
    const [claude] = outcome.snapshots;
    expect(claude).toMatchObject({ provider: 'claude', status: 'rate-limited', stale: true, plan: 'Max 20x' });
    expect(claude?.windows.map((w) => w.usedPercent)).toEqual([37, 12]);

    const written = JSON.parse(serializeState(outcome.state));
    const original = JSON.parse(FUTURE_STATE);
    expect(written.version).toBe(3);
    expect(written.devices).toEqual(original.devices);
    expect(written.memory.gemini).toEqual(original.memory.gemini);
    expect(written.memory['claude@org-2c1f']).toEqual(original.memory['claude@org-2c1f']);
    expect(written.memory.cursor).toEqual(original.memory.cursor);
    expect(written.memory.claude.sources.web).toEqual(original.memory.claude.sources.web);
    expect(written.memory.claude.sources.statusline).toEqual(original.memory.claude.sources.statusline);
    expect(written.memory.claude.pinned).toBe(true);
    expect(written.alerts.windows['gemini/pro-daily']).toEqual(original.alerts.windows['gemini/pro-daily']);
    expect(written.alerts.windows['claude/weekly']).toEqual(original.alerts.windows['claude/weekly']);
    expect(written.alerts.signIn).toEqual(original.alerts.signIn);
  });
});

describe('a history file written by a newer Headroom', () => {
  it('is read as far as it is understood and left as it is', async () => {
    const parsed = parseHistory(FUTURE_HISTORY);
    expect(parsed.samples.map((s) => [s.provider, s.windowId, s.usedPercent])).toEqual([
      ['claude', 'session', 30],
      ['gemini', 'pro-daily', 5],
      ['claude@org-2c1f', 'weekly', 12.5],
    ]);
    let text: string | null = FUTURE_HISTORY;
    const file = {
      read: async () => text,
      append: async (more: string) => void (text = `${text}${more}`),
      replace: async (all: string) => void (text = all),
    };
    const snapshot = {
      provider: 'claude',
      account: defaultAccount('claude'),
      source: 'api',
      status: 'ok' as const,
      message: '',
      fix: '',
      stale: false,
      plan: null,
      fetchedAt: T,
      retryAt: null,
      windows: [session(44, T + 3_600_000)],
      money: [],
    };
    const result = await recordSamples(openHistory(file), [snapshot], T);
    expect(result.recorded).toEqual([]);
    expect(text).toBe(FUTURE_HISTORY);
  });
});
