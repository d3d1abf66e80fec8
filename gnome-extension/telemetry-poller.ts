/**
 * Fetches the Telemetry section's report (core/telemetry/) for the extension, one fetch at a time, apart from the
 * providers' refresh: a Prometheus that is down or slow never delays or changes the limits. The extension asks after
 * each refresh of the providers and when a telemetry setting changes. The Prometheus password or token is read from
 * the keyring (libsecret) when needed and kept in memory only, until Prometheus rejects it.
 */
import type { SecretStore } from '../core/secrets.js';
import type { Settings } from '../core/settings.js';
import { type TelemetryReport, loadTelemetry } from '../core/telemetry/index.js';
import type { GjsPorts } from './gjs-ports.js';

/** How the extension stores the secret, for the "no secret stored" state. */
const MISSING_SECRET_FIX = 'Enter it in Headroom’s preferences, under Telemetry.';

/**
 * Runs telemetry fetches. Create in enable(), destroy in disable(): afterwards no callback runs. `onReport` receives
 * the new report, or null when telemetry is off.
 */
export class TelemetryPoller {
  private running: Promise<void> | null = null;
  private queued = false;
  private destroyed = false;
  /** The secret last read from the keyring; null until read, and again after Prometheus rejected it. */
  private cachedSecret: string | null = null;
  private readonly secrets: SecretStore;

  constructor(
    private readonly ports: GjsPorts,
    keyring: SecretStore,
    private readonly settings: () => Settings,
    private readonly onReport: (report: TelemetryReport | null) => void,
  ) {
    // Reading the keyring at every refresh would ask a locked keyring to unlock again and again.
    this.secrets = {
      lookup: async (key) => {
        if (this.cachedSecret !== null) return { ok: true, value: this.cachedSecret };
        const result = await keyring.lookup(key);
        if (result.ok) this.cachedSecret = result.value;
        return result;
      },
      store: (key, label, value) => keyring.store(key, label, value),
      clear: (key) => keyring.clear(key),
    };
  }

  /** Forgets the secret read from the keyring (the settings changed: it may have, too). */
  forgetSecret(): void {
    this.cachedSecret = null;
  }

  /** Fetches now, or once more after the fetch in flight. */
  refresh(): Promise<void> {
    if (this.running) {
      this.queued = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.queued && !this.destroyed) {
        this.queued = false;
        void this.refresh();
      }
    });
    return this.running;
  }

  private async run(): Promise<void> {
    try {
      const report = await loadTelemetry(this.ports, this.settings().telemetry, this.secrets, {
        now: this.ports.clock.now(),
        missingSecretFix: MISSING_SECRET_FIX,
      });
      if (this.destroyed) return;
      if (report?.status === 'unauthorized') this.cachedSecret = null;
      this.onReport(report);
    } catch (error) {
      if (!this.destroyed) this.ports.log.warn(`telemetry failed: ${(error as Error).message}`);
    }
  }

  destroy(): void {
    this.destroyed = true;
    this.cachedSecret = null;
  }
}
