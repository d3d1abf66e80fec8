// Core's telemetry under real gjs: GjsPorts (Soup 3) against a loopback Soup.Server playing a Prometheus behind basic
// auth, then the section as the dropdown draws it.
import Soup from 'gi://Soup?version=3.0';
import { encodeBase64 } from '../../core/parse.js';
import { checkConnection, loadTelemetry, presentTelemetry } from '../../core/telemetry/index.js';
import { DEFAULT_TELEMETRY_SETTINGS, type TelemetrySettings } from '../../core/telemetry/settings.js';
import type { SecretStore } from '../../core/secrets.js';
import { GjsPorts } from '../../gnome-extension/gjs-ports.js';
import { equal, ok, run, test } from './assert.js';

const encoder = new TextEncoder();
const AUTHORIZATION = `Basic ${encodeBase64('alice:pä$$')}`;
const queries: string[] = [];

function respond(message: Soup.ServerMessage, status: number, body: unknown): void {
  message.set_status(status, null);
  message.set_response('application/json', Soup.MemoryUse.COPY, encoder.encode(JSON.stringify(body)));
}

const server = new Soup.Server({});
server.add_handler('/prom', (_server, message, path, query) => {
  if (message.get_request_headers().get_one('Authorization') !== AUTHORIZATION) {
    respond(message, 401, { status: 'error', error: 'unauthorized' });
    return;
  }
  if (path === '/prom/api/v1/label/__name__/values') {
    respond(message, 200, {
      status: 'success',
      data: ['claude_code_token_usage_tokens_total', 'claude_code_cost_usage_USD_total', 'up'],
    });
  } else if (path === '/prom/api/v1/query') {
    const promql = query?.query ?? '';
    queries.push(promql);
    const value = promql.includes('token_usage') ? '1234567' : '12.5';
    respond(message, 200, {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [{ metric: { model: 'claude-opus-4-1', type: 'input' }, value: [0, value] }],
      },
    });
  } else if (path === '/prom/api/v1/query_range') {
    const end = Number(query?.end ?? 0);
    respond(message, 200, {
      status: 'success',
      data: { resultType: 'matrix', result: [{ metric: {}, values: [[end, '1234567']] }] },
    });
  } else respond(message, 404, {});
});
server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY);
const port = server.get_uris()[0]!.get_port();

const settings: TelemetrySettings = {
  ...DEFAULT_TELEMETRY_SETTINGS,
  url: `http://127.0.0.1:${port}/prom`,
  range: '7d',
  auth: { type: 'basic', username: 'alice' },
};
const keyring = (secret: string | null): SecretStore => ({
  lookup: async () => ({ ok: true, value: secret }),
  store: async () => ({ ok: true, value: true }),
  clear: async () => ({ ok: true, value: true }),
});

test('fetches the report over Soup with basic auth and the PromQL intact', async () => {
  const ports = new GjsPorts('headroom@test');
  const report = await loadTelemetry(ports, settings, keyring('pä$$'), { now: Date.now(), missingSecretFix: '' });
  ports.destroy();
  ok(report, 'no report');
  equal(
    { status: report.status, message: report.message, tokens: report.tokens, costUsd: report.costUsd },
    { status: 'ok', message: '', tokens: 1234567, costUsd: 12.5 },
  );
  equal(report.overTime?.length, 28);
  equal(report.overTime?.[27]?.tokens, 1234567);
  ok(
    queries.some((q) => q.includes('{__name__="claude_code_token_usage_tokens_total"}[604800s]')),
    queries.join('\n'),
  );
  const view = presentTelemetry(report, { locale: 'en-US' });
  equal(view.heading, 'Telemetry · last 7 days');
  equal(view.summary, '1.2M tokens · $12.50');
  equal(view.rows[0], { label: 'Tokens', text: '1.2M' });
});

test('a wrong password is unauthorized; "Test connection" lists the metrics', async () => {
  const ports = new GjsPorts('headroom@test');
  const rejected = await loadTelemetry(ports, settings, keyring('wrong'), { now: Date.now(), missingSecretFix: '' });
  equal(rejected?.status, 'unauthorized');
  const check = await checkConnection(ports, settings, keyring('pä$$'), '');
  ports.destroy();
  equal(check.ok, true);
  ok(
    check.text.startsWith(
      "Connected. Prometheus has 2 of Claude Code's 7 metrics: tokens (claude_code_token_usage_tokens_total), cost (claude_code_cost_usage_USD_total). Missing: active time",
    ),
    check.text,
  );
});

await run();
