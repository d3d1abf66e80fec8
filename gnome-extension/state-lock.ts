/**
 * The refresh lock the GNOME extension shares with the CLI (swiftbar-plugin/single-flight.ts, same file and
 * format): `refresh.lock` in the state directory, created exclusively, holding `<pid> <epoch ms>`. While it is held
 * by someone else, the extension waits (polling on the main loop, never blocking it) for the holder's saved state,
 * so the extension and overlapping CLI runs ask each provider once and notify each alert once. A lock older than
 * 30 s, or whose process is gone, is taken over.
 */
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import type { Locks } from '../core/ports.js';
import { named } from './signals.js';

Gio._promisify(Gio.File.prototype, 'create_async', 'create_finish');
Gio._promisify(Gio.File.prototype, 'delete_async', 'delete_finish');
Gio._promisify(Gio.OutputStream.prototype, 'write_bytes_async', 'write_bytes_finish');
Gio._promisify(Gio.OutputStream.prototype, 'close_async', 'close_finish');

/** File name of the lock inside the state directory (as in the CLI). */
export const LOCK_FILE = 'refresh.lock';
/** A lock older than this is stale, ms (as in the CLI). */
const STALE_LOCK_MS = 30_000;
const POLL_MS = 50;

/** A held lock. */
export interface StateLock {
  release(): Promise<void>;
}

function readText(path: string): string | null {
  try {
    const [ok, bytes] = GLib.file_get_contents(path);
    return ok ? new TextDecoder().decode(bytes) : null;
  } catch {
    return null;
  }
}

/**
 * True when the lock's text names a process that is gone, or a time over 30 s away from `now` (epoch ms). A text
 * that is not `<pid> <ms>` is a lock being written: not stale.
 */
export function isStaleLock(text: string, now: number): boolean {
  const [pid, at] = text.trim().split(' ').map(Number);
  if (!Number.isInteger(pid) || !Number.isFinite(at)) return false;
  return Math.abs(now - at!) > STALE_LOCK_MS || !GLib.file_test(`/proc/${pid}`, GLib.FileTest.EXISTS);
}

/**
 * Resolves after `ms`, or at once when `cancellable` is cancelled; either way its timeout source is gone, so a
 * disabled extension leaves no wait behind.
 */
function wait(ms: number, cancellable: Gio.Cancellable): Promise<void> {
  return new Promise((resolve) => {
    let handler = 0;
    const id = named(
      GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
        cancellable.disconnect(handler);
        resolve();
        return GLib.SOURCE_REMOVE;
      }),
      'refresh lock wait',
    );
    // connect() runs the callback at once when already cancelled, and the handler cannot be disconnected inside it.
    handler = cancellable.connect(() => {
      GLib.Source.remove(id);
      resolve();
    });
  });
}

/**
 * Takes the lock `name` (default `refresh.lock`) in `directory` (which must exist), waiting at most `waitMs`; null
 * when it could not be had (the directory is not writable, the wait ran out, or `cancellable` was cancelled).
 */
export async function acquireStateLock(
  directory: string,
  waitMs: number,
  cancellable: Gio.Cancellable = new Gio.Cancellable(),
  name: string = LOCK_FILE,
): Promise<StateLock | null> {
  const path = GLib.build_filenamev([directory, name]);
  const file = Gio.File.new_for_path(path);
  const pid = new Gio.Credentials().get_unix_pid();
  const token = `${pid} ${Date.now()}`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const stream = await file.create_async(Gio.FileCreateFlags.PRIVATE, GLib.PRIORITY_DEFAULT, null);
      try {
        await stream.write_bytes_async(new TextEncoder().encode(token), GLib.PRIORITY_DEFAULT, null);
      } finally {
        await stream.close_async(GLib.PRIORITY_DEFAULT, null);
      }
      return {
        async release() {
          if (readText(path) === token) await file.delete_async(GLib.PRIORITY_DEFAULT, null).catch(() => undefined);
        },
      };
    } catch (error) {
      if (!(error instanceof GLib.Error && error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.EXISTS))) return null;
    }
    const held = readText(path);
    if (held !== null && isStaleLock(held, Date.now())) {
      await file.delete_async(GLib.PRIORITY_DEFAULT, null).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline || cancellable.is_cancelled()) return null;
    await wait(POLL_MS, cancellable);
    if (cancellable.is_cancelled()) return null;
  }
}

/**
 * Core's {@link Locks} as lock files `<name>.lock` in `directory` (the state directory, created 0700 when missing),
 * the same files the CLI uses (swiftbar-plugin/single-flight.ts `fileLocks`), e.g. `claude-oauth-refresh.lock`.
 */
export function stateLocks(directory: string): Locks {
  return {
    async acquire(name, waitMs) {
      if (!/^[a-z-]+$/.test(name)) return null;
      GLib.mkdir_with_parents(directory, 0o700);
      return acquireStateLock(directory, waitMs, undefined, `${name}.lock`).catch(() => null);
    },
  };
}
