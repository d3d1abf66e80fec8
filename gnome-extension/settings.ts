/**
 * The extension's GSettings (schema org.gnome.shell.extensions.headroom) as core's {@link Settings}. Used by the
 * shell side only; prefs writes the keys directly. The providers' keys hold every provider of the catalog in one
 * value (`enabled-providers`, `provider-sources`, `account-directories`, `account-labels`), so a new provider needs
 * no new key.
 */
import type Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import { splitAccountKey } from '../core/accounts.js';
import { CATALOG, organizationSource } from '../core/catalog.js';
import { DEFAULT_SETTINGS, type Settings, resolveSettings } from '../core/settings.js';
import { type TelemetrySettings, resolveTelemetrySettings } from '../core/telemetry/settings.js';

/** Keys whose change calls for a new refresh or a redraw. */
export const SETTINGS_KEYS = [
  'enabled-providers',
  'provider-sources',
  'account-directories',
  'account-labels',
  'claude-organizations',
  'claude-web-key-serial',
  'refresh-interval',
  'display-mode',
  'indicator-items',
  'indicator-pace',
  'notifications-enabled',
  'notification-thresholds',
  'notify-resets',
  'notify-pace',
  'quiet-hours',
  'prometheus-url',
  'telemetry-range',
  'telemetry-user',
  'prometheus-auth',
  'prometheus-username',
] as const;

/** Keys that only change what is drawn. */
export const DISPLAY_KEYS: readonly string[] = ['display-mode', 'indicator-items', 'indicator-pace'];

/** Keys of the Telemetry section: a change asks Prometheus again, not the providers. */
export const TELEMETRY_KEYS: readonly string[] = [
  'prometheus-url',
  'telemetry-range',
  'telemetry-user',
  'prometheus-auth',
  'prometheus-username',
];

/**
 * The telemetry part of the settings as config.json would hold it. The URL falls back to the shell's
 * `HEADROOM_PROMETHEUS_URL` while the key is empty; the password or token stays in the keyring.
 */
function telemetryFile(settings: Gio.Settings): Record<string, unknown> {
  const auth = settings.get_string('prometheus-auth');
  return {
    url: settings.get_string('prometheus-url') || GLib.getenv('HEADROOM_PROMETHEUS_URL') || null,
    range: settings.get_string('telemetry-range'),
    user: settings.get_string('telemetry-user') || null,
    auth: auth === 'basic' ? { type: auth, username: settings.get_string('prometheus-username') } : { type: auth },
  };
}

/** "22:00-07:00" → quiet hours; anything else (the default "") → none. */
function quietHours(text: string): { start: string; end: string } | null {
  const match = /^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$/.exec(text);
  return match ? { start: match[1]!.padStart(5, '0'), end: match[2]!.padStart(5, '0') } : null;
}

/** Labels by account key (`claude@work`) → per provider, by account id, as config.json has them. */
function labelsByProvider(labels: Record<string, string>): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [key, label] of Object.entries(labels)) {
    const { provider, account } = splitAccountKey(key);
    (out[provider] ??= {})[account] = label;
  }
  return out;
}

/** The telemetry settings alone, for the preferences' "Test connection". */
export function readTelemetrySettings(settings: Gio.Settings): TelemetrySettings {
  return resolveTelemetrySettings(telemetryFile(settings), () => undefined).settings;
}

/**
 * Reads GSettings into core's settings. Values pass through core's validation (an impossible source falls back to
 * auto). The shell's environment adds accounts as it does for the CLI (`HEADROOM_CLAUDE_CONFIG_DIRS`,
 * `HEADROOM_CODEX_HOMES`) and stands in for an empty Prometheus URL (`HEADROOM_PROMETHEUS_URL`); no other variable
 * overrides GSettings. `minFetchIntervalSeconds` stays core's default:
 * the refresh interval is the shell's own timer.
 */
export function readSettings(settings: Gio.Settings): Settings {
  const enabled = settings.get_strv('enabled-providers');
  const sources = settings.get_value('provider-sources').deepUnpack<Record<string, string>>();
  const directories = settings.get_value('account-directories').deepUnpack<Record<string, string[]>>();
  const labels = labelsByProvider(settings.get_value('account-labels').deepUnpack<Record<string, string>>());
  const file = {
    providers: Object.fromEntries(
      CATALOG.map((info) => [
        info.id,
        {
          enabled: enabled.includes(info.id),
          ...(sources[info.id] ? { source: sources[info.id] } : {}),
          [info.directories.configKey]: directories[info.id] ?? [],
          labels: labels[info.id] ?? {},
          ...(organizationSource(info) && { organizations: settings.get_strv(`${info.id}-organizations`) }),
        },
      ]),
    ),
    display: settings.get_string('display-mode'),
    title: settings.get_strv('indicator-items'),
    titlePace: settings.get_boolean('indicator-pace'),
    alerts: {
      enabled: settings.get_boolean('notifications-enabled'),
      thresholds: settings.get_value('notification-thresholds').deepUnpack(),
      kinds: { reset: settings.get_boolean('notify-resets'), predictive: settings.get_boolean('notify-pace') },
      quietHours: quietHours(settings.get_string('quiet-hours')),
    },
    telemetry: telemetryFile(settings),
  };
  const accountVariables = new Set(CATALOG.map((info) => info.directories.env));
  const env = (name: string): string | undefined =>
    accountVariables.has(name) ? (GLib.getenv(name) ?? undefined) || undefined : undefined;
  const { settings: resolved } = resolveSettings(file, env, GLib.get_home_dir());
  return { ...resolved, minFetchIntervalSeconds: DEFAULT_SETTINGS.minFetchIntervalSeconds };
}
