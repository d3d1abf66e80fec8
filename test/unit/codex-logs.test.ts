import { describe, expect, it } from 'vitest';
import type { Money } from '../../core/model.js';
import { parseIsoInstant } from '../../core/parse.js';
import { readCodexRollouts } from '../../core/providers/codex-logs.js';
import { codexLogsSource } from '../../core/providers/codex.js';
import { session, weekly } from '../support/builders.js';
import { fakePorts, fixtureText, type FakePortsOptions } from '../support/fake-ports.js';
import { numbersAsStrings } from '../support/numeric-strings.js';

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

  it('reads numbers sent as strings as the numbers', async () => {
    const keys = ['used_percent', 'window_minutes', 'resets_at', 'balance'];
    const text = rollout('run1')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.stringify(numbersAsStrings(JSON.parse(line), keys)))
      .join('\n');
    expect(text).toContain('"used_percent":"12.5"');
    expect(text).toContain('"resets_at":"1795324563"');
    const ports = fakePorts({ files: { [rolloutPath(DAY, '05-16-03')]: text } });
    expect(await readCodexRollouts(ports)).toEqual(
      await readCodexRollouts(fakePorts({ files: { [rolloutPath(DAY, '05-16-03')]: rollout('run1') } })),
    );
    expect(await readCodexRollouts(ports)).toMatchObject({
      ok: true,
      capture: { windows: [session(12.5, 1795324563000), weekly(40, 1795407363000)], money: [credits(1750)] },
    });
  });

  it('names a window of the real run1 event that it cannot read, and shows the other', async () => {
    const text = rollout('run1').replace('"used_percent":40.0', '"used_percent":"forty"');
    expect(text).not.toBe(rollout('run1'));
    const ports = fakePorts({ files: { [rolloutPath(DAY, '05-16-03')]: text } });
    expect(await readCodexRollouts(ports)).toEqual({
      ok: true,
      capture: {
        source: 'logs',
        capturedAt: at('2026-11-22T04:16:03.860Z'),
        plan: null,
        windows: [session(12.5, 1795324563000)],
        money: [credits(1750)],
        note: 'From your last Codex turn',
        problems: ["Codex's logged secondary window could not be read."],
      },
    });
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

  describe('limit families', () => {
    const RUN1_AT = at('2026-11-22T04:16:03.860Z');
    /** The real run1 token_count event, re-stamped and re-labelled as another family with other percentages. */
    const family = (limitId: string, limitName: string | null, time: string, percents: [number, number]) => {
      const event = JSON.parse(
        rollout('run1')
          .trimEnd()
          .split('\n')
          .find((line) => line.includes('"token_count"')) as string,
      );
      const limits = event.payload.rate_limits;
      Object.assign(limits, { limit_id: limitId, limit_name: limitName });
      limits.primary.used_percent = percents[0];
      limits.secondary.used_percent = percents[1];
      return JSON.stringify({ ...event, timestamp: time });
    };
    const spark = (time: string, percents: [number, number]) =>
      family('codex_bengalfox', 'GPT-5.3-Codex-Spark', time, percents);
    const sparkWindows = (sessionPercent: number, weeklyPercent: number) => [
      {
        id: 'gpt-5-3-codex-spark-session',
        label: 'GPT-5.3-Codex-Spark · Session (5 h)',
        usedPercent: sessionPercent,
        resetsAt: 1795324563000,
        windowMinutes: 300,
      },
      {
        id: 'gpt-5-3-codex-spark-weekly',
        label: 'GPT-5.3-Codex-Spark · Weekly',
        usedPercent: weeklyPercent,
        resetsAt: 1795407363000,
        windowMinutes: 10080,
      },
    ];

    it('shows a rollout whose only family is codex_other, with its plan and credits', async () => {
      const line = family('codex_other', null, '2026-11-22T04:16:03.860Z', [12.5, 40]);
      const ports = fakePorts({ files: { [rolloutPath(DAY, '05-16-03')]: `${line}\n` } });
      expect(await readCodexRollouts(ports)).toEqual({
        ok: true,
        capture: {
          source: 'logs',
          capturedAt: RUN1_AT,
          plan: null,
          windows: [
            {
              id: 'codex-other-session',
              label: 'codex_other · Session (5 h)',
              usedPercent: 12.5,
              resetsAt: 1795324563000,
              windowMinutes: 300,
            },
            {
              id: 'codex-other-weekly',
              label: 'codex_other · Weekly',
              usedPercent: 40,
              resetsAt: 1795407363000,
              windowMinutes: 10080,
            },
          ],
          money: [credits(1750)],
          note: 'From your last Codex turn',
        },
      });
    });

    it('shows the main family from an older file when a newer file holds only Spark', async () => {
      const sparkAt = '2026-11-22T04:40:00.000Z';
      const { ports, reads } = recordingPorts({
        files: {
          [rolloutPath(DAY, '05-39-00')]: file(spark(sparkAt, [30, 100]), at(sparkAt)),
          [rolloutPath(DAY, '05-16-03')]: file(rollout('run1'), at('2026-11-22T04:16:04.000Z')),
          [rolloutPath(DAY, '05-00-00')]: file(rollout('run5-429'), at('2026-11-22T04:00:00.000Z')),
        },
      });
      const result = await readCodexRollouts(ports);
      expect(result).toMatchObject({ ok: true, capture: { capturedAt: at(sparkAt), money: [credits(1750)] } });
      expect(result.ok && result.capture.windows).toEqual([
        session(12.5, 1795324563000),
        weekly(40, 1795407363000),
        ...sparkWindows(30, 100),
      ]);
      // The third file is older than every family's newest snapshot: not read.
      expect(reads).toEqual([rolloutPath(DAY, '05-39-00'), rolloutPath(DAY, '05-16-03')]);
    });

    it('keeps the newest snapshot of each family across files and within a file', async () => {
      const newer = [
        spark('2026-11-22T04:10:00.000Z', [5, 50]),
        rollout('run1').trimEnd(),
        family('codex_other', null, '2026-11-22T04:16:04.000Z', [9, 19]),
      ].join('\n');
      // A concurrent session: modified earlier, yet it holds a newer Spark event (twice; the last line wins).
      const concurrent = [
        spark('2026-11-22T04:12:00.000Z', [6, 60]),
        spark('2026-11-22T04:13:00.000Z', [7, 70]),
        family('codex', null, '2026-11-22T04:13:30.000Z', [1, 2]),
      ].join('\n');
      const ports = fakePorts({
        files: {
          [rolloutPath(DAY, '05-10-00')]: file(newer, at('2026-11-22T04:16:05.000Z')),
          [rolloutPath(DAY, '05-12-00')]: file(concurrent, at('2026-11-22T04:13:31.000Z')),
        },
      });
      const result = await readCodexRollouts(ports);
      expect(result).toMatchObject({ ok: true, capture: { capturedAt: at('2026-11-22T04:16:04.000Z') } });
      expect(result.ok && result.capture.windows.map((w) => [w.id, w.usedPercent])).toEqual([
        ['session', 12.5],
        ['weekly', 40],
        ['codex-other-session', 9],
        ['codex-other-weekly', 19],
        ['gpt-5-3-codex-spark-session', 7],
        ['gpt-5-3-codex-spark-weekly', 70],
      ]);
    });

    it("names another family's window that it cannot read, such as an absurd length", async () => {
      const line = JSON.parse(spark('2026-11-22T04:20:00.000Z', [30, 100]));
      line.payload.rate_limits.primary.window_minutes = 1e300;
      const text = [rollout('run1').trimEnd(), JSON.stringify(line)].join('\n');
      const result = await readCodexRollouts(fakePorts({ files: { [rolloutPath(DAY, '05-16-03')]: text } }));
      expect(result).toMatchObject({
        ok: true,
        capture: { problems: ["Codex's logged GPT-5.3-Codex-Spark primary window could not be read."] },
      });
      expect(result.ok && result.capture.windows.map((w) => [w.id, w.usedPercent])).toEqual([
        ['session', 12.5],
        ['weekly', 40],
        ['gpt-5-3-codex-spark-weekly', 100],
      ]);
    });

    it('gives two families with the same name distinct ids and labels', async () => {
      const text = [
        family('codex_a', 'Spark', '2026-11-22T04:16:00.000Z', [1, 2]),
        family('codex_b', 'Spark', '2026-11-22T04:16:01.000Z', [3, 4]),
        family('codex_c', '★', '2026-11-22T04:16:02.000Z', [5, 6]),
      ].join('\n');
      const ports = fakePorts({ files: { [rolloutPath(DAY, '05-16-00')]: text } });
      const result = await readCodexRollouts(ports);
      const windows = result.ok ? result.capture.windows : [];
      expect(windows.map((w) => [w.id, w.label, w.usedPercent])).toEqual([
        ['spark-session', 'Spark · Session (5 h)', 1],
        ['spark-weekly', 'Spark · Weekly', 2],
        ['spark-2-session', 'Spark (2) · Session (5 h)', 3],
        ['spark-2-weekly', 'Spark (2) · Weekly', 4],
        ['codex-c-session', '★ · Session (5 h)', 5],
        ['codex-c-weekly', '★ · Weekly', 6],
      ]);
      expect(new Set(windows.map((w) => w.id)).size).toBe(windows.length);
    });
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
