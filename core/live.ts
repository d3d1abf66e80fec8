/**
 * Live updates: which local files the shells watch so that the display moves the moment a CLI writes (GNOME:
 * Gio.FileMonitor; the SwiftBar streamable mode: fs.watch). A change re-reads the local sources at once; the remote
 * ones follow within the scheduler's limits (scheduler.ts).
 *
 * Watched, per enabled account: Codex's `sessions/` down its newest `YYYY/MM/DD` directory (where the running
 * session's rollout grows; openai/codex `codex-rs/core/src/rollout/recorder.rs`), Claude Code's `projects/` and each
 * project directory in it (its transcripts), Headroom's status-line record (core/statusline.ts), and Gemini CLI's
 * `settings.json` and `oauth_creds.json` (a new login or auth type is seen at once; google-gemini/gemini-cli
 * `packages/core/src/code_assist/oauth2.ts`).
 */
import { accountsOf } from './accounts.js';
import { providerInfo } from './catalog.js';
import { joinPath } from './parse.js';
import type { DirEntry, Environment } from './ports.js';
import type { Settings } from './settings.js';
import { claudeConfigDirectory, statusLineRecordPath } from './statusline.js';

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

/** The roots to watch for the enabled providers' accounts (see the module comment); no duplicates. */
export function liveWatchTargets(settings: Settings, env: Environment): WatchTarget[] {
  const targets: WatchTarget[] = [];
  const add = (target: WatchTarget): void => {
    if (!targets.some((t) => t.path === target.path)) targets.push(target);
  };
  for (const id of ['codex', 'claude'] as const) {
    const info = providerInfo(id);
    const providerSettings = settings.providers[id];
    if (!info || !providerSettings?.enabled) continue;
    for (const account of accountsOf(info, providerSettings, env.home)) {
      if (id === 'codex') {
        const home = account.directory ?? env.get('CODEX_HOME') ?? joinPath(env.home, '.codex');
        add({ path: joinPath(home, 'sessions'), depth: 3, newestOnly: true });
      } else {
        add({ path: joinPath(claudeConfigDirectory(env, account), 'projects'), depth: 1, newestOnly: false });
      }
    }
    if (id === 'claude') add({ path: statusLineRecordPath(env), depth: 0, newestOnly: false });
  }
  const gemini = providerInfo('gemini');
  const geminiSettings = settings.providers.gemini;
  if (gemini && geminiSettings?.enabled) {
    for (const account of accountsOf(gemini, geminiSettings, env.home)) {
      const directory = account.directory ?? joinPath(env.home, '.gemini');
      for (const file of ['settings.json', 'oauth_creds.json']) {
        add({ path: joinPath(directory, file), depth: 0, newestOnly: false });
      }
    }
  }
  return targets;
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
