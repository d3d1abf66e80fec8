/**
 * What the plugin knows about the user's locale and time zone without starting ICU (core/intl-replay.ts says why a
 * one-shot run avoids that): the stored Intl recipes in `$XDG_STATE_HOME/headroom/intl-replay.json`, and this
 * machine's time zone name from `$TZ` or the `/etc/localtime` link.
 */
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { changedIntlReplay, installIntlReplay } from '../core/intl-replay.js';
import { writePrivateFile } from './files.js';

/** The recipes' file in the state folder. */
export const INTL_REPLAY_FILE = 'intl-replay.json';

/**
 * What decides Intl's default locale and output: the locale variables ICU reads (it takes `LC_ALL`, then
 * `LC_MESSAGES`, then `LANG`; the others are included so that no change can go unnoticed) and the ICU and Unicode
 * data built into this Node. Recipes made under another key are dropped.
 */
function replayKey(env: NodeJS.ProcessEnv): string {
  const variables = ['LC_ALL', 'LC_MESSAGES', 'LC_TIME', 'LC_NUMERIC', 'LC_MONETARY', 'LANG', 'LANGUAGE'];
  return JSON.stringify([process.versions.icu, process.versions.unicode, ...variables.map((name) => env[name] ?? '')]);
}

/**
 * Turns Intl replay on with the recipes stored in `directory` (none when the file is missing, unreadable, not JSON
 * or from another key: then this run builds them with Intl and {@link saveIntlReplay} stores them).
 */
export function loadIntlReplay(directory: string, env: NodeJS.ProcessEnv): void {
  let stored: unknown = null;
  try {
    // Small (a few kB) and read before anything is formatted: a synchronous read keeps the order obvious.
    const path = join(directory, INTL_REPLAY_FILE);
    if (statSync(path).isFile()) stored = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // Missing or damaged: the recipes are made again.
  }
  installIntlReplay(stored, replayKey(env));
}

/** Stores the recipes this run made, if any; a folder that cannot be written only costs the next run the time. */
export async function saveIntlReplay(directory: string): Promise<void> {
  const changed = changedIntlReplay();
  if (changed)
    await writePrivateFile(join(directory, INTL_REPLAY_FILE), JSON.stringify(changed)).catch(() => undefined);
}

/**
 * The IANA name of this machine's time zone as ICU finds it, without starting ICU: `$TZ` when it names a zone file
 * (a leading `:` dropped), else the zone the `/etc/localtime` link points at (`…/zoneinfo/Europe/Berlin` on Linux
 * and macOS alike); null when neither tells (then ask Intl).
 */
export function localTimeZoneName(env: NodeJS.ProcessEnv): string | null {
  const named = (name: string): string | null => {
    const zone = name.replace(/^(posix|right)\//, '');
    return /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone) ? zone : null;
  };
  if (env.TZ !== undefined) {
    const zone = named(env.TZ.replace(/^:/, ''));
    try {
      if (zone && statSync(join('/usr/share/zoneinfo', zone)).isFile()) return zone;
    } catch {
      // Not a zone file here.
    }
    return null;
  }
  try {
    const target = readlinkSync('/etc/localtime');
    const at = target.lastIndexOf('zoneinfo/');
    return at < 0 ? null : named(target.slice(at + 'zoneinfo/'.length));
  } catch {
    return null;
  }
}
