import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBase64 } from '../../core/parse.js';
import type { HttpRequest } from '../../core/ports.js';
import { TransportError } from '../../core/ports.js';
import type { SecretStore } from '../../core/secrets.js';
import { authorizationHeader, prometheusConnection } from '../../core/telemetry/connect.js';
import { loadTelemetry } from '../../core/telemetry/index.js';
import { toJsonTelemetry } from '../../core/telemetry/json.js';
import { discoverMetrics } from '../../core/telemetry/metrics.js';
import { presentTelemetry } from '../../core/telemetry/present.js';
import { gainExpression, promString, sumQuery } from '../../core/telemetry/queries.js';
import { type TelemetryReport, failedReport, fetchTelemetry } from '../../core/telemetry/report.js';
import {
  DEFAULT_TELEMETRY_SETTINGS,
  type TelemetrySettings,
  checkPrometheusUrl,
  resolveTelemetrySettings,
} from '../../core/telemetry/settings.js';
import { renderMenuBar, renderText } from '../../swiftbar-plugin/render.js';
import type { MenuView } from '../../core/present.js';
import { fakePorts, jsonResponse } from '../support/fake-ports.js';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const URL_BASE = 'http://prometheus.internal:9090';
const CONNECTION = { url: URL_BASE, authorization: null, timeoutMs: 5000 };

/** The parameters of a request URL. */
function params(request: HttpRequest): Record<string, string> {
  const query = request.url.split('?')[1] ?? '';
  return Object.fromEntries(
    query
      .split('&')
      .filter(Boolean)
      .map((pair) => pair.split('=').map(decodeURIComponent) as [string, string]),
  );
}

const vector = (result: { metric: Record<string, string>; value: string }[]) =>
  jsonResponse({
    status: 'success',
    data: { resultType: 'vector', result: result.map((r) => ({ metric: r.metric, value: [NOW / 1000, r.value] })) },
  });

describe('metric discovery', () => {
  it('accepts every spelling of each metric and nothing else', () => {
    const found = discoverMetrics([
      'claude_code_token_usage_total',
      'claude_code_token_usage_tokens_total',
      'claude_code_claude_code_token_usage_tokens_total',
      'claude_code.token.usage_tokens_total',
      'claude_code_token_usage_created',
      'claude_code_token_usage_tokens_bucket',
      'claude_code_cost_usage_total',
      'claude_code_cost_usage_USD_total',
      'claude_code_active_time_total',
      'claude_code_active_time_seconds_total',
      'claude_code_session_count_total',
      'claude_code_lines_of_code_count_total',
      'claude_code_commit_count_total',
      'claude_code_claude_code_pull_request_count_total',
      'claude_code_code_edit_tool_decision_total',
      'up',
    ]);
    expect(found).toEqual({
      tokens: [
        'claude_code.token.usage_tokens_total',
        'claude_code_claude_code_token_usage_tokens_total',
        'claude_code_token_usage_tokens_total',
        'claude_code_token_usage_total',
      ],
      cost: ['claude_code_cost_usage_USD_total', 'claude_code_cost_usage_total'],
      activeTime: ['claude_code_active_time_seconds_total', 'claude_code_active_time_total'],
      sessions: ['claude_code_session_count_total'],
      lines: ['claude_code_lines_of_code_count_total'],
      commits: ['claude_code_commit_count_total'],
      pullRequests: ['claude_code_claude_code_pull_request_count_total'],
    });
  });
});

describe('PromQL', () => {
  it('counts per series the gain since the last sample before the range, or all of a series born in it', () => {
    expect(
      gainExpression('claude_code_token_usage_total', null, { windowSeconds: 3600, lookbackSeconds: 86_400 }),
    ).toBe(
      '((max_over_time({__name__="claude_code_token_usage_total"}[3600s]) - ' +
        'last_over_time({__name__="claude_code_token_usage_total"}[86400s] offset 3600s)) >= 0 ' +
        'or max_over_time({__name__="claude_code_token_usage_total"}[3600s]))',
    );
  });

  it('joins several names with a label telling them apart, and filters by user', () => {
    const query = sumQuery(['a_total', 'b_total'], ['model'], 'o"brien@example.com', {
      windowSeconds: 1.5,
      lookbackSeconds: 86_400,
    })!;
    expect(query).toMatch(
      /^sum by \(model\) \(label_replace\(.*, "headroom_metric", "a_total", "", ""\) or label_replace\(/,
    );
    expect(query).toContain('{__name__="b_total",user_email="o\\"brien@example.com"}[1500ms]');
    expect(
      sumQuery(['x_total'], [], 'f0e1d2c3-0000-4000-8000-000000000000', { windowSeconds: 60, lookbackSeconds: 60 }),
    ).toContain('user_account_uuid="f0e1d2c3-0000-4000-8000-000000000000"');
    expect(sumQuery([], [], null, { windowSeconds: 60, lookbackSeconds: 60 })).toBeNull();
  });

  it('escapes PromQL strings', () => {
    expect(promString('a\\b"c\nd')).toBe('"a\\\\b\\"c\\nd"');
  });
});

describe('telemetry settings', () => {
  it('is off by default and on with HEADROOM_PROMETHEUS_URL', () => {
    expect(resolveTelemetrySettings(undefined, () => undefined).settings.url).toBeNull();
    const { settings, problems } = resolveTelemetrySettings(
      { url: 'http://old:9090', range: '1h' },
      (name) =>
        ({
          HEADROOM_PROMETHEUS_URL: 'https://metrics.example.com/prometheus/',
          HEADROOM_TELEMETRY_RANGE: '30d',
          HEADROOM_TELEMETRY_USER: 'alice@example.com',
          HEADROOM_PROMETHEUS_BEARER_FILE: '~/.config/headroom/token',
          HEADROOM_PROMETHEUS_TIMEOUT: '4',
        })[name],
      '/home/dev',
    );
    expect(problems).toEqual([]);
    expect(settings).toEqual({
      url: 'https://metrics.example.com/prometheus',
      range: '30d',
      user: 'alice@example.com',
      auth: { type: 'bearer' },
      secretFile: '/home/dev/.config/headroom/token',
      timeoutSeconds: 4,
    });
  });

  it('refuses bad values one by one, never quoting a URL', () => {
    const { settings, problems } = resolveTelemetrySettings(
      { url: 'https://bob:hunter2@prom:9090', range: '2h', auth: { type: 'basic' }, timeoutSeconds: 0 },
      () => undefined,
    );
    expect(settings).toEqual(DEFAULT_TELEMETRY_SETTINGS);
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(problems).toEqual([
      'config.json telemetry.range: expected 1h, 24h, 7d, 30d',
      'config.json telemetry.auth: basic auth needs a username; using none',
      'config.json telemetry.timeoutSeconds: expected 1 to 120',
      'config.json telemetry.url: credentials in the URL are not accepted; set the username in the settings and keep the password or token in the keyring or a file; telemetry is off',
    ]);
  });

  it('checks URLs', () => {
    expect(checkPrometheusUrl(' http://localhost:9090/ ')).toEqual({ ok: true, url: 'http://localhost:9090' });
    expect(checkPrometheusUrl('localhost:9090').ok).toBe(false);
    expect(checkPrometheusUrl('http://localhost:9090/?x=1').ok).toBe(false);
    expect(checkPrometheusUrl('ftp://localhost').ok).toBe(false);
  });
});

describe('auth', () => {
  it('encodes basic auth as RFC 7617 does, for any UTF-8 text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(encodeBase64(text)).toBe(Buffer.from(text, 'utf8').toString('base64'));
      }),
    );
    expect(authorizationHeader({ type: 'basic', username: 'alice' }, 'pä$$')).toBe(
      `Basic ${Buffer.from('alice:pä$$').toString('base64')}`,
    );
    expect(authorizationHeader({ type: 'bearer' }, 'tok')).toBe('Bearer tok');
  });

  const settings: TelemetrySettings = {
    ...DEFAULT_TELEMETRY_SETTINGS,
    url: URL_BASE,
    auth: { type: 'basic', username: 'alice' },
  };
  const keyring = (value: string | null): SecretStore => ({
    lookup: async () => ({ ok: true, value }),
    store: async () => ({ ok: true, value: true }),
    clear: async () => ({ ok: true, value: true }),
  });

  it('takes the secret from the keyring, or says how to store it', async () => {
    const ok = await prometheusConnection(fakePorts(), settings, keyring('s3cret'), 'Store it.');
    expect(ok).toEqual({
      ok: true,
      connection: { url: URL_BASE, authorization: `Basic ${encodeBase64('alice:s3cret')}`, timeoutMs: 10_000 },
    });
    expect(await prometheusConnection(fakePorts(), settings, keyring(null), 'Store it.')).toEqual({
      ok: false,
      failure: { status: 'signed-out', message: 'No Prometheus password is stored in the keyring.', fix: 'Store it.' },
    });
  });

  it('reads the first line of a secret file', async () => {
    const ports = fakePorts({ files: { '/home/dev/token': '  tok-123 \nsecond line\n' } });
    const result = await prometheusConnection(
      ports,
      { ...settings, auth: { type: 'bearer' }, secretFile: '/home/dev/token' },
      null,
      '',
    );
    expect(result.ok && result.connection.authorization).toBe('Bearer tok-123');
  });

  it('reports a keyring problem without a secret in it', async () => {
    const locked: SecretStore = {
      ...keyring(null),
      lookup: async () => ({ ok: false, problem: 'locked', message: 'The keyring is locked.', fix: 'Unlock it.' }),
    };
    const report = await loadTelemetry(fakePorts(), settings, locked, { now: NOW, missingSecretFix: '' });
    expect(report).toMatchObject({
      status: 'error',
      message: 'Headroom cannot read the Prometheus password: The keyring is locked.',
      fix: 'Unlock it.',
      server: 'prometheus.internal:9090',
      tokens: null,
    });
  });
});

describe('fetchTelemetry', () => {
  const NAMES = ['claude_code_token_usage_total', 'claude_code_cost_usage_USD_total', 'claude_code_commit_count_total'];

  function server(answers: {
    query?: (query: string) => ReturnType<typeof vector>;
    range?: () => ReturnType<typeof vector>;
  }) {
    return fakePorts({
      now: NOW,
      http: (request) => {
        const path = request.url.slice(URL_BASE.length).split('?')[0];
        if (path === '/api/v1/label/__name__/values') return jsonResponse({ status: 'success', data: NAMES });
        if (path === '/api/v1/query') return answers.query!(params(request).query!);
        if (path === '/api/v1/query_range') return answers.range!();
        throw new Error(`unexpected ${request.url}`);
      },
    });
  }

  it('asks only for the metrics the server has, all at the same moment, and sums them', async () => {
    const ports = server({
      query: (query) =>
        query.includes('token_usage')
          ? vector([
              { metric: { type: 'input', model: 'm1', user_email: 'a@x' }, value: '100' },
              { metric: { type: 'cacheRead', model: 'm1', user_email: 'a@x' }, value: '1000' },
              { metric: { type: 'output', model: 'm2', user_account_uuid: 'u-2' }, value: '7' },
              { metric: { type: 'future', model: 'm2', user_account_uuid: 'u-2' }, value: '3' },
            ])
          : query.includes('cost_usage')
            ? vector([
                { metric: { model: 'm1', user_email: 'a@x' }, value: '0.1' },
                { metric: { model: 'm2', user_account_uuid: 'u-2' }, value: '0.2' },
              ])
            : vector([]),
      range: () =>
        jsonResponse({
          status: 'success',
          data: {
            resultType: 'matrix',
            result: [
              {
                metric: {},
                values: [
                  [(NOW - 3_600_000) / 1000, '10'],
                  [NOW / 1000, '1100'],
                ],
              },
            ],
          },
        }),
    });
    const report = await fetchTelemetry(ports, CONNECTION, {
      range: '24h',
      rangeSeconds: 86_400,
      user: null,
      now: NOW,
    });
    const queries = ports.requests.map((request) => request.url.split('?')[0]!.slice(URL_BASE.length));
    expect(queries.sort()).toEqual([
      '/api/v1/label/__name__/values',
      '/api/v1/query',
      '/api/v1/query',
      '/api/v1/query',
      '/api/v1/query_range',
    ]);
    for (const request of ports.requests.filter((r) => r.url.includes('/api/v1/query?'))) {
      expect(params(request).time).toBe(String(NOW / 1000) + '.000');
    }
    const range = params(ports.requests.find((r) => r.url.includes('query_range'))!);
    expect(range).toMatchObject({ start: String((NOW - 86_400_000 + 3_600_000) / 1000) + '.000', step: '3600' });
    expect(report).toMatchObject({
      status: 'ok',
      tokens: 1110,
      tokensByType: { input: 100, output: 7, cacheRead: 1000, cacheCreation: 0 },
      costUsd: 0.3,
      commits: 0,
      sessions: null,
      activeSeconds: null,
      linesAdded: null,
      byModel: [
        { model: 'm2', tokens: 10, costUsd: 0.2 },
        { model: 'm1', tokens: 1100, costUsd: 0.1 },
      ],
      byUser: [
        { user: 'u-2', tokens: 10, costUsd: 0.2 },
        { user: 'a@x', tokens: 1100, costUsd: 0.1 },
      ],
      metrics: [...NAMES].sort(),
    });
    expect(report.overTime).toHaveLength(24);
    expect(report.overTime![22]).toEqual({ t: NOW - 3_600_000, tokens: 10 });
    expect(report.overTime![23]).toEqual({ t: NOW, tokens: 1100 });
    expect(report.overTime!.slice(0, 22).every((point) => point.tokens === 0)).toBe(true);
  });

  it('runs the queries in parallel', async () => {
    let waiting = 0;
    let release: () => void = () => {};
    const allAsked = new Promise<void>((resolve) => (release = resolve));
    const ports = fakePorts({
      now: NOW,
      http: async (request) => {
        if (request.url.includes('/api/v1/label/')) return jsonResponse({ status: 'success', data: NAMES });
        // Every query waits until all four (three metrics and the sparkline) are in flight: a sequential fetch hangs.
        if (++waiting === 4) release();
        await allAsked;
        return request.url.includes('query_range')
          ? jsonResponse({ status: 'success', data: { resultType: 'matrix', result: [] } })
          : vector([]);
      },
    });
    const report = await fetchTelemetry(ports, CONNECTION, { range: '1h', rangeSeconds: 3600, user: null, now: NOW });
    expect(report.status).toBe('ok');
    expect(waiting).toBe(4);
  });

  it('a value that is not a number fails that query only', async () => {
    const ports = server({
      query: (query) => vector([{ metric: {}, value: query.includes('commit') ? 'NaN' : '2' }]),
      range: () => jsonResponse({ status: 'success', data: { resultType: 'matrix', result: [] } }),
    });
    const report = await fetchTelemetry(ports, CONNECTION, { range: '1h', rangeSeconds: 3600, user: null, now: NOW });
    expect(report).toMatchObject({ status: 'error', tokens: 2, costUsd: 2, commits: null });
    expect(report.message).toMatch(
      /^Some figures are missing: Prometheus answered a query with a value that is not a number/,
    );
  });

  it('a query that times out leaves its figure null', async () => {
    const ports = server({
      query: (query) => {
        if (query.includes('cost')) throw new TransportError('timeout', 'slow');
        return vector([{ metric: {}, value: '5' }]);
      },
      range: () => jsonResponse({ status: 'success', data: { resultType: 'matrix', result: [] } }),
    });
    const report = await fetchTelemetry(ports, CONNECTION, { range: '1h', rangeSeconds: 3600, user: null, now: NOW });
    expect(report).toMatchObject({
      status: 'offline',
      message: 'Some figures are missing: prometheus.internal:9090 did not answer within 5 s.',
      tokens: 5,
      costUsd: null,
      commits: 5,
    });
  });
});

function report(overrides: Partial<TelemetryReport> = {}): TelemetryReport {
  return {
    ...failedReport({ range: '24h', rangeSeconds: 86_400, user: null, now: NOW }, 'prom:9090', {
      status: 'ok',
      message: '',
      fix: '',
    }),
    tokens: 1_234_567,
    tokensByType: { input: 1000, output: 2000, cacheRead: 1_200_000, cacheCreation: 31_567 },
    costUsd: 12.3456,
    activeSeconds: 8040,
    sessions: 12,
    linesAdded: 1234,
    linesRemoved: 56,
    commits: 3,
    pullRequests: 1,
    byModel: [{ model: 'claude-opus-4-1', tokens: 1_000_000, costUsd: 11 }],
    byUser: [
      { user: 'alice@example.com', tokens: 1_000_000, costUsd: 10 },
      { user: 'bob|--x', tokens: 234_567, costUsd: 2.3456 },
    ],
    overTime: [0, 10, 40, 80].map((tokens, index) => ({ t: NOW - (3 - index) * 3_600_000, tokens })),
    ...overrides,
  };
}

describe('the Telemetry section', () => {
  it('shows each figure the server has, in words a person reads', () => {
    const view = presentTelemetry(report(), { locale: 'en-US' });
    expect(view.heading).toBe('Telemetry · last 24 hours');
    expect(view.summary).toBe('1.2M tokens · $12.35');
    expect(view.rows).toEqual([
      { label: 'Tokens', text: '1.2M' },
      { label: 'By type', text: 'input 1,000 · output 2,000 · cache read 1.2M · cache write 31.6K' },
      { label: 'Cost', text: '$12.35' },
      { label: 'Active time', text: '2 h 14 min' },
      { label: 'Sessions', text: '12' },
      { label: 'Lines', text: '+1,234 −56' },
      { label: 'Commits', text: '3' },
      { label: 'Pull requests', text: '1' },
    ]);
    expect(view.sparkline).toBe('▁▂▅█');
    expect(view.bars).toEqual([0, 0.125, 0.5, 1]);
    expect(view.models).toEqual([{ label: 'claude-opus-4-1', text: '1M tokens · $11.00' }]);
    expect(view.users.map((row) => row.label)).toEqual(['alice@example.com', 'bob|--x']);
    expect(view.ranges.find((range) => range.current)).toEqual({ id: '24h', label: '24 h', current: true });
  });

  it('leaves out what the server does not have, and says what is wrong', () => {
    const view = presentTelemetry(
      report({
        costUsd: null,
        commits: null,
        pullRequests: null,
        linesAdded: null,
        linesRemoved: null,
        byUser: [],
        status: 'error',
        message: 'Some figures are missing: x',
        fix: 'Try again.',
      }),
      { locale: 'en-US' },
    );
    expect(view.rows.map((row) => row.label)).toEqual(['Tokens', 'By type', 'Active time', 'Sessions']);
    expect(view.statusText).toBe('Some figures are missing: x');
    expect(view.fixText).toBe('Try again.');
    expect(view.users).toEqual([]);
  });

  it('renders in SwiftBar with per-model and per-user submenus whose text cannot break the menu', () => {
    const menu: MenuView = {
      title: 'Headroom',
      titleParts: [],
      severity: 'normal',
      providers: [],
      nothingConnected: false,
      nothingConnectedText: null,
      connectHelp: [],
      offlineText: null,
      telemetry: presentTelemetry(report(), { locale: 'en-US' }),
    };
    const lines = renderMenuBar(menu, 'swiftbar', { pluginPath: '/p' }).split('\n');
    expect(lines).toContain('Cost: $12.35 | color=#1d1d1f,#f5f5f7 symbolize=false emojize=false');
    expect(lines).toContain('By user | color=#1d1d1f,#f5f5f7 symbolize=false emojize=false');
    expect(lines).toContain('--bob¦--x: 234.6K tokens · $2.35 | symbolize=false emojize=false');
    expect(renderText(menu)).toContain('  Over time      ▁▂▅█');
  });

  it('is the JSON v1 telemetry object, instants in ISO 8601', () => {
    const json = toJsonTelemetry(report())!;
    expect(json).toMatchObject({ range: '24h', costUsd: 12.3456, activeSeconds: 8040, status: 'ok' });
    expect(json.to).toBe('2026-12-01T12:00:00.000Z');
    expect(json.overTime![3]).toEqual({ t: '2026-12-01T12:00:00.000Z', tokens: 80 });
    expect(toJsonTelemetry(null)).toBeNull();
  });
});
