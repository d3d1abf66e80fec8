/**
 * Token and cost accounting from the CLIs' local logs (Claude Code transcripts, Codex rollouts): what ccusage
 * reports, read incrementally. See scan.ts (reading), dedupe.ts, aggregate.ts, blocks.ts, pricing.ts, index-file.ts.
 */
import { accountsOf } from '../accounts.js';
import { CATALOG } from '../catalog.js';
import type { Ports } from '../ports.js';
import type { Settings } from '../settings.js';
import { hasUsageLogs, rootsOf } from './roots.js';
import type { ScanResult, ScanRoot } from './scan.js';
import type { UsageItem } from './aggregate.js';

export * from './aggregate.js';
export * from './blocks.js';
export * from './entries.js';
export * from './entries-file.js';
export { ENTRY_ROW, EntryTable } from './entry-table.js';
export * from './index-file.js';
export * from './key-filter.js';
export * from './pricing.js';
export * from './roots.js';
export * from './scan.js';

/** The folders to scan for every enabled account of a provider with local logs (catalog `usageLogs`). */
export function usageRoots(ports: Pick<Ports, 'env'>, settings: Settings): ScanRoot[] {
  const roots: ScanRoot[] = [];
  for (const info of CATALOG) {
    const id = info.id;
    if (!hasUsageLogs(id)) continue;
    const provider = settings.providers[id];
    if (!provider?.enabled) continue;
    for (const account of accountsOf(info, provider, ports.env.home)) {
      roots.push(
        ...rootsOf(ports, id, account.directory ? account : null).map((root) => ({
          ...root,
          account: account.key,
        })),
      );
    }
  }
  return roots;
}

/**
 * What a scan found, as items for {@link aggregate} by day, week or month: the index's totals by quarter hour and
 * model (both paths keep them), plus the unterminated last lines. Every zone's offset is a whole number of quarter
 * hours, so the days are those of the entries; per-session and per-block figures need {@link entryItems}.
 * `accounts` limits it to some account keys. Made one at a time as they are iterated.
 */
export function* usageItems(result: ScanResult, accounts?: ReadonlySet<string>): Generator<UsageItem> {
  for (const [account, buckets] of result.index.buckets) {
    if (accounts && !accounts.has(account)) continue;
    for (const bucket of buckets.values()) {
      if (bucket.input === 0 && bucket.output === 0 && bucket.cacheWrite === 0 && bucket.cacheRead === 0) continue;
      yield {
        at: bucket.quarter * 900_000,
        model: bucket.model,
        input: bucket.input,
        output: bucket.output,
        cacheWrite5m: bucket.cacheWrite,
        cacheWrite1h: 0,
        cacheRead: bucket.cacheRead,
        session: '',
        project: '',
        cost: bucket.unpriced ? null : bucket.cost,
      };
    }
  }
  yield* extraItems(result, accounts);
}

/**
 * Every deduped entry of a scan that ran the exact path (`needEntries`), plus the unterminated last lines: what
 * session reports and five-hour blocks need. Throws when the scan kept only the summary. Made one at a time as they
 * are iterated (a year of entries as objects is hundreds of MB): spread it (`[...items]`) to keep them.
 */
export function* entryItems(result: ScanResult, accounts?: ReadonlySet<string>): Generator<UsageItem> {
  if (!result.entries) throw new Error('entryItems: the scan kept only the summary (scan with needEntries)');
  for (const [account, table] of result.entries)
    if (!accounts || accounts.has(account)) for (let i = 0; i < table.length; i++) yield table.get(i);
  yield* extraItems(result, accounts);
}

function* extraItems(result: ScanResult, accounts?: ReadonlySet<string>): Generator<UsageItem> {
  for (const [account, entries] of result.extra) if (!accounts || accounts.has(account)) yield* entries;
}

/**
 * The recent entries of a scan (index-file.ts `recentOf`: the last 24 hours, from the request that opened the block
 * they start in), plus the unterminated last lines: enough for the current block, on either path.
 */
export function recentItems(result: ScanResult, accounts?: ReadonlySet<string>): UsageItem[] {
  const items: UsageItem[] = [];
  for (const [account, entries] of result.index.recent)
    if (!accounts || accounts.has(account)) for (const entry of entries) items.push(entry);
  for (const entry of extraItems(result, accounts)) items.push(entry);
  return items;
}
