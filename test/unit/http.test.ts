import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_AFTER_MS,
  type ServiceInfo,
  getJson,
  hostOf,
  isCloudflareChallenge,
  parseRetryAfter,
} from '../../core/http.js';
import { type HttpResponse, TransportError } from '../../core/ports.js';
import { type FakeHandler, fakePorts, fixtureJson, fixtureText, jsonResponse } from '../support/fake-ports.js';

const NOW = Date.UTC(2026, 10, 22, 5, 0, 0);
const API_URL = 'https://api.anthropic.com/api/oauth/usage';
const SERVICE: ServiceInfo = { name: 'Anthropic', unauthorizedFix: 'Run `claude` once to sign in again.' };

function request(timeoutMs = 15000) {
  return { url: API_URL, headers: { Authorization: 'Bearer sk-ant-oat01-SECRET' }, timeoutMs };
}

async function get(handler: FakeHandler, timeoutMs = 15000) {
  return getJson(fakePorts({ http: handler, now: NOW }), request(timeoutMs), SERVICE);
}

function response(status: number, body: string, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers, body };
}

const CHALLENGE_PAGE =
  '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>' +
  '<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script></head><body></body></html>';

/** The failure of a result that must have failed. */
function failureOf(result: Awaited<ReturnType<typeof getJson>>) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.body)}`);
  return result.failure;
}

describe('getJson: successful answers', () => {
  it('decodes a 200 JSON body, a real usage payload', async () => {
    const body = fixtureJson('claude/oauth-usage/claude-oauth-usage-basic.json');
    const result = await get(() => jsonResponse(body));
    expect(result.ok).toBe(true);
    expect(result.ok && result.body).toEqual(body);
  });

  it('sends the request as given, once', async () => {
    const ports = fakePorts({ http: () => jsonResponse({}), now: NOW });
    await getJson(ports, request(), SERVICE);
    expect(ports.requests).toEqual([request()]);
  });

  it('rejects a 200 HTML page (captive portal) as an error naming the host', async () => {
    const failure = failureOf(
      await get(() => response(200, '<!doctype html>\n<html><head><title>Hotel Wi-Fi</title></head></html>')),
    );
    expect(failure).toEqual({
      status: 'error',
      message: 'api.anthropic.com sent a web page instead of usage data.',
      fix: 'Check any proxy or captive portal between you and the internet.',
    });
  });

  it('rejects truncated JSON as malformed', async () => {
    const text = fixtureText('claude/oauth-usage/claude-oauth-usage-basic.json');
    const failure = failureOf(await get(() => response(200, text.slice(0, text.length / 2))));
    expect(failure.status).toBe('error');
    expect(failure.message).toBe('api.anthropic.com sent malformed or truncated JSON.');
  });

  it('rejects an empty 200 body', async () => {
    expect(failureOf(await get(() => response(200, ''))).message).toMatch(/malformed or truncated JSON/);
  });
});

describe('getJson: Cloudflare challenges', () => {
  it('reports a 403 challenge page as an error, not as a rejected login', async () => {
    const failure = failureOf(await get(() => response(403, CHALLENGE_PAGE, { 'content-type': 'text/html' })));
    expect(failure.status).toBe('error');
    expect(failure.message).toBe(
      'api.anthropic.com answered with a Cloudflare challenge page instead of data (HTTP 403).',
    );
    expect(failure.fix).toMatch(/VPN or proxy/);
  });

  it('reports a 200 challenge page as a Cloudflare error', async () => {
    const failure = failureOf(await get(() => response(200, CHALLENGE_PAGE)));
    expect(failure.status).toBe('error');
    expect(failure.message).toMatch(/Cloudflare challenge page .*\(HTTP 200\)/);
  });

  it('recognises the cf-mitigated header even with a JSON body', async () => {
    const failure = failureOf(await get(() => jsonResponse({ five_hour: null }, 403, { 'cf-mitigated': 'challenge' })));
    expect(failure.status).toBe('error');
    expect(failure.message).toMatch(/Cloudflare/);
  });

  it('keeps a plain 403 JSON error as unauthorized', async () => {
    const failure = failureOf(await get(() => jsonResponse({ error: { type: 'permission_error' } }, 403)));
    expect(failure.status).toBe('unauthorized');
  });
});

describe('getJson: HTTP errors', () => {
  it.each([401, 403])('turns %i into unauthorized with the service fix', async (status) => {
    const body = fixtureJson('claude/oauth-usage/claude-oauth-usage-401-error.json');
    const failure = failureOf(await get(() => jsonResponse(body, status)));
    expect(failure).toEqual({
      status: 'unauthorized',
      message: `Anthropic rejected the saved login (HTTP ${status}).`,
      fix: SERVICE.unauthorizedFix,
    });
  });

  it('turns 429 with Retry-After seconds into rate-limited until then', async () => {
    const body = fixtureJson('claude/oauth-usage/claude-oauth-usage-429-error.json');
    const failure = failureOf(await get(() => jsonResponse(body, 429, { 'retry-after': '120' })));
    expect(failure).toEqual({
      status: 'rate-limited',
      message: 'Anthropic is rate-limiting usage requests.',
      fix: 'Headroom waits and retries by itself; the last values stay visible.',
      retryAt: NOW + 120_000,
    });
  });

  it('honours a Retry-After HTTP date', async () => {
    const at = NOW + 45 * 60_000;
    const failure = failureOf(await get(() => jsonResponse({}, 429, { 'retry-after': new Date(at).toUTCString() })));
    expect(failure.retryAt).toBe(at);
  });

  it.each([
    ['0 (which Anthropic sends while still limiting)', '0'],
    ['garbage', 'soon-ish'],
    ['a date in the past', new Date(NOW - 60_000).toUTCString()],
    ['empty', ''],
  ])('backs off the default 5 min when Retry-After is %s', async (_name, value) => {
    const failure = failureOf(await get(() => jsonResponse({}, 429, { 'retry-after': value })));
    expect(failure.status).toBe('rate-limited');
    expect(failure.retryAt).toBe(NOW + 5 * 60_000);
  });

  it('backs off the default 5 min when Retry-After is absent', async () => {
    const failure = failureOf(await get(() => jsonResponse({}, 429)));
    expect(DEFAULT_RETRY_AFTER_MS).toBe(300_000);
    expect(failure.retryAt).toBe(NOW + DEFAULT_RETRY_AFTER_MS);
  });

  it('treats a 429 Cloudflare page as rate-limited, keeping the back-off', async () => {
    const failure = failureOf(await get(() => response(429, CHALLENGE_PAGE, { 'cf-mitigated': 'challenge' })));
    expect(failure.status).toBe('rate-limited');
    expect(failure.retryAt).toBe(NOW + DEFAULT_RETRY_AFTER_MS);
  });

  it.each([500, 502, 503])('turns %i into a temporary server error', async (status) => {
    const failure = failureOf(await get(() => response(status, 'upstream connect error')));
    expect(failure).toEqual({
      status: 'error',
      message: `api.anthropic.com had a server error (HTTP ${status}).`,
      fix: 'Usually temporary; Headroom retries by itself.',
    });
  });

  it('turns 404 into an error naming host and status', async () => {
    const failure = failureOf(await get(() => jsonResponse({ error: 'not found' }, 404)));
    expect(failure).toEqual({ status: 'error', message: 'api.anthropic.com answered HTTP 404.', fix: '' });
  });

  it('does not follow a redirect: 302 is an error', async () => {
    const failure = failureOf(await get(() => response(302, '', { location: 'https://login.example/' })));
    expect(failure.message).toBe('api.anthropic.com answered HTTP 302.');
  });

  it('keeps the response on failures for diagnostics', async () => {
    const result = await get(() => jsonResponse({}, 503));
    expect(!result.ok && result.response?.status).toBe(503);
  });
});

describe('getJson: no response', () => {
  it('says how long a timeout waited', async () => {
    const failure = failureOf(
      await get(() => {
        throw new TransportError('timeout', 'Headers Timeout Error');
      }, 15000),
    );
    expect(failure).toEqual({
      status: 'offline',
      message: 'api.anthropic.com did not answer within 15 s.',
      fix: 'Check your internet connection; Headroom retries by itself.',
    });
  });

  it('reports an unreachable host as offline', async () => {
    const failure = failureOf(
      await get(() => {
        throw new TransportError('offline', 'getaddrinfo ENOTFOUND api.anthropic.com');
      }),
    );
    expect(failure.status).toBe('offline');
    expect(failure.message).toBe("Can't reach api.anthropic.com.");
  });

  it('reports a cancelled request as an error', async () => {
    const failure = failureOf(
      await get(() => {
        throw new TransportError('cancelled', 'aborted');
      }),
    );
    expect(failure).toEqual({ status: 'error', message: 'The request to api.anthropic.com was cancelled.', fix: '' });
  });

  it('turns a plain Error into an error without leaking its text', async () => {
    const failure = failureOf(
      await get(() => {
        throw new Error('socket hang up while sending Bearer sk-ant-oat01-SECRET');
      }),
    );
    expect(failure.status).toBe('error');
    expect(failure.message).toBe('The request to api.anthropic.com failed.');
    expect(JSON.stringify(failure)).not.toContain('SECRET');
  });

  it('resolves even when the client rejects with a non-Error value', async () => {
    const ports = fakePorts({ now: NOW });
    ports.http.get = () => Promise.reject('boom');
    const failure = failureOf(await getJson(ports, request(), SERVICE));
    expect(failure.message).toBe('The request to api.anthropic.com failed.');
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds, with surrounding spaces', () => {
    expect(parseRetryAfter('30', NOW)).toBe(NOW + 30_000);
    expect(parseRetryAfter(' 3000 ', NOW)).toBe(NOW + 3_000_000);
  });

  it('reads an HTTP date in the future', () => {
    expect(parseRetryAfter('Sun, 22 Nov 2026 05:10:00 GMT', NOW)).toBe(NOW + 600_000);
  });

  it('returns null for absent, zero, past, negative, fractional and garbage values', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeNull();
    expect(parseRetryAfter('0', NOW)).toBeNull();
    expect(parseRetryAfter('Sun, 22 Nov 2026 04:59:00 GMT', NOW)).toBeNull();
    expect(parseRetryAfter('-5', NOW)).toBeNull();
    expect(parseRetryAfter('1.5', NOW)).toBeNull();
    expect(parseRetryAfter('later', NOW)).toBeNull();
    expect(parseRetryAfter('', NOW)).toBeNull();
  });
});

describe('hostOf', () => {
  it('extracts the host (and port) of a URL', () => {
    expect(hostOf(API_URL)).toBe('api.anthropic.com');
    expect(hostOf('https://chatgpt.com/backend-api/wham/usage?x=1')).toBe('chatgpt.com');
    expect(hostOf('http://127.0.0.1:8787/api/oauth/usage')).toBe('127.0.0.1:8787');
    expect(hostOf('https://example.com#frag')).toBe('example.com');
  });

  it('returns a non-API_URL unchanged', () => {
    expect(hostOf('not a url')).toBe('not a url');
  });

  // BUG (core/http.ts hostOf): the user-info part of a URL is kept, so a proxy API_URL with credentials in
  // HEADROOM_ANTHROPIC_API_URL puts the password into the menu's failure messages ("Can't reach user:pw@host.").
  it('drops user-info so credentials never reach a message', () => {
    expect(hostOf('https://user:hunter2@proxy.example/api/oauth/usage')).toBe('proxy.example');
  });
});

describe('isCloudflareChallenge', () => {
  it('spots the cf-mitigated header', () => {
    expect(isCloudflareChallenge(response(403, '', { 'cf-mitigated': 'challenge' }))).toBe(true);
  });

  it('spots the "Just a moment" title and the challenge-platform script', () => {
    expect(isCloudflareChallenge(response(403, '<html><head><title>Just a moment...</title></head></html>'))).toBe(
      true,
    );
    expect(isCloudflareChallenge(response(200, '<script src="/cdn-cgi/challenge-platform/x.js"></script>'))).toBe(true);
    expect(isCloudflareChallenge(response(403, '<title>Attention Required! | Cloudflare</title>'))).toBe(true);
  });

  it('leaves ordinary JSON and HTML alone', () => {
    expect(isCloudflareChallenge(jsonResponse({ five_hour: { utilization: 3 } }))).toBe(false);
    expect(isCloudflareChallenge(response(200, '<html><title>Sign in</title></html>'))).toBe(false);
  });

  it('only looks at the head of a large body', () => {
    const body = `${JSON.stringify({ pad: 'x'.repeat(5000) })}<title>Just a moment`;
    expect(isCloudflareChallenge(response(200, body))).toBe(false);
  });
});
