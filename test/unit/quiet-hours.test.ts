import { describe, expect, it } from 'vitest';
import { inQuietHours, localMinutes, parseClock } from '../../core/quiet-hours.js';

describe('inQuietHours', () => {
  /** Sunday 22 November 2026: Berlin is UTC+1. */
  const night = Date.UTC(2026, 10, 22, 22, 30); // 23:30 in Berlin
  const morning = Date.UTC(2026, 10, 23, 7, 0); // 08:00 in Berlin

  it('reads HH:MM in the given zone, spanning midnight or not', () => {
    const zone = { timeZone: 'Europe/Berlin' };
    expect(inQuietHours({ start: '22:00', end: '07:00' }, night, zone)).toBe(true);
    expect(inQuietHours({ start: '22:00', end: '07:00' }, morning, zone)).toBe(false);
    expect(inQuietHours({ start: '22:00', end: '07:00' }, Date.UTC(2026, 10, 23, 5, 59), zone)).toBe(true);
    expect(inQuietHours({ start: '22:00', end: '07:00' }, Date.UTC(2026, 10, 23, 6, 0), zone)).toBe(false);
    const noonInBerlin = Date.UTC(2026, 10, 23, 11, 15);
    expect(inQuietHours({ start: '12:00', end: '13:30' }, noonInBerlin, zone)).toBe(true);
    expect(inQuietHours({ start: '12:00', end: '13:30' }, noonInBerlin, { timeZone: 'UTC' })).toBe(false);
    expect(inQuietHours({ start: '08:00', end: '08:00' }, morning, zone)).toBe(false);
    expect(inQuietHours({ start: '25:00', end: '07:00' }, night, zone)).toBe(false);
    expect(inQuietHours(null, night, zone)).toBe(false);
    // An unknown zone falls back to the platform's instead of throwing.
    expect(typeof inQuietHours({ start: '00:00', end: '23:59' }, night, { timeZone: 'Mars/Olympus' })).toBe('boolean');
  });
});

describe('clock maths', () => {
  it('reads HH:MM and H:MM, and nothing else', () => {
    expect(parseClock('07:30')).toBe(450);
    expect(parseClock('7:30')).toBe(450);
    expect(parseClock(' 23:59 ')).toBe(1439);
    expect(parseClock('24:00')).toBeNull();
    expect(parseClock('7.30')).toBeNull();
  });

  it("gives the minutes since local midnight in the user's zone", () => {
    expect(localMinutes(Date.UTC(2026, 10, 22, 22, 30), { timeZone: 'Europe/Berlin' })).toBe(23 * 60 + 30);
    expect(localMinutes(Date.UTC(2026, 10, 22, 23, 5), { timeZone: 'Europe/Berlin' })).toBe(5);
    expect(localMinutes(Date.UTC(2026, 10, 22, 23, 5), { timeZone: 'UTC' })).toBe(23 * 60 + 5);
  });
});
