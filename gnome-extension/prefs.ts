/**
 * Headroom's preferences: providers and their sources, what the top bar shows, notifications, and whether the keyring
 * answers. Every widget is built before the first await, so GNOME 46 (which does not await fillPreferencesWindow) and
 * 47+ get the same window.
 */
import Adw from 'gi://Adw';
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Gtk from 'gi://Gtk';
import { ExtensionPreferences, gettext as _ } from 'resource:///org/gnome/Shell/Extensions/js/extensions/prefs.js';
import { Keyring } from './keyring.js';

/** A top-bar item: `<provider>.<window id>`, e.g. claude.session, codex.weekly, claude.max, claude.weekly-opus. */
const INDICATOR_ITEM = /^(claude|codex)\.[a-z0-9]+(-[a-z0-9]+)*$/;

interface Choice {
  value: string;
  label: string;
}

/** Calls `callback` when `key` changes; the window disconnects it on close. */
type Watch = (key: string, callback: () => void) => void;

function comboRow(settings: Gio.Settings, watch: Watch, key: string, title: string, choices: Choice[]): Adw.ComboRow {
  const row = new Adw.ComboRow({ title, model: Gtk.StringList.new(choices.map((choice) => choice.label)) });
  const sync = (): void => {
    row.selected = Math.max(
      0,
      choices.findIndex((choice) => choice.value === settings.get_string(key)),
    );
  };
  sync();
  watch(key, sync);
  row.connect('notify::selected', () => {
    const choice = choices[row.selected];
    if (choice && choice.value !== settings.get_string(key)) settings.set_string(key, choice.value);
  });
  return row;
}

/** A row for a list key edited as comma-separated text. Invalid text is marked and never saved. */
function listRow<T>(
  watch: Watch,
  key: string,
  title: string,
  list: { read: () => T[]; parse: (item: string) => T | null; write: (values: T[]) => void },
): Adw.EntryRow {
  const row = new Adw.EntryRow({ title, show_apply_button: true });
  const parsed = (): T[] | null => {
    const values = row
      .get_text()
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)
      .map(list.parse);
    return values.every((value) => value !== null) ? (values as T[]) : null;
  };
  const sync = (): void => {
    const stored = list.read();
    if (JSON.stringify(parsed()) !== JSON.stringify(stored)) row.set_text(stored.join(', '));
  };
  sync();
  watch(key, sync);
  row.connect('changed', () => {
    if (parsed()) row.remove_css_class('error');
    else row.add_css_class('error');
  });
  row.connect('apply', () => {
    const values = parsed();
    if (values) list.write(values);
  });
  return row;
}

function providersGroup(settings: Gio.Settings, watch: Watch): Adw.PreferencesGroup {
  const group = new Adw.PreferencesGroup({ title: _('Providers') });
  const automatic = { value: 'auto', label: _('Automatic') };
  const providers = [
    {
      id: 'claude',
      title: 'Claude',
      subtitle: _("Read with Claude Code's own login"),
      choices: [automatic, { value: 'api', label: _('OAuth API') }],
    },
    {
      id: 'codex',
      title: 'Codex',
      subtitle: _("Read with the Codex CLI's own login, or from its local logs"),
      choices: [automatic, { value: 'api', label: _('ChatGPT API') }, { value: 'logs', label: _('Local logs') }],
    },
  ];
  for (const { id, title, subtitle, choices } of providers) {
    const enabled = new Adw.SwitchRow({ title, subtitle });
    settings.bind(`${id}-enabled`, enabled, 'active', Gio.SettingsBindFlags.DEFAULT);
    const source = comboRow(settings, watch, `${id}-source`, _('Source'), choices);
    settings.bind(`${id}-enabled`, source, 'sensitive', Gio.SettingsBindFlags.GET);
    group.add(enabled);
    group.add(source);
  }
  return group;
}

function displayGroup(settings: Gio.Settings, watch: Watch): Adw.PreferencesGroup {
  const group = new Adw.PreferencesGroup({
    title: _('Display'),
    description: _(
      'Top bar items are comma-separated, e.g. claude.session, codex.weekly, or claude.max for the fullest window.',
    ),
  });
  group.add(
    comboRow(settings, watch, 'display-mode', _('Show'), [
      { value: 'used', label: _('Percent used') },
      { value: 'remaining', label: _('Percent remaining') },
    ]),
  );
  group.add(
    listRow(watch, 'indicator-items', _('Top bar items'), {
      read: () => settings.get_strv('indicator-items'),
      parse: (item) => (INDICATOR_ITEM.test(item) ? item : null),
      write: (items) => settings.set_strv('indicator-items', items),
    }),
  );
  const pace = new Adw.SwitchRow({
    title: _('Show pace in the top bar'),
    subtitle: _('↑ when usage runs ahead of an even pace, ↓ when behind'),
  });
  settings.bind('indicator-pace', pace, 'active', Gio.SettingsBindFlags.DEFAULT);
  group.add(pace);
  const interval = new Adw.SpinRow({
    title: _('Refresh interval'),
    subtitle: _('Seconds between two refreshes'),
    adjustment: new Gtk.Adjustment({ lower: 60, upper: 3600, step_increment: 60, page_increment: 600 }),
  });
  settings.bind('refresh-interval', interval, 'value', Gio.SettingsBindFlags.DEFAULT);
  group.add(interval);
  return group;
}

/**
 * An `ai` variant. The cast only bridges two copies of the GLib types in node_modules: gi://GLib resolves to the one
 * nested in @girs/gjs, Gio.Settings to the top-level one.
 */
function intArray(values: number[]): Parameters<Gio.Settings['set_value']>[1] {
  return new GLib.Variant('ai', values) as unknown as Parameters<Gio.Settings['set_value']>[1];
}

function notificationsGroup(settings: Gio.Settings, watch: Watch): Adw.PreferencesGroup {
  const group = new Adw.PreferencesGroup({ title: _('Notifications') });
  const enabled = new Adw.SwitchRow({
    title: _('Notify'),
    subtitle: _('Before a limit is hit, and when it resets'),
  });
  settings.bind('notifications-enabled', enabled, 'active', Gio.SettingsBindFlags.DEFAULT);
  const thresholds = listRow(watch, 'notification-thresholds', _('Thresholds (percent used)'), {
    read: () => settings.get_value('notification-thresholds').deepUnpack<number[]>(),
    parse: (item) => (/^\d+$/.test(item) && Number(item) >= 1 && Number(item) <= 100 ? Number(item) : null),
    write: (values) =>
      settings.set_value('notification-thresholds', intArray([...new Set(values)].sort((a, b) => a - b))),
  });
  settings.bind('notifications-enabled', thresholds, 'sensitive', Gio.SettingsBindFlags.GET);
  const resets = new Adw.SwitchRow({
    title: _('When a window resets'),
    subtitle: _('"Full capacity restored" after a window that crossed a threshold resets'),
  });
  settings.bind('notify-resets', resets, 'active', Gio.SettingsBindFlags.DEFAULT);
  const pace = new Adw.SwitchRow({
    title: _('When the pace runs out early'),
    subtitle: _('Once per window cycle, when the forecast says it runs out before it resets'),
  });
  settings.bind('notify-pace', pace, 'active', Gio.SettingsBindFlags.DEFAULT);
  const quiet = new Adw.EntryRow({
    title: _('Quiet hours, e.g. 22:00-07:00 (empty for none)'),
    show_apply_button: true,
  });
  quiet.set_text(settings.get_string('quiet-hours'));
  const validQuiet = (text: string): boolean =>
    text.trim() === '' || /^\s*\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}\s*$/.test(text);
  quiet.connect('changed', () => {
    if (validQuiet(quiet.get_text())) quiet.remove_css_class('error');
    else quiet.add_css_class('error');
  });
  quiet.connect('apply', () => {
    if (validQuiet(quiet.get_text())) settings.set_string('quiet-hours', quiet.get_text().trim());
  });
  for (const row of [resets, pace, quiet]) {
    settings.bind('notifications-enabled', row, 'sensitive', Gio.SettingsBindFlags.GET);
  }
  group.add(enabled);
  group.add(thresholds);
  group.add(resets);
  group.add(pace);
  group.add(quiet);
  return group;
}

/** Shows whether the Secret Service answers; the answer arrives asynchronously. */
function keyringGroup(keyring: Keyring, isOpen: () => boolean): Adw.PreferencesGroup {
  const group = new Adw.PreferencesGroup({
    title: _('Keyring'),
    description: _("Where Headroom keeps its own secrets. Claude Code's and Codex's logins are never copied there."),
  });
  const row = new Adw.ActionRow({ title: _('Secret Service'), subtitle: _('Checking…'), use_markup: false });
  group.add(row);
  void keyring.status().then((result) => {
    if (!isOpen()) return;
    row.subtitle = result.ok ? _('Available') : `${result.message} ${result.fix}`;
  });
  return group;
}

export default class HeadroomPreferences extends ExtensionPreferences {
  override async fillPreferencesWindow(window: Adw.PreferencesWindow): Promise<void> {
    const settings = this.getSettings();
    const keyring = new Keyring();
    const handlers: number[] = [];
    let open = true;
    const watch: Watch = (key, callback) => handlers.push(settings.connect(`changed::${key}`, callback));

    const page = new Adw.PreferencesPage();
    page.add(providersGroup(settings, watch));
    page.add(displayGroup(settings, watch));
    page.add(notificationsGroup(settings, watch));
    page.add(keyringGroup(keyring, () => open));
    window.add(page);

    window.connect('close-request', () => {
      open = false;
      for (const id of handlers) settings.disconnect(id);
      keyring.destroy();
      return false;
    });
  }
}
