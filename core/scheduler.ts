/**
 * When a remote source may be asked again: the scheduler that spares the providers' APIs. Pure apart from
 * {@link readFingerprint}, which stats local files through the ports.
 *
 * The state lives in each remote source's {@link SourceMemory} (persisted by the shells, so the SwiftBar plugin's
 * short runs keep it):
 * - after a success: only the minimum interval (`settings.minFetchIntervalSeconds`) applies;
 * - `rate-limited` (HTTP 429): never before the failure's `retryAt` (the server's Retry-After, or the 5-minute
 *   default of core/http.ts), not even when forced;
 * - `error` (5xx, malformed bodies …) and `offline`: exponential back-off 1, 2, 4, … min with ±10 % jitter, capped
 *   at 30 min; a forced refresh ("Refresh now") skips it; a success resets it;
 * - `unauthorized` (401/403) and `signed-out`: paused until the source's credentials change (their fingerprint
 *   differs from the one recorded at the failure); when the fingerprint is unknown (the macOS Keychain), re-checked
 *   every 15 min (±10 %). A forced refresh asks anyway.
 *
 * Single-flight (one refresh at a time) is the shell's job. Local sources (log files) are never gated.
 */
import { type Account, accountsOf, isOrganizationAccount } from './accounts.js';
import type { FailureStatus, SourceResult } from './model.js';
import type { Ports } from './ports.js';
import type { ProviderDefinition, SourceDefinition } from './provider.js';
import { PROVIDERS } from './providers/index.js';
import type { Memory, SourceMemory } from './memory.js';
import type { ProviderSettings, Settings } from './settings.js';

/** The first back-off after an `error` or `offline` failure, ms (1 min); it doubles with every further failure. */
export const BACKOFF_BASE_MS = 60_000;
/** The longest back-off, ms (30 min), before jitter. */
export const BACKOFF_MAX_MS = 30 * 60_000;
/** Jitter applied to computed delays: ±10 %. Never applied to a server's Retry-After. */
export const JITTER_RATIO = 0.1;
/** A 429 whose failure carries no `retryAt` blocks the source this long, ms (5 min) ± jitter. */
export const RATE_LIMIT_DEFAULT_MS = 5 * 60_000;
/** How often a paused source whose credentials cannot be fingerprinted is re-checked, ms (15 min) ± jitter. */
export const CREDENTIALS_RECHECK_MS = 15 * 60_000;

/** A source of uniform random numbers in [0, 1), like `Math.random`; injectable so tests are deterministic. */
export type Random = () => number;

/** Failures that pause a source until its credentials change. */
const PAUSING: ReadonlySet<FailureStatus> = new Set<FailureStatus>(['unauthorized', 'signed-out']);
/** Failures that back off exponentially. */
const BACKING_OFF: ReadonlySet<FailureStatus> = new Set<FailureStatus>(['error', 'offline']);

/** Why a source is not asked now. */
export type GateReason = 'interval' | 'rate-limited' | 'backoff' | 'paused';

/**
 * Whether to ask a source now. When not: why, and until when (epoch ms; null = until its credentials change).
 */
export type SourceGate = { ask: true } | { ask: false; reason: GateReason; until: number | null };

const ASK: SourceGate = { ask: true };

/** `ms` ± {@link JITTER_RATIO}, driven by `random` (0.5 gives exactly `ms`). Never negative. */
export function withJitter(ms: number, random: Random): number {
  const r = safeRandom(random);
  return Math.max(0, Math.round(ms * (1 + (2 * r - 1) * JITTER_RATIO)));
}

/**
 * The back-off after `failures` consecutive failures (1 → 1 min, 2 → 2 min, 3 → 4 min, …) with ±10 % jitter, never
 * above 30 min (at the cap the jitter only shortens it: 27–30 min), ms.
 */
export function backoffDelay(failures: number, random: Random): number {
  const n = Number.isFinite(failures) ? Math.max(1, Math.floor(failures)) : 1;
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(n - 1, 30));
  return Math.min(BACKOFF_MAX_MS, withJitter(base, random));
}

function safeRandom(random: Random): number {
  try {
    const r = random();
    return Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0.5;
  } catch {
    return 0.5;
  }
}

/** True when the source's last failure paused it until its credentials change (memory written by this scheduler). */
export function isPaused(memory: SourceMemory | undefined): boolean {
  return (
    memory?.lastFailure !== null &&
    memory?.lastFailure !== undefined &&
    PAUSING.has(memory.lastFailure.status) &&
    memory.nextAllowedAt !== undefined
  );
}

/**
 * Decides whether to ask a remote source at `now`.
 *
 * - `memory`: the source's memory (undefined: never asked → ask).
 * - `minIntervalMs`: the least time between two unforced calls.
 * - `force`: the user asked for a refresh: skips the interval, back-off and pause, never a 429's retry time.
 * - `fingerprint`: the credentials' fingerprint now, when the caller read it (see {@link readFingerprint});
 *   undefined when not read. A paused source is asked once it differs from the one recorded at the failure.
 *
 * Memory from before the scheduler (no `nextAllowedAt`) gets the old rules: the interval, and a 429's `retryAt`.
 */
export function gateSource(
  memory: SourceMemory | undefined,
  now: number,
  minIntervalMs: number,
  force: boolean,
  fingerprint?: string | null,
): SourceGate {
  if (!memory) return ASK;
  const failure = memory.lastFailure;
  if (failure?.status === 'rate-limited') {
    const retryAt = memory.nextAllowedAt ?? failure.retryAt ?? null;
    if (retryAt !== null && now < retryAt) return { ask: false, reason: 'rate-limited', until: retryAt };
  }
  if (force) return ASK;
  const intervalEnd = memory.lastAttemptAt === null ? null : memory.lastAttemptAt + Math.max(0, minIntervalMs);
  const inInterval = intervalEnd !== null && now < intervalEnd;
  if (failure && isPaused(memory)) {
    const recorded = memory.credentialsFingerprint ?? null;
    const changed = fingerprint !== undefined && fingerprint !== recorded;
    const due = typeof memory.nextAllowedAt === 'number' && now >= memory.nextAllowedAt;
    if (!changed && !due) {
      const until = memory.nextAllowedAt ?? null;
      return { ask: false, reason: 'paused', until: until === null ? null : Math.max(until, intervalEnd ?? until) };
    }
    return inInterval ? { ask: false, reason: 'interval', until: intervalEnd } : ASK;
  }
  if (failure && BACKING_OFF.has(failure.status) && typeof memory.nextAllowedAt === 'number') {
    if (now < memory.nextAllowedAt) {
      return { ask: false, reason: 'backoff', until: Math.max(memory.nextAllowedAt, intervalEnd ?? 0) };
    }
  }
  return inInterval ? { ask: false, reason: 'interval', until: intervalEnd } : ASK;
}

/**
 * The earliest instant an unforced refresh may ask the source (epoch ms); null when it is paused until its
 * credentials change. A source never asked may be asked at any time (`-Infinity`).
 */
export function allowedAt(memory: SourceMemory | undefined, minIntervalMs: number): number | null {
  if (!memory) return -Infinity;
  const intervalEnd = memory.lastAttemptAt === null ? -Infinity : memory.lastAttemptAt + Math.max(0, minIntervalMs);
  const failure = memory.lastFailure;
  if (!failure) return intervalEnd;
  if (failure.status === 'rate-limited') {
    return Math.max(intervalEnd, memory.nextAllowedAt ?? failure.retryAt ?? -Infinity);
  }
  if (memory.nextAllowedAt === null) return null;
  return Math.max(intervalEnd, memory.nextAllowedAt ?? -Infinity);
}

/**
 * The memory of a remote source after one attempt started at `startedAt` (epoch ms).
 *
 * - success: `{lastAttemptAt, lastGood, lastFailure: null}` (back-off reset);
 * - failure: the last good capture is kept, `failures` counts consecutive failures, and `nextAllowedAt` is set as
 *   described in the module comment; `fingerprint` (read before the attempt) is recorded for `unauthorized` and
 *   `signed-out`.
 */
export function recordAttempt(
  before: SourceMemory | undefined,
  result: SourceResult,
  startedAt: number,
  fingerprint: string | null | undefined,
  random: Random,
): SourceMemory {
  if (result.ok) return { lastAttemptAt: startedAt, lastGood: result.capture, lastFailure: null };
  const failure = result.failure;
  const failures = (before?.lastFailure ? (before.failures ?? 1) : 0) + 1;
  const memory: SourceMemory = {
    lastAttemptAt: startedAt,
    lastGood: before?.lastGood ?? null,
    lastFailure: failure,
    failures,
  };
  switch (failure.status) {
    case 'rate-limited':
      memory.nextAllowedAt = failure.retryAt ?? startedAt + withJitter(RATE_LIMIT_DEFAULT_MS, random);
      break;
    case 'error':
    case 'offline':
      memory.nextAllowedAt = startedAt + backoffDelay(failures, random);
      break;
    case 'unauthorized':
    case 'signed-out': {
      const known = fingerprint ?? null;
      memory.credentialsFingerprint = known;
      memory.nextAllowedAt = known === null ? startedAt + withJitter(CREDENTIALS_RECHECK_MS, random) : null;
      break;
    }
  }
  return memory;
}

/** The source's credentials fingerprint; null when it has none, it is unknown, or reading it failed. Never rejects. */
export async function readFingerprint(
  source: SourceDefinition,
  ports: Ports,
  account: Account,
): Promise<string | null> {
  if (!source.credentialsFingerprint) return null;
  try {
    return await source.credentialsFingerprint(ports, account);
  } catch {
    return null;
  }
}

/**
 * The sources a provider's settings select for an account, in order: all of them in `auto`, else the chosen one.
 * An organisation source (catalog `organizations`) never serves an extra configuration directory, and a further
 * organisation's account (core/accounts.ts) is served by the organisation source alone.
 */
export function selectedSources(
  definition: ProviderDefinition,
  choice: Pick<ProviderSettings, 'source'>,
  account?: Account,
): readonly SourceDefinition[] {
  const chosen =
    choice.source === 'auto' ? definition.sources : definition.sources.filter((source) => source.id === choice.source);
  if (!account) return chosen;
  if (isOrganizationAccount(account)) return chosen.filter((source) => source.organizations);
  return account.directory ? chosen.filter((source) => !source.organizations) : chosen;
}

/**
 * True when the source at `index` of `sources` (a provider's sources in `auto` order) should be asked: always for a
 * source that is not a fallback; for a fallback (catalog `fallback`), only when every remote non-fallback source
 * before it failed its last attempt (`lastFailure` set in `memory`, the provider's source memories) for a reason the
 * fallback may get around: a login problem or an error, not `offline`, nor `rate-limited` unless the fallback has
 * rate limits of its own (catalog `ownRateLimits`; otherwise it would reach the same limited service).
 */
export function sourceWanted(
  sources: readonly SourceDefinition[],
  index: number,
  memory: Readonly<Record<string, SourceMemory>> | undefined,
): boolean {
  const fallback = sources[index];
  if (!fallback?.fallback) return true;
  return sources
    .slice(0, index)
    .filter((source) => source.remote && !source.fallback)
    .every((source) => {
      const status = memory?.[source.id]?.lastFailure?.status;
      return (
        status !== undefined && status !== 'offline' && (status !== 'rate-limited' || fallback.ownRateLimits === true)
      );
    });
}

/** Every enabled account's selected remote sources with their memories (fallbacks only while wanted). */
function remoteSources(
  memory: Memory,
  settings: Settings,
  definitions: readonly ProviderDefinition[],
): { key: string; memory: SourceMemory | undefined }[] {
  return definitions.flatMap((definition) => {
    const providerSettings = settings.providers[definition.id];
    if (!providerSettings?.enabled) return [];
    return accountsOf(definition, providerSettings).flatMap((account) => {
      const selected = selectedSources(definition, providerSettings, account);
      const sources = memory[account.key]?.sources;
      return selected
        .filter((source, index) => source.remote && sourceWanted(selected, index, sources))
        .map((source) => ({ key: account.key, memory: sources?.[source.id] }));
    });
  });
}

/**
 * The earliest instant (epoch ms, never before `now`) at which an unforced refresh may ask any enabled provider's
 * remote source: a shell's timer waits `max(its interval, result − now)`, so polling pauses while every provider is
 * blocked (rate-limited, backing off). Null when no remote source can be asked at a known time (none is enabled, or
 * each is paused until its credentials change): the shell keeps its own interval; such refreshes only read local
 * files. Local sources (Codex's logs) do not keep polling alive.
 *
 * `definitions` defaults to every provider Headroom knows.
 */
export function nextWakeAt(
  memory: Memory,
  settings: Settings,
  now: number,
  definitions: readonly ProviderDefinition[] = PROVIDERS,
): number | null {
  const minIntervalMs = settings.minFetchIntervalSeconds * 1000;
  let earliest: number | null = null;
  for (const source of remoteSources(memory, settings, definitions)) {
    const at = allowedAt(source.memory, minIntervalMs);
    if (at !== null && (earliest === null || at < earliest)) earliest = at;
  }
  return earliest === null ? null : Math.max(now, earliest);
}

/**
 * True when every enabled provider's selected remote source failed its last attempt as `offline` (and there is at
 * least one): the presenter can say "You're offline" instead of one error per provider.
 */
export function isOffline(
  memory: Memory,
  settings: Settings,
  definitions: readonly ProviderDefinition[] = PROVIDERS,
): boolean {
  const sources = remoteSources(memory, settings, definitions);
  return sources.length > 0 && sources.every((source) => source.memory?.lastFailure?.status === 'offline');
}
