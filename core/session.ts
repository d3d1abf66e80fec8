/**
 * One refresh as both shells run it: ask the providers (sparing their APIs), record history samples, decide which
 * alerts to notify, and carry everything the next run needs in one state document. The SwiftBar plugin and the
 * GNOME extension share the document (`~/.local/state/headroom/state.json`) and the history file next to it
 * (`history.jsonl`), so together they ask no more often, and notify no more than once, than one of them would.
 */
import { type Alert, evaluateAlerts } from './alerts.js';
import { type History, type Sample, recordSamples } from './history.js';
import type { ProviderSnapshot } from './model.js';
import type { Ports } from './ports.js';
import { PROVIDERS } from './providers/index.js';
import { refreshAll } from './refresh.js';
import type { Settings } from './settings.js';
import type { StateDocument } from './state.js';

export { type StateDocument, deserializeState, emptyState, serializeState } from './state.js';

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
  const evaluated = evaluateAlerts(state.alerts, refreshed.snapshots, settings.alerts, now, {
    names: accountNames(refreshed.snapshots),
    usageUrls: Object.fromEntries(PROVIDERS.map((p) => [p.id, p.usageUrl])),
    locale: { locale: settings.locale },
  });
  return {
    snapshots: refreshed.snapshots,
    state: { ...state, memory: refreshed.memory, alerts: evaluated.memory },
    alerts: evaluated.alerts,
    samples: recorded.samples,
    offline: refreshed.offline,
    nextWakeAt: refreshed.nextWakeAt,
    historyError: recorded.error,
  };
}

/**
 * What alerts call each account: the provider's name alone while it has one account ("Claude"), with the account's
 * label when it has several ("Claude (~/.claude-work)"). Keyed by account key.
 */
export function accountNames(snapshots: readonly ProviderSnapshot[]): Record<string, string> {
  const names: Record<string, string> = {};
  for (const snapshot of snapshots) {
    const name = PROVIDERS.find((p) => p.id === snapshot.provider)?.name ?? snapshot.provider;
    const several = snapshots.filter((s) => s.provider === snapshot.provider).length > 1;
    names[snapshot.account.key] = several ? `${name} (${snapshot.account.label})` : name;
  }
  return names;
}
