/**
 * SwiftBar's streamable mode (`<swiftbar.type>streamable</swiftbar.type>`, swiftbar/SwiftBar README "Streamable"):
 * one long-lived process that prints a menu, then a `~~~` line and a new menu whenever the local sources change —
 * Codex's rollouts, Claude Code's transcripts, the status-line record (the paths of core/live.ts, watched with
 * fs.watch) — and every minute otherwise. Each update is one ordinary run (refresh under the shared lock, save,
 * notify, print), so the remote APIs stay within the scheduler's limits. It ends when SwiftBar closes its stdout or
 * stops it (SIGTERM).
 */
import { type FSWatcher, watch } from 'node:fs';
import { expandWatchTargets, liveWatchTargets } from '../core/live.js';
import type { Ports } from '../core/ports.js';
import { loadSettings } from '../core/settings.js';

/** The wait between the first change of a burst and the update, ms. */
const THROTTLE_MS = 250;
/** With no change, an update this often, ms. */
const PERIOD_MS = 60_000;

/**
 * Runs `update` (one run printing a menu on stdout) at once, then after each change of the watched files and every
 * minute otherwise, writing `separator` (`~~~\n` for SwiftBar, nothing for Waybar's one line per update) before each
 * later update. Updates never overlap: a change during one queues one more. Resolves with 0 when stdout closes or
 * the process is told to stop.
 */
export async function runStream(ports: Ports, update: () => Promise<number>, separator: string): Promise<number> {
  const watchers = new Map<string, FSWatcher>();
  let running: Promise<void> | null = null;
  let again = false;
  let throttle: NodeJS.Timeout | null = null;
  let period: NodeJS.Timeout | null = null;
  let first = true;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (finish = resolve));

  const rewatch = async (): Promise<void> => {
    const { settings } = await loadSettings(ports);
    const paths = await expandWatchTargets(liveWatchTargets(settings, ports.env), (path) => ports.files.list(path));
    for (const [path, watcher] of watchers) {
      if (!paths.includes(path)) {
        watcher.close();
        watchers.delete(path);
      }
    }
    for (const path of paths) {
      if (watchers.has(path)) continue;
      try {
        const watcher = watch(path, { persistent: false }, changed);
        watcher.on('error', () => {
          watcher.close();
          watchers.delete(path);
        });
        watchers.set(path, watcher);
      } catch {
        // absent (a status-line record not written yet): found by a later expansion
      }
    }
  };

  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      if (period) clearTimeout(period);
      if (!first) process.stdout.write(separator);
      first = false;
      await update();
      await rewatch().catch((error: unknown) => ports.log.debug(`watch: ${(error as Error).message}`));
      period = setTimeout(() => void run(), PERIOD_MS);
    })().finally(() => {
      running = null;
      if (again) {
        again = false;
        void run();
      }
    });
    return running;
  };

  function changed(): void {
    if (throttle) return;
    throttle = setTimeout(() => {
      throttle = null;
      void run();
    }, THROTTLE_MS);
  }

  const stop = (): void => {
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
    if (throttle) clearTimeout(throttle);
    if (period) clearTimeout(period);
    finish(0);
  };
  process.stdout.on('error', stop); // EPIPE: SwiftBar went away
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await run();
  const code = await finished;
  // A run in flight ends on its own; its output has nowhere to go.
  process.exit(code);
}
