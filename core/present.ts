/**
 * The menu as the user reads it, independent of where it is drawn: the menu-bar / top-bar title and one section per
 * provider with its windows, money and status. The SwiftBar plugin, the CLI and the GNOME extension only render this.
 */
import { cycleSamples } from './cycles.js';
import type { Sample } from './history.js';
import type { ProviderId, ProviderSnapshot, Status } from './model.js';
import { forecast, forecastText, linearPace, paceText } from './pace.js';
import type { ProviderDefinition } from './provider.js';
import type { Settings } from './settings.js';
import { type SparklinePoint, sparklinePoints, sparklineText } from './sparkline.js';
import {
  type LocaleOptions,
  type Severity,
  formatClockTime,
  formatLocalTime,
  formatMoney,
  formatPercent,
  formatResetCountdown,
  formatShownPercent,
  maxSeverity,
  severityOf,
  shownPercent,
} from './format.js';

/** One usage window, ready to draw. */
export interface WindowView {
  id: string;
  label: string;
  /** Percent used, 0–100+ (after the reset rule), as the source reported it (not rounded). */
  usedPercent: number;
  /**
   * The whole percent the display mode shows: used (rounded half up), or 100 − that (see `shownPercent` in
   * format.ts).
   */
  shownPercent: number;
  /** "37% used" or "63% left": {@link shownPercent} with its word. */
  percentText: string;
  /** Fill of a progress bar, 0–1, following the display mode: {@link shownPercent} / 100, so it matches the text. */
  fraction: number;
  /** "resets in 2 h 14 min (16:16)"; null when the reset time is unknown. */
  resetText: string | null;
  severity: Severity;
  /** "12% ahead of pace", "On pace", "8% behind pace (in reserve)"; null when too early in the window or unknown. */
  paceText: string | null;
  /** "Runs out in ~1 h 40 min (15:20)" or "Lasts until reset"; null when unknown. */
  forecastText: string | null;
  /** True when the forecast says the window runs out before it resets. */
  runsOut: boolean;
  /** The current cycle's trend as block characters ("▁▂▃▅"); null without history. */
  sparkline: string | null;
  /** The current cycle's trend as points (x: share of the window elapsed 0–1, y: percent used) for drawing. */
  points: SparklinePoint[];
}

/** One money line, ready to draw. */
export interface MoneyView {
  id: string;
  label: string;
  /** "$12.34 of $50.00 (25%)", "$3.25 spent, no cap", "12.34 credits", "unlimited". */
  text: string;
  severity: Severity;
}

/** One provider's section. */
export interface ProviderView {
  id: ProviderId;
  name: string;
  /** "Claude · Max 20x" or "Claude". */
  heading: string;
  status: Status;
  stale: boolean;
  /** "via OAuth API · updated 13:58"; null without data. */
  sourceText: string | null;
  /** A status sentence when something needs saying: "Rate-limited by Anthropic. Retrying after 14:05." */
  statusText: string | null;
  /** The fix to try; null when none. */
  fixText: string | null;
  windows: WindowView[];
  money: MoneyView[];
  usageUrl: string;
  severity: Severity;
}

/** A piece of the title: "C 37%". */
export interface TitlePart {
  provider: ProviderId;
  text: string;
  severity: Severity;
  /** True when the value shown is stale or the provider has a problem. */
  dim: boolean;
}

/** The whole menu. */
export interface MenuView {
  /** The title text, parts joined with " · ", e.g. "C 37% · X 18%". "Headroom" when nothing is known. */
  title: string;
  titleParts: TitlePart[];
  /** The most severe of the title parts. */
  severity: Severity;
  providers: ProviderView[];
  /** True when no provider has any data and every one is signed out: show the connect help instead. */
  nothingConnected: boolean;
  /** How to connect each enabled provider, one sentence each. */
  connectHelp: string[];
  /** "You're offline — showing the last values." when every provider's API is unreachable; else null. */
  offlineText: string | null;
}

/** Options for {@link presentMenu}. */
export interface PresentOptions extends LocaleOptions {
  now: number;
  /** History samples (core/history.ts), for trends and forecasts informed by past cycles. */
  samples?: readonly Sample[];
  /** True when every provider's API is unreachable. */
  offline?: boolean;
}

const STATUS_TITLES: Record<Exclude<Status, 'ok'>, string> = {
  stale: 'Data is old',
  'signed-out': 'Signed out',
  unauthorized: 'Login rejected',
  'rate-limited': 'Rate-limited',
  offline: 'Offline',
  error: 'Error',
};

/**
 * Builds the menu from snapshots (in display order) and settings. `definitions` gives names and links.
 */
export function presentMenu(
  snapshots: ProviderSnapshot[],
  definitions: ProviderDefinition[],
  settings: Settings,
  options: PresentOptions,
): MenuView {
  const locale: LocaleOptions = { locale: options.locale ?? settings.locale, timeZone: options.timeZone };
  const byId = new Map(definitions.map((definition) => [definition.id, definition]));
  const providers = snapshots.flatMap((snapshot) => {
    const definition = byId.get(snapshot.provider);
    return definition
      ? [presentProvider(snapshot, definition, settings, locale, options.now, options.samples ?? [])]
      : [];
  });
  const titleParts = settings.title.flatMap((item) => {
    const part = titlePart(item, snapshots, byId, settings, locale, options.now);
    return part ? [part] : [];
  });
  const nothingConnected =
    snapshots.length > 0 &&
    snapshots.every((snapshot) => snapshot.status === 'signed-out' && snapshot.windows.length === 0);
  return {
    title: titleParts.length > 0 && !nothingConnected ? titleParts.map((part) => part.text).join(' · ') : 'Headroom',
    titleParts: nothingConnected ? [] : titleParts,
    severity: maxSeverity(titleParts.map((part) => part.severity)),
    providers,
    nothingConnected,
    connectHelp: snapshots.flatMap((snapshot) => {
      const definition = byId.get(snapshot.provider);
      return definition ? [`${definition.name}: ${definition.connectHelp}`] : [];
    }),
    offlineText: options.offline ? "You're offline; the values shown are the last ones Headroom got." : null,
  };
}

function presentProvider(
  snapshot: ProviderSnapshot,
  definition: ProviderDefinition,
  settings: Settings,
  locale: LocaleOptions,
  now: number,
  samples: readonly Sample[],
): ProviderView {
  const windows = snapshot.windows.map((window): WindowView => {
    const shown = shownPercent(window.usedPercent, settings.display);
    const pace = linearPace(window, now);
    const expected = forecast(window, now, { samples, provider: snapshot.provider });
    const cycle = cycleSamples(samples, snapshot.provider, window, now);
    return {
      id: window.id,
      label: window.label,
      usedPercent: window.usedPercent,
      shownPercent: shown,
      percentText: formatShownPercent(window.usedPercent, settings.display, locale),
      fraction: Math.min(1, Math.max(0, shown / 100)),
      resetText: window.resetsAt === null ? null : formatResetCountdown(window.resetsAt, now, locale),
      severity: severityOf(window.usedPercent),
      paceText: pace ? paceText(pace, locale) : null,
      forecastText: expected ? forecastText(expected, now, locale) : null,
      runsOut: expected !== null && !expected.lastsUntilReset,
      sparkline: cycle.length > 1 ? sparklineText(cycle, window, now) : null,
      points: cycle.length > 1 ? sparklinePoints(cycle, window, now) : [],
    };
  });
  const money = snapshot.money.map((item): MoneyView => {
    const fmt = (minor: number): string => formatMoney(minor, item.currency, item.exponent, locale);
    let text: string;
    let used = 0;
    if (item.unlimited) text = 'unlimited';
    else if (item.usedMinor !== null && item.limitMinor !== null && item.limitMinor > 0) {
      used = (item.usedMinor / item.limitMinor) * 100;
      text = `${fmt(item.usedMinor)} of ${fmt(item.limitMinor)} (${formatPercent(used, locale)})`;
    } else if (item.usedMinor !== null) text = `${fmt(item.usedMinor)} spent, no cap`;
    else if (item.balanceMinor !== null) text = `${fmt(item.balanceMinor)} left`;
    else text = 'enabled';
    return { id: item.id, label: item.label, text, severity: severityOf(used) };
  });
  const source = definition.sources.find((s) => s.id === snapshot.source);
  const updated =
    snapshot.fetchedAt === null
      ? null
      : `${snapshot.stale ? 'last good data from' : 'updated'} ${formatLocalTime(snapshot.fetchedAt, now, locale)}`;
  let statusText: string | null = null;
  if (snapshot.status !== 'ok') {
    statusText = `${STATUS_TITLES[snapshot.status]}: ${snapshot.message}`;
  } else if (snapshot.message) {
    statusText = snapshot.message;
  }
  if (statusText && snapshot.retryAt !== null && snapshot.retryAt > now) {
    statusText += ` Next try after ${formatClockTime(snapshot.retryAt, locale)}.`;
  }
  return {
    id: snapshot.provider,
    name: definition.name,
    heading: snapshot.plan ? `${definition.name} · ${snapshot.plan}` : definition.name,
    status: snapshot.status,
    stale: snapshot.stale,
    sourceText: source && updated ? `via ${source.label} · ${updated}` : null,
    statusText,
    fixText: snapshot.fix || null,
    windows,
    money,
    usageUrl: definition.usageUrl,
    severity: maxSeverity(windows.map((window) => window.severity)),
  };
}

function titlePart(
  item: string,
  snapshots: ProviderSnapshot[],
  definitions: Map<ProviderId, ProviderDefinition>,
  settings: Settings,
  locale: LocaleOptions,
  now: number,
): TitlePart | null {
  const [providerId, windowId = 'session'] = item.split('.');
  const snapshot = snapshots.find((s) => s.provider === providerId);
  const definition = snapshot ? definitions.get(snapshot.provider) : undefined;
  if (!snapshot || !definition) return null;
  const fullest = [...snapshot.windows].sort((a, b) => b.usedPercent - a.usedPercent)[0];
  const window =
    windowId === 'max'
      ? fullest
      : (snapshot.windows.find((w) => w.id === windowId) ?? (windowId === 'session' ? fullest : undefined));
  const dim = snapshot.stale || snapshot.status !== 'ok';
  if (!window) return { provider: snapshot.provider, text: `${definition.letter} –`, severity: 'normal', dim: true };
  const stage = settings.titlePace ? linearPace(window, now)?.stage : undefined;
  const arrow =
    stage === 'ahead' || stage === 'far-ahead' ? '↑' : stage === 'behind' || stage === 'far-behind' ? '↓' : '';
  return {
    provider: snapshot.provider,
    text: `${definition.letter} ${formatPercent(shownPercent(window.usedPercent, settings.display), locale)}${arrow}`,
    severity: severityOf(window.usedPercent),
    dim,
  };
}
