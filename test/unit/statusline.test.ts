import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  fetchStatusLine,
  formatStatusLine,
  parseStatusLineInput,
  statusLineEntry,
  statusLineWindows,
  withStatusLineEntry,
} from '../../core/statusline.js';
import { fakePorts } from '../support/fake-ports.js';

const read = (name: string): string =>
  readFileSync(new URL(`../fixtures/claude/statusline/${name}`, import.meta.url), 'utf8');
/** The real capture with `rate_limits` (Claude Code 2.1.328). */
const WITH_LIMITS = read('real-cli-claude-statusline-2.json');
/** The real capture before the first response: no `rate_limits`. */
const BEFORE_FIRST = read('real-cli-claude-statusline-1.json');
/** Half an hour after the capture's first use: its 5-hour window resets at 1795331011 s. */
const NOW = 1795329000_000;

function variant(edit: (limits: Record<string, Record<string, unknown>>) => void): string {
  const json = JSON.parse(WITH_LIMITS) as { rate_limits: Record<string, Record<string, unknown>> };
  edit(json.rate_limits);
  return JSON.stringify(json);
}

describe("Claude Code's status-line input", () => {
  it('reads both windows of the real capture exactly', () => {
    const limits = parseStatusLineInput(WITH_LIMITS);
    expect(statusLineWindows(limits)).toEqual({
      windows: [
        { id: 'session', label: 'Session (5 h)', usedPercent: 37, resetsAt: 1795331011000, windowMinutes: 300 },
        { id: 'weekly', label: 'Weekly', usedPercent: 64, resetsAt: 1795722011000, windowMinutes: 10080 },
      ],
      problems: [],
    });
  });

  it('has no limits before the first response', () => {
    expect(parseStatusLineInput(BEFORE_FIRST)).toBeNull();
    expect(parseStatusLineInput('not json')).toBeNull();
  });

  it('keeps the other window when one is dropped', () => {
    const limits = parseStatusLineInput(variant((l) => delete l.seven_day));
    expect(statusLineWindows(limits).windows.map((w) => w.id)).toEqual(['session']);
  });

  it('shows a window capped at 100', () => {
    const limits = parseStatusLineInput(variant((l) => (l.five_hour!.used_percentage = 100)));
    expect(formatStatusLine(limits, NOW, NOW)).toMatch(/^5h 100% · 7d 64% · resets \d\d:\d\d$/);
  });

  it('names a malformed window and keeps the rest', () => {
    const limits = parseStatusLineInput(variant((l) => (l.seven_day!.used_percentage = 'lots')));
    const read = statusLineWindows(limits);
    expect(read.windows.map((w) => w.id)).toEqual(['session']);
    expect(read.problems).toEqual(["Claude Code's seven_day window could not be read."]);
  });

  it('prints the status line; a passed reset reads 0; old data is stale', () => {
    const limits = parseStatusLineInput(WITH_LIMITS);
    const reset = new Date(1795331011000);
    const hhmm = `${String(reset.getHours()).padStart(2, '0')}:${String(reset.getMinutes()).padStart(2, '0')}`;
    expect(formatStatusLine(limits, NOW, NOW)).toBe(`5h 37% · 7d 64% · resets ${hhmm}`);
    const later = 1795331011000 + 60_000;
    expect(formatStatusLine(limits, later - 2 * 3600_000, later)).toMatch(/^5h 0% · 7d 64% · resets .* · \(stale\)$/);
  });
});

describe('the statusline source', () => {
  const entry = { capturedAt: NOW - 60_000, rateLimits: parseStatusLineInput(WITH_LIMITS)! };

  it('records each configuration directory apart and keeps the others', () => {
    const one = withStatusLineEntry(null, '/home/me/.claude', entry);
    const two = withStatusLineEntry(one, '/home/me/.claude-work', { ...entry, capturedAt: NOW });
    expect(statusLineEntry(two, '/home/me/.claude')).toEqual(entry);
    expect(statusLineEntry(two, '/home/me/.claude-work')?.capturedAt).toBe(NOW);
    expect(statusLineEntry('{broken', '/home/me/.claude')).toBeNull();
  });

  it("reads the account's entry with no network request", async () => {
    const ports = fakePorts({
      now: NOW,
      home: '/home/me',
      files: { '/home/me/.local/state/headroom/statusline.json': withStatusLineEntry(null, '/home/me/.claude', entry) },
    });
    const result = await fetchStatusLine(ports);
    expect(result.ok && result.capture.windows.map((w) => [w.id, w.usedPercent])).toEqual([
      ['session', 37],
      ['weekly', 64],
    ]);
    expect(ports.requests).toEqual([]);
    const other = await fetchStatusLine(ports, {
      provider: 'claude',
      id: 'claude-work',
      key: 'claude@claude-work',
      label: '~/.claude-work',
      directory: '/home/me/.claude-work',
    });
    expect(other).toMatchObject({ ok: false, failure: { status: 'signed-out', unused: true } });
  });
});
