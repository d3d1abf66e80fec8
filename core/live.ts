/**
 * Live updates: which local files the shells watch so that the display moves the moment a CLI writes (GNOME:
 * Gio.FileMonitor; the SwiftBar streamable mode: fs.watch). A change re-reads the local sources at once; the remote
 * ones follow within the scheduler's limits (scheduler.ts).
 *
 * Watched, per enabled account: what its provider names in `liveFiles` (core/provider.ts), e.g. Codex's `sessions/`
 * down its newest `YYYY/MM/DD` folder, Claude Code's `projects/` folders and Headroom's status-line record, Gemini
 * CLI's `settings.json` and `oauth_creds.json`.
 */
import { accountsOf } from './accounts.js';
import { joinPath } from './parse.js';
import type { DirEntry, Environment } from './ports.js';
import type { ProviderDefinition } from './provider.js';
import { PROVIDERS } from './providers/index.js';
import type { Settings } from './settings.js';

/** One root to watch, before it is expanded into directories. */
export interface WatchTarget {
  /** Absolute path of a directory (or, at depth 0, of a file). */
  path: string;
  /** How many directory levels below it are watched too (0: only the path itself). */
  depth: number;
  /** True: only the newest subdirectory (greatest name, e.g. `2026` → `11` → `22`) of each level; false: all. */
  newestOnly: boolean;
}

/** At most this many paths are watched (inotify watches are a per-user resource). */
export const MAX_WATCHED_PATHS = 256;

/**
 * The roots to watch for the enabled providers' accounts, from each provider's `liveFiles` (core/provider.ts); no
 * duplicates, bounded ones first. `definitions` defaults to every provider Headroom knows.
 */
export function liveWatchTargets(
  settings: Settings,
  env: Environment,
  definitions: readonly ProviderDefinition[] = PROVIDERS,
): WatchTarget[] {
  const targets: WatchTarget[] = [];
  for (const definition of definitions) {
    const providerSettings = settings.providers[definition.id];
    if (!definition.liveFiles || !providerSettings?.enabled) continue;
    for (const account of accountsOf(definition, providerSettings, env.home)) {
      for (const target of definition.liveFiles(env, account)) {
        if (!targets.some((t) => t.path === target.path)) targets.push(target);
      }
    }
  }
  // Bounded targets first (a file, or only the newest folder of each level), so that a folder with many projects
  // cannot crowd them out of the {@link MAX_WATCHED_PATHS}.
  const unbounded = (target: WatchTarget): boolean => target.depth > 0 && !target.newestOnly;
  return [...targets.filter((t) => !unbounded(t)), ...targets.filter(unbounded)];
}

/**
 * Expands targets into the paths to watch: each existing root, then its subdirectories down to `depth` (only the
 * newest of each level when `newestOnly`), at most {@link MAX_WATCHED_PATHS}. Depth-0 roots (files) are kept even when
 * absent, so their creation is seen; a directory root that is absent or unreadable is left out until a later
 * expansion finds it. `list` is the FileReader's `list` (null when absent).
 */
export async function expandWatchTargets(
  targets: readonly WatchTarget[],
  list: (path: string) => Promise<DirEntry[] | null>,
): Promise<string[]> {
  const paths: string[] = [];
  const visit = async (path: string, depth: number, newestOnly: boolean): Promise<void> => {
    if (paths.length >= MAX_WATCHED_PATHS) return;
    const entries = await list(path).catch(() => null);
    if (!entries) return;
    paths.push(path);
    if (depth <= 0) return;
    const directories = entries
      .filter((entry) => entry.isDirectory && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort();
    for (const name of newestOnly ? directories.slice(-1) : directories) {
      await visit(joinPath(path, name), depth - 1, newestOnly);
    }
  };
  for (const target of targets) {
    if (target.depth === 0) {
      if (paths.length < MAX_WATCHED_PATHS) paths.push(target.path);
    } else {
      await visit(target.path, target.depth, target.newestOnly);
    }
  }
  return paths;
}
