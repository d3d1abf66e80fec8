/**
 * One refresh of the enabled providers: which sources to ask (sparing remote APIs through the scheduler in
 * scheduler.ts), which answer to show, and how to keep the last good data visible, marked stale, when a source
 * fails. The result is a {@link ProviderSnapshot} per provider plus the {@link Memory} a shell persists between
 * refreshes (the plugin in its state file).
 */
import * as z from 'zod/mini';
import { settleWindow } from './cycles.js';
import type { Capture, Failure, ProviderId, ProviderSnapshot, SourceId } from './model.js';
import type { Ports } from './ports.js';
import type { ProviderDefinition, SourceDefinition } from './provider.js';
import {
  type Random,
  gateSource,
  isOffline,
  isPaused,
  nextWakeAt,
  readFingerprint,
  recordAttempt,
  selectedSources,
} from './scheduler.js';
import type { ProviderSettings, Settings } from './settings.js';

/** The window-settling rule lives in core/cycles.ts; re-exported here for callers that imported it from refresh.ts. */
export { settleWindow };

/** A capture older than this is shown with status `stale` even though nothing failed, ms (6 h). */
export const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

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

/** What Headroom remembers of one provider: its sources' memories. */
export interface ProviderMemory {
  sources: Partial<Record<SourceId, SourceMemory>>;
}

/** What Headroom remembers of every provider. */
export type Memory = Partial<Record<ProviderId, ProviderMemory>>;

const nullableNumber = z.nullable(z.number());
const windowSchema = z.object({
  id: z.string(),
  label: z.string(),
  usedPercent: z.number(),
  resetsAt: nullableNumber,
  windowMinutes: nullableNumber,
});
const moneySchema = z.object({
  id: z.string(),
  label: z.string(),
  usedMinor: nullableNumber,
  limitMinor: nullableNumber,
  balanceMinor: nullableNumber,
  currency: z.string(),
  exponent: z.number(),
  unlimited: z.boolean(),
});
const sourceIdSchema = z.enum(['api', 'logs']);
const captureSchema = z.object({
  source: sourceIdSchema,
  capturedAt: z.number(),
  plan: z.nullable(z.string()),
  windows: z.array(windowSchema),
  money: z.array(moneySchema),
  note: z.optional(z.string()),
});
const failureSchema = z.object({
  status: z.enum(['signed-out', 'unauthorized', 'rate-limited', 'offline', 'error']),
  message: z.string(),
  fix: z.string(),
  retryAt: z.optional(z.number()),
});
const sourceMemorySchema = z.object({
  lastAttemptAt: nullableNumber,
  lastGood: z.nullable(captureSchema),
  lastFailure: z.nullable(failureSchema),
  failures: z.optional(z.number()),
  nextAllowedAt: z.optional(nullableNumber),
  credentialsFingerprint: z.optional(z.nullable(z.string())),
});
const providerMemorySchema = z.object({
  sources: z.partialRecord(sourceIdSchema, sourceMemorySchema),
});

/** zod schema of {@link Memory}, for shells that persist it as JSON. */
export const memorySchema = z.partialRecord(z.enum(['claude', 'codex']), providerMemorySchema);

/**
 * Parses persisted memory (any JSON value). Returns an empty memory for anything malformed: losing the cache costs
 * one extra fetch, never a crash.
 */
export function parseMemory(value: unknown): Memory {
  const parsed = memorySchema.safeParse(value);
  return parsed.success ? (parsed.data as Memory) : {};
}

/** Options of one refresh. */
export interface RefreshOptions {
  /**
   * The user asked ("Refresh now"): ask remote sources now despite the minimum interval, an error back-off or a
   * sign-in pause. A 429's retry time still holds.
   */
  force: boolean;
  /** Random numbers in [0, 1) for the back-off's jitter; default `Math.random`. */
  random?: Random;
}

/**
 * Refreshes one provider. Sources are asked in the provider's `auto` order (or only the forced one). Remote sources
 * are spared by the scheduler (scheduler.ts): not asked again within `minIntervalMs` (ms) unless `force`, never
 * before a rate-limit's retry time, backed off exponentially after errors and while offline, and paused after a
 * sign-in problem until their credentials change. Local sources are read every time. Never rejects.
 *
 * Choosing what to show: the freshest good capture of any source wins (so Codex's local logs win over a cached API
 * answer when a newer turn wrote them, and a minute-old API answer wins over days-old logs). When the source of that
 * capture failed its last attempt, its failure is the status and the capture stays visible with `stale: true`.
 */
export async function refreshProvider(
  definition: ProviderDefinition,
  ports: Ports,
  providerSettings: ProviderSettings,
  minIntervalMs: number,
  previous: ProviderMemory | undefined,
  options: RefreshOptions,
): Promise<{ snapshot: ProviderSnapshot; memory: ProviderMemory }> {
  const sources = selectedSources(definition, providerSettings);
  const memory: ProviderMemory = { sources: { ...previous?.sources } };
  const random = options.random ?? Math.random;
  await Promise.all(
    sources.map(async (source) => {
      const before = memory.sources[source.id];
      const startedAt = ports.clock.now();
      if (!source.remote) {
        const result = await source.fetch(ports);
        memory.sources[source.id] = result.ok
          ? { lastAttemptAt: startedAt, lastGood: result.capture, lastFailure: null }
          : { lastAttemptAt: startedAt, lastGood: before?.lastGood ?? null, lastFailure: result.failure };
        return;
      }
      // A paused source is asked again once its credentials' fingerprint changes. The fingerprint is read before
      // the attempt, so a login rewritten during it is noticed at the next refresh.
      let fingerprint = isPaused(before) ? await readFingerprint(source, ports) : undefined;
      if (!gateSource(before, startedAt, minIntervalMs, options.force, fingerprint).ask) return;
      if (fingerprint === undefined && source.credentialsFingerprint)
        fingerprint = await readFingerprint(source, ports);
      const result = await source.fetch(ports);
      memory.sources[source.id] = recordAttempt(before, result, startedAt, fingerprint, random);
    }),
  );
  return { snapshot: buildSnapshot(definition, sources, memory, ports.clock.now()), memory };
}

/** Builds what the user sees from the sources' memories. */
function buildSnapshot(
  definition: ProviderDefinition,
  sources: SourceDefinition[],
  memory: ProviderMemory,
  now: number,
): ProviderSnapshot {
  const entries = sources.map((source) => ({ source, memory: memory.sources[source.id] }));
  const shown = entries.reduce<(typeof entries)[number] | undefined>(
    (best, entry) =>
      entry.memory?.lastGood && (!best || entry.memory.lastGood.capturedAt > (best.memory?.lastGood?.capturedAt ?? 0))
        ? entry
        : best,
    undefined,
  );
  const capture = shown?.memory?.lastGood ?? null;
  const shownFailure = shown?.memory?.lastFailure ?? null;
  const primaryFailure = entries.find((entry) => entry.memory?.lastFailure)?.memory?.lastFailure ?? null;
  const plan =
    capture?.plan ?? entries.map((entry) => entry.memory?.lastGood?.plan).find((p): p is string => !!p) ?? null;
  const base = {
    provider: definition.id,
    source: capture?.source ?? null,
    plan,
    fetchedAt: capture?.capturedAt ?? null,
    windows: (capture?.windows ?? []).map((window) => settleWindow(window, now)),
    money: capture?.money ?? [],
  };

  if (shown && capture && !shownFailure) {
    const old = now - capture.capturedAt > STALE_AFTER_MS;
    const fellBack = primaryFailure !== null && shown !== entries[0];
    return {
      ...base,
      status: old ? 'stale' : 'ok',
      stale: false,
      message: fellBack
        ? `${primaryFailure.message} Showing ${definition.name}'s ${shown.source.label} instead.`
        : old
          ? `No newer data since this capture.`
          : (capture.note ?? ''),
      fix: fellBack ? primaryFailure.fix : '',
      retryAt: primaryFailure?.retryAt ?? null,
    };
  }
  const failure: Failure = shownFailure ??
    primaryFailure ?? {
      status: 'error',
      message: `No ${definition.name} source is enabled.`,
      fix: 'Choose a source in the settings.',
    };
  return {
    ...base,
    status: failure.status,
    stale: capture !== null,
    message: failure.message,
    fix: failure.fix,
    retryAt: failure.retryAt ?? null,
  };
}

/** The outcome of {@link refreshAll}. */
export interface RefreshAllResult {
  /** One snapshot per enabled provider, in the order of the definitions. */
  snapshots: ProviderSnapshot[];
  /** The memory to persist. */
  memory: Memory;
  /** True when every enabled remote source's last attempt failed as `offline`: "You're offline". */
  offline: boolean;
  /**
   * The earliest instant an unforced refresh may ask any remote source, epoch ms (see `nextWakeAt` in
   * scheduler.ts); null when none can be asked at a known time.
   */
  nextWakeAt: number | null;
}

/**
 * Refreshes every enabled provider concurrently. Returns their snapshots in the order of `definitions`, the new
 * memory (disabled providers keep their old memory), whether the machine looks offline, and when to wake next.
 * Never rejects.
 */
export async function refreshAll(
  definitions: ProviderDefinition[],
  ports: Ports,
  settings: Settings,
  previous: Memory,
  options: RefreshOptions,
): Promise<RefreshAllResult> {
  const memory: Memory = { ...previous };
  const enabled = definitions.filter((definition) => settings.providers[definition.id].enabled);
  const results = await Promise.all(
    enabled.map((definition) =>
      refreshProvider(
        definition,
        ports,
        settings.providers[definition.id],
        settings.minFetchIntervalSeconds * 1000,
        previous[definition.id],
        options,
      ),
    ),
  );
  results.forEach((result, index) => {
    memory[enabled[index]!.id] = result.memory;
  });
  return {
    snapshots: results.map((result) => result.snapshot),
    memory,
    offline: isOffline(memory, settings, definitions),
    nextWakeAt: nextWakeAt(memory, settings, ports.clock.now(), definitions),
  };
}
