/**
 * The menu as the user reads it, independent of where it is drawn: the menu-bar / top-bar title and one section per
 * provider with its windows, money and status. The SwiftBar plugin, the CLI and the GNOME extension only render this.
 */
import { cycleSamples } from './cycles.js';
import type { Sample } from './history.js';
import type { ProviderId, ProviderSnapshot, Status } from './model.js';
import { forecast, forecastText, linearPace, paceText } from './pace.js';
import { DEFAULT_ACCOUNT_ID } from './accounts.js';
import type { ProviderInfo } from './catalog.js';
import type { Settings } from './settings.js';
import { type SparklinePoint, sparklinePoints, sparklineText } from './sparkline.js';
import type { TelemetryView } from './telemetry/present.js';
import type { UsageView } from './usage/summary.js';
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
  /**
   * Where an even pace would be now, as a position on the same bar, 0–1: the share of the window's time elapsed
   * (used mode) or still ahead (remaining mode). A fill past the marker in used mode is ahead of pace. Null when the
   * pace is unknown (no reset time or length, or too early in the window).
   */
  paceMarker: number | null;
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

/** One account's section (one per provider while it has one account). */
export interface ProviderView {
  id: ProviderId;
  /** The account's key, e.g. `claude`, `claude@claude-work` (core/accounts.ts). */
  key: string;
  name: string;
  /** The account's label when the provider shows several accounts, else null. */
  accountLabel: string | null;
  /** "Claude · Max 20x", "Claude", or with several accounts "Claude (~/.claude-work) · Max 20x". */
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
  /**
   * The window with the highest used percent (the first of equals), for the account's one-line summary: percent,
   * bar and reset of the window that runs out first. Null without windows.
   */
  fullest: WindowView | null;
  money: MoneyView[];
  usageUrl: string;
  severity: Severity;
}

/** A piece of the title: "C 37%", or "C@claude-work 12%" for an account other than the default. */
export interface TitlePart {
  provider: ProviderId;
  /** The account's key. */
  key: string;
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
  /**
   * True when more than {@link EXPANDED_ACCOUNTS} accounts are shown: renderers show each account as one summary
   * line (heading, its {@link ProviderView.fullest} window's percent and reset) with its detail folded away (a
   * collapsed row in GNOME, a submenu in SwiftBar), so that the menu stays short however many accounts there are.
   */
  compactAccounts?: boolean;
  /** True when no provider has any data and every one is signed out: show the connect help instead. */
  nothingConnected: boolean;
  /**
   * With `nothingConnected`: "Headroom found no Claude Code or Codex login on this machine.", naming only the
   * enabled providers' tools; else null.
   */
  nothingConnectedText: string | null;
  /** How to connect each enabled provider, one sentence each. */
  connectHelp: string[];
  /** "You're offline — showing the last values." when every provider's API is unreachable; else null. */
  offlineText: string | null;
  /** The Telemetry section (core/telemetry/present.ts), set by the shell when a Prometheus is configured. */
  telemetry?: TelemetryView | null;
  /** The Spend section (core/usage/summary.ts), set by the shell when it read the local logs. */
  usage?: UsageView | null;
}

/** Options for {@link presentMenu}. */
export interface PresentOptions extends LocaleOptions {
  now: number;
  /** History samples (core/history.ts), for trends and forecasts informed by past cycles. */
  samples?: readonly Sample[];
  /** True when every provider's API is unreachable. */
  offline?: boolean;
}

/** Up to this many accounts, the menu shows every account's full detail (see {@link MenuView.compactAccounts}). */
export const EXPANDED_ACCOUNTS = 2;

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
  definitions: readonly ProviderInfo[],
  settings: Settings,
  options: PresentOptions,
): MenuView {
  const locale: LocaleOptions = {
    locale: options.locale ?? settings.locale,
    timeZone: options.timeZone,
    hour12: options.hour12,
  };
  const byId = new Map<ProviderId, ProviderInfo>(definitions.map((definition) => [definition.id, definition]));
  const shown = visibleSnapshots(snapshots);
  const providers = shown.flatMap((snapshot) => {
    const definition = byId.get(snapshot.provider);
    const several = shown.filter((s) => s.provider === snapshot.provider).length > 1;
    return definition
      ? [presentProvider(snapshot, definition, several, settings, locale, options.now, options.samples ?? [])]
      : [];
  });
  const titleParts = settings.title.flatMap((item) => {
    const part = titlePart(item, snapshots, byId, settings, locale, options.now);
    return part ? [part] : [];
  });
  const nothingConnected =
    snapshots.length > 0 &&
    snapshots.every((snapshot) => snapshot.status === 'signed-out' && snapshot.windows.length === 0);
  const enabled = definitions.filter((definition) => snapshots.some((s) => s.provider === definition.id));
  return {
    title: titleParts.length > 0 && !nothingConnected ? titleParts.map((part) => part.text).join(' · ') : 'Headroom',
    titleParts: nothingConnected ? [] : titleParts,
    severity: maxSeverity(titleParts.map((part) => part.severity)),
    providers,
    compactAccounts: providers.length > EXPANDED_ACCOUNTS,
    nothingConnected,
    nothingConnectedText: nothingConnected
      ? `Headroom found no ${orList(enabled.map((definition) => definition.tool))} login on this machine.`
      : null,
    connectHelp: enabled.map((definition) => `${definition.name}: ${definition.connectHelp}`),
    offlineText: options.offline ? "You're offline; the values shown are the last ones Headroom got." : null,
  };
}

/** "Claude Code", "Claude Code or Codex", "A, B or C". */
function orList(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/**
 * The snapshots worth a section: all, except a default account that has never had data and is signed out while
 * another account of its provider is connected (someone who keeps their logins only in other directories).
 */
function visibleSnapshots(snapshots: readonly ProviderSnapshot[]): ProviderSnapshot[] {
  const connected = (s: ProviderSnapshot): boolean => s.windows.length > 0 || s.status !== 'signed-out';
  return snapshots.filter(
    (snapshot) =>
      !(
        snapshot.account.id === DEFAULT_ACCOUNT_ID &&
        !connected(snapshot) &&
        snapshots.some((other) => other !== snapshot && other.provider === snapshot.provider && connected(other))
      ),
  );
}

function presentProvider(
  snapshot: ProviderSnapshot,
  definition: ProviderInfo,
  several: boolean,
  settings: Settings,
  locale: LocaleOptions,
  now: number,
  samples: readonly Sample[],
): ProviderView {
  const windows = snapshot.windows.map((window): WindowView => {
    const shown = shownPercent(window.usedPercent, settings.display);
    const pace = linearPace(window, now);
    const expected = forecast(window, now, { samples, provider: snapshot.account.key });
    const cycle = cycleSamples(samples, snapshot.account.key, window, now);
    return {
      id: window.id,
      label: window.label,
      usedPercent: window.usedPercent,
      shownPercent: shown,
      percentText: formatShownPercent(window.usedPercent, settings.display, locale),
      fraction: Math.min(1, Math.max(0, shown / 100)),
      paceMarker: pace
        ? Math.min(
            1,
            Math.max(0, (settings.display === 'used' ? pace.elapsedPercent : 100 - pace.elapsedPercent) / 100),
          )
        : null,
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
    if (item.unknown) text = 'unknown';
    else if (item.unlimited) text = 'unlimited';
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
  const name = several ? `${definition.name} (${snapshot.account.label})` : definition.name;
  return {
    id: snapshot.provider,
    key: snapshot.account.key,
    name: definition.name,
    accountLabel: several ? snapshot.account.label : null,
    heading: snapshot.plan ? `${name} · ${snapshot.plan}` : name,
    status: snapshot.status,
    stale: snapshot.stale,
    sourceText: source && updated ? `via ${source.label} · ${updated}` : null,
    statusText,
    fixText: snapshot.fix || null,
    windows,
    fullest: windows.reduce<WindowView | null>(
      (best, window) => (best === null || window.usedPercent > best.usedPercent ? window : best),
      null,
    ),
    money,
    usageUrl: definition.usageUrl,
    severity: maxSeverity(windows.map((window) => window.severity)),
  };
}

/**
 * One title item, `<account key>.<window id>` (`claude.session`, `claude@claude-work.max`; the window defaults to
 * `session`), as a part; null when that account is not shown.
 */
function titlePart(
  item: string,
  snapshots: ProviderSnapshot[],
  definitions: Map<ProviderId, ProviderInfo>,
  settings: Settings,
  locale: LocaleOptions,
  now: number,
): TitlePart | null {
  const dot = item.indexOf('.');
  const key = dot < 0 ? item : item.slice(0, dot);
  const windowId = (dot < 0 ? '' : item.slice(dot + 1)) || 'session';
  const snapshot = snapshots.find((s) => s.account.key === key);
  const definition = snapshot ? definitions.get(snapshot.provider) : undefined;
  if (!snapshot || !definition) return null;
  const letter =
    snapshot.account.id === DEFAULT_ACCOUNT_ID ? definition.letter : `${definition.letter}@${snapshot.account.id}`;
  const fullest = [...snapshot.windows].sort((a, b) => b.usedPercent - a.usedPercent)[0];
  const window =
    windowId === 'max'
      ? fullest
      : (snapshot.windows.find((w) => w.id === windowId) ?? (windowId === 'session' ? fullest : undefined));
  const dim = snapshot.stale || snapshot.status !== 'ok';
  if (!window) return { provider: snapshot.provider, key, text: `${letter} –`, severity: 'normal', dim: true };
  const stage = settings.titlePace ? linearPace(window, now)?.stage : undefined;
  const arrow =
    stage === 'ahead' || stage === 'far-ahead' ? '↑' : stage === 'behind' || stage === 'far-behind' ? '↓' : '';
  return {
    provider: snapshot.provider,
    key,
    text: `${letter} ${formatPercent(shownPercent(window.usedPercent, settings.display), locale)}${arrow}`,
    severity: severityOf(window.usedPercent),
    dim,
  };
}
