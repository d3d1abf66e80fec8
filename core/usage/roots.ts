/**
 * Where the usage logs of each account lie: the log format of each provider whose CLI writes local logs (catalog
 * `usageLogs`), by provider id, and the folders to scan for one account. The formats themselves, with their
 * environment rules, are declared next to their line readers (entries.ts for Claude Code, codex-entries.ts for Codex).
 */
import type { Account } from '../accounts.js';
import { providerInfo } from '../catalog.js';
import type { Ports } from '../ports.js';
import { CODEX_LOGS } from './codex-entries.js';
import { CLAUDE_LOGS } from './entries.js';
import type { LogFormat } from './log-format.js';
import type { ScanRoot } from './scan.js';

/** The log format of each provider with local logs, by catalog id. */
const LOG_FORMATS: ReadonlyMap<string, LogFormat> = new Map([
  ['claude', CLAUDE_LOGS],
  ['codex', CODEX_LOGS],
]);

/**
 * The log format of provider `id`, or null when the catalog says it writes no local logs (`usageLogs`) or Headroom
 * has no reader for them.
 */
export function logFormatOf(id: string): LogFormat | null {
  return providerInfo(id)?.usageLogs === true ? (LOG_FORMATS.get(id) ?? null) : null;
}

/** True when provider `id` writes local logs that Headroom reads (see {@link logFormatOf}). */
export function hasUsageLogs(id: string): boolean {
  return logFormatOf(id) !== null;
}

/**
 * The folders to scan for one account of `provider`: each folder of its log format under each of the account's
 * directories (`account` null: the default account, whose directories come from the environment). None for a
 * provider without a log format.
 */
export function rootsOf(ports: Pick<Ports, 'env'>, provider: string, account: Account | null): ScanRoot[] {
  const format = logFormatOf(provider);
  if (!format) return [];
  const key = account?.key ?? provider;
  return format
    .directories(ports, account)
    .flatMap((directory) =>
      format.folders.map((folder) => ({ provider, account: key, directory: `${directory}/${folder}` })),
    );
}
