/**
 * The CLI's keyring for Headroom's own secrets (today the Prometheus password or token), as core's
 * {@link SecretStore}:
 * - Linux: the Secret Service through libsecret's `secret-tool` (Debian/Ubuntu package libsecret-tools), with the
 *   attributes the GNOME extension uses (schema `org.gnome.shell.extensions.headroom`, attribute `key`), so a secret
 *   stored in the extension's preferences serves the CLI and the other way round;
 * - macOS: the login Keychain through `/usr/bin/security` (service "Headroom Prometheus").
 *
 * A secret never appears in an argv: `secret-tool store` reads it from stdin, lookups print it on stdout. On macOS
 * `security add-generic-password` can only take it from argv or an interactive prompt, so storing is left to the
 * user's own terminal (the fix says how).
 */
import { spawn } from 'node:child_process';
import type { Ports } from '../core/ports.js';
import { KEYRING_PROBLEMS, type SecretKey, type SecretResult, type SecretStore } from '../core/secrets.js';

/** The GNOME extension's libsecret schema name (gnome-extension/keyring.ts). */
const SCHEMA_NAME = 'org.gnome.shell.extensions.headroom';
/** The Keychain item's service name on macOS. */
const KEYCHAIN_SERVICE = 'Headroom Prometheus';
const TIMEOUT_MS = 10_000;

/** `secret-tool` attributes of one secret: the extension's schema and key. */
function attributes(key: SecretKey): string[] {
  return ['xdg:schema', SCHEMA_NAME, 'key', key];
}

/** The shell command a macOS user runs to store the secret (security prompts for it; nothing lands in history). */
export function keychainStoreCommand(user: string): string {
  return `security add-generic-password -U -s '${KEYCHAIN_SERVICE}' -a '${user || '$USER'}' -w`;
}

function problem<T>(kind: keyof typeof KEYRING_PROBLEMS, fix?: string): SecretResult<T> {
  return { ok: false, problem: kind, ...KEYRING_PROBLEMS[kind], ...(fix ? { fix } : {}) };
}

/** Runs a program with `input` on its stdin; resolves with its exit code (null when killed) or rejects on spawn. */
function runWithInput(argv: string[], input: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'ignore', 'pipe'], timeout: TIMEOUT_MS });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
    child.stdin.end(input);
  });
}

/** True when a subprocess error says the program is not installed. */
function notInstalled(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** The CLI's keyring for this platform. Every method resolves; none prints or logs a secret. */
export function cliSecretStore(ports: Ports): SecretStore {
  const darwin = ports.env.platform === 'darwin';
  const unavailable = darwin
    ? 'Use a file instead (HEADROOM_PROMETHEUS_PASSWORD_FILE or HEADROOM_PROMETHEUS_BEARER_FILE).'
    : 'Install secret-tool (libsecret-tools) and a Secret Service such as GNOME Keyring, or use a file (HEADROOM_PROMETHEUS_PASSWORD_FILE or HEADROOM_PROMETHEUS_BEARER_FILE).';
  return {
    async lookup(key) {
      const argv = darwin
        ? ['/usr/bin/security', 'find-generic-password', '-s', KEYCHAIN_SERVICE, '-a', ports.env.user, '-w']
        : ['secret-tool', 'lookup', ...attributes(key)];
      try {
        const result = await ports.subprocess.run(argv, { timeoutMs: TIMEOUT_MS });
        // Both tools print the secret followed by a newline (secret-tool only when stdout is a terminal).
        if (result.code === 0) return { ok: true, value: result.stdout.replace(/\r?\n$/, '') || null };
        // Not found: secret-tool exits 1 quietly, security 44. Anything on stderr is a keyring problem.
        if (result.code === 44 || (result.code === 1 && !result.stderr.trim())) return { ok: true, value: null };
        ports.log.debug(`keyring lookup: exit ${result.code ?? 'killed'}`);
        return problem(result.code === null ? 'error' : 'unavailable', unavailable);
      } catch (error) {
        return problem(notInstalled(error) ? 'unavailable' : 'error', unavailable);
      }
    },
    async store(key, label, value) {
      if (darwin) return problem('unavailable', `Run: ${keychainStoreCommand(ports.env.user)}`);
      try {
        const result = await runWithInput(['secret-tool', 'store', `--label=${label}`, ...attributes(key)], value);
        if (result.code === 0) return { ok: true, value: true };
        ports.log.debug(`keyring store: exit ${result.code ?? 'killed'}`);
        return problem('error');
      } catch (error) {
        return problem(notInstalled(error) ? 'unavailable' : 'error', unavailable);
      }
    },
    async clear(key) {
      const argv = darwin
        ? ['/usr/bin/security', 'delete-generic-password', '-s', KEYCHAIN_SERVICE, '-a', ports.env.user]
        : ['secret-tool', 'clear', ...attributes(key)];
      try {
        const result = await ports.subprocess.run(argv, { timeoutMs: TIMEOUT_MS });
        return result.code === 0 || result.code === 44 || (result.code === 1 && !result.stderr.trim())
          ? { ok: true, value: true }
          : problem('error');
      } catch (error) {
        return problem(notInstalled(error) ? 'unavailable' : 'error', unavailable);
      }
    },
  };
}

/** How to store the Prometheus secret with the CLI, for the "no secret stored" state. */
export function missingSecretFix(ports: Ports): string {
  return ports.env.platform === 'darwin'
    ? `Store it in the Keychain (${keychainStoreCommand(ports.env.user)}) or name a file (HEADROOM_PROMETHEUS_PASSWORD_FILE, HEADROOM_PROMETHEUS_BEARER_FILE).`
    : 'Store it with `headroom telemetry --store-secret` (it reads the secret from stdin), in the GNOME extension’s preferences, or name a file (HEADROOM_PROMETHEUS_PASSWORD_FILE, HEADROOM_PROMETHEUS_BEARER_FILE).';
}
