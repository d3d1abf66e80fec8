/**
 * Headroom's own secrets for the CLI and SwiftBar plugin (the Prometheus password or token, Headroom's own Claude
 * sign-in), as core's {@link SecretStore}:
 * - Linux: the Secret Service through libsecret's `secret-tool` (package libsecret-tools). Items carry the GNOME
 *   extension's schema name and attribute `key` (gnome-extension/keyring.ts, whose schema does not match on the name),
 *   so one item serves the CLI and the extension;
 * - macOS: the login Keychain through `/usr/bin/security` (service `org.gnome.shell.extensions.headroom`, account =
 *   the key).
 *
 * The secret only ever travels on the child's stdin or stdout: `secret-tool store` reads it from stdin, and
 * `security -i` reads its whole command from stdin. Never argv, files, logs or state.
 */
import type { Ports } from '../core/ports.js';
import {
  KEYRING_PROBLEMS,
  type KeyringProblem,
  type SecretKey,
  type SecretResult,
  type SecretStore,
} from '../core/secrets.js';

/** The GNOME extension's libsecret schema name, and the Keychain service name on macOS. */
const SCHEMA_NAME = 'org.gnome.shell.extensions.headroom';
const TIMEOUT_MS = 10_000;

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs argv (no shell) with `input` on stdin; null when the program cannot be started. */
async function run(argv: string[], input: string): Promise<Exit | null> {
  const { spawn } = await import('node:child_process');
  return new Promise((done) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], timeout: TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', () => done(null));
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

function failure<T>(problem: KeyringProblem, fix?: string): SecretResult<T> {
  return { ok: false, problem, ...KEYRING_PROBLEMS[problem], ...(fix ? { fix } : {}) };
}

/** secret-tool's errors (stderr, never holding the secret) onto a problem. */
function problemOf(exit: Exit | null): KeyringProblem {
  if (!exit) return 'unavailable';
  if (/locked|dismissed|cancel/i.test(exit.stderr)) return 'locked';
  if (/not provided|ServiceUnknown|Cannot autolaunch|connect|No such interface/i.test(exit.stderr)) {
    return 'unavailable';
  }
  return 'error';
}

const SECRET_TOOL_FIX = 'Install secret-tool (libsecret-tools) and a Secret Service such as GNOME Keyring.';

/** The Secret Service via `secret-tool`. */
export const secretToolStore: SecretStore = {
  async lookup(key: SecretKey) {
    const exit = await run(['secret-tool', 'lookup', 'key', key], '');
    // secret-tool adds a newline only when stdout is a terminal; the value is taken as printed.
    if (exit?.code === 0) return { ok: true, value: exit.stdout || null };
    // secret-tool exits 1 with no output when nothing matches.
    if (exit?.code === 1 && exit.stderr.trim() === '') return { ok: true, value: null };
    return failure(problemOf(exit), exit ? undefined : SECRET_TOOL_FIX);
  },
  async store(key: SecretKey, label: string, value: string) {
    const exit = await run(['secret-tool', 'store', `--label=${label}`, 'xdg:schema', SCHEMA_NAME, 'key', key], value);
    return exit?.code === 0 ? { ok: true, value: true } : failure(problemOf(exit), exit ? undefined : SECRET_TOOL_FIX);
  },
  async clear(key: SecretKey) {
    const exit = await run(['secret-tool', 'clear', 'key', key], '');
    return exit?.code === 0 || (exit?.code === 1 && exit.stderr.trim() === '')
      ? { ok: true, value: true }
      : failure(problemOf(exit), exit ? undefined : SECRET_TOOL_FIX);
  },
};

/** A word quoted for `security -i`'s command line (double quotes, backslash escapes). */
function quote(word: string): string {
  return `"${word.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The login Keychain via `/usr/bin/security`; the secret goes in on stdin through `security -i`. */
export const keychainStore: SecretStore = {
  async lookup(key: SecretKey) {
    const exit = await run(['/usr/bin/security', 'find-generic-password', '-s', SCHEMA_NAME, '-a', key, '-w'], '');
    if (exit?.code === 0) return { ok: true, value: exit.stdout.replace(/\n$/, '') || null };
    if (exit?.code === 44) return { ok: true, value: null };
    return failure(exit ? 'error' : 'unavailable');
  },
  async store(key: SecretKey, label: string, value: string) {
    const command = `add-generic-password -U -s ${quote(SCHEMA_NAME)} -a ${quote(key)} -l ${quote(label)} -w ${quote(value)}\n`;
    const exit = await run(['/usr/bin/security', '-i'], command);
    return exit?.code === 0 && !/error/i.test(exit.stderr)
      ? { ok: true, value: true }
      : failure(exit ? 'error' : 'unavailable');
  },
  async clear(key: SecretKey) {
    const exit = await run(['/usr/bin/security', 'delete-generic-password', '-s', SCHEMA_NAME, '-a', key], '');
    return exit && (exit.code === 0 || exit.code === 44)
      ? { ok: true, value: true }
      : failure(exit ? 'error' : 'unavailable');
  },
};

/** The keyring of this platform: the Keychain on macOS, the Secret Service elsewhere. */
export function cliSecretStore(platform: string = process.platform): SecretStore {
  return platform === 'darwin' ? keychainStore : secretToolStore;
}

/** How to store the Prometheus secret with the CLI, for the "no secret stored" state. */
export function missingSecretFix(ports: Ports): string {
  const where = ports.env.platform === 'darwin' ? '' : ', in the GNOME extension’s preferences';
  return `Store it with \`headroom telemetry --store-secret\` (it reads the secret from stdin)${where}, or name a file (HEADROOM_PROMETHEUS_PASSWORD_FILE, HEADROOM_PROMETHEUS_BEARER_FILE).`;
}
