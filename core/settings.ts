/**
 * User settings: which providers and sources, used vs remaining, what the title shows, how often APIs may be asked.
 * The plugin reads them from `$XDG_CONFIG_HOME/headroom/config.json` (default `~/.config/headroom/config.json`) and
 * `HEADROOM_*` environment variables (SwiftBar/xbar plugin variables arrive that way); the GNOME extension builds
 * them from GSettings. Bad values never fail: they fall back to the default and are reported as problems.
 */
import * as z from 'zod/mini';
import type { AccountSettings } from './accounts.js';
import { CATALOG, type ProviderInfo, organizationSource, providerEnvName } from './catalog.js';
import type { DisplayMode } from './format.js';
import type { Ports } from './ports.js';
import { joinPath, parseJsonText } from './parse.js';
import { type AlertSettings, DEFAULT_ALERT_SETTINGS, parseAlertSettings } from './alert-settings.js';
import { DEFAULT_TELEMETRY_SETTINGS, type TelemetrySettings, resolveTelemetrySettings } from './telemetry/settings.js';

/** A provider's source choice: `auto` (the provider's documented order, first that works) or one source's id. */
export type SourceChoice = string;

/** One provider's settings. */
export interface ProviderSettings extends AccountSettings {
  enabled: boolean;
  /** `auto` or one of the provider's source ids (catalog). */
  source: SourceChoice;
}

/** All settings, with defaults filled in. */
export interface Settings {
  /** Per catalog provider id; every catalog provider has an entry. */
  providers: Record<string, ProviderSettings>;
  /** Percent used (default, as claude.ai shows it) or remaining. */
  display: DisplayMode;
  /**
   * What the menu-bar title shows: items `<account key>.<window id>` (e.g. `claude.session`, `codex.weekly`,
   * `claude@claude-work.session`; core/accounts.ts) or `<account key>.max` (that account's fullest window).
   * Default: each provider's session window.
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
  /** Team telemetry from Prometheus (core/telemetry/settings.ts); off while its URL is null. */
  telemetry: TelemetrySettings;
}

function defaultProviderSettings(): ProviderSettings {
  return { enabled: true, source: 'auto', directories: [], labels: {} };
}

/** The defaults, derived from the catalog: every provider on, `auto`, no extra accounts, each session in the title. */
export const DEFAULT_SETTINGS: Settings = {
  providers: Object.fromEntries(CATALOG.map((info) => [info.id, defaultProviderSettings()])),
  display: 'used',
  title: CATALOG.map((info) => `${info.id}.session`),
  titlePace: false,
  minFetchIntervalSeconds: 60,
  locale: undefined,
  alerts: DEFAULT_ALERT_SETTINGS,
  telemetry: DEFAULT_TELEMETRY_SETTINGS,
};

/** The shape of one provider's entry in config.json, from its catalog entry; every key optional. */
function providerFileSchema(info: ProviderInfo) {
  return z.looseObject({
    enabled: z.optional(z.boolean()),
    source: z.optional(z.string()),
    [info.directories.configKey]: z.optional(z.array(z.string())),
    labels: z.optional(z.record(z.string(), z.string())),
    organizations: z.optional(z.array(z.string())),
  });
}

/** The shape of config.json; every key optional. */
const settingsFile = z.looseObject({
  providers: z.optional(
    z.looseObject(Object.fromEntries(CATALOG.map((info) => [info.id, z.optional(providerFileSchema(info))]))),
  ),
  display: z.optional(z.enum(['used', 'remaining'])),
  title: z.optional(z.array(z.string())),
  titlePace: z.optional(z.boolean()),
  minFetchIntervalSeconds: z.optional(z.number().check(z.minimum(10))),
  locale: z.optional(z.string()),
  alerts: z.optional(z.unknown()),
  telemetry: z.optional(z.unknown()),
});

/** Settings plus what was wrong with the input. */
export interface LoadedSettings {
  settings: Settings;
  /** Human sentences about ignored values, e.g. "HEADROOM_DISPLAY: expected used or remaining". */
  problems: string[];
}

/**
 * Drops the values of `value` that `schema` rejects — the innermost object key on each failing path, or the key
 * holding a failing array — so that one bad value never costs its neighbours; `where` names the dropped paths in
 * `problems`. Undefined when `value` is not an object.
 */
function keepValid<T>(schema: z.ZodMiniType<T>, value: unknown, problems: string[], where: string): T | undefined {
  const first = schema.safeParse(value);
  if (first.success) return first.data;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  const paths = first.error.issues.map((issue) => issue.path.map(String));
  problems.push(`${where}: ignored invalid ${[...new Set(paths.map((path) => path.join('.')))].join(', ')}`);
  for (const path of paths) {
    let holder: Record<string, unknown> = copy;
    for (let i = 0; i < path.length; i++) {
      const next = holder[path[i]!];
      if (i === path.length - 1 || next === null || typeof next !== 'object' || Array.isArray(next)) {
        delete holder[path[i]!];
        break;
      }
      holder = next as Record<string, unknown>;
    }
  }
  const again = schema.safeParse(copy);
  return again.success ? again.data : undefined;
}

/** True when `choice` is `auto` or one of the provider's sources. */
function offers(info: ProviderInfo, choice: string): boolean {
  return choice === 'auto' || info.sources.some((source) => source.id === choice);
}

/** "auto, api, logs": the source choices of a provider, for problems. */
function sourceWords(info: ProviderInfo): string {
  return ['auto', ...info.sources.map((source) => source.id)].join(', ');
}

/**
 * A list of directories from settings: `~` and `~/…` expand to `home`; relative paths are refused (a problem), as
 * are empty entries.
 */
function directoryList(list: readonly string[], home: string | undefined, where: string, problems: string[]): string[] {
  const out: string[] = [];
  for (const raw of list) {
    const entry = raw.trim();
    if (!entry) continue;
    const expanded = home ? entry.replace(/^~(?=\/|$)/, home) : entry;
    if (expanded.startsWith('/')) out.push(expanded);
    else problems.push(`${where}: ${JSON.stringify(entry)} is not an absolute path; ignored`);
  }
  return out;
}

/**
 * Builds settings from a parsed config file (any JSON value, or undefined when there is none) and environment
 * variables; `home` (the user's home directory) expands `~` in directory lists. Environment wins over the file,
 * except that directory variables add to the file's lists. Per catalog provider (`claude`, `codex`):
 * - `HEADROOM_<PROVIDER>` = `auto` | a source id | `off` (e.g. `HEADROOM_CODEX=logs`)
 * - the provider's directory variable (`HEADROOM_CLAUDE_CONFIG_DIRS`, `HEADROOM_CODEX_HOMES`) = extra configuration
 *   directories, each one account, separated by `:`
 *
 * and globally:
 * - `HEADROOM_DISPLAY` = `used` | `remaining`
 * - `HEADROOM_TITLE` = comma-separated title items, e.g. `claude.session,codex.weekly`
 * - `HEADROOM_LOCALE` = a BCP 47 tag
 * - `HEADROOM_TITLE_PACE` = `on` | `off`
 * - `HEADROOM_NOTIFY` = `on` | `off`
 *
 * config.json per provider: `providers.<id>.{enabled: boolean, source: string, <directories key>: string[],
 * labels: {<account id>: string}}` (directories key: `configDirs` for Claude, `homes` for Codex); Claude also
 * `organizations: string[]`, the claude.ai organisations (uuids or names) its `web` source reads, one account each.
 *
 * Telemetry: config.json's `telemetry` and the `HEADROOM_PROMETHEUS_*` / `HEADROOM_TELEMETRY_*` variables, see
 * {@link resolveTelemetrySettings}.
 */
export function resolveSettings(
  file: unknown,
  env: (name: string) => string | undefined,
  home?: string,
): LoadedSettings {
  const problems: string[] = [];
  const settings: Settings = cloneSettings(DEFAULT_SETTINGS);
  let telemetryFile: unknown;
  if (file !== undefined) {
    const f = keepValid(settingsFile, file, problems, 'config.json');
    if (f) {
      for (const info of CATALOG) {
        const p = (f.providers as Record<string, Record<string, unknown> | undefined> | undefined)?.[info.id];
        if (!p) continue;
        const target = settings.providers[info.id]!;
        if (typeof p.enabled === 'boolean') target.enabled = p.enabled;
        if (typeof p.source === 'string') {
          if (offers(info, p.source)) target.source = p.source;
          else problems.push(`config.json providers.${info.id}.source: expected ${sourceWords(info)}`);
        }
        const dirs = p[info.directories.configKey] as string[] | undefined;
        if (dirs) {
          const where = `config.json providers.${info.id}.${info.directories.configKey}`;
          target.directories = directoryList(dirs, home, where, problems);
        }
        if (p.labels) target.labels = { ...(p.labels as Record<string, string>) };
        const organizations = p.organizations as string[] | undefined;
        if (organizations && organizationSource(info)) {
          target.organizations = organizations.map((org) => org.trim()).filter(Boolean);
        }
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
      telemetryFile = f.telemetry;
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
  for (const info of CATALOG) {
    const target = settings.providers[info.id]!;
    const name = providerEnvName(info.id);
    const value = env(name);
    if (value === 'off') target.enabled = false;
    else if (value !== undefined) {
      if (offers(info, value)) {
        target.source = value;
        target.enabled = true;
      } else {
        problems.push(`${name}: expected ${sourceWords(info)}, off`);
      }
    }
    const dirs = env(info.directories.env);
    if (dirs !== undefined) {
      const extra = directoryList(dirs.split(':'), home, info.directories.env, problems);
      target.directories = [...target.directories, ...extra.filter((dir) => !target.directories.includes(dir))];
    }
  }
  const titlePace = env('HEADROOM_TITLE_PACE');
  if (titlePace === 'on' || titlePace === 'off') settings.titlePace = titlePace === 'on';
  else if (titlePace !== undefined) problems.push('HEADROOM_TITLE_PACE: expected on or off');
  const notify = env('HEADROOM_NOTIFY');
  if (notify === 'off' || notify === 'on') settings.alerts = { ...settings.alerts, enabled: notify === 'on' };
  else if (notify !== undefined) problems.push('HEADROOM_NOTIFY: expected on or off');
  settings.alerts = { ...settings.alerts, display: settings.display };
  const telemetry = resolveTelemetrySettings(telemetryFile, env, home);
  settings.telemetry = telemetry.settings;
  problems.push(...telemetry.problems);
  const locale = env('HEADROOM_LOCALE');
  if (locale !== undefined) settings.locale = locale;
  if (settings.locale !== undefined && !isValidLocale(settings.locale)) {
    problems.push(`locale ${JSON.stringify(settings.locale)} is not a valid BCP 47 tag; using the system's`);
    settings.locale = undefined;
  }
  return { settings, problems };
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
    providers: Object.fromEntries(
      Object.entries(s.providers).map(([id, p]) => [
        id,
        {
          ...p,
          directories: [...p.directories],
          labels: { ...p.labels },
          ...(p.organizations && { organizations: [...p.organizations] }),
        },
      ]),
    ),
    title: [...s.title],
    alerts: { ...s.alerts },
    telemetry: { ...s.telemetry },
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
    if (text !== null) file = parseJsonText(text);
  } catch {
    early.push(`${path}: not readable JSON; using defaults`);
  }
  const loaded = resolveSettings(file, (name) => ports.env.get(name), ports.env.home);
  return { settings: loaded.settings, problems: [...early, ...loaded.problems] };
}
