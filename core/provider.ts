/**
 * What a provider is to the rest of Headroom: its name, where its usage page is, and its sources in the order
 * `auto` tries them. Each provider lives in one file under `providers/` (fetch → parse → normalise).
 */
import type { ProviderId, SourceId, SourceResult } from './model.js';
import type { Ports } from './ports.js';

/** One way of getting a provider's usage windows. */
export interface SourceDefinition {
  id: SourceId;
  /** Human label, e.g. "OAuth API", "local logs". */
  label: string;
  /**
   * True when the source calls a remote API: such sources are spared by the scheduler (minimum interval,
   * Retry-After, back-off, sign-in pause; scheduler.ts); local sources are read on every refresh.
   */
  remote: boolean;
  /** Fetches, parses and normalises. Never rejects: every failure is a typed {@link SourceResult}. */
  fetch(ports: Ports): Promise<SourceResult>;
  /**
   * A fingerprint of the credentials this source would use, for pausing it after a sign-in failure until they
   * change: e.g. `"<path>:<size>:<mtimeMs>"` of the credentials file found, a fixed string when none exists, null
   * when unknown (e.g. a Keychain item; the scheduler then re-checks every 15 min). Holds no secret; cheap (stats
   * only). Never rejects.
   */
  credentialsFingerprint?(ports: Ports): Promise<string | null>;
}

/** A provider: Claude, Codex. */
export interface ProviderDefinition {
  id: ProviderId;
  /** Display name, e.g. "Claude". */
  name: string;
  /** One-letter prefix for compact titles, e.g. "C". */
  letter: string;
  /** The provider's own usage page, for the "Open usage page" link. */
  usageUrl: string;
  /** How to connect this provider, one sentence, for the "nothing found" help. */
  connectHelp: string;
  /** Sources in `auto` order: the first is the preferred one. */
  sources: SourceDefinition[];
}
