/**
 * Headroom's domain model: what every provider is normalised into, whatever its source.
 *
 * Units used throughout:
 * - percentages are 0–100 and may exceed 100 (overage);
 * - instants are epoch milliseconds (UTC) unless a name says otherwise;
 * - money is in minor currency units (`amount / 10 ** exponent` gives the major amount).
 */

/**
 * A provider's id, as listed in the catalog (core/catalog.ts): `claude`, `codex`. A plain string, because stored
 * documents may name providers that a newer Headroom knows and this one does not; those are kept, never dropped.
 */
export type ProviderId = string;

/**
 * A source's id within its provider, as listed in the catalog, e.g.
 * - `api`: the provider's usage endpoint (Claude: `GET /api/oauth/usage`; Codex: `GET /backend-api/wham/usage`);
 * - `logs`: local logs written by the provider's CLI (Codex: `~/.codex/sessions/**\/rollout-*.jsonl`).
 */
export type SourceId = string;

/** Which account of its provider a snapshot belongs to (core/accounts.ts). */
export interface AccountRef {
  /** `default`, or the account's id, e.g. `claude-work`. */
  id: string;
  /** The key stored documents and title items use: `claude`, `claude@claude-work`. */
  key: string;
  /** What the user calls it, e.g. "~/.claude-work" or their own label. */
  label: string;
}

/**
 * The state of a provider, as the user should read it.
 * - `ok`: the data is current.
 * - `stale`: the data is old (e.g. the newest local log is hours old) though nothing failed.
 * - `signed-out`: no usable login was found (missing or expired credentials).
 * - `unauthorized`: the provider rejected the login (HTTP 401/403).
 * - `rate-limited`: the provider asked us to slow down (HTTP 429); `retryAt` says until when.
 * - `offline`: the provider could not be reached (DNS, refused connection, timeout).
 * - `error`: anything else: a 5xx, an HTML page instead of JSON, a malformed body, an unreadable file.
 */
export type Status = 'ok' | 'stale' | 'signed-out' | 'unauthorized' | 'rate-limited' | 'offline' | 'error';

/** A status that describes a failure. */
export type FailureStatus = Exclude<Status, 'ok' | 'stale'>;

/**
 * One usage window, normalised.
 *
 * Ids are stable across sources: `session` (the 5-hour window), `weekly` (the 7-day window), and a slug for the
 * others, e.g. `weekly-opus`, `weekly-sonnet`, `weekly-fable`, `codex-spark-session`.
 */
export interface UsageWindow {
  /** Stable id: `session`, `weekly` or a slug such as `weekly-opus`. */
  id: string;
  /** Human label, e.g. "Session (5 h)", "Weekly", "Weekly · Opus". */
  label: string;
  /** Percent of the window used, 0–100; above 100 while overage is active. */
  usedPercent: number;
  /** When the window resets, epoch ms; null when unknown. */
  resetsAt: number | null;
  /** The window's length in minutes (300 for the session window, 10080 for the weekly one); null when unknown. */
  windowMinutes: number | null;
}

/**
 * An amount of money or credits attached to a provider: Claude's extra usage (monthly cap and spend), Codex credits.
 * All amounts are in minor units: `usedMinor / 10 ** exponent` is the major amount.
 */
export interface Money {
  /** Stable id: `extra-usage` (Claude) or `credits` (Codex). */
  id: string;
  /** Human label, e.g. "Extra usage", "Credits". */
  label: string;
  /** Spent so far this period, minor units; null when not reported. */
  usedMinor: number | null;
  /** The cap, minor units; null when uncapped or not reported. */
  limitMinor: number | null;
  /** A prepaid balance, minor units; null when not reported. */
  balanceMinor: number | null;
  /** ISO 4217 code (`USD`, `EUR`), or `credits` for provider credits that are not a currency. */
  currency: string;
  /** Decimal places of the minor unit (2 for cents). */
  exponent: number;
  /** True when the provider reports unlimited credits. */
  unlimited: boolean;
  /**
   * True when the provider was asked and did not answer (an optional call failed): the amounts are unknown, not
   * zero, and are shown as "unknown". Absent otherwise.
   */
  unknown?: true;
}

/**
 * Everything Headroom knows about one provider at one moment. This is what the shells render and what the plugin
 * persists as the "last good" value.
 */
export interface ProviderSnapshot {
  provider: ProviderId;
  /** The account of the provider this snapshot is about. */
  account: AccountRef;
  /** The source the windows came from; null when no source produced data. */
  source: SourceId | null;
  status: Status;
  /** One human sentence on the status, e.g. "Rate-limited by Anthropic until 14:05." Empty when `ok`. */
  message: string;
  /** What the user can do about it, e.g. "Run `claude` once to sign in again." Empty when nothing. */
  fix: string;
  /** True when the windows shown are an older good capture kept because the latest attempt failed. */
  stale: boolean;
  /** Plan label, e.g. "Max 20x", "Plus"; null when unknown. */
  plan: string | null;
  /** When the windows were captured at the source, epoch ms; null when there are none. */
  fetchedAt: number | null;
  /** When Headroom may next ask the source, epoch ms (set after a 429 with Retry-After); null when any time. */
  retryAt: number | null;
  windows: UsageWindow[];
  money: Money[];
  /**
   * True when the provider's tool is simply not set up for this account (every source said `unused`, e.g. no
   * `~/.gemini` login at all) and it never had data: such an account is left out of the output while any other is
   * connected (core/refresh.ts `refreshAll`) and never notifies. Absent otherwise.
   */
  unused?: boolean;
}

/**
 * A failure of a source, as a typed value (sources never throw).
 */
export interface Failure {
  status: FailureStatus;
  /** One sentence for the user; never contains a secret. */
  message: string;
  /** The fix to try; may be empty. */
  fix: string;
  /** For `rate-limited`: when the source may be asked again, epoch ms. */
  retryAt?: number;
  /**
   * True when the source is simply not set up (no Headroom sign-in, no status-line record): `auto` then passes over
   * it without a word when another source has data, and shows it only when no source has anything to say.
   */
  unused?: boolean;
}

/** The data a source produced on success. */
export interface Capture {
  source: SourceId;
  /** When the data was true at the source, epoch ms (fetch time for APIs; the log line's time for logs). */
  capturedAt: number;
  plan: string | null;
  windows: UsageWindow[];
  money: Money[];
  /** Optional note shown with ok data, e.g. "from Codex's local logs". */
  note?: string;
  /**
   * What the source calls the account it read, e.g. the claude.ai organisation's name; shown as the account's label
   * unless the user gave it one. Absent when the source has no name for it.
   */
  accountLabel?: string;
  /**
   * Parts of the source's data that were present but could not be read, and so were left out, as one human sentence
   * each, e.g. "Anthropic's seven_day_opus window could not be read." They name a key, an index or a limit's short
   * name, never a secret or a raw value. Absent when nothing was left out.
   */
  problems?: string[];
}

/** What a source returns: a capture or a typed failure. */
export type SourceResult = { ok: true; capture: Capture } | { ok: false; failure: Failure };

/** Window length in minutes of the 5-hour session window. */
export const SESSION_MINUTES = 300;
/** Window length in minutes of the weekly window. */
export const WEEKLY_MINUTES = 10080;
