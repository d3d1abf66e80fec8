/**
 * core/usage: pricing, dedupe, periods in a time zone, five-hour blocks, the key filter and the index, on lines
 * shaped like the real transcripts (test/fixtures/claude/transcripts).
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type FileScanPool,
  type FileTask,
  KeyFilter,
  type UsageEntry,
  aggregate,
  costOf,
  emptyIndex,
  fiveHourBlocks,
  hash53,
  packEntries,
  parseEntriesInto,
  parseSummary,
  readClaudeLine,
  readLogFile,
  responseKeys,
  rootsOf,
  scanUsage,
  serializeEntries,
  serializeEntriesParts,
  serializeSummary,
  summarise,
} from '../../core/usage/index.js';
import { Deduper } from '../../core/usage/dedupe.js';
import { ENTRY_ROW, EntryTable } from '../../core/usage/entry-table.js';
import { accountUsage, presentAccountUsage } from '../../core/usage/summary.js';
import { fakePorts } from '../support/fake-ports.js';
import { nodeScanFiles } from '../../swiftbar-plugin/node-ports.js';

const TRANSCRIPTS = join(import.meta.dirname, '..', 'fixtures', 'claude', 'transcripts');
const tokens = (input: number, output = 0, cacheWrite5m = 0, cacheRead = 0, cacheWrite1h = 0) => ({
  input,
  output,
  cacheWrite5m,
  cacheWrite1h,
  cacheRead,
});

/** An entry; `messageId` and `requestId` become its dedupe hashes as readClaudeLine makes them. */
function entry(over: Partial<UsageEntry> & { messageId?: string; requestId?: string }): UsageEntry {
  const { messageId = 'msg_1', requestId = 'req_1', ...rest } = over;
  return {
    at: Date.UTC(2026, 10, 22, 10),
    model: 'claude-opus-4-6',
    ...tokens(10, 100),
    fast: false,
    hasSpeed: false,
    project: 'p',
    session: 's',
    ...responseKeys(messageId, requestId),
    sidechain: false,
    costUSD: null,
    ...rest,
  };
}

describe('prices', () => {
  it('prices Claude per token class, Sonnet 4.5 above 200k per class, and unknown models as unpriced', () => {
    expect(costOf('claude-opus-4-6', tokens(1_000_000))).toBeCloseTo(5, 9);
    expect(costOf('claude-haiku-4-5-20251001', tokens(0, 0, 0, 1_000_000))).toBeCloseTo(0.1, 9);
    // 200k at $3 and 100k at $6 per million.
    expect(costOf('claude-sonnet-4-5-20250929', tokens(300_000))).toBeCloseTo(0.6 + 0.6, 9);
    // 1 h cache writes cost twice the input price.
    expect(costOf('claude-opus-4-6', tokens(0, 0, 0, 0, 1_000_000))).toBeCloseTo(10, 9);
    expect(costOf('claude-opus-5-5', tokens(1000))).toBeNull();
  });

  it('prices a whole Gemini 2.5 Pro request at the long-context rate once its context passes 200k', () => {
    expect(costOf('gemini-2.5-pro', tokens(199_999))).toBeCloseTo(0.24999875, 9);
    expect(costOf('gemini-2.5-pro', tokens(100_000, 0, 0, 150_000))).toBeCloseTo(0.25 + 0.0375, 9);
  });

  it('prices fast mode as the model times its multiplier, and a model extending a known one as that one', () => {
    expect(costOf('claude-opus-4-6-fast', tokens(100_000))).toBeCloseTo(3, 9);
    expect(costOf('claude-sonnet-4-5-20250929-fast', tokens(100_000))).toBeCloseTo(0.3, 9);
    expect(costOf('gpt-5-mock', tokens(1000, 62, 0, 1000))).toBeCloseTo(0.001995, 9);
  });
});

describe('dedupe', () => {
  it('keeps the copy of a split response with the most tokens, once', () => {
    const deduper = new Deduper();
    deduper.add(entry({ output: 3 }));
    deduper.add(entry({ output: 812 }));
    deduper.add(entry({ output: 12 }));
    expect(deduper.entries.toArray().map((e) => e.output)).toEqual([812]);
    expect(deduper.duplicates).toBe(2);
  });

  it('prefers the main-thread copy over a sidechain one, and matches sidechain copies by message id alone', () => {
    const deduper = new Deduper();
    deduper.add(entry({ sidechain: true, requestId: 'req_a', output: 900 }));
    deduper.add(entry({ requestId: 'req_b', output: 5 }));
    expect(deduper.entries.length).toBe(1);
    expect(deduper.entries.get(0).sidechain).toBe(false);
  });

  it('never dedupes lines without a message id', () => {
    const deduper = new Deduper();
    deduper.add(entry({ messageId: '' }));
    deduper.add(entry({ messageId: '' }));
    expect(deduper.entries.length).toBe(2);
  });
});

describe('lines', () => {
  it('reads the real transcripts: usage lines, subagent progress copies, and skips the <synthetic> line', () => {
    const run5 = readFileSync(join(TRANSCRIPTS, 'real-cli-claude-transcript-run5-oauth-429.jsonl'), 'utf8');
    const results = run5
      .split('\n')
      .filter((line) => line.includes('"usage":{'))
      .map((line) => readClaudeLine(line, 'p', 's'));
    expect(results).toEqual(['synthetic']);
    const spotter = readFileSync(join(TRANSCRIPTS, 'claude-code-spotter-session-ae4a77f8.jsonl'), 'utf8');
    const progress = spotter
      .split('\n')
      .find((line) => line.includes('"agent_progress"') && line.includes('"usage":{'))!;
    const copy = readClaudeLine(progress, 'p', 's') as UsageEntry;
    expect(copy.model).toBe('claude-sonnet-4-5-20250929');
    expect(copy.cacheWrite5m).toBe(13_838);
  });

  it('skips truncated lines, nulls in checked fields and clocks far off, without throwing', () => {
    const line = readFileSync(join(TRANSCRIPTS, 'real-cli-claude-transcript-run1.jsonl'), 'utf8')
      .split('\n')
      .find((l) => l.includes('"usage":{'))!;
    expect(typeof readClaudeLine(line, 'p', 's')).toBe('object');
    expect(readClaudeLine(line.slice(0, 200), 'p', 's')).toBe('malformed');
    expect(readClaudeLine(line.replace('"requestId":"', '"requestId":null,"x":"'), 'p', 's')).toBe('invalid');
    expect(readClaudeLine(line.replace(/"timestamp":"\d{4}/, '"timestamp":"2301'), 'p', 's')).toBe('invalid');
  });
});

describe('log formats', () => {
  const ports = (env: Record<string, string> = {}) => fakePorts({ env }).env;

  it("finds each provider's log folders from the environment, the default directories or the account", () => {
    expect(rootsOf({ env: ports() }, 'claude', null).map((root) => root.directory)).toEqual([
      '/home/dev/.config/claude/projects',
      '/home/dev/.claude/projects',
    ]);
    // CLAUDE_CONFIG_DIR: comma-separated; an entry naming its `projects` folder means the directory above it.
    const claude = rootsOf({ env: ports({ CLAUDE_CONFIG_DIR: '~/a/projects, /b/,~/a' }) }, 'claude', null);
    expect(claude.map((root) => root.directory)).toEqual(['/home/dev/a/projects', '/b/projects']);
    const codex = rootsOf({ env: ports({ CODEX_HOME: '/x,/y' }) }, 'codex', null);
    expect(codex).toEqual(
      ['/x/sessions', '/x/archived_sessions', '/y/sessions', '/y/archived_sessions'].map((directory) => ({
        provider: 'codex',
        account: 'codex',
        directory,
      })),
    );
    const account = {
      provider: 'codex',
      id: 'work',
      key: 'codex@work',
      label: '~/.codex-work',
      directory: '~/.codex-work',
    };
    expect(rootsOf({ env: ports({ CODEX_HOME: '/x' }) }, 'codex', account)[0]).toEqual({
      provider: 'codex',
      account: 'codex@work',
      directory: '/home/dev/.codex-work/sessions',
    });
    // Gemini CLI keeps no usage logs Headroom reads: no folders, and a root naming it (a request from another
    // version of the extension) is skipped by the scanner, not read with another provider's rules.
    expect(rootsOf({ env: ports() }, 'gemini', null)).toEqual([]);
  });

  it("reads a folder by its provider's format only", async () => {
    const line = readFileSync(join(TRANSCRIPTS, 'real-cli-claude-transcript-run1.jsonl'), 'utf8')
      .split('\n')
      .find((l) => l.includes('"usage":{'))!;
    const files = fakePorts({
      files: { '/logs/p/s.jsonl': `${line}\n`, '/logs/p/rollout-1.jsonl': `${line}\n`, '/logs/p/x.txt': `${line}\n` },
    }).files;
    const scan = (provider: string) => scanUsage(files, [{ provider, account: provider, directory: '/logs' }]);
    const claude = await scan('claude');
    expect(claude.stats.files).toBe(2);
    expect(claude.stats.duplicates).toBe(1);
    expect(
      claude
        .entries!.get('claude')!
        .toArray()
        .map((entry) => entry.project),
    ).toEqual(['p']);
    // Codex reads only `rollout-*.jsonl`, and a Claude line is no Codex usage event.
    const codex = await scan('codex');
    expect(codex.stats.files).toBe(1);
    expect(codex.stats.lines).toBe(0);
    const gemini = await scan('gemini');
    expect(gemini.stats.files).toBe(0);
    expect(gemini.entries!.size).toBe(0);
  });
});

describe('a scan through threads', () => {
  it('gives exactly the sequential result, and reads a file itself when its thread failed', async () => {
    // The real transcripts' usage lines dealt round-robin into 70 files: split responses land in different files.
    const lines = readdirSync(TRANSCRIPTS).flatMap((name) =>
      readFileSync(join(TRANSCRIPTS, name), 'utf8')
        .split('\n')
        .filter((line) => line.includes('"usage":{')),
    );
    const tree: Record<string, string> = {};
    lines.forEach((line, n) => {
      const path = `/home/dev/.claude/projects/p${n % 7}/f${String(n % 70).padStart(2, '0')}.jsonl`;
      tree[path] = `${tree[path] ?? ''}${line}\n`;
    });
    expect(Object.keys(tree)).toHaveLength(70);
    // Subagent files in a session's folder, and names around it: a folder's files are visited in path order, so
    // `f00.jsonl` (".") before `f00/…` ("/") before `f01.jsonl`, and `f00 b.jsonl` (" ") before all three.
    const p0 = '/home/dev/.claude/projects/p0';
    tree[`${p0}/f00/subagents/agent-b.jsonl`] = `${lines[1]}\n`;
    tree[`${p0}/f00/subagents/agent-a.jsonl`] = `${lines[2]}\n`;
    tree[`${p0}/f00 b.jsonl`] = `${lines[3]}\n`;
    const { files } = fakePorts({ files: tree });
    const roots = [{ provider: 'claude', account: 'claude', directory: '/home/dev/.claude/projects' }];
    let stopped = false;
    let ended = false;
    const given: string[] = [];
    const pool: FileScanPool = {
      start: (chunkBytes) => {
        const tasks: FileTask[] = [];
        return {
          add: (task) => {
            expect(ended).toBe(false);
            tasks.push(task);
            given.push(task.path);
          },
          end: () => (ended = true),
          outcome: async (i) => {
            expect(ended).toBe(true);
            if (i % 9 === 4) throw new Error('thread gone');
            const outcome = await readLogFile(files, tasks[i]!, chunkBytes);
            // Every other file as the CLI's threads send it: rows, not objects.
            return i % 2 === 0 ? { ...outcome, entries: [], packed: packEntries(outcome.entries) } : outcome;
          },
          stop: () => (stopped = true),
        };
      },
    };
    const plain = await scanUsage(files, roots);
    const threaded = await scanUsage(files, roots, { pool });
    expect(plain.stats.filesFromThreads).toBe(0);
    // Files 4, 13, 22, … (every ninth) were lost with their thread and read by the scanner.
    expect(threaded.stats.filesFromThreads).toBe(73 - 8);
    // Every file was handed over once, as the folders were listed, in the order of its path.
    expect(given).toEqual(Object.keys(tree).sort());
    expect(stopped).toBe(true);
    expect(threaded.stats.duplicates).toBeGreaterThan(0);
    const lists = (tables: Map<string, EntryTable> | null) =>
      new Map([...(tables ?? [])].map(([account, table]) => [account, table.toArray()]));
    expect(lists(threaded.entries)).toEqual(lists(plain.entries));
    expect({ ...threaded.stats, filesFromThreads: 0 }).toEqual(plain.stats);
    expect([...threaded.index.files]).toEqual([...plain.index.files]);
    // A warm scan with its index has no new files: the pool is not started.
    stopped = false;
    const warm = await scanUsage(files, roots, { pool, index: threaded.index });
    expect(warm.stats.filesFromThreads).toBe(0);
    expect(stopped).toBe(false);
  });
});

describe('periods and blocks', () => {
  it('puts a request in the day of the given time zone', () => {
    const late = entry({ at: Date.UTC(2026, 10, 22, 20, 0) });
    expect(aggregate([late], { kind: 'daily', timeZone: 'UTC' }).periods[0]!.period).toBe('2026-11-22');
    expect(aggregate([late], { kind: 'daily', timeZone: 'Asia/Kolkata' }).periods[0]!.period).toBe('2026-11-23');
    expect(aggregate([late], { kind: 'monthly', timeZone: 'UTC' }).periods[0]!.period).toBe('2026-11');
    // Weeks start on Sunday: 22 Nov 2026 is a Sunday.
    expect(aggregate([late], { kind: 'weekly', timeZone: 'UTC' }).periods[0]!.period).toBe('2026-11-22');
  });

  it('starts blocks on the UTC hour, reports gaps, and gives the active block a burn rate and projection', () => {
    const h = (hours: number, minutes = 0): number => Date.UTC(2026, 10, 22, hours, minutes);
    const entries = [
      entry({ at: h(1, 20), messageId: '' }),
      entry({ at: h(2, 0), messageId: '' }),
      entry({ at: h(14, 10), messageId: '', output: 1000 }),
      entry({ at: h(15, 10), messageId: '', output: 1000 }),
    ];
    const blocks = fiveHourBlocks(entries, h(16));
    expect(blocks.map((b) => [new Date(b.start).toISOString().slice(11, 16), b.isGap, b.isActive])).toEqual([
      ['01:00', false, false],
      ['07:00', true, false],
      ['14:00', false, true],
    ]);
    const active = blocks[2]!;
    expect(active.burnRate!.tokensPerMinute).toBeCloseTo(2020 / 60, 6);
    expect(active.projection!.remainingMinutes).toBe(180);
    // What a full scan gives: the entries, and the index summarised from them.
    const tables = new Map([['claude', EntryTable.of(entries)]]);
    const index = { ...emptyIndex(), entries: tables };
    summarise(index);
    const view = presentAccountUsage(
      'Claude',
      accountUsage(
        {
          entries: tables,
          extra: new Map(),
          index,
          stats: {} as never,
          changed: true,
          entriesChanged: true,
        },
        'claude',
        { now: h(16), timeZone: 'UTC' },
      )!,
      (at) => new Date(at).toISOString().slice(11, 16),
    );
    expect(view.blockText).toMatch(/^\$\d+\.\d\d\/h · block ends 19:00$/);
    expect(view.sparkline).toHaveLength(30);
  });
});

describe('the index', () => {
  it('a key filter says "maybe" for every key added and "no" for nearly all others', () => {
    const filter = KeyFilter.forCapacity(10_000);
    for (let i = 0; i < 10_000; i++) filter.add(hash53(`msg_${i}`));
    for (let i = 0; i < 10_000; i++) expect(filter.mayContain(hash53(`msg_${i}`))).toBe(true);
    let maybes = 0;
    for (let i = 0; i < 20_000; i++) if (filter.mayContain(hash53(`other_${i}`))) maybes++;
    expect(maybes).toBeLessThan(5);
    const copy = KeyFilter.fromWords(filter.words.slice(), filter.count)!;
    expect(copy.mayContain(hash53('msg_42'))).toBe(true);
  });

  it('keeps folder listings, file marks and the key filter exactly through the summary file', () => {
    const index = emptyIndex();
    index.generation = 42;
    for (let i = 0; i < 3000; i++) index.filter.add(hash53(`msg_${i}`));
    index.dirs.set('/h/.claude/projects', { mtimeMs: 1.5e12 + 0.25, listedAt: 1.6e12, dirs: ['-p'], files: [] });
    index.dirs.set('/h/.claude/projects/-p', {
      mtimeMs: 1.5e12,
      listedAt: 1.6e12,
      dirs: [],
      files: ['a.jsonl', 'b.jsonl'],
    });
    index.files.set('/h/.claude/projects/-p/a.jsonl', {
      size: 10,
      mtimeMs: 1.7e12 + 0.5,
      offset: 9,
      edge: hash53('x'),
    });
    // b.jsonl listed but not read (no mark); a Codex file outside any kept listing, with its reading state.
    index.files.set('/h/.codex/sessions/rollout-1.jsonl', {
      size: 5000,
      mtimeMs: 1.7e12,
      offset: 4990,
      edge: 7,
      headEnd: 4000,
      head: hash53('y'),
      carry: { lastTotal: -1, model: 'gpt-5-codex' },
    });
    const back = parseSummary(serializeSummary(index))!;
    expect(back.generation).toBe(42);
    expect([...back.dirs]).toEqual([...index.dirs]);
    expect([...back.files]).toEqual([...index.files]);
    expect([...back.filter.words]).toEqual([...index.filter.words]);
    expect(back.filter.mayContain(hash53('msg_2999'))).toBe(true);
    // A damaged file is refused (a cold scan follows), never half read.
    const bytes = serializeSummary(index);
    expect(parseSummary(bytes.subarray(0, bytes.length - 8))).toBeNull();
    const damaged = (change: (words: Float64Array) => void): Uint8Array => {
      const words = new Float64Array(bytes.slice().buffer);
      change(words);
      return new Uint8Array(words.buffer);
    };
    // The first folder's mtime (word-file.ts: 4 fixed words, 3 section lengths, then the header) made NaN.
    expect(parseSummary(damaged((w) => (w[4 + w[3]! + Math.ceil(w[2]! / 4)] = NaN)))).toBeNull();
    // The header's first code unit changed: no longer JSON.
    expect(parseSummary(damaged((w) => (new Uint16Array(w.buffer)[(4 + w[3]!) * 4] = 0x7d)))).toBeNull();
    // Another version.
    expect(parseSummary(damaged((w) => (w[1] = 9)))).toBeNull();
  });

  it('writes the entries file in pieces that read back as every entry of every account', () => {
    const index = emptyIndex();
    index.generation = 7;
    const many = Array.from({ length: 20_000 }, (_, n) =>
      entry({ at: Date.UTC(2026, 10, 1) + n * 1000, messageId: `msg_${n}`, session: `s${n % 7}`, output: n }),
    );
    index.entries!.set('claude', EntryTable.of(many));
    index.entries!.set('codex@work', EntryTable.of([entry({ messageId: '', model: 'gpt-5-codex', costUSD: 0.25 })]));
    index.entries!.set('claude@empty', new EntryTable());
    const parts = [...serializeEntriesParts(index)];
    expect(parts.length).toBeGreaterThan(3);
    expect(Math.max(...parts.map((part) => part.length))).toBeLessThan(2_000_000);
    const back = { ...emptyIndex(), generation: 7, entries: null };
    expect(parseEntriesInto(back, Buffer.concat(parts))).toBe(true);
    const lists = (tables: Map<string, EntryTable> | null) =>
      new Map([...(tables ?? [])].map(([account, table]) => [account, table.toArray()]));
    expect(lists(back.entries)).toEqual(lists(index.entries));
    expect(lists(back.entries).get('claude')).toEqual(many);
  });

  it('round-trips through its two files, and scans without the entries file when nothing old is repeated', async () => {
    const path = '/home/dev/.claude/projects/-p/s.jsonl';
    const lines = readFileSync(join(TRANSCRIPTS, 'claude-code-spotter-tool-heavy.jsonl'), 'utf8');
    const ports = fakePorts({ files: { [path]: lines } });
    const roots = [{ provider: 'claude' as const, account: 'claude', directory: '/home/dev/.claude/projects' }];
    const cold = await scanUsage(ports.files, roots);
    const summary = parseSummary(serializeSummary(cold.index))!;
    expect(summary.entries).toBeNull();
    const entriesText = serializeEntries(cold.index);
    let loaded = 0;
    const warm = await scanUsage(ports.files, roots, {
      index: summary,
      loadEntries: () => {
        loaded++;
        return Promise.resolve(entriesText);
      },
    });
    expect(loaded).toBe(0);
    expect(warm.stats.bytesRead).toBe(0);
    const total = (items: { totals: { totalTokens: number } }): number => items.totals.totalTokens;
    const coldTotals = aggregate(cold.entries!.get('claude')!.toArray(), { kind: 'daily' });
    expect(total(coldTotals)).toBeGreaterThan(0);
    const exact = parseSummary(serializeSummary(cold.index))!;
    expect(parseEntriesInto(exact, entriesText)).toBe(true);
    expect(parseEntriesInto({ ...exact, generation: 1 }, entriesText)).toBe(false);
  });

  it('a refresh shows the current block a full scan shows, after a day and a half without a five-hour pause', async () => {
    const NOW = Date.UTC(2026, 10, 30, 12, 7);
    const line = (n: number): string =>
      JSON.stringify({
        timestamp: new Date(NOW - 36 * 3_600_000 + n * 100 * 60_000).toISOString(),
        sessionId: 's',
        requestId: `req_${n}`,
        version: '2.0.0',
        type: 'assistant',
        message: { id: `msg_${n}`, model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: 10, output_tokens: 5 } },
      });
    // A request every 100 minutes from 36 hours ago: one chain of blocks, the last opened by a request 10 h 20 min
    // into the past day (not on the hour: a chain started at any later request would split differently).
    // Real files (the Node reader): a refresh reads what was appended from its offset.
    const dir = mkdtempSync(join(tmpdir(), 'headroom-blocks-'));
    try {
      const path = join(dir, '-p', 's.jsonl');
      mkdirSync(join(dir, '-p'));
      const roots = [{ provider: 'claude', account: 'claude', directory: dir }];
      const scan = (index?: ReturnType<typeof parseSummary>) =>
        scanUsage(nodeScanFiles, roots, { now: () => NOW, ...(index ? { index } : {}) });
      const blockOf = (result: Awaited<ReturnType<typeof scan>>) =>
        accountUsage(result, 'claude', { now: NOW, timeZone: 'UTC' })!.block;
      writeFileSync(path, `${Array.from({ length: 21 }, (_, n) => line(n)).join('\n')}\n`);
      const first = await scan();
      appendFileSync(path, `${line(21)}\n`);
      // The last request read by a refresh from the summary alone, and all of them by a full scan.
      const refreshed = await scan(parseSummary(serializeSummary(first.index)));
      expect(refreshed.stats).toMatchObject({ rebuilt: false, filesResumed: 1 });
      expect(refreshed.entries).toBeNull();
      const cold = await scan();
      const full = fiveHourBlocks(cold.entries!.get('claude')!.toArray(), NOW).find((block) => block.isActive)!;
      expect(blockOf(cold)!.startsAt).toBe(new Date(full.start).toISOString());
      expect(blockOf(refreshed)).toEqual(blockOf(cold));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an entries file that is cut short, damaged, misplaced in memory or of the other byte order', () => {
    const index = emptyIndex();
    index.generation = 3;
    index.entries!.set('claude', EntryTable.of([entry({ output: 5 }), entry({ messageId: 'msg_b', output: 7 })]));
    const bytes = serializeEntries(index);
    const read = (data: Uint8Array): boolean =>
      parseEntriesInto({ ...emptyIndex(), generation: 3, entries: null }, data);
    expect(read(bytes)).toBe(true);
    expect(read(bytes.subarray(0, bytes.length - 8))).toBe(false);
    expect(read(bytes.subarray(0, 24))).toBe(false);
    // The same bytes at an offset that is not a whole word are copied, not refused.
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(read(shifted.subarray(3))).toBe(true);
    // Every word's bytes reversed: a file from a machine of the other byte order.
    const swapped = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) swapped[i] = bytes[i - (i % 8) + 7 - (i % 8)]!;
    expect(read(swapped)).toBe(false);
    // A row naming a string the header does not have.
    const words = new Float64Array(bytes.slice().buffer);
    words[words.length - ENTRY_ROW + 2] = 999;
    expect(read(new Uint8Array(words.buffer))).toBe(false);
  });
});
