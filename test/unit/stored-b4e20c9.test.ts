/**
 * The files the release at b4e20c9 wrote (test/fixtures/stored/b4e20c9, made by its built plugin; see
 * test/fixtures/PROVENANCE.md) are read back completely: an upgrade keeps the cache, the back-off and what was
 * notified.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHistory, serializeHistory } from '../../core/history.js';
import { deserializeState, serializeState } from '../../core/session.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'stored', 'b4e20c9');
const read = (name: string): string => readFileSync(join(DIR, name), 'utf8');

describe('state files written by b4e20c9', () => {
  it.each(['state.json', 'state-backoff.json'])('%s reads back without losing a field', (name) => {
    const text = read(name);
    expect(serializeState(deserializeState(text))).toBe(text);
  });

  it('keeps the captures, failures and alert memory', () => {
    const { memory, alerts } = deserializeState(read('state.json'));
    expect(memory.claude?.sources.api).toMatchObject({
      lastGood: { money: [{ id: 'extra-usage', currency: 'EUR', usedMinor: 763, limitMinor: 2000 }] },
      lastFailure: { status: 'unauthorized' },
      nextAllowedAt: null,
      credentialsFingerprint: expect.stringMatching(/\.credentials\.json:427:\d+$/),
    });
    expect(memory.codex?.sources.api).toMatchObject({
      lastGood: { money: [{ id: 'credits', balanceMinor: 1750 }] },
      lastFailure: { status: 'rate-limited', retryAt: Date.parse('2026-11-22T06:10:00Z') },
      nextAllowedAt: Date.parse('2026-11-22T06:10:00Z'),
      failures: 3,
    });
    expect(memory.codex?.sources.logs?.lastGood?.source).toBe('logs');
    expect(alerts.windows['claude/session']?.fired).toEqual([80, 90]);
    expect(alerts.signIn.claude?.status).toBe('unauthorized');
    const backoff = deserializeState(read('state-backoff.json')).memory.codex?.sources.api;
    expect(backoff).toMatchObject({ lastFailure: { status: 'error' }, failures: 2 });
  });
});

describe('history file written by b4e20c9', () => {
  it('parses every line', () => {
    const parsed = parseHistory(read('history.jsonl'));
    expect(parsed).toMatchObject({ header: true, foreign: false, skippedLines: 0, endsWithNewline: true });
    expect(parsed.samples).toHaveLength(13);
    expect(new Set(parsed.samples.map((s) => `${s.provider}/${s.windowId}`)).size).toBe(5);
    expect(serializeHistory(parsed.samples)).toBe(read('history.jsonl'));
  });
});
