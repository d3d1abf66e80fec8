/**
 * Live updates in GNOME Shell: a Gio.FileMonitor on each path core/live.ts names (Codex's newest session directory,
 * Claude Code's project directories, the status-line record). A change calls `onChange` once per burst (throttled:
 * at most one call per {@link THROTTLE_MS} while the CLI writes) and re-expands the paths, so a new day's directory
 * is watched as soon as Codex creates it. Create in enable(), destroy in disable(): every monitor is cancelled and no
 * callback runs afterwards.
 */
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import { type WatchTarget, expandWatchTargets } from '../core/live.js';
import type { GjsPorts } from './gjs-ports.js';

/** The wait between the first change of a burst and the re-read, ms. */
export const THROTTLE_MS = 250;

/** Watches the local sources' files. */
export class LiveWatcher {
  private readonly monitors = new Map<string, { monitor: Gio.FileMonitor; handler: number }>();
  private timerId = 0;
  private destroyed = false;
  private expanding: Promise<void> | null = null;
  private expandAgain = false;

  /** `targets` is read at each expansion (the settings may have changed); `onChange` runs after a change. */
  constructor(
    private readonly ports: GjsPorts,
    private readonly targets: () => WatchTarget[],
    private readonly onChange: () => void,
  ) {}

  /** The paths monitored now (for tests and diagnostics). */
  get watched(): string[] {
    return [...this.monitors.keys()];
  }

  /**
   * Re-expands the targets and adds or cancels monitors to match; called at start, after a change and after each
   * refresh (a directory created meanwhile, an account added). Single-flight.
   */
  update(): Promise<void> {
    if (this.expanding) {
      this.expandAgain = true;
      return this.expanding;
    }
    this.expanding = this.expand().finally(() => {
      this.expanding = null;
      if (this.expandAgain && !this.destroyed) {
        this.expandAgain = false;
        void this.update();
      }
    });
    return this.expanding;
  }

  private async expand(): Promise<void> {
    const paths = await expandWatchTargets(this.targets(), (path) => this.ports.files.list(path));
    if (this.destroyed) return;
    const wanted = new Set(paths);
    for (const [path, entry] of this.monitors) {
      if (!wanted.has(path)) this.cancel(path, entry);
    }
    for (const path of paths) {
      if (this.monitors.has(path)) continue;
      try {
        const monitor = Gio.File.new_for_path(path).monitor(Gio.FileMonitorFlags.WATCH_MOVES, null);
        const handler = monitor.connect('changed', (_m, _file, _other, event: Gio.FileMonitorEvent) =>
          this.changed(event),
        );
        this.monitors.set(path, { monitor, handler });
      } catch (error) {
        this.ports.log.warn(`can't watch ${path}: ${(error as Error).message}`);
      }
    }
  }

  private changed(event: Gio.FileMonitorEvent): void {
    if (this.destroyed || event === Gio.FileMonitorEvent.ATTRIBUTE_CHANGED || this.timerId) return;
    this.timerId = GLib.timeout_add(GLib.PRIORITY_DEFAULT, THROTTLE_MS, () => {
      this.timerId = 0;
      if (!this.destroyed) {
        this.onChange();
        void this.update();
      }
      return GLib.SOURCE_REMOVE;
    });
  }

  private cancel(path: string, entry: { monitor: Gio.FileMonitor; handler: number }): void {
    entry.monitor.disconnect(entry.handler);
    entry.monitor.cancel();
    this.monitors.delete(path);
  }

  /** Cancels every monitor and the pending call. */
  destroy(): void {
    this.destroyed = true;
    if (this.timerId) GLib.Source.remove(this.timerId);
    this.timerId = 0;
    for (const [path, entry] of this.monitors) this.cancel(path, entry);
  }
}
