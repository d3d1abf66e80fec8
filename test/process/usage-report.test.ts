/**
 * `headroom report` against ccusage 20.0.24 (the dev dependency, its linux-x64 Rust binary) on the same files: the
 * real transcripts and rollouts of test/fixtures, and a corpus generated in the CLIs' own line format
 * (test/bench/usage-corpus.mjs). Token totals must be equal day by day and per model, cost within 0.1 %. Then the
 * incremental index: appended lines are read from the kept offset, and a file that was truncated or replaced makes
 * the index start over, never counting anything twice.
 *
 * Known differences with ccusage: none found on these corpora. (ccusage prices a >200k-token Claude request per
 * token class above 200k, where Anthropic bills the whole request at the premium rate once its input exceeds 200k;
 * Headroom follows ccusage here so both report the same cost, see README "Usage report".)
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, type Sandbox, makeSandbox, runPlugin } from '../support/plugin-harness.js';
import { jsonDocumentV1 } from '../support/json-v1-schema.js';
// @ts-expect-error: a plain ES module of the benchmark, without types
import { generateCorpus } from '../bench/usage-corpus.mjs';

const CCUSAGE = join(ROOT, 'node_modules', '@ccusage', 'ccusage-linux-x64', 'bin', 'ccusage');
const TRANSCRIPTS = join(ROOT, 'test', 'fixtures', 'claude', 'transcripts');
const ROLLOUTS = join(ROOT, 'test', 'fixtures', 'codex', 'rollouts');

interface Breakdown {
  modelName: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  cost: number;
}
interface Day extends Omit<Breakdown, 'modelName' | 'cost'> {
  period: string;
  totalTokens: number;
  totalCost: number;
  modelsUsed: string[];
  modelBreakdowns: Breakdown[];
}
interface Daily {
  daily: Day[];
  totals: { totalTokens: number; totalCost: number };
}

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = makeSandbox(false);
  mkdirSync(sandbox.home, { recursive: true });
});
afterEach(() => sandbox.cleanup());

/** ccusage's daily report of the sandbox's home. */
function ccusage(zone: string): Promise<Daily> {
  // npm may unpack the platform binary without its execute bit when install scripts are skipped.
  if ((statSync(CCUSAGE).mode & 0o100) === 0) chmodSync(CCUSAGE, 0o755);
  return new Promise((resolve, reject) => {
    execFile(
      CCUSAGE,
      ['daily', '--json', '--offline', '-z', zone],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: sandbox.home }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as Daily)),
    );
  });
}

/** Headroom's daily report of the sandbox's home, with `--verbose` diagnostics. */
async function headroom(zone: string): Promise<{ report: Daily; stderr: string }> {
  const run = await runPlugin(['report', 'daily', '--json', '--timezone', zone, '--verbose'], sandbox, {});
  expect(run.code, run.stderr).toBe(0);
  return { report: JSON.parse(run.stdout) as Daily, stderr: run.stderr };
}

const TOKEN_FIELDS = ['inputTokens', 'outputTokens', 'cacheCreationTokens', 'cacheReadTokens'] as const;

/** Asserts equal tokens per day and per model and cost within 0.1 % per day and per model. */
function expectSameAsCcusage(ours: Daily, theirs: Daily): void {
  expect(theirs.daily.length).toBeGreaterThan(0);
  expect(ours.daily.map((day) => day.period)).toEqual(theirs.daily.map((day) => day.period));
  for (const day of theirs.daily) {
    const mine = ours.daily.find((d) => d.period === day.period)!;
    for (const field of TOKEN_FIELDS) expect(mine[field], `${day.period} ${field}`).toBe(day[field]);
    expect(mine.totalTokens).toBe(day.totalTokens);
    expect([...mine.modelsUsed].sort()).toEqual([...day.modelsUsed].sort());
    expect(Math.abs(mine.totalCost - day.totalCost)).toBeLessThanOrEqual(day.totalCost * 0.001 + 1e-9);
    for (const model of day.modelBreakdowns) {
      const same = mine.modelBreakdowns.find((m) => m.modelName === model.modelName)!;
      for (const field of TOKEN_FIELDS)
        expect(same[field], `${day.period} ${model.modelName} ${field}`).toBe(model[field]);
      expect(Math.abs(same.cost - model.cost)).toBeLessThanOrEqual(model.cost * 0.001 + 1e-9);
    }
  }
  expect(ours.totals.totalTokens).toBe(theirs.totals.totalTokens);
}

/** Puts the real transcripts under two projects and the real rollouts under a day folder of `sessions/`. */
function installRealLogs(): void {
  const projects = join(sandbox.home, '.claude', 'projects');
  const names = readdirSync(TRANSCRIPTS);
  for (const name of names) {
    const project = name.startsWith('claude-code-spotter') ? '-home-dev-spotter' : '-home-dev-work-claude-proj';
    mkdirSync(join(projects, project), { recursive: true });
    cpSync(join(TRANSCRIPTS, name), join(projects, project, name));
  }
  const day = join(sandbox.home, '.codex', 'sessions', '2026', '11', '22');
  mkdirSync(day, { recursive: true });
  for (const name of readdirSync(ROLLOUTS))
    cpSync(join(ROLLOUTS, name), join(day, `rollout-2026-11-22T04-00-00-${name}`));
}

describe('headroom report daily --json equals ccusage 20', () => {
  it('on the real Claude Code transcripts and Codex rollouts, in UTC and in a +05:30 zone', async () => {
    installRealLogs();
    for (const zone of ['UTC', 'Asia/Kolkata']) {
      const [theirs, ours] = await Promise.all([ccusage(zone), headroom(zone)]);
      expectSameAsCcusage(ours.report, theirs);
    }
    // The real session's split responses and subagent copies were deduped, not summed.
    const { report } = await headroom('UTC');
    const february = report.daily.find((day) => day.period === '2026-02-12')!;
    expect(february.outputTokens).toBe(49_501);
    expect(february.modelsUsed).toEqual(['claude-haiku-4-5-20251001', 'claude-opus-4-6', 'claude-sonnet-4-5-20250929']);
  });

  it('on a generated 12 MB corpus: split responses, resumed sessions, subagents, >200k requests, fast mode, truncated lines', async () => {
    const stats = generateCorpus(sandbox.home, { megabytes: 12, seed: 7 }) as { truncated: number; rollouts: number };
    expect(stats.truncated).toBeGreaterThan(0);
    expect(stats.rollouts).toBeGreaterThan(0);
    const [theirs, ours] = await Promise.all([ccusage('UTC'), headroom('UTC')]);
    expectSameAsCcusage(ours.report, theirs);
    // A cold scan of this many files is read by scan threads (swiftbar-plugin/scan-threads.ts) on a machine with
    // two cores or more, as this project's CI machine has.
    const threaded = /files \(0 resumed, (\d+) read by scan threads\)/.exec(ours.stderr);
    expect(Number(threaded?.[1]), ours.stderr).toBeGreaterThan(100);
    // The unpriced model is named, not priced as zero silently.
    expect(JSON.stringify(ours.report.totals)).toContain('claude-opus-5-5');
    // A report larger than a pipe's buffer arrives whole through the pipe (it used to stop after 64 KB).
    // Through a shell pipe whose reader waits a moment first, as `headroom report … | jq` may.
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        'sh',
        ['-c', `"${process.execPath}" "${sandbox.plugin}" report session --json | (sleep 1; cat)`],
        {
          env: { PATH: process.env.PATH, HOME: sandbox.home, XDG_STATE_HOME: sandbox.state },
          maxBuffer: 64 * 1024 * 1024,
        },
        (error, out) => (error ? reject(error) : resolve(out)),
      );
    });
    expect(stdout.length).toBeGreaterThan(100_000);
    const parsed = JSON.parse(stdout) as { totals: { totalTokens: number } };
    expect(parsed.totals.totalTokens).toBe(ours.report.totals.totalTokens);
  });
});

describe('the incremental index', () => {
  it('reads only appended bytes, and gives what a cold scan and ccusage give', async () => {
    generateCorpus(sandbox.home, { megabytes: 4, seed: 3 });
    await headroom('UTC');
    expect(existsSync(join(sandbox.state, 'headroom', 'usage-index.bin'))).toBe(true);
    // Append more responses (and a copy of an existing line) to one session.
    const project = join(
      sandbox.home,
      '.claude',
      'projects',
      readdirSync(join(sandbox.home, '.claude', 'projects'))[0]!,
    );
    const file = join(
      project,
      readdirSync(project).find((name) => name.endsWith('.jsonl'))!,
    );
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const usage = lines.filter((line) => line.includes('"usage":{') && line.includes('"type":"assistant"'));
    const more = usage
      .slice(0, 3)
      .map((line) =>
        line
          .replace(/"id":"msg_01[0-9a-f]+"/, (m) => m.replace('msg_01', 'msg_01ff'))
          .replace(/"timestamp":"[^"]+"/, '"timestamp":"2026-11-29T10:00:00.000Z"'),
      );
    appendFileSync(file, `${more.join('\n')}\n`);
    const warm = await headroom('UTC');
    // New responses only: the summary of the index is updated without reading the kept entries.
    expect(warm.stderr).toMatch(/\(1 resumed, 0 read by scan threads\)/);
    expect(warm.stderr).toMatch(/summary path/);
    expect(warm.stderr).not.toMatch(/index rebuilt/);
    expectSameAsCcusage(warm.report, await ccusage('UTC'));
    expect(warm.report.daily.some((day) => day.period === '2026-11-29')).toBe(true);
    // A copy of an old response (as a resumed session writes): the exact path, still no double count.
    appendFileSync(file, `${usage[0]!}\n`);
    const copied = await headroom('UTC');
    expect(copied.stderr).toMatch(/exact path/);
    // From the entries file the last run wrote, not by reading every log again.
    expect(copied.stderr).not.toMatch(/index rebuilt/);
    expect(copied.report.totals.totalTokens).toBe(warm.report.totals.totalTokens);
    expectSameAsCcusage(copied.report, await ccusage('UTC'));
    // A session report needs every entry; it matches the day totals.
    const sessions = await runPlugin(['report', 'session', '--json'], sandbox, {});
    const parsed = JSON.parse(sessions.stdout) as {
      sessions: { totalTokens: number }[];
      totals: { totalTokens: number };
    };
    expect(parsed.totals.totalTokens).toBe(copied.report.totals.totalTokens);
    expect(parsed.sessions.length).toBeGreaterThan(10);
  });

  it('counts a line still being written once, and once more only when it is complete', async () => {
    generateCorpus(sandbox.home, { megabytes: 2, seed: 5 });
    // A Codex rollout whose last token_count line has no newline yet (Codex is writing it): Codex lines have no
    // response id to dedupe them by, so counting it twice would go unnoticed.
    const sessions = join(sandbox.home, '.codex', 'sessions');
    const rollout = readdirSync(sessions, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.jsonl'))
      .map((name) => join(sessions, name))
      .find((path) => readFileSync(path, 'utf8').includes('"token_count"'))!;
    const lines = readFileSync(rollout, 'utf8').trimEnd().split('\n');
    const counted = lines.map((line) => line.includes('"token_count"') && !line.includes('"info":null'));
    writeFileSync(rollout, lines.slice(0, counted.lastIndexOf(true) + 1).join('\n'));
    const cold = await headroom('UTC');
    expect(cold.stderr).toMatch(/exact path/);
    expectSameAsCcusage(cold.report, await ccusage('UTC'));
    // Complete: the next runs read it from the kept offset; the exact path (a session report) loads the entries
    // file the cold scan wrote, which must not hold the unfinished line.
    appendFileSync(rollout, '\n');
    const warm = await headroom('UTC');
    expect(warm.report.totals.totalTokens).toBe(cold.report.totals.totalTokens);
    const session = await runPlugin(['report', 'session', '--json', '--verbose'], sandbox, {});
    expect(session.stderr).toMatch(/exact path/);
    expect(session.stderr).not.toMatch(/index rebuilt/);
    const parsed = JSON.parse(session.stdout) as { totals: { totalTokens: number } };
    expect(parsed.totals.totalTokens).toBe(cold.report.totals.totalTokens);
    expectSameAsCcusage(warm.report, await ccusage('UTC'));
  });

  it('lists again only the folders whose mtime changed, yet sees an append in an unchanged folder', async () => {
    generateCorpus(sandbox.home, { megabytes: 3, seed: 7 });
    const projects = join(sandbox.home, '.claude', 'projects');
    // Folders as they are on a machine in use: last changed an hour ago (a listing taken within 2 s of a folder's
    // mtime is never reused, so a freshly generated corpus would be listed every time).
    const hourAgo = new Date(Date.now() - 3_600_000);
    const age = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true }))
        if (entry.isDirectory()) age(join(dir, entry.name));
      utimesSync(dir, hourAgo, hourAgo);
    };
    age(projects);
    age(join(sandbox.home, '.codex', 'sessions'));
    const cold = await headroom('UTC');
    const folders = Number(/usage scan: (\d+) folders/.exec(cold.stderr)?.[1]);
    expect(folders).toBeGreaterThan(20);
    expect(cold.stderr).toContain(`${folders} folders (${folders} listed)`);
    const [first, second] = readdirSync(projects).sort();
    const sessionFile = (project: string): string =>
      join(
        projects,
        project,
        readdirSync(join(projects, project)).find((name) => name.endsWith('.jsonl'))!,
      );
    const fresh = (line: string, n: number): string =>
      line
        .replace(/"id":"msg_01[0-9a-f]+"/, `"id":"msg_01fresh${n}"`)
        .replace(/"requestId":"req_011C[^"]*"/, `"requestId":"req_011Cfresh${n}"`)
        .replace(/"timestamp":"[^"]+"/, '"timestamp":"2026-11-29T11:00:00.000Z"');
    const usageLines = (file: string): string[] =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.includes('"usage":{') && line.includes('"type":"assistant"'));
    // An append: the file's folder keeps its mtime.
    const appended = sessionFile(first!);
    appendFileSync(appended, `${usageLines(appended).slice(0, 2).map(fresh).join('\n')}\n`);
    utimesSync(join(projects, first!), hourAgo, hourAgo);
    // A new session file in another project: that folder's mtime changes.
    const source = sessionFile(second!);
    writeFileSync(
      join(projects, second!, 'a-new-session.jsonl'),
      `${usageLines(source)
        .slice(0, 3)
        .map((line, n) => fresh(line, n + 10))
        .join('\n')}\n`,
    );
    const summary = join(sandbox.state, 'headroom', 'usage-index.bin');
    const saved = readFileSync(summary);
    const warm = await headroom('UTC');
    expect(warm.stderr).toContain(`${folders} folders (1 listed)`);
    expect(warm.stderr).toMatch(/\(1 resumed, 0 read by scan threads\)/);
    expect(warm.stderr).toMatch(/summary path/);
    expect(warm.report.totals.totalTokens).toBeGreaterThan(cold.report.totals.totalTokens);
    expect(warm.report.daily.some((day) => day.period === '2026-11-29')).toBe(true);
    expectSameAsCcusage(warm.report, await ccusage('UTC'));
    // A few KB read: the saved summary is left as it was (rewriting it would cost more than reading them again).
    expect(readFileSync(summary).equals(saved)).toBe(true);
    const again = await headroom('UTC');
    const bytes = (run: { stderr: string }): number =>
      Number(/files \(\d+ resumed, \d+ read by scan threads\), (\d+) bytes/.exec(run.stderr)?.[1]);
    expect(bytes(again)).toBe(bytes(warm));
    expect(again.report).toEqual(warm.report);
    // Once the saved summary is 10 minutes old it is rewritten; after that nothing is read or listed again (the
    // changed folder is given an mtime of its own, older than 2 s, so that its new listing can be reused).
    utimesSync(summary, hourAgo, hourAgo);
    const twoHoursAgo = new Date(Date.now() - 7_200_000);
    utimesSync(join(projects, second!), twoHoursAgo, twoHoursAgo);
    const saving = await headroom('UTC');
    expect(readFileSync(summary).equals(saved)).toBe(false);
    const quiet = await headroom('UTC');
    expect(quiet.stderr).toContain(`${folders} folders (0 listed)`);
    expect(bytes(quiet)).toBe(0);
    expect(quiet.report).toEqual(warm.report);
    expect(saving.report).toEqual(warm.report);
  });

  it('starts over when a file was truncated or replaced, without counting anything twice', async () => {
    installRealLogs();
    const cold = await headroom('UTC');
    const file = join(
      sandbox.home,
      '.claude',
      'projects',
      '-home-dev-spotter',
      'claude-code-spotter-session-ae4a77f8.jsonl',
    );
    const original = readFileSync(file, 'utf8');
    // Truncated to its first half.
    writeFileSync(file, original.slice(0, original.indexOf('\n', original.length / 2) + 1));
    const truncated = await headroom('UTC');
    expect(truncated.stderr).toMatch(/index rebuilt/);
    expectSameAsCcusage(truncated.report, await ccusage('UTC'));
    expect(truncated.report.totals.totalTokens).toBeLessThan(cold.report.totals.totalTokens);
    // Replaced by another session's lines followed by the whole original (longer than the kept offset, other
    // bytes at the start): a resumed session copying lines that another file holds too, so nothing new to count.
    const other = readFileSync(join(TRANSCRIPTS, 'claude-code-spotter-tool-heavy.jsonl'), 'utf8');
    writeFileSync(file, other + original);
    const replaced = await headroom('UTC');
    expect(replaced.stderr).toMatch(/index rebuilt/);
    expect(replaced.report.totals.totalTokens).toBe(cold.report.totals.totalTokens);
    expectSameAsCcusage(replaced.report, await ccusage('UTC'));
    // Unchanged: nothing read.
    const again = await headroom('UTC');
    expect(again.stderr).toMatch(/, 0 bytes,/);
    expectSameAsCcusage(again.report, replaced.report);
  });

  it('skips a FIFO named like a log instead of waiting for a writer forever', async () => {
    installRealLogs();
    execFileSync('mkfifo', [join(sandbox.home, '.claude', 'projects', '-home-dev-spotter', 'a-pipe.jsonl')]);
    const run = await headroom('UTC');
    expect(run.stderr).toContain('"unreadableFile":1');
    expectSameAsCcusage(run.report, await ccusage('UTC'));
  });
});

describe('the usage next to the limits', () => {
  it('JSON v1 gives each provider account its usage, and the menu a Spend section with the block burn rate', async () => {
    installRealLogs();
    const env = { HEADROOM_NOW: '2026-11-22T06:00:00Z', TZ: 'UTC' };
    const json = await runPlugin(['--format', 'json'], sandbox, env);
    const document = jsonDocumentV1.parse(JSON.parse(json.stdout));
    const claude = document.providers.find((p) => p.id === 'claude')!.usage!;
    // The real runs of 22 Nov 2026 (ccusage's figures for that day above).
    expect(claude.today.totalTokens).toBe(50_136);
    expect(claude.unpricedModels).toEqual(['claude-opus-5-5']);
    expect(claude.block).not.toBeNull();
    expect(claude.block!.endsAt).toBe('2026-11-22T09:00:00.000Z');
    const codex = document.providers.find((p) => p.id === 'codex')!.usage!;
    expect(codex.today.totalTokens).toBeGreaterThan(0);
    expect(codex.topModels.length).toBeGreaterThan(0);
    const text = await runPlugin(['--format', 'text'], sandbox, env);
    expect(text.stdout).toContain('Spend (from local logs)');
    expect(text.stdout).toMatch(/Today: \$\d+\.\d\d · 50\.1k tokens/);
    expect(text.stdout).toMatch(/block ends 09:00/);
    const menu = await runPlugin([], sandbox, { ...env, SWIFTBAR: '1' });
    expect(menu.stdout).toMatch(/^Full usage report… \| bash=\S+ param0=report terminal=true/m);
  });
});
