/**
 * Refreshes the providers on a GLib timer, one refresh at a time, through core's {@link runRefresh}: the state
 * document and the history file are the ones the CLI uses too (`~/.local/state/headroom/`), so the two spare the
 * providers' APIs together and never notify the same crossing twice.
 */
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import System from 'system';
import { type History, openHistory } from '../core/history.js';
import { type RefreshOutcome, deserializeState, runRefresh, serializeState } from '../core/session.js';
import type { Settings } from '../core/settings.js';
import { nextTimerSeconds } from '../core/wake.js';
import type { GjsPorts } from './gjs-ports.js';
import { named } from './signals.js';
import { type StateLock, acquireStateLock } from './state-lock.js';

/** The longest a refresh waits for another process's refresh, ms. */
const LOCK_WAIT_MS = 10_000;

/**
 * Collects JS garbage once the main loop is idle after a refresh that asked a remote API. Such a refresh leaves its
 * Soup messages and their bytes, file infos, streams and tasks behind as unreachable JS wrappers whose native memory
 * the JS engine does not count, so its collector (driven by the size of the JS heap, a few MB) ran only every few
 * dozen refreshes, and glibc's allocator kept the peak resident. Measured in GNOME Shell 51 (test/gnome, "Memory"):
 * 250 back-to-back refreshes grew the shell's resident memory by 60–90 MB without this, and by less than 1 MB with
 * a collection after each. A collection took 15–25 ms there (2 vCPU, software rendering); remote refreshes come
 * every few minutes, so this costs far less than the memory it returns. Refreshes that only re-read local files
 * (live updates, up to one every 250 ms while a CLI writes) leave their garbage to the next one.
 */
function collectAfterRefresh(): void {
  System.gc();
}

/** A file in Headroom's state directory, `$XDG_STATE_HOME/headroom/`. */
function statePath(name: string): string {
  return GLib.build_filenamev([GLib.get_user_state_dir(), 'headroom', name]);
}

/** Runs refreshes. Create in enable(), destroy in disable(): no timer fires and no callback runs afterwards. */
export class Refresher {
  private timerId = 0;
  /** The idle source of the collection after a remote refresh; 0 when none is pending. */
  private collectId = 0;
  private running: Promise<void> | null = null;
  private queuedForce: boolean | null = null;
  private destroyed = false;
  /** Cancelled in destroy(): stops a wait for the refresh lock. */
  private readonly cancellable = new Gio.Cancellable();
  private readonly history: History;
  /** When the last refresh finished, epoch ms (0 before the first). */
  lastRefreshAt = 0;

  constructor(
    private readonly ports: GjsPorts,
    private readonly settings: () => Settings,
    private readonly onOutcome: (outcome: RefreshOutcome) => void,
  ) {
    const path = statePath('history.jsonl');
    this.history = openHistory({
      read: () => ports.files.readText(path),
      append: (text) => ports.appendPrivateFile(path, text),
      replace: (text) => ports.writePrivateFile(path, text),
    });
  }

  private intervalSeconds = 300;

  /**
   * (Re)arms the timer for the refresh interval; the old one is removed first. After each refresh the timer is
   * re-armed to follow the scheduler: max(interval, nextWakeAt − now) (core/wake.ts), so a refresh that can ask no
   * remote source before a Retry-After or back-off does not tick uselessly every interval.
   */
  schedule(intervalSeconds: number, nextWakeAt: number | null = null): void {
    this.intervalSeconds = intervalSeconds;
    if (this.timerId) GLib.Source.remove(this.timerId);
    this.timerId = 0;
    if (this.destroyed) return;
    const delay = nextTimerSeconds(intervalSeconds, nextWakeAt, this.ports.clock.now());
    this.timerId = named(
      GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, delay, () => {
        this.timerId = 0;
        void this.refresh(false);
        return GLib.SOURCE_REMOVE;
      }),
      'refresh timer',
    );
  }

  /**
   * Refreshes now unless a refresh is running, in which case one more runs after it (forced if any caller forced).
   * `force` asks remote APIs even within the minimum interval or a back-off (never before a Retry-After).
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
    const path = statePath('state.json');
    // One refresh at a time across the extension and CLI runs (state-lock.ts): load, refresh, save under the lock.
    let lock: StateLock | null = null;
    const requestsBefore = this.ports.requestsSent;
    try {
      GLib.mkdir_with_parents(statePath(''), 0o700);
      lock = await acquireStateLock(statePath(''), LOCK_WAIT_MS, this.cancellable);
      // Disabled while waiting: the ports' Soup session is gone, so nothing more may run.
      if (this.destroyed) return;
      const state = deserializeState(await this.ports.files.readText(path).catch(() => null));
      const outcome = await runRefresh(this.ports, this.settings(), state, this.history, { force });
      if (this.destroyed) return;
      this.lastRefreshAt = this.ports.clock.now();
      let saved = lock !== null;
      if (lock) {
        await this.ports.writePrivateFile(path, serializeState(outcome.state)).catch((error: unknown) => {
          saved = false;
          this.ports.log.warn(`could not save the state: ${(error as Error).message}`);
        });
      }
      // Nothing remembered (no lock, or no save): notifying would repeat the same alerts at every refresh.
      this.onOutcome(saved ? outcome : { ...outcome, alerts: [] });
      this.schedule(this.intervalSeconds, outcome.nextWakeAt);
    } catch (error) {
      if (this.destroyed) return;
      this.ports.log.warn(`refresh failed: ${(error as Error).message}`);
      if (!this.timerId) this.schedule(this.intervalSeconds);
    } finally {
      await lock?.release();
      if (this.ports.requestsSent !== requestsBefore) this.scheduleCollection();
    }
  }

  /** Runs {@link collectAfterRefresh} once the main loop is idle; one pending at a time. */
  private scheduleCollection(): void {
    if (this.collectId || this.destroyed) return;
    this.collectId = named(
      GLib.idle_add(GLib.PRIORITY_LOW, () => {
        this.collectId = 0;
        collectAfterRefresh();
        return GLib.SOURCE_REMOVE;
      }),
      'collection after a refresh',
    );
  }

  destroy(): void {
    this.destroyed = true;
    this.cancellable.cancel();
    if (this.timerId) GLib.Source.remove(this.timerId);
    this.timerId = 0;
    if (this.collectId) GLib.Source.remove(this.collectId);
    this.collectId = 0;
  }
}
