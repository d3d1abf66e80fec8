/**
 * Token and cost accounting from the CLIs' local logs (Claude Code transcripts, Codex rollouts): what ccusage
 * reports, read incrementally. See scan.ts (reading), dedupe.ts, aggregate.ts, blocks.ts, pricing.ts, index-file.ts.
 */
import { accountsOf } from '../accounts.js';
import { CATALOG } from '../catalog.js';
import type { Ports } from '../ports.js';
import type { Settings } from '../settings.js';
import { rootsOf } from './roots.js';
import type { ScanRoot } from './scan.js';

export * from './aggregate.js';
export * from './blocks.js';
export * from './entries.js';
export * from './index-file.js';
export * from './pricing.js';
export * from './roots.js';
export * from './scan.js';

/** The folders to scan for every enabled Claude and Codex account of the settings. */
export function usageRoots(ports: Pick<Ports, 'env'>, settings: Settings): ScanRoot[] {
  const roots: ScanRoot[] = [];
  for (const info of CATALOG) {
    if (info.id !== 'claude' && info.id !== 'codex') continue;
    const provider = settings.providers[info.id];
    if (!provider?.enabled) continue;
    for (const account of accountsOf(info, provider, ports.env.home)) {
      roots.push(
        ...rootsOf(ports, info.id, account.directory ? account : null).map((root) => ({
          ...root,
          account: account.key,
        })),
      );
    }
  }
  return roots;
}
