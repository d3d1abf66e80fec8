/**
 * Telemetry settings: where the Prometheus server holding Claude Code's metrics is, how to log in to it, which range
 * and which user to show. Read from config.json's `telemetry` object and `HEADROOM_PROMETHEUS_*` /
 * `HEADROOM_TELEMETRY_*` variables by the CLI, from GSettings by the GNOME extension. Off while no URL is set. The
 * secret (a password or a token) is never part of the settings: it lives in the keyring or in a file named here.
 */
import * as z from 'zod/mini';

/** The ranges the user can pick. */
export const TELEMETRY_RANGES = ['1h', '24h', '7d', '30d'] as const;

/** A range the user can pick: the last hour, day, week or 30 days. */
export type TelemetryRange = (typeof TELEMETRY_RANGES)[number];

/** The default range. */
export const DEFAULT_TELEMETRY_RANGE: TelemetryRange = '24h';

/** Each range in seconds. */
export const RANGE_SECONDS: Record<TelemetryRange, number> = {
  '1h': 3600,
  '24h': 86_400,
  '7d': 7 * 86_400,
  '30d': 30 * 86_400,
};

/** True for a range name Headroom offers. */
export function isTelemetryRange(value: unknown): value is TelemetryRange {
  return typeof value === 'string' && (TELEMETRY_RANGES as readonly string[]).includes(value);
}

/**
 * How Headroom logs in to Prometheus: no login, HTTP basic auth (`username` and a password), or a bearer token. The
 * password or token is looked up when needed (core/telemetry/connect.ts), never kept here.
 */
export type TelemetryAuth = { type: 'none' } | { type: 'basic'; username: string } | { type: 'bearer' };

/** The telemetry settings, with defaults filled in. */
export interface TelemetrySettings {
  /** The Prometheus base URL (http or https, no credentials in it); null: telemetry is off. */
  url: string | null;
  /** The range shown (default 24h). */
  range: TelemetryRange;
  /** Only this user: an e-mail (`user_email`) or an account UUID (`user_account_uuid`); null for everyone. */
  user: string | null;
  auth: TelemetryAuth;
  /**
   * CLI only: a file holding the password or token (absolute; its first line is the secret). Null: the keyring
   * (`secret-tool` on Linux, the Keychain on macOS, libsecret in GNOME).
   */
  secretFile: string | null;
  /** Time allowed per Prometheus request, seconds (default 10). */
  timeoutSeconds: number;
}

/** Telemetry off. */
export const DEFAULT_TELEMETRY_SETTINGS: TelemetrySettings = {
  url: null,
  range: DEFAULT_TELEMETRY_RANGE,
  user: null,
  auth: { type: 'none' },
  secretFile: null,
  timeoutSeconds: 10,
};

/** config.json's `telemetry` object; every key optional. */
const TelemetryFile = z.looseObject({
  url: z.optional(z.nullable(z.string())),
  range: z.optional(z.string()),
  user: z.optional(z.nullable(z.string())),
  auth: z.optional(
    z.looseObject({
      type: z.optional(z.enum(['none', 'basic', 'bearer'])),
      username: z.optional(z.string()),
      secretFile: z.optional(z.string()),
    }),
  ),
  timeoutSeconds: z.optional(z.number()),
});

/** The outcome of a URL check: the URL to use, or why it is refused (a sentence that never repeats the URL). */
export type UrlCheck = { ok: true; url: string } | { ok: false; problem: string };

/**
 * Checks a Prometheus URL: `http://` or `https://`, a host, no user-info (`user:password@`: a secret must not sit in
 * settings, logs or state), no query or fragment. Trailing slashes are dropped. The problem never quotes the URL.
 */
export function checkPrometheusUrl(raw: string): UrlCheck {
  const url = raw.trim().replace(/\/+$/, '');
  const match = /^(https?):\/\/([^/?#]*)([^?#]*)([?#].*)?$/i.exec(url);
  if (!match) return { ok: false, problem: 'expected an http:// or https:// URL, e.g. http://localhost:9090' };
  if (match[2]!.includes('@')) {
    return {
      ok: false,
      problem:
        'credentials in the URL are not accepted; set the username in the settings and keep the password or token in the keyring or a file',
    };
  }
  if (!match[2]) return { ok: false, problem: 'the URL has no host' };
  if (match[4]) return { ok: false, problem: 'the URL may not have a query (?…) or fragment (#…)' };
  return { ok: true, url };
}

/** `~/x` → `<home>/x`; null for a relative path. */
function absolute(path: string, home: string | undefined): string | null {
  const expanded = home ? path.trim().replace(/^~(?=\/|$)/, home) : path.trim();
  return expanded.startsWith('/') ? expanded : null;
}

/** Settings plus what was wrong with the input. */
export interface LoadedTelemetrySettings {
  settings: TelemetrySettings;
  /** Human sentences about ignored values; never quoting a URL or a secret. */
  problems: string[];
}

/**
 * Builds the telemetry settings from config.json's `telemetry` value (undefined when absent) and the environment;
 * the environment wins. `home` expands `~` in file paths.
 *
 * config.json: `telemetry: {url, range: "1h"|"24h"|"7d"|"30d", user, auth: {type: "none"|"basic"|"bearer", username,
 * secretFile}, timeoutSeconds}`. Variables:
 * - `HEADROOM_PROMETHEUS_URL`: the Prometheus base URL (`off` or empty: telemetry off);
 * - `HEADROOM_TELEMETRY_RANGE`: `1h`, `24h`, `7d` or `30d`;
 * - `HEADROOM_TELEMETRY_USER`: one user's e-mail or account UUID;
 * - `HEADROOM_PROMETHEUS_USERNAME`: basic auth with this username;
 * - `HEADROOM_PROMETHEUS_PASSWORD_FILE`: basic auth, the password in this file;
 * - `HEADROOM_PROMETHEUS_BEARER_FILE`: a bearer token, in this file;
 * - `HEADROOM_PROMETHEUS_TIMEOUT`: seconds per request, 1–120.
 */
export function resolveTelemetrySettings(
  file: unknown,
  env: (name: string) => string | undefined,
  home?: string,
): LoadedTelemetrySettings {
  const problems: string[] = [];
  const settings: TelemetrySettings = { ...DEFAULT_TELEMETRY_SETTINGS };
  let rawUrl: string | null = null;
  let urlWhere = 'config.json telemetry.url';
  if (file !== undefined && file !== null) {
    const parsed = TelemetryFile.safeParse(file);
    if (!parsed.success) {
      problems.push('config.json telemetry: expected {url, range, user, auth, timeoutSeconds}; telemetry is off');
    } else {
      const f = parsed.data;
      rawUrl = f.url ?? null;
      if (f.range !== undefined) {
        if (isTelemetryRange(f.range)) settings.range = f.range;
        else problems.push(`config.json telemetry.range: expected ${TELEMETRY_RANGES.join(', ')}`);
      }
      if (f.user) settings.user = f.user.trim() || null;
      if (f.auth?.type === 'basic') {
        if (f.auth.username) settings.auth = { type: 'basic', username: f.auth.username };
        else problems.push('config.json telemetry.auth: basic auth needs a username; using none');
      } else if (f.auth?.type === 'bearer') settings.auth = { type: 'bearer' };
      if (f.auth?.secretFile) {
        settings.secretFile = absolute(f.auth.secretFile, home);
        if (!settings.secretFile) problems.push('config.json telemetry.auth.secretFile: expected an absolute path');
      }
      if (f.timeoutSeconds !== undefined) {
        if (f.timeoutSeconds >= 1 && f.timeoutSeconds <= 120) settings.timeoutSeconds = f.timeoutSeconds;
        else problems.push('config.json telemetry.timeoutSeconds: expected 1 to 120');
      }
    }
  }
  const envUrl = env('HEADROOM_PROMETHEUS_URL');
  if (envUrl !== undefined) {
    rawUrl = envUrl === 'off' ? null : envUrl;
    urlWhere = 'HEADROOM_PROMETHEUS_URL';
  }
  if (rawUrl !== null && rawUrl.trim() !== '') {
    const checked = checkPrometheusUrl(rawUrl);
    if (checked.ok) settings.url = checked.url;
    else problems.push(`${urlWhere}: ${checked.problem}; telemetry is off`);
  }
  const range = env('HEADROOM_TELEMETRY_RANGE');
  if (range !== undefined) {
    if (isTelemetryRange(range)) settings.range = range;
    else problems.push(`HEADROOM_TELEMETRY_RANGE: expected ${TELEMETRY_RANGES.join(', ')}`);
  }
  const user = env('HEADROOM_TELEMETRY_USER');
  if (user !== undefined) settings.user = user.trim() || null;
  const username = env('HEADROOM_PROMETHEUS_USERNAME');
  const passwordFile = env('HEADROOM_PROMETHEUS_PASSWORD_FILE');
  const bearerFile = env('HEADROOM_PROMETHEUS_BEARER_FILE');
  if (bearerFile !== undefined) {
    settings.auth = { type: 'bearer' };
    settings.secretFile = absolute(bearerFile, home);
    if (!settings.secretFile) problems.push('HEADROOM_PROMETHEUS_BEARER_FILE: expected an absolute path');
  } else if (username !== undefined || passwordFile !== undefined) {
    const name = username ?? (settings.auth.type === 'basic' ? settings.auth.username : undefined);
    if (name) settings.auth = { type: 'basic', username: name };
    else problems.push('HEADROOM_PROMETHEUS_PASSWORD_FILE: basic auth needs HEADROOM_PROMETHEUS_USERNAME');
    if (passwordFile !== undefined) {
      settings.secretFile = absolute(passwordFile, home);
      if (!settings.secretFile) problems.push('HEADROOM_PROMETHEUS_PASSWORD_FILE: expected an absolute path');
    }
  }
  const timeout = env('HEADROOM_PROMETHEUS_TIMEOUT');
  if (timeout !== undefined) {
    const value = Number(timeout);
    if (/^\d+(\.\d+)?$/.test(timeout.trim()) && value >= 1 && value <= 120) settings.timeoutSeconds = value;
    else problems.push('HEADROOM_PROMETHEUS_TIMEOUT: expected seconds, 1 to 120');
  }
  return { settings, problems };
}
