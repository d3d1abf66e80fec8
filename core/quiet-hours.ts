/**
 * Quiet hours: a daily span of local clock time (`HH:MM`, 24-hour) during which no notification is shown, and the
 * clock maths to tell whether an instant falls in it in the user's time zone (Intl, so the same in Node and GJS).
 */
import type { LocaleOptions } from './format.js';

/** Quiet hours in the user's local time, `HH:MM` (24-hour). `start` after `end` spans midnight. */
export interface QuietHours {
  start: string;
  end: string;
}

/** A clock time `H:MM` or `HH:MM`, 00:00–23:59; groups 1 and 2 are the hour and the minute. */
export const HH_MM = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** Minutes since local midnight (0–1439) of `at` (epoch ms) in the zone (the platform's when unset or invalid). */
export function localMinutes(at: number, locale: LocaleOptions): number {
  // The platform's zone is Date's own local time: no Intl needed.
  const local = (): number => {
    const date = new Date(at);
    return date.getHours() * 60 + date.getMinutes();
  };
  if (locale.timeZone === undefined) return local();
  try {
    const parts = new Intl.DateTimeFormat('en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone: locale.timeZone,
    }).formatToParts(at);
    const part = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
    return (part('hour') % 24) * 60 + part('minute');
  } catch {
    return local();
  }
}

/** A clock time `HH:MM` as minutes since midnight (0–1439); null when malformed. */
export function parseClock(value: string): number | null {
  const match = HH_MM.exec(value?.trim?.() ?? '');
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/**
 * True when `now` (epoch ms) falls in the quiet hours, in the zone of `locale.timeZone` (the platform's when unset).
 * `start` is inclusive, `end` exclusive; `22:00`–`07:00` spans midnight; equal or malformed times mean no quiet hours.
 */
export function inQuietHours(quiet: QuietHours | null | undefined, now: number, locale: LocaleOptions = {}): boolean {
  if (!quiet) return false;
  const start = parseClock(quiet.start);
  const end = parseClock(quiet.end);
  if (start === null || end === null || start === end) return false;
  const minutes = localMinutes(now, locale);
  return start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}
