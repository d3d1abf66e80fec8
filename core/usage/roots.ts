/**
 * Where the usage logs of each account lie: the log format the catalog names for a provider (`usageLogs`), and the
 * folders to scan for one account. The formats themselves, with their environment rules, are declared next to their
 * line readers (entries.ts for Claude Code's transcripts, codex-entries.ts for Codex's rollouts).
 */
import type { Account } from '../accounts.js';
import { providerInfo } from '../catalog.js';
import type { Ports } from '../ports.js';
import { CODEX_LOGS } from './codex-entries.js';
import { CLAUDE_LOGS } from './entries.js';
import type { LogFormat } from './log-format.js';
import type { ScanRoot } from './scan.js';

/** Every log format Headroom reads, by format id. */
const LOG_FORMATS: ReadonlyMap<string, LogFormat> = new Map(
  [CLAUDE_LOGS, CODEX_LOGS].map((format) => [format.id, format]),
);

/**
 * The log format of provider `id`: the one its catalog entry names (`usageLogs`); null when it names none, or one
 * Headroom has no reader for.
 */
export function logFormatOf(id: string): LogFormat | null {
  const format = providerInfo(id)?.usageLogs;
  return format === undefined ? null : (LOG_FORMATS.get(format) ?? null);
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
