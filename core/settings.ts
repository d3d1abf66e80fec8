/**
 * User settings: which providers and sources, used vs remaining, what the title shows, how often APIs may be asked.
 * The plugin reads them from `$XDG_CONFIG_HOME/headroom/config.json` (default `~/.config/headroom/config.json`) and
 * `HEADROOM_*` environment variables (SwiftBar/xbar plugin variables arrive that way); the GNOME extension builds
 * them from GSettings. Bad values never fail: they fall back to the default and are reported as problems.
 */
import * as z from 'zod/mini';
import type { DisplayMode } from './format.js';
import type { ProviderId, SourceId } from './model.js';
import type { Ports } from './ports.js';
import { joinPath } from './parse.js';
import { type AlertSettings, DEFAULT_ALERT_SETTINGS, parseAlertSettings } from './alert-settings.js';

/** A provider's source choice: `auto` (the provider's documented order, first that works) or one source. */
export type SourceChoice = 'auto' | SourceId;

/** One provider's settings. */
export interface ProviderSettings {
  enabled: boolean;
  source: SourceChoice;
}

/** All settings, with defaults filled in. */
export interface Settings {
  providers: Record<ProviderId, ProviderSettings>;
  /** Percent used (default, as claude.ai shows it) or remaining. */
  display: DisplayMode;
  /**
   * What the menu-bar title shows: items `<provider>.<window id>` (e.g. `claude.session`, `codex.weekly`) or
   * `<provider>.max` (that provider's fullest window). Default: each provider's session window.
   */
  title: string[];
  /** Mark each title item with its pace: ↑ ahead of an even pace, ↓ behind (default off). */
  titlePace: boolean;
  /** The least time between two calls to one provider's API, seconds (default 60). */
  minFetchIntervalSeconds: number;
  /** BCP 47 locale for times and numbers; undefined = the system's. */
  locale: string | undefined;
  /** Notifications: thresholds, kinds, quiet hours (see core/alerts.ts). */
  alerts: AlertSettings;
}

/** The defaults. */
export const DEFAULT_SETTINGS: Settings = {
  providers: { claude: { enabled: true, source: 'auto' }, codex: { enabled: true, source: 'auto' } },
  display: 'used',
  title: ['claude.session', 'codex.session'],
  titlePace: false,
  minFetchIntervalSeconds: 60,
  locale: undefined,
  alerts: DEFAULT_ALERT_SETTINGS,
};

const sourceChoice = z.enum(['auto', 'api', 'logs']);
const providerFile = z.looseObject({ enabled: z.optional(z.boolean()), source: z.optional(sourceChoice) });

/** The shape of config.json; every key optional. */
const settingsFile = z.looseObject({
  providers: z.optional(z.looseObject({ claude: z.optional(providerFile), codex: z.optional(providerFile) })),
  display: z.optional(z.enum(['used', 'remaining'])),
  title: z.optional(z.array(z.string())),
  titlePace: z.optional(z.boolean()),
  minFetchIntervalSeconds: z.optional(z.number().check(z.minimum(10))),
  locale: z.optional(z.string()),
  alerts: z.optional(z.unknown()),
});

/** Sources each provider offers, for validating a forced source. */
const PROVIDER_SOURCES: Record<ProviderId, SourceId[]> = { claude: ['api'], codex: ['api', 'logs'] };

/** Settings plus what was wrong with the input. */
export interface LoadedSettings {
  settings: Settings;
  /** Human sentences about ignored values, e.g. "HEADROOM_DISPLAY: expected used or remaining". */
  problems: string[];
}

/**
 * Builds settings from a parsed config file (any JSON value, or undefined when there is none) and environment
 * variables. Environment wins over the file:
 * - `HEADROOM_DISPLAY` = `used` | `remaining`
 * - `HEADROOM_TITLE` = comma-separated title items, e.g. `claude.session,codex.weekly`
 * - `HEADROOM_CLAUDE`, `HEADROOM_CODEX` = `auto` | `api` | `logs` | `off`
 * - `HEADROOM_LOCALE` = a BCP 47 tag
 * - `HEADROOM_TITLE_PACE` = `on` | `off`
 * - `HEADROOM_NOTIFY` = `on` | `off`
 */
export function resolveSettings(file: unknown, env: (name: string) => string | undefined): LoadedSettings {
  const problems: string[] = [];
  const settings: Settings = cloneSettings(DEFAULT_SETTINGS);
  if (file !== undefined) {
    let parsed = settingsFile.safeParse(file);
    if (!parsed.success && file !== null && typeof file === 'object' && !Array.isArray(file)) {
      // Drop only the keys that are wrong and keep the rest of the file.
      const issues = parsed.error.issues;
      const bad = new Set(issues.map((issue) => String(issue.path[0] ?? '')));
      problems.push(`config.json: ignored invalid ${[...new Set(issues.map((i) => i.path.join('.')))].join(', ')}`);
      parsed = settingsFile.safeParse(Object.fromEntries(Object.entries(file).filter(([key]) => !bad.has(key))));
    }
    if (parsed.success) {
      const f = parsed.data;
      for (const id of ['claude', 'codex'] as const) {
        const p = f.providers?.[id];
        if (p?.enabled !== undefined) settings.providers[id].enabled = p.enabled;
        if (p?.source !== undefined)
          applySource(settings, id, p.source, `config.json providers.${id}.source`, problems);
      }
      if (f.display) settings.display = f.display;
      if (f.title) settings.title = f.title;
      if (f.titlePace !== undefined) settings.titlePace = f.titlePace;
      if (f.minFetchIntervalSeconds !== undefined) settings.minFetchIntervalSeconds = f.minFetchIntervalSeconds;
      if (f.locale) settings.locale = f.locale;
      if (f.alerts !== undefined) {
        const alerts = parseAlertSettings(f.alerts);
        settings.alerts = alerts.settings;
        problems.push(...alerts.problems.map((problem) => `config.json alerts: ${problem}`));
      }
    } else {
      problems.push('config.json: not a JSON object; using defaults');
    }
  }
  const display = env('HEADROOM_DISPLAY');
  if (display === 'used' || display === 'remaining') settings.display = display;
  else if (display !== undefined) problems.push('HEADROOM_DISPLAY: expected used or remaining');
  const title = env('HEADROOM_TITLE');
  if (title !== undefined)
    settings.title = title
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  for (const id of ['claude', 'codex'] as const) {
    const value = env(`HEADROOM_${id.toUpperCase()}`);
    if (value === undefined) continue;
    if (value === 'off') settings.providers[id].enabled = false;
    else if (applySource(settings, id, value, `HEADROOM_${id.toUpperCase()}`, problems)) {
      settings.providers[id].enabled = true;
    }
  }
  const titlePace = env('HEADROOM_TITLE_PACE');
  if (titlePace === 'on' || titlePace === 'off') settings.titlePace = titlePace === 'on';
  else if (titlePace !== undefined) problems.push('HEADROOM_TITLE_PACE: expected on or off');
  const notify = env('HEADROOM_NOTIFY');
  if (notify === 'off' || notify === 'on') settings.alerts = { ...settings.alerts, enabled: notify === 'on' };
  else if (notify !== undefined) problems.push('HEADROOM_NOTIFY: expected on or off');
  settings.alerts = { ...settings.alerts, display: settings.display };
  const locale = env('HEADROOM_LOCALE');
  if (locale !== undefined) settings.locale = locale;
  if (settings.locale !== undefined && !isValidLocale(settings.locale)) {
    problems.push(`locale ${JSON.stringify(settings.locale)} is not a valid BCP 47 tag; using the system's`);
    settings.locale = undefined;
  }
  return { settings, problems };
}

/** Sets a provider's source if it offers it; returns false (and records a problem) otherwise. */
function applySource(settings: Settings, id: ProviderId, value: string, where: string, problems: string[]): boolean {
  if (value === 'auto' || (PROVIDER_SOURCES[id] as string[]).includes(value)) {
    settings.providers[id].source = value as SourceChoice;
    return true;
  } else {
    problems.push(`${where}: expected ${['auto', ...PROVIDER_SOURCES[id], 'off'].join(', ')}`);
    return false;
  }
}

function isValidLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

function cloneSettings(s: Settings): Settings {
  return {
    ...s,
    providers: { claude: { ...s.providers.claude }, codex: { ...s.providers.codex } },
    title: [...s.title],
    alerts: { ...s.alerts },
  };
}

/** Path of the plugin's config file: `$XDG_CONFIG_HOME/headroom/config.json`, default `~/.config/headroom/…`. */
export function configFilePath(ports: Ports): string {
  return joinPath(ports.env.get('XDG_CONFIG_HOME') ?? joinPath(ports.env.home, '.config'), 'headroom', 'config.json');
}

/**
 * Loads settings the way the plugin and CLI do: the config file (absent is fine; unreadable or not JSON is a
 * problem) and then the environment.
 */
export async function loadSettings(ports: Ports): Promise<LoadedSettings> {
  const path = configFilePath(ports);
  let file: unknown;
  const early: string[] = [];
  try {
    const text = await ports.files.readText(path);
    if (text !== null) file = JSON.parse(text) as unknown;
  } catch {
    early.push(`${path}: not readable JSON; using defaults`);
  }
  const loaded = resolveSettings(file, (name) => ports.env.get(name));
  return { settings: loaded.settings, problems: [...early, ...loaded.problems] };
}
