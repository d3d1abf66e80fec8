/**
 * Headroom for GNOME Shell: a top-bar indicator with the headroom left in Claude's and Codex's usage windows.
 * Nothing happens at import or construction; enable() builds everything and disable() undoes it in reverse.
 */
import './zod-jitless.js';
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import * as Main from 'resource:///org/gnome/shell/ui/main.js';
import { Extension } from 'resource:///org/gnome/shell/extensions/extension.js';
import { presentMenu } from '../core/present.js';
import { PROVIDERS } from '../core/providers/index.js';
import { CLOCK_FORMAT_KEY, clockHour12, clockSettings } from './clock.js';
import { GjsPorts } from './gjs-ports.js';
import { liveWatchTargets } from '../core/live.js';
import { LiveWatcher } from './live-watcher.js';
import { HeadroomIndicator } from './indicator.js';
import { Keyring } from './keyring.js';
import { Notifier } from './notifier.js';
import type { RefreshOutcome } from '../core/session.js';
import { Refresher } from './refresher.js';
import { stateLocks } from './state-lock.js';
import type { SecretStore } from '../core/secrets.js';
import { connectObject, disconnectObject } from './signals.js';
import { DISPLAY_KEYS, SETTINGS_KEYS, TELEMETRY_KEYS, readSettings } from './settings.js';
import { type TelemetryReport, presentTelemetry } from '../core/telemetry/index.js';
import { TelemetryPoller } from './telemetry-poller.js';
import { formatClockTime } from '../core/format.js';
import { usageRoots } from '../core/usage/index.js';
import { usageView } from '../core/usage/summary.js';
import type { UsageSectionModel } from './usage-section.js';
import { UsageScanner, scanRequest } from './usage-scanner.js';

/** Opening the menu refreshes data older than this, ms. */
const MENU_REFRESH_AFTER_MS = 60_000;
/** The Spend section's scan runs after a refresh when the last is older than this, ms … */
const USAGE_SCAN_EVERY_MS = 5 * 60_000;
/** … and when the menu opens, when older than this, ms. */
const USAGE_SCAN_ON_OPEN_AFTER_MS = 60_000;

/**
 * The keyring for background refreshes: a lookup first checks, without a prompt, that the keyring is unlocked, and
 * reports `locked` otherwise (libsecret would ask the user to unlock it at every refresh).
 */
function quietKeyring(keyring: Keyring): SecretStore {
  return {
    lookup: async (key) => {
      const status = await keyring.status();
      return status.ok ? keyring.lookup(key) : status;
    },
    store: (key, label, value) => keyring.store(key, label, value),
    clear: (key) => keyring.clear(key),
  };
}

export default class HeadroomExtension extends Extension {
  private settings: Gio.Settings | null = null;
  private ports: GjsPorts | null = null;
  private keyring: Keyring | null = null;
  private indicator: HeadroomIndicator | null = null;
  private refresher: Refresher | null = null;
  private notifier: Notifier | null = null;
  /** File monitors on the local sources (live updates). */
  private watcher: LiveWatcher | null = null;
  /** GNOME's `org.gnome.desktop.interface` (its clock format); null when the schema is missing. */
  private clockSettings: Gio.Settings | null = null;
  private outcome: RefreshOutcome | null = null;
  private telemetry: TelemetryPoller | null = null;
  /** The Telemetry section's last report; null while telemetry is off or before the first. */
  private telemetryReport: TelemetryReport | null = null;
  /** The Spend section's scans (usage-scanner.ts); null while disabled or with HEADROOM_USAGE=off. */
  private usageScanner: UsageScanner | null = null;
  /** The main-loop source that starts the first refresh (see enable()); 0 when none is pending. */
  private startId = 0;

  override enable(): void {
    const settings = this.getSettings();
    const ports = new GjsPorts(`${this.uuid}/${String(this.metadata['version-name'] ?? '0')} GNOME Shell extension`);
    const iconPath = `${this.path}/icons/headroom-symbolic.svg`;
    const openUri = (uri: string): void => Gio.AppInfo.launch_default_for_uri_async(uri, null, null, null);
    const indicator = new HeadroomIndicator(iconPath, {
      refresh: () => void this.refresher?.refresh(true),
      openPreferences: () => this.openPreferences(),
      openUri,
      menuOpened: () => {
        const refresher = this.refresher;
        if (refresher && Date.now() - refresher.lastRefreshAt > MENU_REFRESH_AFTER_MS) void refresher.refresh(false);
        this.usageScanner?.scanIfOlder(USAGE_SCAN_ON_OPEN_AFTER_MS);
      },
      setTelemetryRange: (range) => settings.set_string('telemetry-range', range),
    });
    const refresher = new Refresher(
      ports,
      () => readSettings(settings),
      (outcome) => {
        this.outcome = outcome;
        this.render();
        // A directory created since (a new day's sessions, a new project) is watched from now on.
        void this.watcher?.update();
        for (const alert of outcome.alerts) this.notifier?.notify(alert);
        // Telemetry follows each refresh of the limits, on its own: it never holds them up.
        void this.telemetry?.refresh();
        // The Spend section's scan follows too, every few minutes at most.
        this.usageScanner?.scanIfOlder(USAGE_SCAN_EVERY_MS);
      },
    );
    this.settings = settings;
    this.ports = ports;
    this.indicator = indicator;
    this.refresher = refresher;
    const keyring = new Keyring();
    this.keyring = keyring;
    // Headroom's own Claude sign-in (core/oauth.ts): its tokens in this keyring, its refresh under a lock file shared
    // with the CLI; Claude's web source reads its session key here too (core/providers/claude-web.ts). A background
    // refresh never asks to unlock a locked keyring.
    ports.secrets = quietKeyring(keyring);
    ports.locks = stateLocks(GLib.build_filenamev([GLib.get_user_state_dir(), 'headroom']));
    this.notifier = new Notifier(iconPath, openUri);
    this.telemetry = new TelemetryPoller(
      ports,
      keyring,
      () => readSettings(settings),
      (report) => {
        this.telemetryReport = report;
        this.render();
      },
    );

    // Tokens and cost from the local logs, in a subprocess (usage-worker.js) sharing the CLI's index in the state
    // directory. HEADROOM_USAGE=off turns it off, as for the CLI.
    if (GLib.getenv('HEADROOM_USAGE') !== 'off') {
      const stateDir = GLib.build_filenamev([GLib.get_user_state_dir(), 'headroom']);
      this.usageScanner = new UsageScanner(
        ports,
        GLib.build_filenamev([this.path, 'usage-worker.js']),
        () => scanRequest(usageRoots(ports, readSettings(settings)), stateDir, Date.now()),
        () => this.render(),
      );
    }

    Main.panel.addToStatusArea(this.uuid, indicator);
    connectObject(settings, 'changed', (_settings: Gio.Settings, key: string) => this.settingChanged(key), this);
    this.clockSettings = clockSettings();
    if (this.clockSettings)
      connectObject(this.clockSettings, `changed::${CLOCK_FORMAT_KEY}`, () => this.render(), this);
    // A CLI writing its files re-reads the local sources at once; remote ones follow within the scheduler's limits.
    this.watcher = new LiveWatcher(
      ports,
      () => liveWatchTargets(readSettings(settings), ports.env),
      () => void this.refresher?.refresh(false),
    );
    refresher.schedule(settings.get_uint('refresh-interval'));
    // The first refresh, the file monitors and the keyring check start from the main loop just after enable()
    // returns, not inside it. Started inside enable(), GNOME Shell 48 crashed in about half of the end-to-end test's
    // runs of 200 quick disable/enable cycles, and from a 0 ms timeout more seldom. The cause was found later: libsoup
    // 3.6 (GNOME Shell 48) can finish a request twice when it is cancelled while it runs, which disable() did; GjsPorts
    // no longer cancels requests (gjs-ports.ts, destroy()).
    const watcher = this.watcher;
    this.startId = GLib.timeout_add(GLib.PRIORITY_DEFAULT, 0, () => {
      this.startId = 0;
      void watcher.update();
      void refresher.refresh(false);
      void keyring.status().then((result) => {
        if (!result.ok && this.keyring === keyring) indicator.setKeyringProblem(`${result.message} ${result.fix}`);
      });
      return GLib.SOURCE_REMOVE;
    });
    GLib.Source.set_name_by_id(this.startId, '[headroom] start');
  }

  override disable(): void {
    if (this.startId !== 0) GLib.Source.remove(this.startId);
    this.startId = 0;
    disconnectObject(this.settings, this);
    disconnectObject(this.clockSettings, this);
    this.clockSettings = null;
    this.watcher?.destroy();
    this.watcher = null;
    this.refresher?.destroy();
    this.telemetry?.destroy();
    this.usageScanner?.destroy();
    this.usageScanner = null;
    this.keyring?.destroy();
    this.notifier?.destroy();
    this.ports?.destroy();
    this.indicator?.destroy();
    this.refresher = null;
    this.telemetry = null;
    this.telemetryReport = null;
    this.keyring = null;
    this.notifier = null;
    this.ports = null;
    this.indicator = null;
    this.settings = null;
    this.outcome = null;
  }

  private settingChanged(key: string): void {
    if (!(SETTINGS_KEYS as readonly string[]).includes(key) || !this.settings) return;
    if (key === 'refresh-interval') this.refresher?.schedule(this.settings.get_uint('refresh-interval'));
    // A new or forgotten claude.ai session key: read it now, past the scheduler's pauses.
    else if (key === 'claude-web-key-serial') void this.refresher?.refresh(true);
    else if (DISPLAY_KEYS.includes(key)) this.render();
    else if (TELEMETRY_KEYS.includes(key)) {
      this.telemetry?.forgetSecret();
      void this.telemetry?.refresh();
    } else void this.refresher?.refresh(false);
  }

  private render(): void {
    if (!this.indicator || !this.settings) return;
    const outcome = this.outcome;
    const settings = readSettings(this.settings);
    const view = presentMenu(outcome?.snapshots ?? [], PROVIDERS, settings, {
      now: Date.now(),
      samples: outcome?.samples,
      offline: outcome?.offline,
      hour12: clockHour12(this.clockSettings),
    });
    // A report for settings since turned off is not shown.
    if (this.telemetryReport && settings.telemetry.url) {
      view.telemetry = presentTelemetry(this.telemetryReport, { locale: settings.locale });
    }
    this.indicator.setUsage(this.usageModel(view, settings.locale));
    this.indicator.update(view);
  }

  /** The Spend section from the last scan: core's view of the shown accounts with usage, in the menu's order. */
  private usageModel(view: ReturnType<typeof presentMenu>, locale: string | undefined): UsageSectionModel | null {
    const status = this.usageScanner?.current;
    if (!status || view.nothingConnected) return null;
    if (status.state !== 'ok') return status;
    const hour12 = clockHour12(this.clockSettings);
    const shown = view.providers.filter((provider) => status.usage.has(provider.key));
    const accounts = usageView(shown, status.usage, locale, (at) => formatClockTime(at, { locale, hour12 })).accounts;
    if (accounts.length === 0) return { state: 'empty' };
    return {
      state: 'ok',
      accounts: accounts.map((account, index) => ({
        view: account,
        dailyCostUSD: status.usage.get(shown[index]!.key)!.dailyCostUSD,
      })),
      reportPath: status.reportPath,
    };
  }
}
