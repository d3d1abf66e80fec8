/**
 * Turning one HTTP exchange into JSON or a typed {@link Failure}: status codes, Retry-After, Cloudflare challenge
 * pages, HTML and truncated bodies, timeouts and unreachable hosts. Shared by every API source.
 */
import type { Failure } from './model.js';
import { type HttpPostRequest, type HttpRequest, type HttpResponse, type Ports, TransportError } from './ports.js';

/** How long a 429 without a usable Retry-After blocks a source, ms (CodexBar's per-token gate uses 5 min). */
export const DEFAULT_RETRY_AFTER_MS = 5 * 60 * 1000;
/** The longest a Retry-After may block a source, ms (24 h): a wild value must not silence a provider for years. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** Facts about the service used to phrase failures. */
export interface ServiceInfo {
  /** The company or product as the user knows it, e.g. "Anthropic", "ChatGPT". */
  name: string;
  /** The fix to show on a 401/403, e.g. "Run `claude` once to sign in again." */
  unauthorizedFix: string;
}

/** The outcome of {@link getJson}. */
export type JsonResult =
  { ok: true; body: unknown; response: HttpResponse } | { ok: false; failure: Failure; response?: HttpResponse };

/**
 * Parses a Retry-After header value: delta-seconds or an HTTP date. Returns the instant (epoch ms) it names, or null
 * when absent or unparseable. A value of 0 (which Anthropic is known to send while still limiting) yields null, so
 * the caller's default back-off applies.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    const seconds = Number(trimmed);
    return seconds > 0 ? now + seconds * 1000 : null;
  }
  const date = Date.parse(trimmed);
  return Number.isNaN(date) || date <= now ? null : date;
}

/** True when a response is a Cloudflare challenge or block page rather than the API's answer. */
export function isCloudflareChallenge(response: HttpResponse): boolean {
  if (response.headers['cf-mitigated'] !== undefined) return true;
  const head = response.body.slice(0, 4096);
  return /<title>\s*Just a moment|challenge-platform|cf-browser-verification|Attention Required! \| Cloudflare|Enable JavaScript and cookies to continue/i.test(
    head,
  );
}

/** True when a body looks like an HTML page. */
function looksLikeHtml(body: string): boolean {
  return /^\s*(<!doctype html|<html|<head|<body)/i.test(body);
}

/** The host of a URL, for messages ("api.anthropic.com"); any user-info (`user:password@`) is dropped. */
export function hostOf(url: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(url);
  const authority = match?.[1] ?? url;
  return authority.slice(authority.lastIndexOf('@') + 1);
}

/**
 * Performs a GET and decodes a JSON body. Never rejects: every way the exchange can go wrong becomes a Failure.
 * - 2xx with a JSON body → `ok`; 2xx with HTML, a Cloudflare page or broken JSON → `error`.
 * - 401, 403 → `unauthorized` with the service's fix (403 with a Cloudflare challenge → `error`).
 * - 429 → `rate-limited`, `retryAt` from Retry-After or {@link DEFAULT_RETRY_AFTER_MS}.
 * - 5xx and other statuses → `error`.
 * - no response → `offline` (timeouts say so), or `error` for anything unexpected.
 */
export async function getJson(ports: Ports, request: HttpRequest, service: ServiceInfo): Promise<JsonResult> {
  return exchangeJson(ports, request, service, () => ports.http.get(request));
}

/**
 * Performs a POST (body and Content-Type in `request`) and decodes a JSON answer exactly as {@link getJson} does.
 * A port without `post` gives an `error`. Never rejects.
 */
export async function postJson(ports: Ports, request: HttpPostRequest, service: ServiceInfo): Promise<JsonResult> {
  const post = ports.http.post?.bind(ports.http);
  if (!post)
    return { ok: false, failure: { status: 'error', message: 'This Headroom cannot send POST requests.', fix: '' } };
  return exchangeJson(ports, request, service, () => post(request));
}

async function exchangeJson(
  ports: Ports,
  request: HttpRequest,
  service: ServiceInfo,
  send: () => Promise<HttpResponse>,
): Promise<JsonResult> {
  const host = hostOf(request.url);
  let response: HttpResponse;
  try {
    response = await send();
  } catch (error) {
    return { ok: false, failure: transportFailure(error, host, request.timeoutMs) };
  }
  const now = ports.clock.now();
  const { status } = response;
  if (status === 429) {
    const retryAt = Math.min(
      parseRetryAfter(response.headers['retry-after'], now) ?? now + DEFAULT_RETRY_AFTER_MS,
      now + MAX_RETRY_AFTER_MS,
    );
    return {
      ok: false,
      response,
      failure: {
        status: 'rate-limited',
        message: `${service.name} is rate-limiting usage requests.`,
        fix: 'Headroom waits and retries by itself; the last values stay visible.',
        retryAt,
      },
    };
  }
  if (isCloudflareChallenge(response)) {
    return {
      ok: false,
      response,
      failure: {
        status: 'error',
        message: `${host} answered with a Cloudflare challenge page instead of data (HTTP ${status}).`,
        fix: 'This usually passes; if it persists, try without a VPN or proxy.',
      },
    };
  }
  if (status === 401 || status === 403) {
    return {
      ok: false,
      response,
      failure: {
        status: 'unauthorized',
        message: `${service.name} rejected the saved login (HTTP ${status}).`,
        fix: service.unauthorizedFix,
      },
    };
  }
  if (status >= 500) {
    return {
      ok: false,
      response,
      failure: {
        status: 'error',
        message: `${host} had a server error (HTTP ${status}).`,
        fix: 'Usually temporary; Headroom retries by itself.',
      },
    };
  }
  if (status < 200 || status >= 300) {
    return {
      ok: false,
      response,
      failure: { status: 'error', message: `${host} answered HTTP ${status}.`, fix: '' },
    };
  }
  if (looksLikeHtml(response.body)) {
    return {
      ok: false,
      response,
      failure: {
        status: 'error',
        message: `${host} sent a web page instead of usage data.`,
        fix: 'Check any proxy or captive portal between you and the internet.',
      },
    };
  }
  try {
    return { ok: true, body: JSON.parse(response.body) as unknown, response };
  } catch {
    return {
      ok: false,
      response,
      failure: {
        status: 'error',
        message: `${host} sent malformed or truncated JSON.`,
        fix: 'Usually temporary; Headroom retries by itself.',
      },
    };
  }
}

/** Maps a rejected request onto a Failure. */
function transportFailure(error: unknown, host: string, timeoutMs: number): Failure {
  const kind = error instanceof TransportError ? error.kind : 'other';
  switch (kind) {
    case 'timeout':
      return {
        status: 'offline',
        message: `${host} did not answer within ${Math.round(timeoutMs / 1000)} s.`,
        fix: 'Check your internet connection; Headroom retries by itself.',
      };
    case 'offline':
      return {
        status: 'offline',
        message: `Can't reach ${host}.`,
        fix: 'Check your internet connection; Headroom retries by itself.',
      };
    case 'cancelled':
      return { status: 'error', message: `The request to ${host} was cancelled.`, fix: '' };
    default:
      return {
        status: 'error',
        message: `The request to ${host} failed.`,
        fix: 'Headroom retries by itself.',
      };
  }
}
