/**
 * The ranges every number from outside must fall in (API bodies, Codex's rollout lines, credentials files, the state
 * and history files Headroom wrote before). Parsers check each value where they read it: an out-of-range value is
 * dropped (the value, never the provider or the run) and the parser says why in its `problems`. What survives can be
 * formatted (core/format.ts), turned into a `Date` and written as JSON v1 without throwing.
 */

/** The highest percent used that is believed: 1000 % (overage may exceed 100 %; beyond this a value is noise). */
export const MAX_PERCENT = 1000;
/** The earliest instant believed, epoch ms: 2000-01-01T00:00:00Z. */
export const MIN_INSTANT_MS = Date.UTC(2000, 0, 1);
/** The latest instant believed, epoch ms: 2100-01-01T00:00:00Z (reset times, capture and attempt times). */
export const MAX_INSTANT_MS = Date.UTC(2100, 0, 1);
/** The longest duration believed, seconds: 366 days (a reset countdown, a window's length). */
export const MAX_DURATION_SECONDS = 366 * 86_400;
/** The largest amount believed, minor units: 10^15 (ten trillion dollars in cents; integers stay exact). */
export const MAX_MINOR_UNITS = 1e15;
/** The decimal places a currency's minor unit may have: 0–20 (what `Intl.NumberFormat` accepts on every engine). */
export const MAX_EXPONENT = 20;

/** A percent used (0–{@link MAX_PERCENT}) as given; null when not a number in that range. */
export function checkPercent(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_PERCENT ? value : null;
}

/** An instant, epoch ms, between {@link MIN_INSTANT_MS} and {@link MAX_INSTANT_MS}; null otherwise. */
export function checkInstant(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= MIN_INSTANT_MS && value <= MAX_INSTANT_MS
    ? value
    : null;
}

/** A duration in seconds, 0–{@link MAX_DURATION_SECONDS}; null otherwise. */
export function checkDurationSeconds(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_DURATION_SECONDS
    ? value
    : null;
}

/** An amount in minor units, rounded to a whole number, of magnitude at most {@link MAX_MINOR_UNITS}; null otherwise. */
export function checkMinorUnits(value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > MAX_MINOR_UNITS) return null;
  return Math.round(value) || 0;
}

/** A currency's decimal places: a whole number 0–{@link MAX_EXPONENT}; null otherwise. */
export function checkExponent(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_EXPONENT ? value : null;
}

const CURRENCY = /^[A-Z]{3}$/;

/** A currency: an ISO 4217-shaped code (`USD`; lower case is upper-cased) or `credits`; null otherwise. */
export function checkCurrency(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (value === 'credits') return value;
  const code = value.trim().toUpperCase();
  return CURRENCY.test(code) ? code : null;
}
