/**
 * From telemetry settings to a {@link PrometheusConnection}: the base URL and, for basic or bearer auth, the
 * Authorization header built from the secret, which comes from a file the settings name or the keyring
 * ({@link SecretStore}: libsecret in GNOME, `secret-tool` or the Keychain for the CLI). The secret only ever goes
 * into that header: never into a message, a log line or a state file.
 */
import type { Failure } from '../model.js';
import { encodeBase64 } from '../parse.js';
import type { Ports } from '../ports.js';
import type { SecretStore } from '../secrets.js';
import type { PrometheusConnection } from './prometheus.js';
import type { TelemetrySettings } from './settings.js';

/** The keyring entry holding the Prometheus password or token. */
export const PROMETHEUS_SECRET_KEY = 'prometheus-secret' as const;

/** The keyring item's label, as the keyring's own tools show it. */
export const PROMETHEUS_SECRET_LABEL = 'Headroom: Prometheus password or token';

/** The outcome of {@link prometheusConnection}. */
export type ConnectionResult = { ok: true; connection: PrometheusConnection } | { ok: false; failure: Failure };

/**
 * The Authorization header for a secret: `Basic base64(username:password)` (RFC 7617) or `Bearer <token>`; null
 * without auth.
 */
export function authorizationHeader(auth: TelemetrySettings['auth'], secret: string): string | null {
  if (auth.type === 'basic') return `Basic ${encodeBase64(`${auth.username}:${secret}`)}`;
  if (auth.type === 'bearer') return `Bearer ${secret}`;
  return null;
}

/** The secret from a secret file's text: its first line, without surrounding blanks; null when empty. */
export function secretFromFile(text: string): string | null {
  return text.split(/\r?\n/)[0]!.trim() || null;
}

/**
 * Builds the connection for settings whose `url` is set. `secrets` is the shell's keyring (null when it has none);
 * `missingSecretFix` says how this shell stores the secret. Never rejects; a missing or unreadable secret is a
 * `signed-out` or `error` failure whose sentences never contain it.
 */
export async function prometheusConnection(
  ports: Ports,
  settings: TelemetrySettings,
  secrets: SecretStore | null,
  missingSecretFix: string,
): Promise<ConnectionResult> {
  const base = { url: settings.url ?? '', timeoutMs: Math.round(settings.timeoutSeconds * 1000) };
  if (settings.auth.type === 'none') return { ok: true, connection: { ...base, authorization: null } };
  const what = settings.auth.type === 'basic' ? 'password' : 'token';
  let secret: string | null;
  if (settings.secretFile) {
    let text: string | null;
    try {
      text = await ports.files.readText(settings.secretFile);
    } catch {
      return fail(
        'error',
        `The Prometheus ${what} file ${settings.secretFile} cannot be read.`,
        'Check its permissions.',
      );
    }
    secret = text === null ? null : secretFromFile(text);
    if (secret === null) {
      return fail(
        'signed-out',
        `The Prometheus ${what} file ${settings.secretFile} is ${text === null ? 'missing' : 'empty'}.`,
        `Write the ${what} on its first line.`,
      );
    }
  } else {
    const stored = secrets ? await secrets.lookup(PROMETHEUS_SECRET_KEY) : ({ ok: true, value: null } as const);
    if (!stored.ok) return fail('error', `Headroom cannot read the Prometheus ${what}: ${stored.message}`, stored.fix);
    secret = stored.value;
    if (!secret) return fail('signed-out', `No Prometheus ${what} is stored in the keyring.`, missingSecretFix);
  }
  return { ok: true, connection: { ...base, authorization: authorizationHeader(settings.auth, secret) } };
}

function fail(status: Failure['status'], message: string, fix: string): ConnectionResult {
  return { ok: false, failure: { status, message, fix } };
}
