/**
 * GNOME's clock setting, which Headroom's times follow as the top-bar clock does: key `clock-format` (`'24h'` or
 * `'12h'`) of the schema `org.gnome.desktop.interface` (gsettings-desktop-schemas,
 * schemas/org.gnome.desktop.interface.gschema.xml.in; read by GNOME Shell's js/misc/dateUtils.js and by
 * gnome-desktop's libgnome-desktop/gnome-wall-clock.c, the top-bar clock).
 */
import Gio from 'gi://Gio';

const SCHEMA = 'org.gnome.desktop.interface';
export const CLOCK_FORMAT_KEY = 'clock-format';

/** The desktop interface settings, or null when the schema (or its `clock-format` key) is not installed. */
export function clockSettings(): Gio.Settings | null {
  const schema = Gio.SettingsSchemaSource.get_default()?.lookup(SCHEMA, true) ?? null;
  return schema?.has_key(CLOCK_FORMAT_KEY) ? new Gio.Settings({ settings_schema: schema }) : null;
}

/** core's `hour12` for the setting: true for `'12h'`, false for `'24h'`, undefined without it (the locale decides). */
export function clockHour12(settings: Gio.Settings | null): boolean | undefined {
  const format = settings?.get_string(CLOCK_FORMAT_KEY);
  return format === '12h' ? true : format === '24h' ? false : undefined;
}
