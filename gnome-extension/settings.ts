/**
 * The extension's GSettings (schema org.gnome.shell.extensions.headroom) as core's {@link Settings}. Used by the
 * shell side only; prefs writes the keys directly. The providers' keys hold every provider of the catalog in one
 * value (`enabled-providers`, `provider-sources`, `account-directories`, `account-labels`), so a new provider needs
 * no new key.
 */
import type Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import { splitAccountKey } from '../core/accounts.js';
import { CATALOG } from '../core/catalog.js';
import { DEFAULT_SETTINGS, type Settings, resolveSettings } from '../core/settings.js';

/** Keys whose change calls for a new refresh or a redraw. */
export const SETTINGS_KEYS = [
  'enabled-providers',
  'provider-sources',
  'account-directories',
  'account-labels',
  'refresh-interval',
  'display-mode',
  'indicator-items',
  'indicator-pace',
  'notifications-enabled',
  'notification-thresholds',
  'notify-resets',
  'notify-pace',
  'quiet-hours',
] as const;

/** Keys that only change what is drawn. */
export const DISPLAY_KEYS: readonly string[] = ['display-mode', 'indicator-items', 'indicator-pace'];

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

/**
 * Reads GSettings into core's settings. Values pass through core's validation (an impossible source falls back to
 * auto). The shell's environment adds accounts as it does for the CLI (`HEADROOM_CLAUDE_CONFIG_DIRS`,
 * `HEADROOM_CODEX_HOMES`); no other variable overrides GSettings. `minFetchIntervalSeconds` stays core's default:
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
  };
  const accountVariables = new Set(CATALOG.map((info) => info.directories.env));
  const env = (name: string): string | undefined =>
    accountVariables.has(name) ? (GLib.getenv(name) ?? undefined) || undefined : undefined;
  const { settings: resolved } = resolveSettings(file, env, GLib.get_home_dir());
  return { ...resolved, minFetchIntervalSeconds: DEFAULT_SETTINGS.minFetchIntervalSeconds };
}
