/**
 * Refreshes the providers on a GLib timer, one refresh at a time, and keeps core's memory in the state file the CLI
 * uses too (`~/.local/state/headroom/state.json`), so the two spare the providers' APIs together.
 */
import GLib from 'gi://GLib';
import type { ProviderSnapshot } from '../core/model.js';
import { PROVIDERS } from '../core/providers/index.js';
import { deserializeMemory, refreshAll, serializeMemory } from '../core/refresh.js';
import type { Settings } from '../core/settings.js';
import type { GjsPorts } from './gjs-ports.js';

/** The state file, shared with the CLI: `$XDG_STATE_HOME/headroom/state.json`. */
export function stateFilePath(): string {
  return GLib.build_filenamev([GLib.get_user_state_dir(), 'headroom', 'state.json']);
}

/** Runs refreshes. Create in enable(), destroy in disable(): no timer fires and no callback runs afterwards. */
export class Refresher {
  private timerId = 0;
  private running: Promise<void> | null = null;
  private queuedForce: boolean | null = null;
  private destroyed = false;
  /** When the last refresh finished, epoch ms (0 before the first). */
  lastRefreshAt = 0;

  constructor(
    private readonly ports: GjsPorts,
    private readonly settings: () => Settings,
    private readonly onSnapshots: (snapshots: ProviderSnapshot[]) => void,
  ) {}

  /** (Re)arms the periodic timer; the old one is removed first. */
  schedule(intervalSeconds: number): void {
    if (this.timerId) GLib.Source.remove(this.timerId);
    this.timerId = GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, intervalSeconds, () => {
      void this.refresh(false);
      return GLib.SOURCE_CONTINUE;
    });
  }

  /**
   * Refreshes now unless a refresh is running, in which case one more runs after it (forced if any caller forced).
   * `force` asks remote APIs even within the minimum interval. Never rejects.
   */
  refresh(force: boolean): Promise<void> {
    if (this.running) {
      this.queuedForce = (this.queuedForce ?? false) || force;
      return this.running;
    }
    this.running = this.run(force).finally(() => {
      this.running = null;
      const queued = this.queuedForce;
      this.queuedForce = null;
      if (queued !== null && !this.destroyed) void this.refresh(queued);
    });
    return this.running;
  }

  private async run(force: boolean): Promise<void> {
    const path = stateFilePath();
    try {
      const previous = deserializeMemory((await this.ports.files.readText(path).catch(() => null)) ?? '');
      const { snapshots, memory } = await refreshAll(PROVIDERS, this.ports, this.settings(), previous, { force });
      if (this.destroyed) return;
      this.lastRefreshAt = this.ports.clock.now();
      this.onSnapshots(snapshots);
      await this.ports.writePrivateFile(path, serializeMemory(memory));
    } catch (error) {
      if (!this.destroyed) this.ports.log.warn(`refresh failed: ${(error as Error).message}`);
    }
  }

  destroy(): void {
    this.destroyed = true;
    if (this.timerId) GLib.Source.remove(this.timerId);
    this.timerId = 0;
  }
}
