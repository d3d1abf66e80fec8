import { describe, expect, it } from 'vitest';
import type { Money } from '../../core/model.js';
import { parseIsoInstant } from '../../core/parse.js';
import { readCodexRollouts } from '../../core/providers/codex-logs.js';
import { codexLogsSource } from '../../core/providers/codex.js';
import { session, weekly } from '../support/builders.js';
import { fakePorts, fixtureText, type FakePortsOptions } from '../support/fake-ports.js';

const NOW = Date.UTC(2026, 10, 22, 5, 0, 0);
const SESSIONS = '/home/dev/.codex/sessions';
const DAY = `${SESSIONS}/2026/11/22`;

const rollout = (name: string) => fixtureText(`codex/rollouts/real-cli-codex-rollout-${name}.jsonl`);
const file = (text: string, mtimeMs = NOW) => ({ text, mtimeMs });
const at = (iso: string) => parseIsoInstant(iso) as number;
const rolloutPath = (dir: string, time: string) => `${dir}/rollout-2026-11-22T${time}-01a20177-e1b8-7602.jsonl`;

const credits = (balanceMinor: number): Money => ({
  id: 'credits',
  label: 'Credits',
  usedMinor: null,
  limitMinor: null,
  balanceMinor,
  currency: 'credits',
  exponent: 2,
  unlimited: false,
});

/** A token_count line in a given shape. */
function tokenCount(timestamp: string, rateLimits: unknown): string {
  return JSON.stringify({
    timestamp,
    type: 'event_msg',
    payload: { type: 'token_count', info: null, rate_limits: rateLimits },
  });
}

/** Fake ports that also record which files were read. */
function recordingPorts(options: FakePortsOptions) {
  const ports = fakePorts(options);
  const reads: string[] = [];
  const readText = ports.files.readText.bind(ports.files);
  ports.files.readText = (path) => {
    reads.push(path);
    return readText(path);
  };
  return { ports, reads };
}

describe('readCodexRollouts', () => {
  it('is the logs source', () => {
    expect(codexLogsSource).toMatchObject({ id: 'logs', label: 'local logs', remote: false });
    expect(codexLogsSource.fetch).toBe(readCodexRollouts);
  });

  it('reads the real run1 rollout', async () => {
    const ports = fakePorts({ files: { [rolloutPath(DAY, '05-16-03')]: rollout('run1') } });
    expect(await readCodexRollouts(ports)).toEqual({
      ok: true,
      capture: {
        source: 'logs',
        capturedAt: at('2026-11-22T04:16:03.860Z'),
        plan: null,
        windows: [session(12.5, 1795324563000), weekly(40, 1795407363000)],
        money: [credits(1750)],
        note: 'From your last Codex turn',
      },
    });
  });

  it.each([
    ['run7-chatgpt-ws', '2026-11-22T04:22:56.165Z', 1795336375000, 1795721375000],
    ['appserver-turn', '2026-11-22T04:23:10.737Z', 1795336390000, 1795721390000],
  ])('reads the plan and float percentages of %s', async (name, time, sessionReset, weeklyReset) => {
    const ports = fakePorts({ files: { [rolloutPath(DAY, '05-22-55')]: rollout(name) } });
    expect(await readCodexRollouts(ports)).toEqual({
      ok: true,
      capture: {
        source: 'logs',
        capturedAt: at(time),
        plan: 'Pro',
        windows: [session(22, sessionReset), weekly(55.5, weeklyReset)],
        money: [credits(1234)],
        note: 'From your last Codex turn',
      },
    });
  });

  it('reads the 429 event of run5 at 100 % without credits', async () => {
    const ports = fakePorts({ files: { [rolloutPath(DAY, '05-16-20')]: rollout('run5-429') } });
    const result = await readCodexRollouts(ports);
    expect(result).toMatchObject({ ok: true, capture: { capturedAt: at('2026-11-22T04:16:20.890Z'), money: [] } });
    expect(result.ok && result.capture.windows).toEqual([session(100, 1795328180000), weekly(71, 1795620980000)]);
  });

  it('falls back to an older file when the newest event has no windows (run3)', async () => {
    const ports = fakePorts({
      files: {
        [rolloutPath(DAY, '05-16-05')]: file(rollout('run3'), at('2026-11-22T04:16:05.300Z')),
        [rolloutPath(DAY, '05-16-03')]: file(rollout('run1'), at('2026-11-22T04:16:03.900Z')),
      },
    });
    const result = await readCodexRollouts(ports);
    expect(result).toMatchObject({ ok: true, capture: { capturedAt: at('2026-11-22T04:16:03.860Z') } });
    expect(result.ok && result.capture.windows).toEqual([session(12.5, 1795324563000), weekly(40, 1795407363000)]);
  });

  it('reads legacy resets_in_seconds from the line timestamp and 299/10079-minute windows', async () => {
    const line = tokenCount('2026-11-22T04:30:00.000Z', {
      primary: { used_percent: 33.3, window_minutes: 299, resets_in_seconds: 3600 },
      secondary: { used_percent: 66.6, window_minutes: 10079, resets_in_seconds: 86400 },
    });
    const ports = fakePorts({ files: { [rolloutPath(DAY, '05-30-00')]: `${line}\n` } });
    const result = await readCodexRollouts(ports);
    const lineAt = at('2026-11-22T04:30:00.000Z');
    expect(result).toMatchObject({ ok: true, capture: { capturedAt: lineAt, plan: null, money: [] } });
    expect(result.ok && result.capture.windows).toEqual([
      session(33.3, lineAt + 3600_000),
      weekly(66.6, lineAt + 86400_000),
    ]);
  });

  it('shows a window whose reset has passed as 0 % with no reset', async () => {
    const ports = fakePorts({
      now: 1795324563000 + 1,
      files: { [rolloutPath(DAY, '05-16-03')]: rollout('run1') },
    });
    const result = await readCodexRollouts(ports);
    expect(result.ok && result.capture.windows).toEqual([session(0, null), weekly(40, 1795407363000)]);
  });

  it('skips garbage lines and a truncated last line', async () => {
    const last = rollout('run7-chatgpt-ws').trimEnd().split('\n').pop() as string;
    const text = [
      rollout('run1').trimEnd(),
      'not json at all',
      '{"type":"event_msg","payload":{"type":"token_count"',
      tokenCount('2026-11-22T04:20:00.000Z', { primary: { used_percent: 'many' }, secondary: null }),
      last.slice(0, last.length / 2),
    ].join('\n');
    const ports = fakePorts({ files: { [rolloutPath(DAY, '05-16-03')]: text } });
    const result = await readCodexRollouts(ports);
    expect(result).toMatchObject({ ok: true, capture: { capturedAt: at('2026-11-22T04:16:03.860Z') } });
    expect(result.ok && result.capture.windows).toEqual([session(12.5, 1795324563000), weekly(40, 1795407363000)]);
  });

  it('reads the most recently modified file first and stops at older ones', async () => {
    const older = `${SESSIONS}/2026/11/20`;
    const longSession = rolloutPath(older, '00-00-00');
    const { ports, reads } = recordingPorts({
      files: {
        // A long session started two days ago and still appending: oldest name, newest mtime.
        [longSession]: file(rollout('run7-chatgpt-ws'), at('2026-11-22T04:22:56.200Z')),
        [rolloutPath(DAY, '05-16-03')]: file(rollout('run1'), at('2026-11-22T04:16:04.000Z')),
        [rolloutPath(DAY, '05-16-20')]: file(rollout('run5-429'), at('2026-11-22T04:16:21.000Z')),
      },
    });
    const result = await readCodexRollouts(ports);
    expect(result).toMatchObject({ ok: true, capture: { plan: 'Pro', capturedAt: at('2026-11-22T04:22:56.165Z') } });
    expect(reads).toEqual([longSession]);
  });

  it('keeps the newest event across files when modification times mislead', async () => {
    const ports = fakePorts({
      files: {
        [rolloutPath(DAY, '05-16-03')]: file(rollout('run1'), at('2026-11-22T04:30:00.000Z')),
        [rolloutPath(DAY, '05-22-55')]: file(rollout('run7-chatgpt-ws'), at('2026-11-22T04:25:00.000Z')),
      },
    });
    expect(await readCodexRollouts(ports)).toMatchObject({ ok: true, capture: { plan: 'Pro' } });
  });

  it('inspects only the five newest day directories', async () => {
    const days = ['2026/11/22', '2026/11/21', '2026/11/20', '2026/10/31', '2025/12/31'];
    const files: FakePortsOptions['files'] = {
      [rolloutPath(`${SESSIONS}/2025/12/30`, '00-00-00')]: file(rollout('run1'), NOW),
    };
    for (const day of days) files[rolloutPath(`${SESSIONS}/${day}`, '00-00-00')] = file(rollout('run3'), NOW - 1000);
    const { ports, reads } = recordingPorts({ files });
    expect(await readCodexRollouts(ports)).toMatchObject({ ok: false, failure: { status: 'signed-out' } });
    expect(reads).toHaveLength(5);
  });

  it('reads archived_sessions when sessions/ is absent', async () => {
    const ports = fakePorts({
      files: { '/home/dev/.codex/archived_sessions/rollout-2026-11-22T05-16-20-0001.jsonl': rollout('run5-429') },
    });
    const result = await readCodexRollouts(ports);
    expect(result.ok && result.capture.windows.map((w) => w.usedPercent)).toEqual([100, 71]);
  });

  it('prefers the sessions/ copy of a file that is also archived', async () => {
    const name = 'rollout-2026-11-22T05-16-03-0001.jsonl';
    const ports = fakePorts({
      files: {
        [`${DAY}/${name}`]: file(rollout('run1'), NOW - 1000),
        [`/home/dev/.codex/archived_sessions/${name}`]: file(rollout('run7-chatgpt-ws'), NOW),
      },
    });
    expect(await readCodexRollouts(ports)).toMatchObject({ ok: true, capture: { plan: null, money: [credits(1750)] } });
  });

  it('honours CODEX_HOME', async () => {
    const ports = fakePorts({
      env: { CODEX_HOME: '/srv/codex' },
      files: { [rolloutPath('/srv/codex/sessions/2026/11/22', '05-16-03')]: rollout('run1') },
    });
    expect(await readCodexRollouts(ports)).toMatchObject({ ok: true });
  });

  it('adds other limit ids from the newest file as extra groups, latest per id', async () => {
    const spark = (percent: number, time: string) =>
      tokenCount(time, {
        limit_id: 'codex_bengalfox',
        limit_name: 'GPT-5.3-Codex-Spark',
        primary: { used_percent: percent, window_minutes: 300, resets_at: 1795330000 },
        secondary: null,
      });
    const other = tokenCount('2026-11-22T04:16:04.000Z', {
      limit_id: 'codex_other',
      limit_name: null,
      primary: null,
      secondary: { used_percent: 9, window_minutes: 10080, resets_at: null },
    });
    const text = [spark(10, '2026-11-22T04:10:00.000Z'), spark(20, '2026-11-22T04:15:00.000Z'), rollout('run1'), other];
    const olderFile = [
      tokenCount('2026-11-22T03:00:00.000Z', { limit_id: 'codex_elsewhere', primary: { used_percent: 1 } }),
      tokenCount('2026-11-22T03:00:01.000Z', { limit_id: 'codex', primary: { used_percent: 2 } }),
    ].join('\n');
    const ports = fakePorts({
      files: {
        [rolloutPath(DAY, '05-10-00')]: file(text.join('\n'), NOW),
        [rolloutPath(DAY, '04-00-00')]: file(olderFile, at('2026-11-22T04:20:00.000Z')),
      },
    });
    const result = await readCodexRollouts(ports);
    expect(result).toMatchObject({ ok: true, capture: { capturedAt: at('2026-11-22T04:16:03.860Z') } });
    expect(result.ok && result.capture.windows).toEqual([
      session(12.5, 1795324563000),
      weekly(40, 1795407363000),
      { id: 'codex-other-weekly', label: 'codex_other · Weekly', usedPercent: 9, resetsAt: null, windowMinutes: 10080 },
      {
        id: 'gpt-5-3-codex-spark-session',
        label: 'GPT-5.3-Codex-Spark · Session (5 h)',
        usedPercent: 20,
        resetsAt: 1795330000000,
        windowMinutes: 300,
      },
    ]);
  });

  it('says how to get data when no rollout has rate limits', async () => {
    const expected = {
      ok: false,
      failure: {
        status: 'signed-out',
        message: 'No Codex usage found in its local logs yet.',
        fix: 'Run one `codex` turn; Codex records your limits after each reply.',
      },
    };
    expect(await readCodexRollouts(fakePorts())).toEqual(expected);
    expect(await readCodexRollouts(fakePorts({ files: { [rolloutPath(DAY, '05-16-05')]: rollout('run3') } }))).toEqual(
      expected,
    );
  });

  it('skips an unreadable file when another one has data', async () => {
    const broken = rolloutPath(DAY, '05-30-00');
    const ports = fakePorts({
      files: { [broken]: rollout('run7-chatgpt-ws'), [rolloutPath(DAY, '05-16-03')]: file(rollout('run1'), NOW - 1) },
      unreadable: [broken],
    });
    expect(await readCodexRollouts(ports)).toMatchObject({ ok: true, capture: { money: [credits(1750)] } });
  });

  it('reports an error when nothing could be read', async () => {
    const broken = rolloutPath(DAY, '05-30-00');
    const ports = fakePorts({ files: { [broken]: rollout('run1') }, unreadable: [broken] });
    expect(await readCodexRollouts(ports)).toEqual({
      ok: false,
      failure: {
        status: 'error',
        message: `Can't read Codex's local logs (${broken}).`,
        fix: "Check that folder's permissions.",
      },
    });
  });

  it('skips an unreadable directory', async () => {
    const ports = fakePorts({ files: { [rolloutPath(DAY, '05-16-03')]: rollout('run1') } });
    const list = ports.files.list.bind(ports.files);
    ports.files.list = async (path) => {
      if (path === `${SESSIONS}/2026`) throw new Error('EACCES');
      return list(path);
    };
    expect(await readCodexRollouts(ports)).toMatchObject({ ok: false, failure: { status: 'error' } });
    ports.files.list = list;
    expect(await readCodexRollouts(ports)).toMatchObject({ ok: true });
  });
});
