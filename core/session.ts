/**
 * One refresh as both shells run it: ask the providers (sparing their APIs), record history samples, decide which
 * alerts to notify, and carry everything the next run needs in one state document. The SwiftBar plugin and the
 * GNOME extension share the document (`~/.local/state/headroom/state.json`) and the history file next to it
 * (`history.jsonl`), so together they ask no more often, and notify no more than once, than one of them would.
 */
import { type Alert, type AlertMemory, emptyAlertMemory, evaluateAlerts, parseAlertMemory } from './alerts.js';
import { type History, type Sample, recordSamples } from './history.js';
import type { ProviderId, ProviderSnapshot } from './model.js';
import type { Ports } from './ports.js';
import { PROVIDERS } from './providers/index.js';
import { type Memory, parseMemory, refreshAll } from './refresh.js';
import type { Settings } from './settings.js';

/** What Headroom keeps between refreshes. Holds no secrets. */
export interface StateDocument {
  /** Per provider and source: last good capture, last failure, back-off. */
  memory: Memory;
  /** What has been notified in which window cycle. */
  alerts: AlertMemory;
}

/** An empty state: the first run. */
export function emptyState(): StateDocument {
  return { memory: {}, alerts: emptyAlertMemory() };
}

/** The state file's text: `{"version":1,"memory":…,"alerts":…}`. */
export function serializeState(state: StateDocument): string {
  return `${JSON.stringify({ version: 1, memory: state.memory, alerts: state.alerts })}\n`;
}

/** Reads a state file's text; anything unreadable or of another version gives an empty state. */
export function deserializeState(text: string | null): StateDocument {
  try {
    const document = JSON.parse(text ?? '') as { version?: unknown; memory?: unknown; alerts?: unknown } | null;
    if (document?.version !== 1) return emptyState();
    return { memory: parseMemory(document.memory), alerts: parseAlertMemory(document.alerts) };
  } catch {
    return emptyState();
  }
}

/** The outcome of {@link runRefresh}. */
export interface RefreshOutcome {
  snapshots: ProviderSnapshot[];
  /** The state to save. */
  state: StateDocument;
  /** Alerts to show now (already de-duplicated against the state). */
  alerts: Alert[];
  /** Every history sample, oldest first (empty without a history file). */
  samples: readonly Sample[];
  /** True when every enabled remote source is offline. */
  offline: boolean;
  /** The earliest time a refresh may ask a provider again, epoch ms; null when none can be asked at a known time. */
  nextWakeAt: number | null;
  /** Problems with the history file, for the log; null when none. */
  historyError: string | null;
}

/**
 * Refreshes every enabled provider, records history and evaluates alerts. Never rejects. `force` asks the APIs even
 * within the minimum interval (the Refresh item); Retry-After still holds.
 */
export async function runRefresh(
  ports: Ports,
  settings: Settings,
  state: StateDocument,
  history: History | null,
  options: { force: boolean },
): Promise<RefreshOutcome> {
  const refreshed = await refreshAll(PROVIDERS, ports, settings, state.memory, { force: options.force });
  const now = ports.clock.now();
  const recorded = history
    ? await recordSamples(history, refreshed.snapshots, now)
    : { samples: [] as readonly Sample[], error: null };
  const names = Object.fromEntries(PROVIDERS.map((p) => [p.id, p.name])) as Record<ProviderId, string>;
  const usageUrls = Object.fromEntries(PROVIDERS.map((p) => [p.id, p.usageUrl])) as Record<ProviderId, string>;
  const evaluated = evaluateAlerts(state.alerts, refreshed.snapshots, settings.alerts, now, {
    names,
    usageUrls,
    locale: { locale: settings.locale },
  });
  return {
    snapshots: refreshed.snapshots,
    state: { memory: refreshed.memory, alerts: evaluated.memory },
    alerts: evaluated.alerts,
    samples: recorded.samples,
    offline: refreshed.offline,
    nextWakeAt: refreshed.nextWakeAt,
    historyError: recorded.error,
  };
}
