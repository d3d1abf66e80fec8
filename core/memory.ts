/**
 * What Headroom remembers of each account's sources between refreshes (the `memory` of the state document): the
 * last good capture, the last failure and the scheduler's back-off. Holds no secrets.
 *
 * Stored shape (unchanged since the first release; accounts other than the default add keys):
 * `{"<account key>": {"sources": {"<source id>": SourceMemory}}}`, e.g. `{"claude": {"sources": {"api": …}},
 * "claude@claude-work": {"sources": {"api": …}}}`. Read entry by entry (core/stored.ts): an account or source entry
 * this build cannot read is kept and written back as it was.
 */
import * as z from 'zod/mini';
import type { Capture, Failure } from './model.js';
import { asObject, parseEntries, withForeign } from './stored.js';

/** What Headroom remembers of one source between refreshes. Holds no secrets. */
export interface SourceMemory {
  /** When the source was last asked, epoch ms. */
  lastAttemptAt: number | null;
  /** The newest successful capture. */
  lastGood: Capture | null;
  /** The failure of the last attempt; null when it succeeded. */
  lastFailure: Failure | null;
  /**
   * Scheduler (remote sources only; absent in state files written before it): consecutive failed attempts, for the
   * exponential back-off. Absent after a success.
   */
  failures?: number;
  /**
   * Scheduler: after a failure, the earliest instant the source may be asked again, epoch ms (a 429's retry time,
   * the end of the back-off, or the re-check of credentials that cannot be fingerprinted); null = paused until its
   * credentials change. Absent after a success (then only the minimum interval applies).
   */
  nextAllowedAt?: number | null;
  /**
   * Scheduler, after `unauthorized` or `signed-out`: the credentials' fingerprint when it failed (e.g.
   * `"/home/me/.claude/.credentials.json:471:1732252800000"`, no secret); null when unknown.
   */
  credentialsFingerprint?: string | null;
}

/** What Headroom remembers of one account: its sources' memories. */
export interface ProviderMemory {
  sources: Record<string, SourceMemory>;
  /** Source entries this build could not read (e.g. written by a newer Headroom), kept to be written back. */
  foreign?: Record<string, unknown>;
}

/** What Headroom remembers of every account, keyed by account key (`claude`, `claude@claude-work`). */
export type Memory = Record<string, ProviderMemory>;

const nullableNumber = z.nullable(z.number());
const windowSchema = z.looseObject({
  id: z.string(),
  label: z.string(),
  usedPercent: z.number(),
  resetsAt: nullableNumber,
  windowMinutes: nullableNumber,
});
const moneySchema = z.looseObject({
  id: z.string(),
  label: z.string(),
  usedMinor: nullableNumber,
  limitMinor: nullableNumber,
  balanceMinor: nullableNumber,
  currency: z.string(),
  exponent: z.number(),
  unlimited: z.boolean(),
});
const captureSchema = z.looseObject({
  source: z.string(),
  capturedAt: z.number(),
  plan: z.nullable(z.string()),
  windows: z.array(windowSchema),
  money: z.array(moneySchema),
  note: z.optional(z.string()),
  problems: z.optional(z.array(z.string())),
});
const failureSchema = z.looseObject({
  status: z.enum(['signed-out', 'unauthorized', 'rate-limited', 'offline', 'error']),
  message: z.string(),
  fix: z.string(),
  retryAt: z.optional(z.number()),
  unused: z.optional(z.boolean()),
});

/** zod schema of one {@link SourceMemory}; unknown fields are kept. */
export const sourceMemorySchema = z.looseObject({
  lastAttemptAt: nullableNumber,
  lastGood: z.nullable(captureSchema),
  lastFailure: z.nullable(failureSchema),
  failures: z.optional(z.number()),
  nextAllowedAt: z.optional(nullableNumber),
  credentialsFingerprint: z.optional(z.nullable(z.string())),
});

const accountShape = z.looseObject({ sources: z.unknown() });

/** Parsed memory plus the account entries this build could not read at all. */
export interface ParsedMemory {
  memory: Memory;
  /** Whole account entries that are not `{sources: {…}}` objects, kept to be written back. */
  foreign: Record<string, unknown>;
}

/**
 * Parses persisted memory (any JSON value) entry by entry. Never throws; anything that is not an object gives an
 * empty memory (losing the cache costs one extra fetch, never a crash).
 */
export function parseMemory(value: unknown): ParsedMemory {
  const accounts = parseEntries(value, accountShape);
  const memory: Memory = {};
  for (const [key, account] of Object.entries(accounts.entries)) {
    if (!asObject(account.sources)) {
      accounts.foreign[key] = account;
      continue;
    }
    const { sources: rawSources, ...rest } = account;
    const sources = parseEntries(rawSources, sourceMemorySchema);
    memory[key] = {
      ...rest,
      sources: sources.entries as Record<string, SourceMemory>,
      ...(Object.keys(sources.foreign).length ? { foreign: sources.foreign } : {}),
    };
  }
  return { memory, foreign: accounts.foreign };
}

/** Memory as stored JSON: foreign entries written back where they were, parsed ones over them. */
export function serializeMemory(memory: Memory, foreign: Record<string, unknown> = {}): object {
  const accounts: Record<string, object> = {};
  for (const [key, account] of Object.entries(memory)) {
    const { foreign: foreignSources, sources, ...rest } = account;
    accounts[key] = { ...rest, sources: withForeign(sources, foreignSources) };
  }
  return withForeign(accounts, foreign);
}
