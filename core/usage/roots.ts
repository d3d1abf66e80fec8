/**
 * Where the usage logs of each account lie (REFERENCE: ccusage `adapter/claude/paths.rs` and the Codex adapter):
 * - Claude, default account: every entry of `CLAUDE_CONFIG_DIR` (comma-separated; an entry naming a `projects`
 *   folder means its parent), else both `$XDG_CONFIG_HOME/claude` (default `~/.config/claude`) and `~/.claude`;
 *   each contributes its `projects/` folder. Other accounts: their configuration directory's `projects/`.
 * - Codex: `$CODEX_HOME` (comma-separated) or `~/.codex` for the default account, the account's home for others;
 *   each contributes `sessions/` and `archived_sessions/`.
 */
import type { Account } from '../accounts.js';
import { providerInfo } from '../catalog.js';
import type { Ports } from '../ports.js';
import type { ScanRoot } from './scan.js';

function expand(path: string, home: string): string {
  return path.replace(/^~(?=\/|$)/, home).replace(/\/+$/, '') || '/';
}

/** The Claude Code config directories of an account, absolute, without duplicates. */
export function claudeDirectories(ports: Pick<Ports, 'env'>, account: Account | null): string[] {
  const home = ports.env.home;
  if (account?.directory) return [expand(account.directory, home)];
  const configured = ports.env.get('CLAUDE_CONFIG_DIR');
  const list = configured
    ? configured
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '')
        .map((entry) => expand(entry, home))
        .map((entry) => (entry.endsWith('/projects') ? entry.slice(0, -'/projects'.length) : entry))
    : [`${expand(ports.env.get('XDG_CONFIG_HOME') ?? `${home}/.config`, home)}/claude`, `${home}/.claude`];
  return [...new Set(list)];
}

/** The Codex homes of an account, absolute, without duplicates. */
export function codexHomes(ports: Pick<Ports, 'env'>, account: Account | null): string[] {
  const home = ports.env.home;
  if (account?.directory) return [expand(account.directory, home)];
  const configured = ports.env.get('CODEX_HOME');
  const list = configured
    ? configured
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '')
        .map((entry) => expand(entry, home))
    : [`${home}/.codex`];
  return [...new Set(list)];
}

/** The providers whose local logs core/usage/ reads: the catalog's `usageLogs`, with a reader in scan.ts. */
export type UsageProvider = ScanRoot['provider'];

/** True when the catalog says provider `id` writes local logs to scan (catalog `usageLogs`). */
export function hasUsageLogs(id: string): id is UsageProvider {
  return providerInfo(id)?.usageLogs === true;
}

/** The folders to scan for one account (see the module comment). */
export function rootsOf(ports: Pick<Ports, 'env'>, provider: UsageProvider, account: Account | null): ScanRoot[] {
  const key = account?.key ?? provider;
  if (provider === 'claude') {
    return claudeDirectories(ports, account).map((directory) => ({
      provider,
      account: key,
      directory: `${directory}/projects`,
    }));
  }
  return codexHomes(ports, account).flatMap((directory) => [
    { provider, account: key, directory: `${directory}/sessions` },
    { provider, account: key, directory: `${directory}/archived_sessions` },
  ]);
}
