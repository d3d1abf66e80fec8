/**
 * The extension's GSettings (schema org.gnome.shell.extensions.headroom) as core's {@link Settings}. Used by the
 * shell side only; prefs binds the keys directly.
 */
import type Gio from 'gi://Gio';
import { DEFAULT_SETTINGS, type Settings, resolveSettings } from '../core/settings.js';

/** Keys whose change calls for a new refresh or a redraw. */
export const SETTINGS_KEYS = [
  'claude-enabled',
  'claude-source',
  'codex-enabled',
  'codex-source',
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

/** "22:00-07:00" → quiet hours; anything else (the default "") → none. */
function quietHours(text: string): { start: string; end: string } | null {
  const match = /^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$/.exec(text);
  return match ? { start: match[1]!.padStart(5, '0'), end: match[2]!.padStart(5, '0') } : null;
}

/**
 * Reads GSettings into core's settings. Values pass through core's validation (an impossible source falls back to
 * auto). `minFetchIntervalSeconds` stays core's default: the refresh interval is the shell's own timer.
 */
export function readSettings(settings: Gio.Settings): Settings {
  const file = {
    providers: {
      claude: { enabled: settings.get_boolean('claude-enabled'), source: settings.get_string('claude-source') },
      codex: { enabled: settings.get_boolean('codex-enabled'), source: settings.get_string('codex-source') },
    },
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
  const { settings: resolved } = resolveSettings(file, () => undefined);
  return { ...resolved, minFetchIntervalSeconds: DEFAULT_SETTINGS.minFetchIntervalSeconds };
}
