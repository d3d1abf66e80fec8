/**
 * Team telemetry against a real Prometheus (Debian's `prometheus` 2.42) scraping, every second, a loopback target
 * that serves Claude Code's metrics as they reach Prometheus three ways: Claude Code's own exporter
 * (`claude_code_token_usage_total`), an OpenTelemetry Collector (`claude_code_token_usage_tokens_total`,
 * `claude_code_cost_usage_USD_total`, …) and a Collector with `namespace: claude_code`
 * (`claude_code_claude_code_…`). The sessions behave as real ones do: `claude -p` runs whose series first appear with
 * their final values and never change (one of them then disappears, as its exporter exits), and interactive sessions
 * whose counters grow from scrape to scrape. Every figure Headroom reports must equal the sum a person computes from
 * the exposition the target served.
 *
 * Without a prometheus binary the suite is skipped locally and fails in CI (CI=true).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchTelemetry } from '../../core/telemetry/report.js';
import { nodePorts } from '../../swiftbar-plugin/node-ports.js';
import { type Sandbox, makeSandbox, runPlugin } from '../support/plugin-harness.js';
import {
  type ExpositionSeries,
  ExpositionTarget,
  type RunningPrometheus,
  prometheusBinary,
  promQuery,
  sleep,
  startPrometheus,
} from '../support/prometheus.js';

type Family = 'tokens' | 'cost' | 'active' | 'sessions' | 'lines' | 'commits' | 'prs';
type Naming = 'exporter' | 'collector' | 'namespaced';

const COLLECTOR_NAMES: Record<Family, string> = {
  tokens: 'claude_code_token_usage_tokens_total',
  cost: 'claude_code_cost_usage_USD_total',
  active: 'claude_code_active_time_seconds_total',
  sessions: 'claude_code_session_count_total',
  lines: 'claude_code_lines_of_code_count_total',
  commits: 'claude_code_commit_count_total',
  prs: 'claude_code_pull_request_count_total',
};

/** The metric names each path to Prometheus produces (core/telemetry/metrics.ts). */
const NAMES: Record<Naming, Record<Family, string>> = {
  exporter: {
    tokens: 'claude_code_token_usage_total',
    cost: 'claude_code_cost_usage_total',
    active: 'claude_code_active_time_total',
    sessions: 'claude_code_session_count_total',
    lines: 'claude_code_lines_of_code_count_total',
    commits: 'claude_code_commit_count_total',
    prs: 'claude_code_pull_request_count_total',
  },
  collector: COLLECTOR_NAMES,
  namespaced: Object.fromEntries(
    Object.entries(COLLECTOR_NAMES).map(([family, name]) => [family, `claude_code_${name}`]),
  ) as Record<Family, string>,
};

const PATHS: Record<Naming, string> = {
  exporter: '/claude-code',
  collector: '/collector',
  namespaced: '/collector-namespaced',
};

/** One counter of a session: its family, extra labels, and its value in each phase (null: not served). */
interface Counter {
  family: Family;
  labels?: Record<string, string>;
  values: (number | null)[];
}

interface Session {
  naming: Naming;
  labels: Record<string, string>;
  counters: Counter[];
}

const SONNET = 'claude-sonnet-4-5-20250929';
const OPUS = 'claude-opus-4-1-20250805';
const HAIKU = 'claude-haiku-4-5-20251001';
const ALICE = { user_email: 'alice@example.com', user_account_uuid: '1d7c2b6e-0a51-4e57-9a3c-5b1f0f3e2a11' };
const BOB = { user_email: 'bob@example.com', user_account_uuid: '6f0e9a4d-2c8b-4b7e-8e55-0c3d9b1a7f42' };
const CAROL = { user_email: 'carol@example.com', user_account_uuid: '9b2a7c1e-5d3f-4a8b-b6c4-2e8f1d0a3c57' };
const NOBODY_UUID = '3e5b8d2f-7a1c-4f6e-9d0b-8c2a4e6f1b39';

/** A value in every phase from `from` on. */
const from = (phase: number, ...values: number[]): (number | null)[] => [
  ...Array<null>(phase).fill(null),
  ...values,
  ...Array<number>(Math.max(0, 4 - phase - values.length)).fill(values[values.length - 1]!),
];
const only = (phase: number, value: number): (number | null)[] => [0, 1, 2, 3].map((p) => (p === phase ? value : null));
const tokens = (model: string, type: string, values: (number | null)[]): Counter => ({
  family: 'tokens',
  labels: { model, type },
  values,
});
const cost = (model: string, values: (number | null)[]): Counter => ({ family: 'cost', labels: { model }, values });

/**
 * The sessions, over four phases (each served for at least two scrapes). Phase 3 only exists for the short-range
 * check: the CLI runs after phase 2.
 */
const SESSIONS: Session[] = [
  // A `claude -p` run: appears with its final values, never changes.
  {
    naming: 'exporter',
    labels: { session_id: 'a1f5c0de-0000-4000-8000-00000000000a', user_id: 'u-alice', ...ALICE },
    counters: [
      tokens(SONNET, 'input', from(0, 1200)),
      tokens(SONNET, 'output', from(0, 340)),
      tokens(SONNET, 'cacheRead', from(0, 50_000)),
      tokens(SONNET, 'cacheCreation', from(0, 2000)),
      cost(SONNET, from(0, 0.1234)),
      { family: 'sessions', values: from(0, 1) },
      { family: 'active', labels: { type: 'cli' }, values: from(0, 12.5) },
      { family: 'lines', labels: { type: 'added' }, values: from(0, 40) },
      { family: 'lines', labels: { type: 'removed' }, values: from(0, 7) },
      { family: 'commits', values: from(0, 1) },
    ],
  },
  // An interactive session whose counters grow, with a second model from phase 1.
  {
    naming: 'exporter',
    labels: { session_id: 'b2e6d1ef-0000-4000-8000-00000000000b', user_id: 'u-alice', ...ALICE },
    counters: [
      tokens(OPUS, 'input', from(0, 100, 500, 900, 1500)),
      tokens(OPUS, 'output', from(0, 20, 80, 150, 260)),
      tokens(OPUS, 'cacheRead', from(0, 3000, 9000, 15_000, 21_000)),
      tokens(HAIKU, 'input', from(1, 30, 30, 45)),
      cost(OPUS, from(0, 0.05, 0.2, 0.45, 0.7)),
      cost(HAIKU, from(1, 0.001, 0.001, 0.0015)),
      { family: 'sessions', values: from(0, 1) },
      { family: 'active', labels: { type: 'user' }, values: from(0, 3, 10, 20, 31) },
      { family: 'lines', labels: { type: 'added' }, values: from(1, 10, 25, 25) },
      { family: 'lines', labels: { type: 'removed' }, values: from(1, 2, 2, 9) },
      { family: 'commits', values: from(2, 1, 2) },
      { family: 'prs', values: from(2, 1) },
    ],
  },
  // A `claude -p` run without an e-mail whose exporter is gone after one phase.
  {
    naming: 'exporter',
    labels: { session_id: 'c3f7e2f0-0000-4000-8000-00000000000c', user_account_uuid: NOBODY_UUID },
    counters: [
      tokens(HAIKU, 'input', only(0, 777)),
      tokens(HAIKU, 'output', only(0, 55)),
      cost(HAIKU, only(0, 0.0101)),
      { family: 'sessions', values: only(0, 1) },
      { family: 'active', labels: { type: 'cli' }, values: only(0, 2) },
    ],
  },
  // A one-shot session through an OpenTelemetry Collector.
  {
    naming: 'collector',
    labels: { session_id: 'd4a8f3a1-0000-4000-8000-00000000000d', user_id: 'u-bob', ...BOB },
    counters: [
      tokens(SONNET, 'input', from(1, 4000)),
      tokens(SONNET, 'output', from(1, 900)),
      tokens(SONNET, 'cacheCreation', from(1, 1500)),
      cost(SONNET, from(1, 0.321)),
      { family: 'sessions', values: from(1, 1) },
      { family: 'active', labels: { type: 'cli' }, values: from(1, 40.25) },
      { family: 'lines', labels: { type: 'added' }, values: from(1, 120) },
      { family: 'lines', labels: { type: 'removed' }, values: from(1, 30) },
      { family: 'commits', values: from(1, 2) },
      { family: 'prs', values: from(1, 1) },
    ],
  },
  // A growing session through a Collector with `namespace: claude_code`.
  {
    naming: 'namespaced',
    labels: { session_id: 'e5b9a4b2-0000-4000-8000-00000000000e', user_id: 'u-carol', ...CAROL },
    counters: [
      tokens(SONNET, 'input', from(1, 10, 60)),
      tokens(SONNET, 'output', from(1, 5, 25)),
      cost(SONNET, from(1, 0.002, 0.011)),
      { family: 'sessions', values: from(1, 1) },
      { family: 'active', labels: { type: 'user' }, values: from(1, 1, 4) },
    ],
  },
  // A `claude -p` run that only starts in phase 3.
  {
    naming: 'exporter',
    labels: { session_id: 'f6cab5c3-0000-4000-8000-00000000000f', user_id: 'u-bob', ...BOB },
    counters: [
      tokens(SONNET, 'input', from(3, 2222)),
      tokens(SONNET, 'output', from(3, 111)),
      cost(SONNET, from(3, 0.05)),
      { family: 'sessions', values: from(3, 1) },
      { family: 'commits', values: from(3, 1) },
    ],
  },
];

/** What the target serves in a phase, per path, with the other series a real exporter has. */
function exposition(phase: number): Map<string, ExpositionSeries[]> {
  const out = new Map<string, ExpositionSeries[]>(
    Object.values(PATHS).map((path) => [
      path,
      [{ name: 'target_info', labels: { service_name: 'claude-code', service_version: '2.0.14' }, value: 1 }],
    ]),
  );
  for (const session of SESSIONS) {
    for (const counter of session.counters) {
      const value = counter.values[phase];
      if (value === null || value === undefined) continue;
      out.get(PATHS[session.naming])!.push({
        name: NAMES[session.naming][counter.family],
        labels: { ...session.labels, ...counter.labels },
        value,
      });
    }
  }
  return out;
}

/** One served series as a person reads the exposition. */
interface Served {
  family: Family;
  labels: Record<string, string>;
  values: (number | null)[];
}

const SERVED: Served[] = SESSIONS.flatMap((session) =>
  session.counters.map((counter) => ({
    family: counter.family,
    labels: { ...session.labels, ...counter.labels },
    values: counter.values,
  })),
);

/** The last value a series showed in phases ≤ `phase`, or null. */
function lastShown(values: (number | null)[], phase: number): number | null {
  for (let p = phase; p >= 0; p--) if (values[p] !== null && values[p] !== undefined) return values[p]!;
  return null;
}

/**
 * What a person computes from the exposition for a range covering phases `after + 1` … `upTo`: for every series shown
 * in those phases, its last value then minus its last value before (0 for a series that had not appeared yet).
 */
function expected(
  family: Family,
  upTo: number,
  after: number | null = null,
  where: (labels: Record<string, string>) => boolean = () => true,
): number {
  let sum = 0;
  for (const series of SERVED.filter((s) => s.family === family && where(s.labels))) {
    const shownInRange = series.values.some((v, p) => v !== null && p <= upTo && (after === null || p > after));
    if (!shownInRange) continue;
    const last = lastShown(series.values, upTo)!;
    const before = after === null ? null : lastShown(series.values, after);
    sum += before === null || last < before ? last : last - before;
  }
  return sum;
}

const withLabel = (label: string, value: string) => (labels: Record<string, string>) => labels[label] === value;

const binary = prometheusBinary();
if (!binary && process.env.CI === 'true') {
  throw new Error('prometheus is not installed (apt-get install prometheus); CI may not skip this suite');
}

describe.skipIf(!binary)('telemetry from a real Prometheus scraping Claude Code metrics', () => {
  const target = new ExpositionTarget();
  let prometheus: RunningPrometheus;
  let sandbox: Sandbox;
  /** Between the last scrape of phase 2 and the first of phase 3, epoch ms. */
  let phase3Start = 0;

  async function serve(phase: number): Promise<void> {
    for (const [path, series] of exposition(phase)) target.series.set(path, series);
  }

  beforeAll(async () => {
    sandbox = makeSandbox();
    await serve(0);
    await target.start();
    prometheus = await startPrometheus(binary!, target.port, {
      'claude-code': PATHS.exporter,
      collector: PATHS.collector,
      'collector-namespaced': PATHS.namespaced,
    });
    await target.scrapes(2);
    await serve(1);
    await target.scrapes(2);
    await serve(2);
    await target.scrapes(3);
    // Prometheus answers queries on what it has appended; give the last scrape a moment to land.
    await sleep(300);
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await target.stop();
    sandbox?.cleanup();
  });

  function cli(args: string[], env: Record<string, string> = {}) {
    return runPlugin(args, sandbox, {
      HEADROOM_PROMETHEUS_URL: prometheus.url,
      HEADROOM_CLAUDE: 'off',
      HEADROOM_CODEX: 'logs',
      ...env,
    });
  }

  it('holds series that plain increase() misses (the fixture is as hard as real claude -p runs)', async () => {
    const naive = await promQuery(prometheus.url, 'sum(increase(claude_code_token_usage_total[1h]))');
    const naiveValue = naive.length === 0 ? 0 : Number(naive[0]!.value[1]);
    // Session A's 50,000 cache-read tokens never change, so increase() counts them as 0.
    expect(naiveValue).toBeLessThan(expected('tokens', 2, null, withLabel('user_email', ALICE.user_email)) - 50_000);
  });

  it('`headroom telemetry --json` reports every figure as the exposition sums it', async () => {
    const result = await cli(['telemetry', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    const type = (t: string) => withLabel('type', t);
    expect(report).toMatchObject({
      range: '24h',
      status: 'ok',
      user: null,
      tokens: expected('tokens', 2),
      tokensByType: {
        input: expected('tokens', 2, null, type('input')),
        output: expected('tokens', 2, null, type('output')),
        cacheRead: expected('tokens', 2, null, type('cacheRead')),
        cacheCreation: expected('tokens', 2, null, type('cacheCreation')),
      },
      sessions: expected('sessions', 2),
      linesAdded: expected('lines', 2, null, type('added')),
      linesRemoved: expected('lines', 2, null, type('removed')),
      commits: expected('commits', 2),
      pullRequests: expected('prs', 2),
    });
    // The numbers a person gets by hand, for the record.
    expect(report.tokens).toBe(
      1200 + 340 + 50_000 + 2000 + 900 + 150 + 15_000 + 30 + 777 + 55 + 4000 + 900 + 1500 + 60 + 25,
    );
    expect(report.sessions).toBe(5);
    expect(report.costUsd).toBeCloseTo(expected('cost', 2), 9);
    expect(report.costUsd).toBeCloseTo(0.1234 + 0.45 + 0.001 + 0.0101 + 0.321 + 0.011, 9);
    expect(report.activeSeconds).toBeCloseTo(expected('active', 2), 9);
    expect(report.metrics).toEqual(
      [...new Set(SESSIONS.flatMap((s) => s.counters.map((c) => NAMES[s.naming][c.family])))].sort(),
    );

    const model = (name: string) => report.byModel.find((row: { model: string }) => row.model === name);
    for (const name of [SONNET, OPUS, HAIKU]) {
      expect(model(name).tokens).toBe(expected('tokens', 2, null, withLabel('model', name)));
      expect(model(name).costUsd).toBeCloseTo(expected('cost', 2, null, withLabel('model', name)), 9);
    }
    expect(report.byModel.map((row: { model: string }) => row.model)).toEqual([SONNET, OPUS, HAIKU]);
    const user = (name: string) => report.byUser.find((row: { user: string }) => row.user === name);
    expect(user('alice@example.com').tokens).toBe(
      expected('tokens', 2, null, withLabel('user_email', ALICE.user_email)),
    );
    expect(user('bob@example.com').costUsd).toBeCloseTo(0.321, 9);
    expect(user(NOBODY_UUID).tokens).toBe(777 + 55);

    expect(report.overTime).toHaveLength(24);
    const overTime = report.overTime as { t: string; tokens: number }[];
    expect(overTime.reduce((sum, point) => sum + point.tokens, 0)).toBe(report.tokens);
    expect(overTime[23]!.tokens).toBe(report.tokens);
    expect(Date.parse(overTime[23]!.t)).toBe(Date.parse(report.to));
  });

  it('`headroom telemetry --check` lists the metrics the server has', async () => {
    const result = await cli(['telemetry', '--check']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "Connected. Prometheus has 7 of Claude Code's 7 metrics: " +
        'tokens (claude_code_claude_code_token_usage_tokens_total, claude_code_token_usage_tokens_total, claude_code_token_usage_total), ' +
        'cost (claude_code_claude_code_cost_usage_USD_total, claude_code_cost_usage_USD_total, claude_code_cost_usage_total), ' +
        'active time (claude_code_active_time_seconds_total, claude_code_active_time_total, claude_code_claude_code_active_time_seconds_total), ' +
        'sessions (claude_code_claude_code_session_count_total, claude_code_session_count_total), ' +
        'lines of code (claude_code_lines_of_code_count_total), commits (claude_code_commit_count_total), ' +
        'pull requests (claude_code_pull_request_count_total).\n',
    );
  });

  it('filters to one user by e-mail or account UUID', async () => {
    const alice = JSON.parse(
      (await cli(['telemetry', '--json'], { HEADROOM_TELEMETRY_USER: ALICE.user_email })).stdout,
    );
    const isAlice = withLabel('user_email', ALICE.user_email);
    expect(alice).toMatchObject({
      user: ALICE.user_email,
      tokens: expected('tokens', 2, null, isAlice),
      sessions: 2,
      commits: 2,
      pullRequests: 1,
    });
    expect(alice.costUsd).toBeCloseTo(expected('cost', 2, null, isAlice), 9);
    expect(alice.byUser.map((row: { user: string }) => row.user)).toEqual([ALICE.user_email]);

    const carol = JSON.parse(
      (await cli(['telemetry', '--json'], { HEADROOM_TELEMETRY_USER: CAROL.user_account_uuid })).stdout,
    );
    expect(carol).toMatchObject({ tokens: 85, sessions: 1, activeSeconds: 4, commits: 0, linesAdded: 0 });
  });

  it('shows the section in the terminal, in SwiftBar and in JSON v1 beside the limits', async () => {
    const text = await cli(['telemetry', '--range', '7d']);
    expect(text.stdout).toContain('Telemetry · last 7 days');
    expect(text.stdout).toMatch(/^ {2}Tokens +76\.9k$/im);
    expect(text.stdout).toMatch(/^ {2}Sessions +5$/m);
    expect(text.stdout).toContain(`    ${SONNET}  `);

    const swiftbar = await cli([], { SWIFTBAR: '1' });
    const lines = swiftbar.stdout.split('\n');
    expect(lines).toContain('Telemetry · last 24 hours | color=#1d1d1f,#f5f5f7 size=14 symbolize=false emojize=false');
    expect(lines).toContain('Sessions: 5 | color=#1d1d1f,#f5f5f7 symbolize=false emojize=false');
    expect(lines.some((line) => line.startsWith(`--${SONNET}: `))).toBe(true);

    const document = JSON.parse((await cli(['--format', 'json'])).stdout);
    expect(document.providers.map((p: { id: string }) => p.id)).toEqual(['codex']);
    expect(document.telemetry).toMatchObject({ status: 'ok', tokens: expected('tokens', 2), sessions: 5 });
  });

  it('counts what each series gained in a short range that starts between two scrapes', async () => {
    // Switch to phase 3 right after a scrape, so the range can start cleanly between the two phases' samples.
    await target.scrapes(1);
    phase3Start = Date.now() + 100;
    await sleep(100);
    await serve(3);
    await target.scrapes(3);
    await sleep(300);
    const now = Date.now();
    const rangeSeconds = (now - phase3Start) / 1000;
    const report = await fetchTelemetry(
      nodePorts({ verbose: false }),
      { url: prometheus.url, authorization: null, timeoutMs: 5000 },
      { range: 'short', rangeSeconds, user: null, now },
    );
    expect(report.status).toBe('ok');
    // Session B grew (900 → 1500 input, …), F started; A, D and E did not change; C is gone.
    expect(report.tokens).toBe(expected('tokens', 3, 2));
    expect(report.tokens).toBe(600 + 110 + 6000 + 15 + 2222 + 111);
    expect(report.sessions).toBe(1);
    expect(report.commits).toBe(2);
    expect(report.pullRequests).toBe(0);
    expect(report.linesRemoved).toBe(7);
    expect(report.costUsd).toBeCloseTo(0.25 + 0.0005 + 0.05, 9);
    expect(report.activeSeconds).toBeCloseTo(11, 9);
    expect(report.overTime!.reduce((sum, point) => sum + point.tokens, 0)).toBe(report.tokens);
  });
});
