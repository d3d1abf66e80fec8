/**
 * Headroom's own secrets (a claude.ai session key, tokens of logins Headroom completes itself), kept in the platform
 * keyring: the Secret Service via libsecret on GNOME, the Keychain on macOS. Never Claude Code's or Codex's
 * credentials, and never a plaintext fallback.
 */

/**
 * Names of the secrets Headroom may keep: a claude.ai session key; the password or token of the Prometheus server
 * holding Claude Code's metrics (core/telemetry/connect.ts); the tokens of Headroom's own Claude sign-in.
 */
export type SecretKey = 'claude-session-key' | 'prometheus-secret' | 'claude-oauth';

/** Why the keyring could not be used. */
export type KeyringProblem = 'unavailable' | 'locked' | 'error';

/** The outcome of a keyring call: a value (null when nothing is stored), or a problem with a sentence for the user. */
export type SecretResult<T> =
  { ok: true; value: T } | { ok: false; problem: KeyringProblem; message: string; fix: string };

/** A keyring. Every method resolves (never rejects); none blocks. */
export interface SecretStore {
  lookup(key: SecretKey): Promise<SecretResult<string | null>>;
  store(key: SecretKey, label: string, value: string): Promise<SecretResult<true>>;
  clear(key: SecretKey): Promise<SecretResult<true>>;
}

/** User-facing sentences for each keyring problem. */
export const KEYRING_PROBLEMS: Record<KeyringProblem, { message: string; fix: string }> = {
  unavailable: {
    message: 'No keyring (Secret Service) is running, so Headroom cannot keep its own secrets.',
    fix: 'Install and start GNOME Keyring (gnome-keyring), then log in again.',
  },
  locked: {
    message: 'The keyring is locked.',
    fix: 'Unlock your login keyring (open Passwords and Keys, or log in again).',
  },
  error: {
    message: 'The keyring did not answer.',
    fix: 'Try again; if it persists, restart GNOME Keyring.',
  },
};
