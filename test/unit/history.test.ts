import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GARBAGE_LINE_LIMIT,
  HISTORY_HEADER,
  type Sample,
  formatSampleLine,
  loadHistory,
  openHistory,
  parseHistory,
  parseSampleLine,
  recordSamples,
  serializeHistory,
} from '../../core/history.js';
import type { ProviderId, ProviderSnapshot, Status, UsageWindow } from '../../core/model.js';
import { memoryHistoryFile, nodeHistoryFile } from '../support/history-files.js';
import { defaultAccount, sessionSample } from '../support/builders.js';

/** Sunday 22 November 2026, 05:00 UTC. */
const T = Date.UTC(2026, 10, 22, 5, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function session(usedPercent: number, resetsAt: number | null = T + 3 * HOUR): UsageWindow {
  return { id: 'session', label: 'Session (5 h)', usedPercent, resetsAt, windowMinutes: 300 };
}

function weekly(usedPercent: number, resetsAt: number | null = T + 3 * DAY): UsageWindow {
  return { id: 'weekly', label: 'Weekly', usedPercent, resetsAt, windowMinutes: 10080 };
}

function snapshot(
  windows: UsageWindow[],
  fetchedAt: number | null,
  extra: { provider?: ProviderId; status?: Status; stale?: boolean } = {},
): ProviderSnapshot {
  return {
    provider: extra.provider ?? 'claude',
    account: defaultAccount(extra.provider ?? 'claude'),
    source: 'api',
    status: extra.status ?? 'ok',
    message: '',
    fix: '',
    stale: extra.stale ?? false,
    plan: 'Max 20x',
    fetchedAt,
    retryAt: null,
    windows,
    money: [],
  };
}

const sample = sessionSample;

/** Records one session value captured at `at` (and checked at `at`) into a history; returns what was recorded. */
async function recordAt(history: ReturnType<typeof openHistory>, at: number, windows: UsageWindow[]) {
  return recordSamples(history, [snapshot(windows, at)], at);
}

describe('file format', () => {
  it('writes a header and one JSON array per sample, and reads them back', async () => {
    const file = memoryHistoryFile();
    const history = openHistory(file);
    const result = await recordSamples(history, [snapshot([session(37.456), weekly(12)], T)], T);
    expect(result.error).toBeNull();
    expect(result.recorded).toHaveLength(2);
    expect(file.text).toBe(
      [
        HISTORY_HEADER,
        `[${T},"claude","session",37.46,${T + 3 * HOUR},300]`,
        `[${T},"claude","weekly",12,${T + 3 * DAY},10080]`,
        '',
      ].join('\n'),
    );
    const parsed = parseHistory(file.text ?? '');
    expect(parsed).toMatchObject({ header: true, foreign: false, skippedLines: 0, endsWithNewline: true });
    expect(parsed.samples).toEqual(result.recorded);
    // A new process reads the same samples.
    const again = await loadHistory(openHistory(file));
    expect(again).toEqual({ samples: result.recorded, error: null });
  });

  it('round-trips a sample with unknown reset and length', () => {
    const value = sample(T, 0, { resetsAt: null, windowMinutes: null, provider: 'codex', windowId: 'weekly-x' });
    expect(parseSampleLine(formatSampleLine(value))).toEqual(value);
  });

  it('skips garbage and a partial last line, never failing', () => {
    const good = [sample(T, 10), sample(T + MIN, 11)];
    const text =
      [
        HISTORY_HEADER,
        formatSampleLine(good[0] as Sample),
        'not json',
        '{"at":1}',
        `[${T},"claude","session","12",null,null]`,
        `[-5,"claude","session",12,null,null]`,
        `[${T},"claude","",12,null,null]`,
        `[${T},"claude","session",12,null,0]`,
        `[${T},"claude","session",12,null]`,
        '',
        `${formatSampleLine(good[1] as Sample)}\r`,
      ].join('\n') + `\n[${T + 2 * MIN},"claude","sess`;
    const parsed = parseHistory(text);
    expect(parsed.samples).toEqual(good);
    expect(parsed.skippedLines).toBe(8);
    expect(parsed.endsWithNewline).toBe(false);
  });

  it('reads samples in time order whatever the line order', () => {
    const parsed = parseHistory(serializeHistory([sample(T + MIN, 2), sample(T, 1), sample(T + MIN, 3)]));
    expect(parsed.samples.map((s) => s.usedPercent)).toEqual([1, 2, 3]);
  });

  it('starts the next append on a fresh line after a partial last line', async () => {
    const file = memoryHistoryFile(`${serializeHistory([sample(T, 10)])}[${T + MIN},"claude","sess`);
    const history = openHistory(file);
    const result = await recordAt(history, T + 2 * MIN, [session(20)]);
    expect(result.recorded).toHaveLength(1);
    const parsed = parseHistory(file.text ?? '');
    expect(parsed.skippedLines).toBe(1);
    expect(parsed.samples.map((s) => s.usedPercent)).toEqual([10, 20]);
  });

  it('ignores a file of an older or unknown version and replaces it with a version-1 file', async () => {
    const file = memoryHistoryFile(`["headroom-history",0]\n{"whatever":true}\n${formatSampleLine(sample(T, 5))}\n`);
    expect(parseHistory(file.text ?? '')).toMatchObject({ samples: [], foreign: true });
    const history = openHistory(file);
    const result = await recordAt(history, T, [session(40)]);
    expect(result.compacted).toBe(true);
    expect(file.text).toBe(serializeHistory([sample(T, 40)]));
  });

  it('reads a file of a newer version as far as it understands it, and never writes to it', async () => {
    const text =
      `["headroom-history",2]\n{"whatever":true}\n${formatSampleLine(sample(T, 5))}\n` +
      `[${T + MIN},"gemini@work","pro-daily",7,null,1440,{"tokens":12}]\n`;
    const file = memoryHistoryFile(text);
    expect(parseHistory(text)).toMatchObject({
      samples: [
        sample(T, 5),
        { at: T + MIN, provider: 'gemini@work', windowId: 'pro-daily', usedPercent: 7, extra: [{ tokens: 12 }] },
      ],
      foreign: false,
      newer: true,
      skippedLines: 1,
    });
    const result = await recordAt(openHistory(file), T + 2 * MIN, [session(40)]);
    expect(result).toMatchObject({ recorded: [], compacted: false });
    expect(file.text).toBe(text);
  });

  it('keeps fields a newer Headroom adds to a line through a compaction', async () => {
    const line = `[${T},"claude","session",5,null,300,"future"]`;
    const file = memoryHistoryFile(`${line}\n`);
    await recordAt(openHistory(file), T + HOUR, [session(40)]);
    expect(file.text).toBe(`${HISTORY_HEADER}\n${line}\n${formatSampleLine(sample(T + HOUR, 40))}\n`);
  });

  it('adds a missing header by rewriting the file', async () => {
    const file = memoryHistoryFile(`${formatSampleLine(sample(T, 5))}\n`);
    const result = await recordAt(openHistory(file), T + HOUR, [session(40)]);
    expect(result.compacted).toBe(true);
    expect(file.text).toBe(serializeHistory([sample(T, 5), sample(T + HOUR, 40)]));
  });
});

describe('recordSamples: what is sampled', () => {
  it('samples on a change of at least one point, either way', async () => {
    const history = openHistory(memoryHistoryFile());
    expect((await recordAt(history, T, [session(10)])).recorded).toHaveLength(1);
    expect((await recordAt(history, T + MIN, [session(10)])).recorded).toHaveLength(0);
    expect((await recordAt(history, T + 2 * MIN, [session(10.99)])).recorded).toHaveLength(0);
    expect((await recordAt(history, T + 3 * MIN, [session(11)])).recorded).toHaveLength(1);
    expect((await recordAt(history, T + 4 * MIN, [session(11.9)])).recorded).toHaveLength(0);
    expect((await recordAt(history, T + 5 * MIN, [session(10)])).recorded).toHaveLength(1);
  });

  it('samples an unchanged window every 30 minutes', async () => {
    const history = openHistory(memoryHistoryFile());
    await recordAt(history, T, [session(10)]);
    expect((await recordAt(history, T + 29 * MIN, [session(10.5)])).recorded).toHaveLength(0);
    expect((await recordAt(history, T + 30 * MIN, [session(10.5)])).recorded).toHaveLength(1);
    expect((await recordAt(history, T + 59 * MIN, [session(10.5)])).recorded).toHaveLength(0);
  });

  it('samples a reset even when the value did not move, but not a jittering reset time', async () => {
    const history = openHistory(memoryHistoryFile());
    await recordAt(history, T, [session(0, T + 2 * MIN)]);
    expect((await recordAt(history, T + MIN, [session(0, T + 2 * MIN + 30_000)])).recorded).toHaveLength(0);
    const next = await recordAt(history, T + 3 * MIN, [session(0, T + 303 * MIN)]);
    expect(next.recorded).toEqual([sample(T + 3 * MIN, 0, { resetsAt: T + 303 * MIN })]);
  });

  it('takes the capture time, samples a capture once, and skips a window whose reset has passed', async () => {
    const history = openHistory(memoryHistoryFile());
    const captured = T - 2 * HOUR;
    const stale = snapshot([session(20, captured), weekly(30)], captured);
    const first = await recordSamples(history, [stale], T);
    expect(first.recorded).toEqual([
      sample(captured, 30, { windowId: 'weekly', resetsAt: T + 3 * DAY, windowMinutes: 10080 }),
    ]);
    expect((await recordSamples(history, [stale], T + HOUR)).recorded).toHaveLength(0);
  });

  it('never records a capture that is not newer than the last sample', async () => {
    const history = openHistory(memoryHistoryFile());
    await recordAt(history, T, [session(10)]);
    expect((await recordSamples(history, [snapshot([session(50)], T)], T + MIN)).recorded).toHaveLength(0);
    expect((await recordSamples(history, [snapshot([session(50)], T - MIN)], T + MIN)).recorded).toHaveLength(0);
  });

  it('uses now for a snapshot without a capture time, never a time in the future', async () => {
    const history = openHistory(memoryHistoryFile());
    expect((await recordSamples(history, [snapshot([session(1)], null)], T)).recorded[0]?.at).toBe(T);
    expect((await recordSamples(history, [snapshot([session(5)], T + DAY)], T + MIN)).recorded[0]?.at).toBe(T + MIN);
  });

  it('samples only fresh snapshots', async () => {
    const history = openHistory(memoryHistoryFile());
    const result = await recordSamples(
      history,
      [
        snapshot([session(10)], T, { stale: true }),
        snapshot([session(10)], T, { status: 'rate-limited' }),
        snapshot([session(10)], T, { status: 'stale' }),
        snapshot([session(10)], T, { provider: 'codex' }),
      ],
      T,
    );
    expect(result.recorded).toEqual([sample(T, 10, { provider: 'codex' })]);
  });

  it('keeps providers apart', async () => {
    const history = openHistory(memoryHistoryFile());
    await recordSamples(history, [snapshot([session(10)], T)], T);
    const result = await recordSamples(history, [snapshot([session(10)], T + MIN, { provider: 'codex' })], T + MIN);
    expect(result.recorded).toHaveLength(1);
  });

  it('ignores a last sample from the future (a clock that was wrong)', async () => {
    const file = memoryHistoryFile(serializeHistory([sample(T + 10 * DAY, 10)]));
    const result = await recordAt(openHistory(file), T, [session(10)]);
    expect(result.recorded).toHaveLength(1);
  });

  it('never throws on malformed snapshots and windows', async () => {
    const history = openHistory(memoryHistoryFile());
    const bad = [
      null,
      { ...snapshot([], T), windows: null },
      snapshot(
        [session(Number.NaN), { ...session(5), id: 7 } as unknown as UsageWindow, null as unknown as UsageWindow],
        T,
      ),
      snapshot([{ ...session(5), resetsAt: undefined } as unknown as UsageWindow], T),
    ] as unknown as ProviderSnapshot[];
    const result = await recordSamples(history, bad, T);
    expect(result.error).toBeNull();
    expect(result.recorded).toEqual([sample(T, 5, { resetsAt: null })]);
    expect((await recordSamples(history, null as unknown as ProviderSnapshot[], T)).recorded).toEqual([]);
  });
});

describe('recordSamples: I/O', () => {
  it('reads the file once per history and appends once per call', async () => {
    const file = memoryHistoryFile(serializeHistory([sample(T - HOUR, 1)]));
    const history = openHistory(file);
    for (let i = 0; i < 5; i++) {
      await recordSamples(history, [snapshot([session(10 + i), weekly(0)], T + i * MIN)], T + i * MIN);
    }
    await recordSamples(history, [snapshot([session(14), weekly(0)], T + 5 * MIN)], T + 5 * MIN);
    expect(file.reads).toBe(1);
    expect(file.appends).toBe(5);
    expect(file.replaces).toBe(0);
    expect(parseHistory(file.text ?? '').samples).toHaveLength(1 + 5 + 1);
    // The samples returned are the whole history.
    expect((await loadHistory(history)).samples).toHaveLength(7);
    expect(file.reads).toBe(1);
  });

  it('reports a file that cannot be read and writes nothing', async () => {
    const file = memoryHistoryFile('');
    file.read = async () => {
      throw new Error('EACCES: permission denied');
    };
    const result = await recordAt(openHistory(file), T, [session(10)]);
    expect(result).toEqual({ samples: [], recorded: [], compacted: false, error: 'EACCES: permission denied' });
    expect(file.appends + file.replaces).toBe(0);
    expect(await loadHistory(openHistory(file))).toEqual({ samples: [], error: 'EACCES: permission denied' });
  });

  it('recovers from an append cut short: reads again, and the partial line is skipped', async () => {
    const file = memoryHistoryFile();
    const history = openHistory(file);
    await recordAt(history, T, [session(10)]);
    file.failNextWrite = { message: 'ENOSPC', partial: `[${T + MIN},"claude","ses` };
    const failed = await recordAt(history, T + MIN, [session(20)]);
    expect(failed).toMatchObject({ recorded: [], error: 'ENOSPC' });
    const retried = await recordAt(history, T + 2 * MIN, [session(20)]);
    expect(retried.error).toBeNull();
    expect(file.reads).toBe(2);
    const parsed = parseHistory(file.text ?? '');
    expect(parsed.skippedLines).toBe(1);
    expect(parsed.samples.map((s) => s.usedPercent)).toEqual([10, 20]);
  });
});

describe('recordSamples: compaction', () => {
  /** Hourly samples of the weekly window from `from` to `to`, as a version-1 file. */
  function hourly(from: number, to: number): Sample[] {
    const samples: Sample[] = [];
    for (let at = from; at <= to; at += HOUR) {
      samples.push(sample(at, (at / HOUR) % 100, { windowId: 'weekly', resetsAt: at + DAY, windowMinutes: 10080 }));
    }
    return samples;
  }

  it('drops samples older than 60 days once they span more than a day, keeping the rest line for line', async () => {
    const old = hourly(T - 62 * DAY, T - HOUR);
    const original = serializeHistory(old);
    const file = memoryHistoryFile(original);
    const history = openHistory(file);
    const result = await recordAt(history, T, [session(50)]);
    expect(result.compacted).toBe(true);
    expect(file).toMatchObject({ reads: 1, appends: 0, replaces: 1 });
    const kept = old.filter((s) => s.at >= T - 60 * DAY);
    expect(kept.length).toBeLessThan(old.length);
    const parsed = parseHistory(file.text ?? '');
    expect(parsed).toMatchObject({ header: true, skippedLines: 0 });
    expect(parsed.samples).toEqual([...kept, sample(T, 50)]);
    expect(result.samples).toEqual(parsed.samples);
    const lines = (file.text ?? '').split('\n');
    expect(lines[0]).toBe(HISTORY_HEADER);
    const originalLines = new Set(original.split('\n'));
    expect(lines.slice(1, 1 + kept.length).every((line) => originalLines.has(line))).toBe(true);
    // Appends go on after the compaction; nothing is due for a day.
    await recordAt(history, T + HOUR, [session(60)]);
    expect(file).toMatchObject({ reads: 1, appends: 1, replaces: 1 });
  });

  it('leaves the file alone while the expired samples span less than a day', async () => {
    const file = memoryHistoryFile(serializeHistory(hourly(T - 60 * DAY - 20 * HOUR, T - HOUR)));
    const result = await recordAt(openHistory(file), T, [session(50)]);
    expect(result.compacted).toBe(false);
    expect(file).toMatchObject({ reads: 1, appends: 1, replaces: 0 });
  });

  it('compacts a long-lived history when due, re-reading to keep what another process appended', async () => {
    const file = memoryHistoryFile(serializeHistory(hourly(T - 60 * DAY, T - HOUR)));
    const history = openHistory(file);
    await recordAt(history, T, [session(10)]);
    // Another process (the CLI) appends a sample the index has not seen.
    file.text += `${formatSampleLine(sample(T + HOUR, 33, { provider: 'codex' }))}\n`;
    const later = T + 2 * DAY;
    const result = await recordAt(history, later, [session(10, later + HOUR)]);
    expect(result.compacted).toBe(true);
    expect(file).toMatchObject({ reads: 2, replaces: 1 });
    const samples = parseHistory(file.text ?? '').samples;
    expect(samples[0]?.at).toBeGreaterThanOrEqual(later - 60 * DAY);
    expect(samples).toContainEqual(sample(T + HOUR, 33, { provider: 'codex' }));
    expect(samples[samples.length - 1]).toEqual(sample(later, 10, { resetsAt: later + HOUR }));
  });

  it('rewrites a file full of garbage and drops samples from the far future', async () => {
    const garbage = Array.from({ length: GARBAGE_LINE_LIMIT }, (_, i) => `garbage ${i}`);
    const file = memoryHistoryFile(
      [HISTORY_HEADER, ...garbage, formatSampleLine(sample(T - HOUR, 1)), formatSampleLine(sample(T + 9 * DAY, 2))]
        .join('\n')
        .concat('\n'),
    );
    const result = await recordAt(openHistory(file), T, [session(3)]);
    expect(result.compacted).toBe(true);
    expect(file.text).toBe(serializeHistory([sample(T - HOUR, 1), sample(T, 3)]));
  });

  it('keeps the old file when the atomic replace fails, appends instead and retries a day later', async () => {
    const old = hourly(T - 62 * DAY, T - HOUR);
    const original = serializeHistory(old);
    const file = memoryHistoryFile(original);
    file.failNextWrite = { message: 'EACCES: rename' };
    const history = openHistory(file);
    const result = await recordAt(history, T, [session(50)]);
    expect(result).toMatchObject({ compacted: false, recorded: [sample(T, 50)], error: 'EACCES: rename' });
    expect(file.text).toBe(`${original}${formatSampleLine(sample(T, 50))}\n`);
    expect(file).toMatchObject({ reads: 1, appends: 1, replaces: 1 });
    // Within the day: no new read, no new replace.
    await recordAt(history, T + 23 * HOUR, [session(60, T + 25 * HOUR)]);
    expect(file).toMatchObject({ reads: 1, appends: 2, replaces: 1 });
    const retried = await recordAt(history, T + DAY, [session(70, T + 25 * HOUR)]);
    expect(retried).toMatchObject({ compacted: true, error: null });
    expect(file).toMatchObject({ reads: 2, appends: 2, replaces: 2 });
    expect(parseHistory(file.text ?? '').samples[0]?.at).toBeGreaterThanOrEqual(T + DAY - 60 * DAY);
  });

  it('reports a failed replace of a file of another version without appending to it', async () => {
    const file = memoryHistoryFile('["headroom-history",0]\n');
    file.failNextWrite = { message: 'EROFS' };
    const result = await recordAt(openHistory(file), T, [session(50)]);
    expect(result).toMatchObject({ compacted: false, recorded: [], error: 'EROFS' });
    expect(file.text).toBe('["headroom-history",0]\n');
  });
});

describe('recordSamples over a real file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-history-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, appends, survives a partial line and compacts atomically', async () => {
    const path = join(dir, 'state', 'history.jsonl');
    const file = nodeHistoryFile(path);
    expect(await file.read()).toBeNull();
    await recordAt(openHistory(file), T - 61 * DAY - HOUR, [session(5, T - 61 * DAY + HOUR)]);
    await recordAt(openHistory(file), T - HOUR, [session(10)]);
    writeFileSync(path, `${readFileSync(path, 'utf8')}[${T},"claude","sess`);
    const history = openHistory(file);
    const result = await recordAt(history, T, [session(20)]);
    expect(result).toMatchObject({ compacted: true, error: null });
    expect(readFileSync(path, 'utf8')).toBe(serializeHistory([sample(T - HOUR, 10), sample(T, 20)]));
    await recordAt(history, T + MIN, [session(25)]);
    expect((await loadHistory(openHistory(file))).samples.map((s) => s.usedPercent)).toEqual([10, 20, 25]);
  });
});
