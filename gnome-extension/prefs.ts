/**
 * Headroom's preferences: providers and their sources, Headroom's own Claude sign-in, what the top bar shows,
 * notifications, team telemetry from Prometheus, and whether the keyring answers. Every widget is built before the first await, so GNOME 46 (which does not await fillPreferencesWindow) and
 * 47+ get the same window.
 */
import './zod-jitless.js';
import Adw from 'gi://Adw';
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Gtk from 'gi://Gtk';
import {
  ExtensionPreferences,
  gettext as _,
  ngettext,
} from 'resource:///org/gnome/Shell/Extensions/js/extensions/prefs.js';
import { CATALOG } from '../core/catalog.js';
import {
  type ClaudeOrganization,
  SESSION_KEY_LABEL,
  SESSION_KEY_SECRET,
  cleanSessionKey,
  defaultOrganization,
  listClaudeOrganizations,
} from '../core/providers/claude-web.js';
import { PROMETHEUS_SECRET_KEY, PROMETHEUS_SECRET_LABEL } from '../core/telemetry/connect.js';
import { checkConnection } from '../core/telemetry/index.js';
import { TELEMETRY_RANGES, checkPrometheusUrl } from '../core/telemetry/settings.js';
import { forgetSignIn, signInStatus } from '../core/oauth.js';
import { GjsPorts } from './gjs-ports.js';
import { ClaudeSignIn } from './sign-in.js';
import { stateLocks } from './state-lock.js';
import { Keyring } from './keyring.js';
import { readTelemetrySettings } from './settings.js';

/**
 * A top-bar item: `<account key>.<window id>`, e.g. claude.session, codex.weekly, claude.max, claude.weekly-opus,
 * claude@claude-work.session; the provider is one of the catalog's.
 */
const INDICATOR_ITEM = new RegExp(
  `^(${CATALOG.map((info) => info.id).join('|')})(@[a-z0-9]+(-[a-z0-9]+)*)?\\.[a-z0-9]+(-[a-z0-9]+)*$`,
);

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

/** A string dictionary (`a{ss}`) or list dictionary (`a{sas}`) variant; the cast bridges two copies of GLib's types. */
function dictionary(
  type: 'a{ss}' | 'a{sas}',
  value: Record<string, string> | Record<string, string[]>,
): Parameters<Gio.Settings['set_value']>[1] {
  return new GLib.Variant(type, value as Record<string, string>) as unknown as Parameters<Gio.Settings['set_value']>[1];
}

/** Reads a dictionary key. */
function readDictionary<T>(settings: Gio.Settings, key: string): Record<string, T> {
  return settings.get_value(key).deepUnpack<Record<string, T>>();
}

/** Replaces one entry of a dictionary key (`undefined` removes it). */
function writeEntry<T>(settings: Gio.Settings, key: string, type: 'a{ss}' | 'a{sas}', id: string, value?: T): void {
  const current = readDictionary<T>(settings, key);
  if (value === undefined) delete current[id];
  else current[id] = value;
  settings.set_value(key, dictionary(type, current as Record<string, string>));
}

/** One group per provider of the catalog: shown or not, its source, its extra accounts and their labels. */
function providerGroups(settings: Gio.Settings, watch: Watch): Adw.PreferencesGroup[] {
  return CATALOG.map((info) => {
    const group = new Adw.PreferencesGroup({
      title: info.name,
      description: `${_('Read with the login that %s keeps on this computer').replace('%s', info.tool)} (${info.directories.defaultDirectory})`,
    });
    const enabled = new Adw.SwitchRow({ title: _('Show %s').replace('%s', info.name) });
    const syncEnabled = (): void => {
      enabled.active = settings.get_strv('enabled-providers').includes(info.id);
    };
    syncEnabled();
    watch('enabled-providers', syncEnabled);
    enabled.connect('notify::active', () => {
      const list = settings.get_strv('enabled-providers').filter((id) => id !== info.id);
      if (enabled.active) list.push(info.id);
      const ordered = CATALOG.map((p) => p.id).filter((id) => list.includes(id));
      if (ordered.join() !== settings.get_strv('enabled-providers').join()) {
        settings.set_strv('enabled-providers', ordered);
      }
    });
    group.add(enabled);

    const choices: Choice[] = [
      { value: 'auto', label: _('Automatic') },
      ...info.sources.map((source) => ({ value: source.id, label: source.label })),
    ];
    const source = new Adw.ComboRow({
      title: _('Source'),
      model: Gtk.StringList.new(choices.map((choice) => choice.label)),
    });
    const current = (): string => readDictionary<string>(settings, 'provider-sources')[info.id] ?? 'auto';
    const syncSource = (): void => {
      source.selected = Math.max(
        0,
        choices.findIndex((choice) => choice.value === current()),
      );
    };
    syncSource();
    watch('provider-sources', syncSource);
    source.connect('notify::selected', () => {
      const choice = choices[source.selected];
      if (!choice || choice.value === current()) return;
      writeEntry(settings, 'provider-sources', 'a{ss}', info.id, choice.value === 'auto' ? undefined : choice.value);
    });
    group.add(source);

    const directories = listRow(
      watch,
      'account-directories',
      _('Extra accounts: %s, comma-separated').replace('%s', info.directories.nouns),
      {
        read: () => readDictionary<string[]>(settings, 'account-directories')[info.id] ?? [],
        parse: (item) => (item.startsWith('/') || item.startsWith('~/') ? item : null),
        write: (dirs) =>
          writeEntry(settings, 'account-directories', 'a{sas}', info.id, dirs.length > 0 ? dirs : undefined),
      },
    );
    group.add(directories);

    const prefix = `${info.id}@`;
    const labels = listRow(watch, 'account-labels', _('Account names, e.g. default=Personal, claude-work=Work'), {
      read: () =>
        Object.entries(readDictionary<string>(settings, 'account-labels'))
          .filter(([key]) => key === info.id || key.startsWith(prefix))
          .map(([key, label]) => `${key === info.id ? 'default' : key.slice(prefix.length)}=${label}`),
      parse: (item) => (/^[a-z0-9-]+\s*=\s*\S/.test(item) ? item : null),
      write: (items) => {
        const all = Object.fromEntries(
          Object.entries(readDictionary<string>(settings, 'account-labels')).filter(
            ([key]) => key !== info.id && !key.startsWith(prefix),
          ),
        );
        for (const item of items) {
          const [id, ...rest] = item.split('=');
          const account = id!.trim();
          all[account === 'default' ? info.id : `${prefix}${account}`] = rest.join('=').trim();
        }
        settings.set_value('account-labels', dictionary('a{ss}', all));
      },
    });
    group.add(labels);
    const syncSensitive = (): void => {
      for (const row of [source, directories, labels]) row.sensitive = enabled.active;
    };
    syncSensitive();
    enabled.connect('notify::active', syncSensitive);
    return group;
  });
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
    title: _('Refresh interval, seconds'),
    adjustment: new Gtk.Adjustment({ lower: 60, upper: 3600, step_increment: 60, page_increment: 600 }),
  });
  settings.bind('refresh-interval', interval, 'value', Gio.SettingsBindFlags.DEFAULT);
  // The interval in words, with the plural form the language needs ("every 5 minutes", "alle 5 Minuten").
  const syncEvery = (): void => {
    interval.subtitle = everyText(Math.round(interval.value));
  };
  syncEvery();
  interval.connect('notify::value', syncEvery);
  group.add(interval);
  return group;
}

/** "Every minute", "Every 5 minutes", "Every 90 seconds": a refresh interval given in seconds. */
function everyText(seconds: number): string {
  if (seconds % 60 !== 0)
    return ngettext('Every %d second', 'Every %d seconds', seconds).replace('%d', String(seconds));
  const minutes = seconds / 60;
  return ngettext('Every minute', 'Every %d minutes', minutes).replace('%d', String(minutes));
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

/**
 * A row for a string key: the text is saved on apply when `check` accepts it (returning the value to store), marked
 * as an error otherwise; an empty text stores "".
 */
function textRow(
  settings: Gio.Settings,
  watch: Watch,
  key: string,
  title: string,
  check: (text: string) => string | null = (text) => text,
): Adw.EntryRow {
  const row = new Adw.EntryRow({ title, show_apply_button: true });
  const valid = (): string | null => (row.get_text().trim() === '' ? '' : check(row.get_text().trim()));
  const sync = (): void => {
    if (valid() !== settings.get_string(key)) row.set_text(settings.get_string(key));
  };
  sync();
  watch(key, sync);
  row.connect('changed', () => {
    if (valid() === null) row.add_css_class('error');
    else row.remove_css_class('error');
  });
  row.connect('apply', () => {
    const value = valid();
    if (value !== null && value !== settings.get_string(key)) settings.set_string(key, value);
  });
  return row;
}

/**
 * Team telemetry: the Prometheus server holding Claude Code's metrics, its login (the password or token goes to the
 * keyring, never to GSettings), the range and the user filter, and "Test connection", which lists the Claude Code
 * metrics the server has.
 */
function telemetryGroup(
  settings: Gio.Settings,
  watch: Watch,
  keyring: Keyring,
  ports: GjsPorts,
  isOpen: () => boolean,
): Adw.PreferencesGroup {
  const group = new Adw.PreferencesGroup({
    title: _('Telemetry'),
    description: _(
      "Claude Code's OpenTelemetry metrics from Prometheus — tokens, cost, active time, sessions, lines, commits and pull requests — in a section of the dropdown. Claude Code exports them with CLAUDE_CODE_ENABLE_TELEMETRY=1.",
    ),
  });
  const url = textRow(
    settings,
    watch,
    'prometheus-url',
    _('Prometheus URL, e.g. http://localhost:9090 (empty: off)'),
    (text) => {
      const checked = checkPrometheusUrl(text);
      return checked.ok ? checked.url : null;
    },
  );
  const range = comboRow(
    settings,
    watch,
    'telemetry-range',
    _('Range'),
    TELEMETRY_RANGES.map((value) => ({ value, label: value.replace(/^(\d+)/, '$1 ') })),
  );
  const user = textRow(
    settings,
    watch,
    'telemetry-user',
    _('Only this user: e-mail or account UUID (empty: everyone)'),
  );
  const auth = comboRow(settings, watch, 'prometheus-auth', _('Login'), [
    { value: 'none', label: _('None') },
    { value: 'basic', label: _('Username and password') },
    { value: 'bearer', label: _('Bearer token') },
  ]);
  const username = textRow(settings, watch, 'prometheus-username', _('Username'));
  const secret = new Adw.PasswordEntryRow({
    title: _('Password or token: Enter keeps it in the keyring, empty removes it'),
    show_apply_button: true,
  });
  const status = new Adw.ActionRow({ title: _('Test connection'), subtitle: '', use_markup: false });
  const test = new Gtk.Button({ label: _('Test'), valign: Gtk.Align.CENTER });
  status.add_suffix(test);
  const say = (text: string): void => {
    if (isOpen()) status.subtitle = text;
  };
  secret.connect('apply', () => {
    const value = secret.get_text().trim();
    secret.set_text('');
    void (
      value
        ? keyring.store(PROMETHEUS_SECRET_KEY, PROMETHEUS_SECRET_LABEL, value)
        : keyring.clear(PROMETHEUS_SECRET_KEY)
    ).then((result) =>
      say(
        result.ok
          ? value
            ? _('Kept in the keyring.')
            : _('Removed from the keyring.')
          : `${result.message} ${result.fix}`,
      ),
    );
  });
  test.connect('clicked', () => {
    say(_('Asking Prometheus…'));
    void checkConnection(ports, readTelemetrySettings(settings), keyring, _('Enter the password or token above.')).then(
      (result) => say(result.text),
    );
  });
  const syncAuth = (): void => {
    const kind = settings.get_string('prometheus-auth');
    username.visible = kind === 'basic';
    secret.visible = kind !== 'none';
  };
  syncAuth();
  watch('prometheus-auth', syncAuth);
  for (const row of [url, range, user, auth, username, secret, status]) group.add(row);
  return group;
}

/**
 * Headroom's own Claude sign-in: "Sign in with Claude" opens the browser and serves the callback on loopback for the
 * duration of the sign-in only (sign-in.ts); "Sign out" forgets the tokens. Closing the window cancels a sign-in.
 */
function claudeSignInGroup(
  ports: GjsPorts,
  keyring: Keyring,
  isOpen: () => boolean,
  onClose: (callback: () => void) => void,
): Adw.PreferencesGroup {
  const group = new Adw.PreferencesGroup({
    title: _('Claude: Headroom’s own sign-in'),
    description: _(
      "Headroom signs in to Claude itself and renews its own login, so it never depends on Claude Code's. The tokens stay in the keyring.",
    ),
  });
  const row = new Adw.ActionRow({ title: _('Sign in with Claude'), subtitle: _('Checking…'), use_markup: false });
  const button = new Gtk.Button({ label: _('Sign in'), valign: Gtk.Align.CENTER });
  row.add_suffix(button);
  group.add(row);
  let signedIn = false;
  let running: ClaudeSignIn | null = null;
  const show = (subtitle: string, label: string): void => {
    if (!isOpen()) return;
    row.subtitle = subtitle;
    button.label = label;
    button.sensitive = true;
  };
  const sync = async (note = ''): Promise<void> => {
    const status = await signInStatus(keyring);
    signedIn = status.state === 'signed-in';
    const text =
      status.state === 'unknown'
        ? status.message
        : status.state === 'signed-in'
          ? _('Signed in as %s').replace('%s', status.email ?? _('an unknown account'))
          : status.state === 'ended'
            ? _('Signed out: Claude no longer accepts the sign-in. Sign in again.')
            : _('Not signed in; Headroom reads Claude Code’s login instead.');
    show(note ? `${note} ${text}` : text, signedIn ? _('Sign out') : _('Sign in'));
  };
  button.connect('clicked', () => {
    if (running) {
      running.cancel();
      return;
    }
    button.sensitive = false;
    if (signedIn) {
      void forgetSignIn(ports).then((result) => sync(result.ok ? '' : result.message));
      return;
    }
    const signIn = new ClaudeSignIn(ports);
    running = signIn;
    void signIn.start().then((url) => {
      if (!url) return;
      show(_('Waiting for your browser… If none opened, visit %s').replace('%s', url), _('Cancel'));
      Gio.AppInfo.launch_default_for_uri_async(url, null, null, null);
    });
    void signIn.finished.then((result) => {
      running = null;
      void sync(result.ok ? '' : result.message);
    });
  });
  onClose(() => running?.cancel());
  void sync();
  return group;
}

/**
 * Claude's claude.ai session (the `web` source): a password row for the sessionKey cookie (checked by listing the
 * organisations, then kept in the keyring and cleared from the row), "Check" (lists the organisations of the stored
 * key), a switch per organisation (`claude-organizations`; none on = the default organisation) and "Forget key".
 * Every change of the key counts `claude-web-key-serial` up, so the extension reads the keyring again at once.
 */
function claudeWebGroup(
  settings: Gio.Settings,
  watch: Watch,
  keyring: Keyring,
  ports: GjsPorts,
  isOpen: () => boolean,
): Adw.PreferencesGroup {
  const group = new Adw.PreferencesGroup({
    title: _('Claude: claude.ai session'),
    description: _(
      'Reads Claude’s limits, extra usage and prepaid credits as claude.ai does, with its sessionKey cookie (see README.md). The key grants access to your claude.ai account; it is kept only in the keyring. Logging out of claude.ai revokes it.',
    ),
  });
  const entry = new Adw.PasswordEntryRow({
    title: _('sessionKey cookie: Enter checks it and keeps it in the keyring'),
    show_apply_button: true,
  });
  const status = new Adw.ActionRow({ title: _('Organisations'), subtitle: '', use_markup: false });
  const check = new Gtk.Button({ label: _('Check'), valign: Gtk.Align.CENTER });
  const forget = new Gtk.Button({ label: _('Forget key'), valign: Gtk.Align.CENTER });
  forget.add_css_class('destructive-action');
  status.add_suffix(check);
  status.add_suffix(forget);
  const orgRows: Adw.SwitchRow[] = [];
  const say = (text: string): void => {
    if (isOpen()) status.subtitle = text;
  };
  const changed = (): void => {
    settings.set_uint('claude-web-key-serial', settings.get_uint('claude-web-key-serial') + 1);
  };

  /** One switch per organisation, on for the chosen ones (or the default one when none is chosen). */
  const showOrganizations = (orgs: ClaudeOrganization[]): void => {
    if (!isOpen()) return;
    for (const row of orgRows.splice(0)) group.remove(row);
    const chosen = (): string[] => settings.get_strv('claude-organizations');
    const fallback = defaultOrganization(orgs);
    for (const org of orgs) {
      const row = new Adw.SwitchRow({
        title: org.name,
        subtitle: `${org.capabilities.join(', ') || _('no capabilities listed')} · ${org.uuid}`,
        use_markup: false,
      });
      const sync = (): void => {
        const list = chosen();
        row.active = list.length > 0 ? list.includes(org.uuid) : org.uuid === fallback?.uuid;
      };
      sync();
      watch('claude-organizations', sync);
      row.connect('notify::active', () => {
        const list = chosen().length > 0 ? chosen() : fallback ? [fallback.uuid] : [];
        const next = orgs.map((o) => o.uuid).filter((uuid) => (uuid === org.uuid ? row.active : list.includes(uuid)));
        if (next.join() !== chosen().join()) settings.set_strv('claude-organizations', next);
      });
      orgRows.push(row);
      group.add(row);
    }
    say(_('%d found; the switches choose which are shown.').replace('%d', String(orgs.length)));
  };

  /** Lists the organisations of `key`; stores the key (or claude.ai's rotation of it) when `store` or rotated. */
  const verify = async (key: string, store: boolean): Promise<void> => {
    say(_('Asking claude.ai…'));
    const listed = await listClaudeOrganizations(ports, key);
    if (!listed.ok) {
      say(`${listed.failure.message} ${listed.failure.fix}${store ? ` ${_('The key was not stored.')}` : ''}`);
      return;
    }
    if (store || listed.rotatedKey) {
      const stored = await keyring.store(SESSION_KEY_SECRET, SESSION_KEY_LABEL, listed.rotatedKey ?? key);
      if (!stored.ok) {
        say(`${stored.message} ${stored.fix}`);
        return;
      }
      changed();
    }
    showOrganizations(listed.organizations);
  };

  entry.connect('apply', () => {
    const key = cleanSessionKey(entry.get_text());
    entry.set_text('');
    if (key) void verify(key, true);
  });
  check.connect('clicked', () => {
    void keyring.lookup(SESSION_KEY_SECRET).then((stored) => {
      if (!stored.ok) say(`${stored.message} ${stored.fix}`);
      else if (!stored.value) say(_('No key stored: paste the sessionKey cookie above.'));
      else void verify(stored.value, false);
    });
  });
  forget.connect('clicked', () => {
    void keyring.clear(SESSION_KEY_SECRET).then((result) => {
      if (!result.ok) return say(`${result.message} ${result.fix}`);
      changed();
      say(_('Forgotten. To end the session itself, log out of claude.ai in your browser.'));
    });
  });
  group.add(entry);
  group.add(status);
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
    const ports = new GjsPorts('headroom@headroom.github.io preferences');
    const handlers: number[] = [];
    let open = true;
    const watch: Watch = (key, callback) => handlers.push(settings.connect(`changed::${key}`, callback));

    ports.secrets = keyring;
    ports.locks = stateLocks(GLib.build_filenamev([GLib.get_user_state_dir(), 'headroom']));
    const closers: (() => void)[] = [];
    // Four pages, so that each fits a small screen: the window shows them as a view switcher.
    const page = (name: string, title: string, icon: string, groups: Adw.PreferencesGroup[]): void => {
      const result = new Adw.PreferencesPage({ name, title, icon_name: icon });
      for (const group of groups) result.add(group);
      window.add(result);
    };
    page('providers', _('Providers'), 'system-users-symbolic', [
      ...providerGroups(settings, watch),
      claudeSignInGroup(
        ports,
        keyring,
        () => open,
        (callback) => closers.push(callback),
      ),
      claudeWebGroup(settings, watch, keyring, ports, () => open),
    ]);
    page('display', _('Display'), 'video-display-symbolic', [displayGroup(settings, watch)]);
    page('alerts', _('Alerts'), 'preferences-system-notifications-symbolic', [notificationsGroup(settings, watch)]);
    page('telemetry', _('Telemetry'), 'network-server-symbolic', [
      telemetryGroup(settings, watch, keyring, ports, () => open),
      keyringGroup(keyring, () => open),
    ]);

    window.connect('close-request', () => {
      open = false;
      for (const close of closers) close();
      for (const id of handlers) settings.disconnect(id);
      keyring.destroy();
      ports.destroy();
      return false;
    });
  }
}
