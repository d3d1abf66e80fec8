/**
 * What a provider is to the rest of Headroom: its catalog entry (core/catalog.ts) plus the code that fetches each
 * source. Each provider lives in one file under `providers/` (fetch → parse → normalise).
 */
import type { Account } from './accounts.js';
import { type ProviderInfo, type SourceInfo, providerInfo } from './catalog.js';
import type { SourceResult } from './model.js';
import type { WatchTarget } from './live.js';
import type { Environment, Ports } from './ports.js';

/** One way of getting a provider's usage windows: its catalog entry plus its fetch code. */
export interface SourceDefinition extends SourceInfo {
  /**
   * Fetches, parses and normalises the usage of one account (its configuration directory, or the default lookup
   * when `account.directory` is null or no account is given). Never rejects: every failure is a typed
   * {@link SourceResult}.
   */
  fetch(ports: Ports, account?: Account): Promise<SourceResult>;
  /**
   * A fingerprint of the credentials this source would use for the account, for pausing it after a sign-in failure
   * until they change: e.g. `"<path>:<size>:<mtimeMs>"` of the credentials file found, a fixed string when none
   * exists, null when unknown (e.g. a Keychain item; the scheduler then re-checks every 15 min). Holds no secret;
   * cheap (stats only). Never rejects.
   */
  credentialsFingerprint?(ports: Ports, account?: Account): Promise<string | null>;
}

/** A provider: its catalog entry with fetch code for each source, in `auto` order. */
export interface ProviderDefinition extends ProviderInfo {
  readonly sources: readonly SourceDefinition[];
  /**
   * The files and folders of an account that its CLI writes while in use, for live updates (core/live.ts): the
   * shells watch them and refresh the moment they change. Absent: nothing to watch.
   */
  readonly liveFiles?: (env: Environment, account: Account) => WatchTarget[];
}

/**
 * Builds a provider's definition from its catalog entry and the fetch code of its sources, keyed by source id.
 * Throws at load time when the code and the catalog disagree (a programming error, caught by the unit tests).
 */
export function defineProvider(
  id: string,
  code: Record<string, Pick<SourceDefinition, 'fetch' | 'credentialsFingerprint'>>,
  liveFiles?: ProviderDefinition['liveFiles'],
): ProviderDefinition {
  const info = providerInfo(id);
  if (!info) throw new Error(`provider ${id} is not in the catalog`);
  const missing = info.sources.filter((source) => !code[source.id]).map((source) => source.id);
  const extra = Object.keys(code).filter((source) => !info.sources.some((s) => s.id === source));
  if (missing.length || extra.length) throw new Error(`provider ${id}: catalog and code disagree on sources`);
  const sources = info.sources.map((source) => ({ ...source, ...code[source.id]! }));
  return liveFiles ? { ...info, sources, liveFiles } : { ...info, sources };
}
