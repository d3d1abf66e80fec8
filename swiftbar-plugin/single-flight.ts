/**
 * One refresh at a time across processes sharing a state directory (SwiftBar runs, terminal runs, the GNOME
 * extension): a lock file `refresh.lock`, created with O_EXCL and holding `<pid> <epoch ms>`, guards
 * load → refresh → save → notify. A run that finds it held polls until it is released, then reads the state the
 * holder saved, so the holder's answer (and the alerts it recorded) is served instead of asking the APIs again and
 * notifying again. A lock older than {@link STALE_LOCK_MS}, or whose process is gone, is taken over.
 */
import { constants } from 'node:fs';
import { mkdir, open, readFile, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locks } from '../core/ports.js';

/** File name of the lock inside the state directory. */
export const LOCK_FILE = 'refresh.lock';
/** A lock older than this is stale (its holder hung or was killed), ms. */
export const STALE_LOCK_MS = 30_000;
/** How often a waiting run looks at the lock again, ms. */
const POLL_MS = 20;

/** A held lock; `release` removes it when it is still ours. */
export interface Lock {
  /** True when another run held the lock first and this one waited for it. */
  waited: boolean;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the lock at `path` is stale: unreadable content, older than {@link STALE_LOCK_MS}, or a dead process. */
async function isStale(path: string, now: number): Promise<boolean> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return false; // released meanwhile: try again
  const [pid, at] = text.trim().split(' ').map(Number);
  if (!Number.isInteger(pid) || !Number.isFinite(at)) {
    const info = await stat(path).catch(() => null);
    return info !== null && now - info.mtimeMs > STALE_LOCK_MS;
  }
  return now - at! > STALE_LOCK_MS || at! > now + STALE_LOCK_MS || !alive(pid!);
}

/**
 * Takes the refresh lock of `directory` (or the lock `file` there, e.g. `claude-oauth-refresh.lock`), waiting at most `waitMs` for another holder. Resolves to null when the lock
 * cannot be had: the directory is not writable, or the wait ran out (the caller then serves what it has without
 * saving or notifying).
 */
export async function acquireLock(directory: string, waitMs: number, file = LOCK_FILE): Promise<Lock | null> {
  const path = join(directory, file);
  const token = `${process.pid} ${Date.now()}`;
  const deadline = Date.now() + waitMs;
  let waited = false;
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
  } catch {
    return null;
  }
  for (;;) {
    try {
      const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      await handle.writeFile(token, 'utf8').finally(() => handle.close());
      return {
        waited,
        async release() {
          const held = await readFile(path, 'utf8').catch(() => null);
          if (held === token) await unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return null;
    }
    waited = true;
    if (await isStale(path, Date.now())) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS + Math.random() * POLL_MS));
  }
}

/** Headroom's own temporary files (swiftbar-plugin/state.ts writePrivateFile): `.<12 hex>.tmp`. */
const TEMP_NAME = /^\.[0-9a-f]{12}\.tmp$/;
/** A temporary file older than this was left by a killed run, ms. */
export const STALE_TEMP_MS = 60_000;

/** Removes Headroom's temporary files older than a minute from `directory` (left by killed runs). Never rejects. */
export async function removeStaleTemps(directory: string, now: number): Promise<void> {
  const names = await readdir(directory).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => TEMP_NAME.test(name))
      .map(async (name) => {
        const path = join(directory, name);
        const info = await stat(path).catch(() => null);
        if (info?.isFile() && now - info.mtimeMs > STALE_TEMP_MS) await unlink(path).catch(() => undefined);
      }),
  );
}

/**
 * Core's {@link Locks} over lock files in `directory` (the state directory): `<name>.lock`, with the same
 * create-exclusive, stale-after-30-s rules as the refresh lock. Names other than `[a-z-]+` are refused (null).
 */
export function fileLocks(directory: string): Locks {
  return {
    async acquire(name, waitMs) {
      if (!/^[a-z-]+$/.test(name)) return null;
      return acquireLock(directory, waitMs, `${name}.lock`).catch(() => null);
    },
  };
}
