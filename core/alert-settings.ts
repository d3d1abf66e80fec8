/**
 * Alert settings: the master switch, a switch per kind of alert, the thresholds (globally and per window), quiet
 * hours and whether texts speak of percent used or left — as read from config.json's `alerts` object, defaults filled
 * in. The engine that applies them is core/alerts.ts.
 *
 * Units: thresholds in percent used (0 < t < 100), clock times `HH:MM` in the user's time zone.
 */
import * as z from 'zod/mini';
import type { DisplayMode } from './format.js';
import type { ProviderId } from './model.js';
import { HH_MM, type QuietHours } from './quiet-hours.js';

/** Switches per kind (`depleted` also governs `restored`). */
export interface AlertKinds {
  threshold: boolean;
  depleted: boolean;
  reset: boolean;
  predictive: boolean;
  signIn: boolean;
}

/** Alert settings, defaults filled in. */
export interface AlertSettings {
  /** The master switch. */
  enabled: boolean;
  kinds: AlertKinds;
  /** Thresholds in percent used (0 < t < 100), for windows without their own list. Default 80, 90, 95. */
  thresholds: number[];
  /**
   * Thresholds per window: keys `<provider>.<window id>` (e.g. `claude.weekly-opus`, most specific) or a window id
   * (e.g. `weekly`). An empty list silences threshold alerts for that window.
   */
  windowThresholds: Record<string, number[]>;
  /** No notifications during these hours; null for none. */
  quietHours: QuietHours | null;
  /** Whether texts speak of percent used or percent left. */
  display: DisplayMode;
}

/** The defaults: everything on, 80/90/95 % used, no quiet hours. */
export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  enabled: true,
  kinds: { threshold: true, depleted: true, reset: true, predictive: true, signIn: true },
  thresholds: [80, 90, 95],
  windowThresholds: {},
  quietHours: null,
  display: 'used',
};

const thresholdList = z.array(z.number().check(z.gt(0), z.lt(100)));
const alertSettingsFile = {
  enabled: z.boolean(),
  kinds: z.record(z.string(), z.unknown()),
  thresholds: thresholdList,
  windowThresholds: z.record(z.string(), thresholdList),
  quietHours: z.nullable(z.object({ start: z.string().check(z.regex(HH_MM)), end: z.string().check(z.regex(HH_MM)) })),
  display: z.enum(['used', 'remaining']),
};

/**
 * Alert settings from a config value (e.g. config.json's `alerts` object; undefined when absent). Shape, every key
 * optional: `{enabled: boolean, kinds: {threshold, depleted, reset, predictive, signIn: boolean}, thresholds:
 * number[] (0 < t < 100, percent used), windowThresholds: {"<provider>.<window>" | "<window>": number[]},
 * quietHours: {start: "HH:MM", end: "HH:MM"} | null, display: "used" | "remaining"}`. A bad key falls back to its
 * default and is reported in `problems`. Never throws.
 */
export function parseAlertSettings(value: unknown): { settings: AlertSettings; problems: string[] } {
  const settings: AlertSettings = {
    ...DEFAULT_ALERT_SETTINGS,
    kinds: { ...DEFAULT_ALERT_SETTINGS.kinds },
    thresholds: [...DEFAULT_ALERT_SETTINGS.thresholds],
    windowThresholds: {},
  };
  const problems: string[] = [];
  if (value === undefined) return { settings, problems };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { settings, problems: ['alerts: not an object; using defaults'] };
  }
  const record = value as Record<string, unknown>;
  const read = <T>(key: keyof typeof alertSettingsFile, apply: (parsed: T) => void): void => {
    if (!(key in record) || record[key] === undefined) return;
    const parsed = (alertSettingsFile[key] as z.ZodMiniType<T>).safeParse(record[key]);
    if (parsed.success) apply(parsed.data);
    else problems.push(`alerts.${key}: ignored an invalid value`);
  };
  read<boolean>('enabled', (v) => (settings.enabled = v));
  read<Record<string, unknown>>('kinds', (v) => {
    for (const kind of Object.keys(settings.kinds) as (keyof AlertKinds)[]) {
      const flag = v[kind];
      if (typeof flag === 'boolean') settings.kinds[kind] = flag;
      else if (flag !== undefined) problems.push(`alerts.kinds.${kind}: expected true or false`);
    }
  });
  read<number[]>('thresholds', (v) => (settings.thresholds = cleanThresholds(v)));
  read<Record<string, number[]>>('windowThresholds', (v) => {
    settings.windowThresholds = Object.fromEntries(Object.entries(v).map(([k, list]) => [k, cleanThresholds(list)]));
  });
  read<QuietHours | null>('quietHours', (v) => (settings.quietHours = v));
  read<DisplayMode>('display', (v) => (settings.display = v));
  return { settings, problems };
}

/** Valid thresholds, ascending, without duplicates. */
function cleanThresholds(list: unknown): number[] {
  if (!Array.isArray(list)) return [];
  const valid = list.filter((t): t is number => typeof t === 'number' && Number.isFinite(t) && t > 0 && t < 100);
  return [...new Set(valid)].sort((a, b) => a - b);
}

/** The thresholds for a window: `<provider>.<window id>`, then `<window id>`, then the default list. */
export function thresholdsFor(settings: AlertSettings, provider: ProviderId, windowId: string): number[] {
  const own = settings.windowThresholds ?? {};
  const list =
    own[`${provider}.${windowId}`] ?? own[windowId] ?? settings.thresholds ?? DEFAULT_ALERT_SETTINGS.thresholds;
  return cleanThresholds(list);
}
