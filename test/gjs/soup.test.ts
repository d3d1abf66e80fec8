// GjsPorts.http against a loopback Soup.Server in the same gjs process.
import GLib from 'gi://GLib';
import Soup from 'gi://Soup?version=3.0';
import { getJson } from '../../core/http.js';
import { TransportError } from '../../core/ports.js';
import { GjsPorts } from '../../gnome-extension/gjs-ports.js';
import { equal, ok, rejection, repoPath, run, sleep, test } from './assert.js';

const USER_AGENT = 'headroom@test/1 GNOME Shell extension';
const encoder = new TextEncoder();
const fixture = new TextDecoder().decode(
  GLib.file_get_contents(repoPath('test/fixtures/claude/oauth-usage/claude-oauth-usage-basic.json'))[1],
);

let received: Record<string, string> = {};

function respond(message: Soup.ServerMessage, status: number, body: string, headers: Record<string, string> = {}) {
  message.set_status(status, null);
  for (const [name, value] of Object.entries(headers)) message.get_response_headers().append(name, value);
  message.set_response('application/json', Soup.MemoryUse.COPY, encoder.encode(body));
}

function listen(server: Soup.Server): string {
  server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY);
  const [uri] = server.get_uris();
  ok(uri, 'the server has no address');
  return `http://127.0.0.1:${uri.get_port()}`;
}

const server = new Soup.Server({});
server.add_handler('/json', (_server, message) => {
  received = {};
  message.get_request_headers().foreach((name, value) => (received[name] = value));
  respond(message, 200, '{"five_hour":{"utilization":12.5}}', { 'X-Request-ID': 'abc', 'Set-Cookie': 'a=1' });
  message.get_response_headers().append('Set-Cookie', 'b=2');
});
server.add_handler('/limited', (_server, message) =>
  respond(message, 429, '{"error":"rate_limited"}', { 'Retry-After': '120' }),
);
server.add_handler('/broken', (_server, message) => respond(message, 500, 'upstream failed'));
server.add_handler('/origin-down', (_server, message) => respond(message, 520, ''));
server.add_handler('/usage', (_server, message) => respond(message, 200, fixture));
server.add_handler('/hang', (_server, message) => message.pause());
server.add_handler('/echo', (_server, message) => {
  const type = message.get_request_headers();
  let contentType = '';
  type.foreach((name, value) => (contentType = name.toLowerCase() === 'content-type' ? value : contentType));
  const body = new TextDecoder().decode(message.get_request_body().flatten().toArray());
  respond(message, 200, JSON.stringify({ method: message.get_method(), contentType, body }));
});
const base = listen(server);

function ports(): GjsPorts {
  return new GjsPorts(USER_AGENT);
}

async function transportKind(promise: Promise<unknown>): Promise<string> {
  const error = await rejection(promise);
  ok(error instanceof TransportError, `expected a TransportError, got ${String(error)}`);
  return error.kind;
}

test('200 JSON: body, lower-cased response headers, request headers as sent', async () => {
  const http = ports();
  const response = await http.http.get({
    url: `${base}/json`,
    headers: {
      Authorization: 'Bearer t0ken',
      'anthropic-beta': 'oauth-2025-04-20',
      Accept: 'application/json',
      'User-Agent': 'claude-code/2.1.0 (headroom)',
    },
    timeoutMs: 15000,
  });
  http.destroy();
  equal(response.status, 200);
  equal(JSON.parse(response.body), { five_hour: { utilization: 12.5 } });
  equal(response.headers['x-request-id'], 'abc');
  equal(response.headers['set-cookie'], 'a=1, b=2');
  equal(response.headers['content-type'], 'application/json');
  ok(
    Object.keys(response.headers).every((name) => name === name.toLowerCase()),
    'header names are lower-case',
  );
  equal(received.Authorization, 'Bearer t0ken');
  equal(received['anthropic-beta'], 'oauth-2025-04-20');
  equal(received.Accept, 'application/json');
  equal(received['User-Agent'], 'claude-code/2.1.0 (headroom)');
});

test('POST sends its body with its Content-Type', async () => {
  const http = ports();
  const response = await http.http.post({
    url: `${base}/echo`,
    headers: { Accept: 'application/json' },
    body: 'grant_type=refresh_token&refresh_token=r%2F1',
    contentType: 'application/x-www-form-urlencoded',
    timeoutMs: 15000,
  });
  http.destroy();
  equal(JSON.parse(response.body), {
    method: 'POST',
    contentType: 'application/x-www-form-urlencoded',
    body: 'grant_type=refresh_token&refresh_token=r%2F1',
  });
});

test("without a User-Agent header the session's is sent", async () => {
  const http = ports();
  await http.http.get({ url: `${base}/json`, headers: {}, timeoutMs: 15000 });
  http.destroy();
  equal(received['User-Agent'], USER_AGENT);
});

test('429 passes Retry-After through', async () => {
  const http = ports();
  const response = await http.http.get({ url: `${base}/limited`, headers: {}, timeoutMs: 15000 });
  http.destroy();
  equal(response.status, 429);
  equal(response.headers['retry-after'], '120');
});

test("500, and Cloudflare's 520 (no Soup.Status member), resolve with the status", async () => {
  const http = ports();
  const broken = await http.http.get({ url: `${base}/broken`, headers: {}, timeoutMs: 15000 });
  const down = await http.http.get({ url: `${base}/origin-down`, headers: {}, timeoutMs: 15000 });
  http.destroy();
  equal([broken.status, broken.body, down.status], [500, 'upstream failed', 520]);
});

test('a refused port is offline', async () => {
  const closed = new Soup.Server({});
  const url = `${listen(closed)}/json`;
  closed.disconnect();
  const http = ports();
  equal(await transportKind(http.http.get({ url, headers: {}, timeoutMs: 15000 })), 'offline');
  http.destroy();
});

test('a server that never answers times out', async () => {
  const http = new GjsPorts(USER_AGENT, { timeoutSeconds: 1 });
  const started = Date.now();
  equal(await transportKind(http.http.get({ url: `${base}/hang`, headers: {}, timeoutMs: 1000 })), 'timeout');
  ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  http.destroy();
});

test('destroy() mid-request rejects with cancelled, and later requests too', async () => {
  const http = ports();
  const pending = transportKind(http.http.get({ url: `${base}/hang`, headers: {}, timeoutMs: 15000 }));
  await sleep(100);
  http.destroy();
  equal(await pending, 'cancelled');
  equal(await transportKind(http.http.get({ url: `${base}/json`, headers: {}, timeoutMs: 15000 })), 'cancelled');
});

test("core's getJson over GjsPorts: the Claude usage fixture", async () => {
  const http = ports();
  const service = { name: 'Anthropic', unauthorizedFix: 'Sign in again.' };
  const result = await getJson(http, { url: `${base}/usage`, headers: {}, timeoutMs: 15000 }, service);
  ok(result.ok, JSON.stringify(result));
  equal(result.body, JSON.parse(fixture));
  const before = Date.now();
  const limited = await getJson(http, { url: `${base}/limited`, headers: {}, timeoutMs: 15000 }, service);
  http.destroy();
  ok(!limited.ok && limited.failure.status === 'rate-limited', JSON.stringify(limited));
  const retryAt = limited.failure.retryAt ?? 0;
  ok(retryAt >= before + 120_000 && retryAt <= Date.now() + 120_000, `retryAt ${retryAt}`);
});

await run();
