// GNOME's clock format (gnome-extension/clock.ts) under the real gjs, on GSettings' memory backend so the user's
// dconf is never touched, and core's `hour12` option under SpiderMonkey's Intl.
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import { formatClockTime, formatLocalTime } from '../../core/format.js';
import { CLOCK_FORMAT_KEY, clockHour12, clockSettings } from '../../gnome-extension/clock.js';
import { equal, ok, run, test } from './assert.js';

// Before any Gio.Settings exists: the backend is chosen once per process.
GLib.setenv('GSETTINGS_BACKEND', 'memory', true);

const AT = Date.UTC(2026, 10, 22, 18, 2);

test('core formats 24-hour times for hour12: false and 12-hour ones for hour12: true', () => {
  const spaces = (text: string): string => text.replace(/\s/g, ' ');
  equal(formatClockTime(AT, { locale: 'en-US', timeZone: 'UTC', hour12: false }), '18:02');
  equal(spaces(formatClockTime(AT, { locale: 'de-DE', timeZone: 'UTC', hour12: true })), '6:02 PM');
  equal(
    spaces(formatClockTime(Date.UTC(2026, 10, 22, 0, 5), { locale: 'de-DE', timeZone: 'UTC', hour12: true })),
    '12:05 AM',
  );
  equal(formatLocalTime(AT + 86_400_000, AT, { locale: 'en-US', timeZone: 'UTC', hour12: false }), 'Mon 18:02');
});

test('clock-format reads as hour12, and a change is signalled', () => {
  const installed = Gio.SettingsSchemaSource.get_default()?.lookup('org.gnome.desktop.interface', true) ?? null;
  const settings = clockSettings();
  if (!installed?.has_key(CLOCK_FORMAT_KEY)) {
    // No gsettings-desktop-schemas: no settings, and the locale decides.
    equal(settings, null);
    equal(clockHour12(settings), undefined);
    return;
  }
  ok(settings, 'the schema is installed but clockSettings() gave null');
  equal(clockHour12(settings), settings.get_string(CLOCK_FORMAT_KEY) === '12h');
  const seen: boolean[] = [];
  const id = settings.connect(`changed::${CLOCK_FORMAT_KEY}`, () => seen.push(clockHour12(settings) === true));
  settings.set_string(CLOCK_FORMAT_KEY, '12h');
  settings.set_string(CLOCK_FORMAT_KEY, '24h');
  const context = GLib.MainContext.default();
  while (context.pending()) context.iteration(false);
  settings.disconnect(id);
  equal(seen, [true, false]);
  equal(clockHour12(settings), false);
  equal(clockHour12(null), undefined);
});

await run();
