/**
 * One refresh of the enabled providers: which sources to ask (sparing remote APIs through the scheduler in
 * scheduler.ts), which answer to show, and how to keep the last good data visible, marked stale, when a source
 * fails. The result is a {@link ProviderSnapshot} per provider plus the {@link Memory} a shell persists between
 * refreshes (the plugin in its state file).
 */
import { type Account, DEFAULT_ACCOUNT_ID, accountsOf } from './accounts.js';
import { CATALOG } from './catalog.js';
import { settleWindow } from './cycles.js';
import type { Failure, ProviderSnapshot, SourceResult } from './model.js';
import { type Memory, type ProviderMemory, settleClock } from './memory.js';
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
  sourceWanted,
} from './scheduler.js';
import type { ProviderSettings, Settings } from './settings.js';

export type { Memory, ProviderMemory, SourceMemory } from './memory.js';
/** The window-settling rule lives in core/cycles.ts; re-exported here for callers that imported it from refresh.ts. */
export { settleWindow };

/** A capture older than this is shown with status `stale` even though nothing failed, ms (6 h). */
export const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

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
 * Refreshes one provider. Sources are asked in the provider's `auto` order (or only the forced one); a fallback source
 * (catalog `fallback`) only after the others, and in `auto` only when the remote sources before it failed. Remote sources
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
  account: Account = accountsOf(definition, providerSettings, ports.env.home)[0]!,
): Promise<{ snapshot: ProviderSnapshot; memory: ProviderMemory }> {
  const sources = selectedSources(definition, providerSettings, account);
  const settled = Object.entries(previous?.sources ?? {}).map(([id, source]) => [
    id,
    settleClock(source, ports.clock.now()),
  ]);
  const memory: ProviderMemory = { ...previous, sources: Object.fromEntries(settled) };
  const random = options.random ?? Math.random;
  const ask = async (source: SourceDefinition): Promise<void> => {
    const before = memory.sources[source.id];
    const startedAt = ports.clock.now();
    if (!source.remote) {
      const result = await fetchSafely(source, ports, account);
      memory.sources[source.id] = result.ok
        ? { lastAttemptAt: startedAt, lastGood: result.capture, lastFailure: null }
        : { lastAttemptAt: startedAt, lastGood: before?.lastGood ?? null, lastFailure: result.failure };
      return;
    }
    // A paused source is asked again once its credentials' fingerprint changes. The fingerprint is read before
    // the attempt, so a login rewritten during it is noticed at the next refresh.
    let fingerprint = isPaused(before) ? await readFingerprint(source, ports, account) : undefined;
    if (!gateSource(before, startedAt, minIntervalMs, options.force, fingerprint).ask) return;
    if (fingerprint === undefined && source.credentialsFingerprint)
      fingerprint = await readFingerprint(source, ports, account);
    const result = await fetchSafely(source, ports, account);
    memory.sources[source.id] = recordAttempt(before, result, startedAt, fingerprint, random);
  };
  // The sources first, then each fallback if the sources before it could not be used (scheduler.ts sourceWanted).
  await Promise.all(sources.filter((source) => !source.fallback).map(ask));
  const askedFallbacks: SourceDefinition[] = [];
  for (const [index, source] of sources.entries()) {
    if (source.fallback && sourceWanted(sources, index, memory.sources)) {
      askedFallbacks.push(source);
      await ask(source);
    }
  }
  const snapshot = buildSnapshot(definition, account, sources, memory, ports.clock.now());
  // A fallback asked now that failed too (e.g. claude.ai's Cloudflare check while the OAuth API is rate-limited)
  // is named beside the failure of the source whose last values are shown.
  const alsoFailed = askedFallbacks
    .filter((source) => source.id !== snapshot.source)
    .flatMap((source) => {
      const failure = memory.sources[source.id]?.lastFailure;
      return failure && !failure.unused && snapshot.stale && failure.message !== snapshot.message
        ? [failure.message]
        : [];
    });
  if (alsoFailed.length > 0) snapshot.message = withProblems(snapshot.message, alsoFailed);
  return { snapshot, memory };
}

/**
 * Asks a source, turning a rejection (a bug, never bad input: sources return failures as values) into an `error`
 * failure of that source alone, so one provider's bug never takes the others' output with it.
 */
async function fetchSafely(source: SourceDefinition, ports: Ports, account: Account): Promise<SourceResult> {
  try {
    return await source.fetch(ports, account);
  } catch (error) {
    ports.log.warn(`${source.id} source failed: ${(error as Error | null)?.message ?? String(error)}`);
    return {
      ok: false,
      failure: {
        status: 'error',
        message: 'Headroom hit an internal error reading this source.',
        fix: 'Update Headroom.',
      },
    };
  }
}

/** A status message followed by the capture's problems (parts the source could not read), as sentences. */
function withProblems(message: string, problems: string[] = []): string {
  if (problems.length === 0) return message;
  return [message && !/[.!?]$/.test(message) ? `${message}.` : message, ...problems].filter(Boolean).join(' ');
}

/** Builds what the user sees from the sources' memories. */
function buildSnapshot(
  definition: ProviderDefinition,
  account: Account,
  sources: readonly SourceDefinition[],
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
  // A source that is merely not set up (`unused`) speaks only when no other source has anything to say; among those,
  // a missing login ("signed out", with how to sign in) speaks before a keyring the user never needed.
  const failures = entries.flatMap((entry) => entry.memory?.lastFailure ?? []);
  const primaryFailure =
    failures.find((failure) => !failure.unused) ??
    failures.find((failure) => failure.status === 'signed-out' && failure.fix !== '') ??
    failures.find((failure) => failure.status === 'signed-out') ??
    failures[0] ??
    null;
  const plan =
    capture?.plan ?? entries.map((entry) => entry.memory?.lastGood?.plan).find((p): p is string => !!p) ?? null;
  const base = {
    provider: definition.id,
    account: {
      id: account.id,
      key: account.key,
      label: (!account.labelled && capture?.accountLabel?.trim()) || account.label,
    },
    source: capture?.source ?? null,
    plan,
    fetchedAt: capture?.capturedAt ?? null,
    windows: (capture?.windows ?? []).map((window) => settleWindow(window, now)),
    money: capture?.money ?? [],
  };

  if (shown && capture && !shownFailure) {
    const old = now - capture.capturedAt > (shown.source.staleAfterMs ?? STALE_AFTER_MS);
    const fellBack = primaryFailure !== null && !primaryFailure.unused && shown !== entries[0];
    return {
      ...base,
      status: old ? 'stale' : 'ok',
      stale: false,
      message: withProblems(
        fellBack
          ? `${primaryFailure.message} Showing ${definition.name}'s ${shown.source.label} instead.`
          : old
            ? `No newer data since this capture.`
            : (capture.note ?? ''),
        old ? [] : capture.problems,
      ),
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
  const unused = capture === null && failures.length > 0 && failures.every((f) => f.unused);
  return {
    ...base,
    status: failure.status,
    stale: capture !== null,
    message: failure.message,
    fix: failure.fix,
    retryAt: failure.retryAt ?? null,
    ...(unused && { unused: true }),
  };
}

/** The outcome of {@link refreshAll}. */
export interface RefreshAllResult {
  /** One snapshot per account of every enabled provider: providers in the order of the definitions, accounts in
   * the order of core/accounts.ts (default first). */
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
 * Refreshes every account of every enabled provider concurrently. Returns their snapshots in display order, the new
 * memory (accounts not refreshed — disabled providers, removed directories, entries a newer Headroom wrote — keep
 * their old memory), whether the machine looks offline, and when to wake next. Never rejects.
 */
export async function refreshAll(
  definitions: readonly ProviderDefinition[],
  ports: Ports,
  settings: Settings,
  previous: Memory,
  options: RefreshOptions,
): Promise<RefreshAllResult> {
  const memory: Memory = { ...previous };
  const targets = definitions.flatMap((definition) => {
    const providerSettings = settings.providers[definition.id];
    if (!providerSettings?.enabled) return [];
    return accountsOf(definition, providerSettings, ports.env.home).map((account) => ({
      definition,
      account,
      providerSettings,
    }));
  });
  const results = await Promise.all(
    targets.map(({ definition, account, providerSettings }) =>
      refreshProvider(
        definition,
        ports,
        providerSettings,
        settings.minFetchIntervalSeconds * 1000,
        previous[account.key],
        options,
        account,
      ),
    ),
  );
  results.forEach((result, index) => {
    memory[targets[index]!.account.key] = result.memory;
  });
  const snapshots = results.map((result) => result.snapshot);
  return {
    snapshots: withoutUnused(snapshots),
    memory,
    offline: isOffline(memory, settings, definitions),
    nextWakeAt: nextWakeAt(memory, settings, ports.clock.now(), definitions),
  };
}

/**
 * Leaves out the accounts of a tool many users never install (catalog `hiddenUntilSetUp`, e.g. Gemini CLI) that is not
 * set up at all (`unused`) while any other account is connected (has windows or is not signed out), so that a user of
 * Claude and Codex sees no Gemini section, title item or alert. When nothing is connected every account stays, so the
 * "found no login" help names every tool. Claude and Codex always keep their sections (their local logs may still
 * give spend figures).
 */
function withoutUnused(snapshots: ProviderSnapshot[]): ProviderSnapshot[] {
  const hideable = (s: ProviderSnapshot): boolean =>
    s.unused === true && CATALOG.some((info) => info.id === s.provider && info.hiddenUntilSetUp);
  const connected = snapshots.some((s) => !s.unused && (s.windows.length > 0 || s.status !== 'signed-out'));
  return connected ? snapshots.filter((s) => !hideable(s)) : snapshots;
}

/** True for the default account of its provider (core/accounts.ts). */
export function isDefaultAccount(snapshot: ProviderSnapshot): boolean {
  return snapshot.account.id === DEFAULT_ACCOUNT_ID;
}
