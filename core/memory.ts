/**
 * What Headroom remembers of each account's sources between refreshes (the `memory` of the state document): the
 * last good capture, the last failure and the scheduler's back-off. Holds no secrets.
 *
 * Stored shape (unchanged since the first release; accounts other than the default add keys):
 * `{"<account key>": {"sources": {"<source id>": SourceMemory}}}`, e.g. `{"claude": {"sources": {"api": …}},
 * "claude@claude-work": {"sources": {"api": …}}}`. Read entry by entry (core/stored.ts): an account or source entry
 * this build cannot read is kept and written back as it was. Numbers are range-checked as the parsers check them
 * (core/ranges.ts): an instant or amount out of range reads as unknown, a window of a percent out of range or a
 * money entry of an unusable currency or exponent is dropped, a capture of an impossible time is forgotten.
 */
import * as z from 'zod/mini';
import type { Capture, Failure } from './model.js';
import {
  checkCurrency,
  checkDurationSeconds,
  checkExponent,
  checkInstant,
  checkMinorUnits,
  checkPercent,
} from './ranges.js';
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
/** A stored instant, epoch ms; one out of range (core/ranges.ts) reads as unknown (null). */
const storedInstant = z.pipe(
  z.nullable(z.number()),
  z.transform((value: number | null) => checkInstant(value)),
);
/** A stored amount, minor units; one out of range reads as unknown (null). */
const storedMinor = z.pipe(
  z.nullable(z.number()),
  z.transform((value: number | null) => checkMinorUnits(value)),
);
const windowSchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  label: z.string(),
  usedPercent: z.number().check(z.refine((value) => checkPercent(value) !== null)),
  resetsAt: storedInstant,
  windowMinutes: z.pipe(
    nullableNumber,
    z.transform((value: number | null) =>
      value !== null && value > 0 && checkDurationSeconds(value * 60) !== null ? value : null,
    ),
  ),
});
const moneySchema = z.looseObject({
  id: z.string(),
  label: z.string(),
  usedMinor: storedMinor,
  limitMinor: storedMinor,
  balanceMinor: storedMinor,
  currency: z.string().check(z.refine((value) => checkCurrency(value) === value)),
  exponent: z.number().check(z.refine((value) => checkExponent(value) !== null)),
  unlimited: z.boolean(),
  unknown: z.optional(z.literal(true)),
});
/** A list of which only the elements `schema` reads are kept: one bad window drops that window, not the capture. */
function readableElements<T>(schema: z.ZodMiniType<T>) {
  return z.pipe(
    z.array(z.unknown()),
    z.transform((values: unknown[]) =>
      values.flatMap((value) => {
        const parsed = schema.safeParse(value);
        return parsed.success ? [parsed.data] : [];
      }),
    ),
  );
}
const captureSchema = z.looseObject({
  source: z.string(),
  capturedAt: z.number().check(z.refine((value) => checkInstant(value) !== null)),
  plan: z.nullable(z.string()),
  windows: readableElements(windowSchema),
  money: readableElements(moneySchema),
  note: z.optional(z.string()),
  accountLabel: z.optional(z.string()),
  problems: z.optional(z.array(z.string())),
});
/** A stored capture; one that cannot be read (e.g. a capture time out of range) is forgotten (null). */
const storedCapture = z.pipe(
  z.unknown(),
  z.transform((value: unknown) => {
    const parsed = captureSchema.safeParse(value);
    return parsed.success ? parsed.data : null;
  }),
);
const failureSchema = z.looseObject({
  status: z.enum(['signed-out', 'unauthorized', 'rate-limited', 'offline', 'error']),
  message: z.string(),
  fix: z.string(),
  retryAt: z.optional(
    z.pipe(
      z.number(),
      z.transform((value: number) => checkInstant(value) ?? undefined),
    ),
  ),
  unused: z.optional(z.boolean()),
});

/** zod schema of one {@link SourceMemory}; unknown fields are kept. */
export const sourceMemorySchema = z.looseObject({
  lastAttemptAt: storedInstant,
  lastGood: storedCapture,
  lastFailure: z.nullable(failureSchema),
  failures: z.optional(z.number()),
  // Out of range: unknown, i.e. the rules of memory written before the scheduler (never a pause).
  nextAllowedAt: z.optional(
    z.pipe(
      nullableNumber,
      z.transform((value: number | null) => (value === null ? null : (checkInstant(value) ?? undefined))),
    ),
  ),
  credentialsFingerprint: z.optional(z.nullable(z.string())),
});

const accountShape = z.looseObject({ sources: z.unknown() });

/**
 * A source's memory as of `now` (epoch ms) on a clock that may have been ahead when it was written (`HEADROOM_NOW`,
 * a wrong RTC): a capture or attempt time in the future is treated as now, and the back-off, retry time or sign-in
 * pause decided at such an attempt is lifted (it ends now), so one run with a wrong clock never freezes polling.
 */
export function settleClock(memory: SourceMemory, now: number): SourceMemory {
  const fromFuture = memory.lastAttemptAt !== null && memory.lastAttemptAt > now;
  const capture = memory.lastGood;
  if (!fromFuture && !(capture && capture.capturedAt > now)) return memory;
  return {
    ...memory,
    lastAttemptAt: fromFuture ? now : memory.lastAttemptAt,
    lastGood: capture && capture.capturedAt > now ? { ...capture, capturedAt: now } : capture,
    ...(fromFuture && memory.nextAllowedAt !== undefined && { nextAllowedAt: now }),
    ...(fromFuture &&
      memory.lastFailure?.retryAt !== undefined && { lastFailure: { ...memory.lastFailure, retryAt: now } }),
  };
}

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
