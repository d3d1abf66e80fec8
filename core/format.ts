/**
 * Formatting for people: percentages (used or remaining), countdowns, reset times in the user's time zone and
 * locale (Intl), money. Shared by the SwiftBar plugin, the CLI and the GNOME Shell extension.
 *
 * Never throws: a value no formatter can show (NaN, an instant no Date holds, a money exponent Intl refuses) reads
 * {@link UNKNOWN}. Parsers drop such values first (core/ranges.ts); this is the last line of defence.
 */
import { type Formatter, captureDate, captureNumber, replayable, replayedFact } from './intl-replay.js';
import { checkExponent, checkInstant } from './ranges.js';

/** What a value that cannot be shown reads: an em dash. */
export const UNKNOWN = '—';

/** Whether numbers are shown as percent used (as claude.ai does) or percent remaining (as Codex does). */
export type DisplayMode = 'used' | 'remaining';

/** Locale and time zone for dates and numbers; undefined means the platform default. */
export interface LocaleOptions {
  /** BCP 47 tag, e.g. "de-DE". */
  locale?: string | undefined;
  /** IANA zone, e.g. "Europe/Berlin". */
  timeZone?: string | undefined;
  /** Clock times on a 12-hour clock ("6:02 PM", true) or a 24-hour one ("18:02", false); undefined: the locale's. */
  hour12?: boolean | undefined;
}

/** How alarming a value is, for colours: consumption drives it whatever the display mode. */
export type Severity = 'normal' | 'warning' | 'critical';

// Building an Intl formatter costs far more than using one (ICU loads locale data), and a menu formats dozens of
// values: keep one formatter per locale and options. A one-shot process may replay them without Intl at all
// (core/intl-replay.ts).
const numberFormats = new Map<string, Formatter<number>>();
const dateFormats = new Map<string, Formatter<number | Date>>();

/**
 * A cached number formatter with `Intl.NumberFormat`'s output; throws like the constructor for an invalid currency
 * or locale. Plain, percent and currency styles with a fixed number of fraction digits are replayable.
 */
export function numberFormat(locale: string | undefined, options: Intl.NumberFormatOptions): Formatter<number> {
  const key = JSON.stringify(['NumberFormat', locale, options]);
  let format = numberFormats.get(key);
  if (!format) {
    const fraction = options.maximumFractionDigits ?? -1;
    const fixed = (options.minimumFractionDigits ?? (options.style === 'currency' ? -1 : 0)) === fraction;
    const simple = options.notation === undefined && options.signDisplay === undefined && fixed;
    format = replayable(
      key,
      () => new Intl.NumberFormat(locale, options),
      (intl) =>
        simple ? captureNumber(intl as Intl.NumberFormat, options.style === 'percent' ? 100 : 1, fraction) : null,
    );
    numberFormats.set(key, format);
  }
  return format;
}

/**
 * A cached date formatter with `Intl.DateTimeFormat`'s output; throws like the constructor for an invalid zone or
 * locale. Formatters in the local time zone (`timeZone` unset) are replayable.
 */
export function dateFormat(locale: string | undefined, options: Intl.DateTimeFormatOptions): Formatter<number | Date> {
  const key = JSON.stringify(['DateTimeFormat', locale, options]);
  let format = dateFormats.get(key);
  if (!format) {
    format = replayable(
      key,
      () => new Intl.DateTimeFormat(locale, options),
      (intl) => (options.timeZone === undefined ? captureDate(intl as Intl.DateTimeFormat) : null),
    );
    dateFormats.set(key, format);
  }
  return format;
}

/**
 * Float noise tolerated when rounding, in percentage points: 0.575 × 100 is 57.49999999999999 in binary floating
 * point, which must round like 57.5.
 */
const ROUNDING_SLACK = 1e-9;

/**
 * The whole percent shown for a used percentage (0–100, may exceed 100): rounded half up, never below 0 —
 * 18.5 → 19, 0.5 → 1, 99.6 → 100, 120 → 120. This is the one place a percentage is rounded: what the menu shows
 * (used or remaining, see {@link shownPercent}), its colour ({@link severityOf}), its bar and the alerts' thresholds
 * all derive from this number, so "19% used" is never shown next to "82% left". NaN stays NaN.
 */
export function displayedUsedPercent(usedPercent: number): number {
  return Math.max(0, Math.round(usedPercent + ROUNDING_SLACK));
}

/**
 * Severity of a used percentage (0–100+) as shown ({@link displayedUsedPercent}): warning from 70 %, critical from
 * 90 %, so a value shown as "90%" is always critical.
 */
export function severityOf(usedPercent: number): Severity {
  const shown = displayedUsedPercent(usedPercent);
  if (shown >= 90) return 'critical';
  if (shown >= 70) return 'warning';
  return 'normal';
}

/** The most severe of several. */
export function maxSeverity(values: Severity[]): Severity {
  if (values.includes('critical')) return 'critical';
  return values.includes('warning') ? 'warning' : 'normal';
}

/**
 * The whole number shown for a used percentage (0–100+) in a display mode: used is {@link displayedUsedPercent};
 * remaining is 100 − that, never below 0. Remaining is derived from the rounded used value, so the two always add up
 * to 100: 18.5 → 19 used / 81 left, 0.5 → 1 / 99, 99.6 → 100 / 0.
 */
export function shownPercent(usedPercent: number, mode: DisplayMode): number {
  const used = displayedUsedPercent(usedPercent);
  return mode === 'used' ? used : Math.max(0, 100 - used);
}

/**
 * A percentage (0–100+) as a whole percent in the locale: 37 → "37%" ("37 %" in de-DE). A fraction is rounded by
 * {@link displayedUsedPercent} (37.5 → "38%"); whole numbers such as {@link shownPercent}'s are shown as they are.
 */
export function formatPercent(value: number, options: LocaleOptions = {}): string {
  if (!Number.isFinite(value)) return UNKNOWN;
  return numberFormat(options.locale, { style: 'percent', maximumFractionDigits: 0 }).format(
    displayedUsedPercent(value) / 100,
  );
}

/**
 * A used percentage (0–100+) as the display mode shows it, with its word: "19% used" or "81% left" (for 18.5 % used).
 */
export function formatShownPercent(usedPercent: number, mode: DisplayMode, options: LocaleOptions = {}): string {
  return `${formatPercent(shownPercent(usedPercent, mode), options)} ${mode === 'used' ? 'used' : 'left'}`;
}

/**
 * A duration as a short countdown: "2 h 14 min", "3 d 4 h", "45 min", "< 1 min". Negative durations read as
 * "< 1 min".
 */
export function formatDuration(ms: number): string {
  if (Number.isNaN(ms) || ms === Infinity) return UNKNOWN;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return '< 1 min';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return mins > 0 ? `${hours} h ${mins} min` : `${hours} h`;
  return `${mins} min`;
}

/**
 * When an estimated moment comes, as words for a sentence: "in ~1 h 40 min", "in ~2 d"; "in under a minute" when it
 * is less than a minute away or already past. `ms` is the duration until it, ms. The "~" marks an estimate (a
 * forecast), never the compact "< 1 min" of {@link formatDuration}, which would read "~< 1 min".
 */
export function formatEstimateIn(ms: number): string {
  return ms >= 60_000 ? `in ~${formatDuration(ms)}` : 'in under a minute';
}

/** The hour style of a locale: two digits where clocks run 0–23 ("06:02"), numeric where they are 12-hour. */
function hourStyle(options: LocaleOptions): '2-digit' | 'numeric' {
  if (options.hour12 !== undefined) return options.hour12 ? 'numeric' : '2-digit';
  const cycle = replayedFact(JSON.stringify(['hourCycle', options.locale]), () => {
    return new Intl.DateTimeFormat(options.locale, { hour: 'numeric' }).resolvedOptions().hourCycle ?? '';
  });
  return cycle === 'h23' || cycle === 'h24' ? '2-digit' : 'numeric';
}

/**
 * The hour cycle `hour12` asks for: h12 ("12:05 AM", as GNOME's 12-hour clock; `hour12: true` would give some
 * locales h11, "0:05 AM") or h23 ("00:05"); undefined: the locale's.
 */
function hourCycle(options: LocaleOptions): 'h12' | 'h23' | undefined {
  return options.hour12 === undefined ? undefined : options.hour12 ? 'h12' : 'h23';
}

/** A clock time in the user's locale and zone: "06:02" or "6:02 AM"; {@link UNKNOWN} for an instant out of range. */
export function formatClockTime(at: number, options: LocaleOptions = {}): string {
  if (checkInstant(at) === null) return UNKNOWN;
  return dateFormat(options.locale, {
    hour: hourStyle(options),
    hourCycle: hourCycle(options),
    minute: '2-digit',
    timeZone: options.timeZone,
  }).format(at);
}

/** Calendar day key of an instant in a zone (unset: the platform's, from Date's local getters), for "is it today?". */
function dayKey(at: number, options: LocaleOptions): string {
  if (options.timeZone === undefined) {
    const date = new Date(at);
    return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
  }
  return dateFormat('en-CA', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    timeZone: options.timeZone,
  }).format(at);
}

/**
 * A reset instant relative to now, in local time: "16:16" today, "Thu 08:00" within a week, "3 Jan 08:00" beyond.
 */
export function formatLocalTime(at: number, now: number, options: LocaleOptions = {}): string {
  if (checkInstant(at) === null || checkInstant(now) === null) return UNKNOWN;
  if (dayKey(at, options) === dayKey(now, options)) return formatClockTime(at, options);
  const withinWeek = Math.abs(at - now) < 6 * 86_400_000;
  return dateFormat(options.locale, {
    ...(withinWeek ? { weekday: 'short' } : { day: 'numeric', month: 'short' }),
    hour: hourStyle(options),
    hourCycle: hourCycle(options),
    minute: '2-digit',
    timeZone: options.timeZone,
  }).format(at);
}

/** "resets in 2 h 14 min (16:16)"; "resets now" once the time is reached. */
export function formatResetCountdown(resetsAt: number, now: number, options: LocaleOptions = {}): string {
  if (resetsAt <= now) return 'resets now';
  return `resets in ${formatDuration(resetsAt - now)} (${formatLocalTime(resetsAt, now, options)})`;
}

/**
 * An amount in minor units as money: (1234, "USD", 2) → "$12.34"; `credits` → "12.34 credits". Intl formats any
 * well-formed three-letter code (an unknown one as "XYZ 12.34"); anything else reads "12.34 <currency>". An amount
 * that is not finite, or an exponent outside 0–20, reads {@link UNKNOWN}.
 */
export function formatMoney(minor: number, currency: string, exponent: number, options: LocaleOptions = {}): string {
  if (!Number.isFinite(minor) || checkExponent(exponent) === null) return UNKNOWN;
  const major = minor / 10 ** exponent;
  const digits = { minimumFractionDigits: exponent, maximumFractionDigits: exponent };
  if (/^[A-Z]{3}$/.test(currency)) {
    try {
      return numberFormat(options.locale, { style: 'currency', currency, ...digits }).format(major);
    } catch {
      // An unknown ISO code: show the plain number with the code.
    }
  }
  return `${numberFormat(options.locale, digits).format(major)} ${currency}`.trim();
}
