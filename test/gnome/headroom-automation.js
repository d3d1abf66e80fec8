// Automation module for gnome-shell --automation-script: the real Headroom extension inside a real GNOME Shell
// (48, 50, 51). HOME is the fixture home (Claude Code credentials, Codex auth.json and rollouts) and the base-URL
// overrides point at the test's loopback server. Checks, from inside the shell:
// - the extension is ACTIVE and the indicator shows the expected percentages;
// - the open menu lists every expected window with its reset countdown;
// - "Refresh now" makes a new request to the server;
// - the preferences window builds (where the suite ships the Extensions app);
// - 50 disable/enable cycles leave one panel entry, no leftover actors, and the indicator working again;
// - with a second Claude Code directory and a second Codex home in the settings, the indicator and the menu show
//   four accounts;
// - with HEADROOM_PROMETHEUS_URL set, the menu has the Telemetry section, collapsed, with its summary;
// - a token_count line appended to a Codex rollout moves the indicator within 2 s, without a timer tick or API call.
// Saves screenshots of the top bar, the open menu and the preferences window. Writes $HEADROOM_E2E_RESULT.
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';

import * as Main from 'resource:///org/gnome/shell/ui/main.js';
import * as E2E from 'file:///opt/headroom-e2e/lib/shell-e2e.js';

const EXPECTED_LABEL = GLib.getenv('HEADROOM_E2E_EXPECT_LABEL');
const EXPECTED_MENU = JSON.parse(GLib.getenv('HEADROOM_E2E_EXPECT_MENU') ?? '[]');
const MOCK = GLib.getenv('HEADROOM_E2E_MOCK');
const EXPECTED_CROSSED_LABEL = GLib.getenv('HEADROOM_E2E_EXPECT_CROSSED_LABEL');
const CYCLES = Number(GLib.getenv('HEADROOM_E2E_CYCLES') ?? 50);
const ACCOUNT_ITEMS = JSON.parse(GLib.getenv('HEADROOM_E2E_ACCOUNT_ITEMS') ?? '[]');
const EXPECTED_ACCOUNTS_LABEL = GLib.getenv('HEADROOM_E2E_EXPECT_ACCOUNTS_LABEL');
const EXPECTED_ACCOUNT_HEADINGS = JSON.parse(GLib.getenv('HEADROOM_E2E_EXPECT_ACCOUNT_HEADINGS') ?? '[]');
const MARKER = 'headroom';
/** The session percent of the token_count line the live-update step appends to a rollout. */
const LIVE_PERCENT = 57;
const PROMETHEUS_URL = GLib.getenv('HEADROOM_PROMETHEUS_URL');

export function init() {}

function indicatorLabel(button) {
  return E2E.labelTexts(button).find((text) => text.includes('%') || text === 'Headroom') ?? '';
}

async function requestCount() {
  const { body } = await E2E.httpGet(`${MOCK}/__requests`);
  return JSON.parse(body).count;
}

/** Requests to the two usage APIs so far (telemetry's Prometheus queries left out). */
async function usageRequestCount() {
  const { body } = await E2E.httpGet(`${MOCK}/__requests`);
  const { byPath } = JSON.parse(body);
  return (byPath['/api/oauth/usage'] ?? 0) + (byPath['/backend-api/wham/usage'] ?? 0);
}

function windowTitled(fragment) {
  return global.display.list_all_windows().find((w) => (w.get_title() ?? '').includes(fragment)) ?? null;
}

export async function run() {
  const r = new E2E.Result();
  const uuid = E2E.uuid();
  const out = E2E.outDir();
  r.extra.shellVersion = (await import('resource:///org/gnome/shell/misc/config.js')).PACKAGE_VERSION;
  await E2E.beginRun();
  // A retried run (after a crash of the shell) starts from the mock's initial answers again.
  await E2E.httpGet(`${MOCK}/__set?claude_session=`);

  const state = await E2E.waitForExtensionState(uuid);
  if (
    !r.check('extension-active', state.state === E2E.ExtensionState.ACTIVE, { state: state.state, error: state.error })
  ) {
    r.write();
    return;
  }
  const button = E2E.statusAreaButton(uuid);
  r.check('indicator-in-status-area', button !== null);
  if (!button) {
    r.write();
    return;
  }

  await r.step('indicator-label', async () => {
    await E2E.waitFor(() => indicatorLabel(button) === EXPECTED_LABEL, {
      timeout: 20000,
      message: `label ${EXPECTED_LABEL}`,
    }).catch(() => undefined);
    r.extra.label = indicatorLabel(button);
    r.check('indicator-shows-percentages', r.extra.label === EXPECTED_LABEL, {
      label: r.extra.label,
      expected: EXPECTED_LABEL,
    });
  });
  await r.step('screenshot-panel', async () => {
    r.extra.panelPng = await E2E.screenshotPanel(`${out}/panel.png`);
  });

  await r.step('menu', async () => {
    await E2E.openMenu(button, 500);
    r.check('menu-is-open', button.menu.isOpen);
    const texts = button.menu._getMenuItems().flatMap((item) => E2E.labelTexts(item));
    r.extra.menuTexts = texts;
    const joined = texts.join('\n');
    const missing = EXPECTED_MENU.filter((fragment) => !joined.includes(fragment));
    r.check('menu-lists-every-window', missing.length === 0, { missing });
    r.extra.menuPng = await E2E.screenshotScreen(`${out}/menu-open.png`);

    const before = await requestCount();
    const refresh = button.menu._getMenuItems().find((item) => E2E.labelTexts(item).includes('Refresh now'));
    r.check('refresh-item', refresh !== undefined);
    refresh?.activate(null);
    let after = before;
    for (let waited = 0; after <= before && waited < 10000; waited += 100) {
      await E2E.sleep(100);
      after = await requestCount();
    }
    r.check('refresh-now-requests', after > before, { before, after });
    await E2E.closeMenu(button);
  });

  if (PROMETHEUS_URL) {
    await r.step('telemetry', async () => {
      await E2E.openMenu(button, 500);
      // Telemetry follows the providers' refresh; the menu is rebuilt when its report arrives.
      const section = await E2E.waitFor(
        () =>
          button.menu
            ._getMenuItems()
            .find((item) => E2E.labelTexts(item).some((text) => text.startsWith('Telemetry ·'))) ?? null,
        { timeout: 20000, interval: 100, message: 'the Telemetry section' },
      ).catch(() => null);
      const texts = section ? E2E.labelTexts(section) : [];
      r.extra.telemetryTexts = texts;
      r.check(
        'telemetry-section',
        section !== null &&
          section.menu?.isOpen === false &&
          texts.includes('Telemetry · last 24 hours') &&
          texts.some((text) => /tokens/.test(text)),
        texts,
      );
      await E2E.closeMenu(button);
    });
  }

  const prefsApp = GLib.find_program_in_path('gnome-extensions-app') !== null;
  r.extra.prefsAppInstalled = prefsApp;
  if (prefsApp) {
    await r.step('preferences', async () => {
      Main.extensionManager.openExtensionPrefs(uuid, '', {});
      const window = await E2E.waitFor(() => windowTitled('Headroom'), {
        timeout: 20000,
        interval: 100,
        message: 'the preferences window',
      });
      await E2E.sleep(1000);
      r.extra.prefsPng = await E2E.screenshotScreen(`${out}/prefs.png`);
      r.check('preferences-window', window !== null, window?.get_title());
      window.delete(global.get_current_time());
      await E2E.waitFor(() => windowTitled('Headroom') === null, { timeout: 10000, message: 'prefs closed' });
    });
  }

  await r.step('notification', async () => {
    // Cross 80 % of the session window, then ask for a refresh as the user would.
    await E2E.httpGet(`${MOCK}/__set?claude_session=81`);
    await E2E.openMenu(button, 200);
    const refresh = button.menu._getMenuItems().find((item) => E2E.labelTexts(item).includes('Refresh now'));
    refresh?.activate(null);
    const headroomNotifications = () =>
      Main.messageTray
        .getSources()
        .filter((source) => source.title === 'Headroom')
        .flatMap((source) => source.notifications);
    const shown = await E2E.waitFor(() => headroomNotifications().length > 0 && headroomNotifications(), {
      timeout: 15000,
      interval: 100,
      message: 'a Headroom notification',
    });
    r.extra.notifications = shown.map((n) => ({ title: n.title, body: n.body }));
    r.check(
      'notification-in-message-tray',
      shown.length === 1 && /Claude/.test(shown[0].title) && /81% used/.test(shown[0].body),
      r.extra.notifications,
    );
    await E2E.sleep(800);
    r.extra.notificationPng = await E2E.screenshotScreen(`${out}/notification.png`);
    await E2E.waitFor(() => indicatorLabel(button) === EXPECTED_CROSSED_LABEL, {
      timeout: 10000,
      message: `label ${EXPECTED_CROSSED_LABEL}`,
    });
  });

  const before = E2E.actorSnapshot(MARKER);
  await r.step('disable-enable-cycles', async () => {
    const { lostSignals } = await E2E.cycleExtension(uuid, CYCLES);
    if (lostSignals.length) r.extra.lostSettingsSignals = lostSignals;
  });
  await r.step('working-after-cycles', async () => {
    await E2E.waitFor(() => indicatorLabel(E2E.statusAreaButton(uuid)) === EXPECTED_CROSSED_LABEL, {
      timeout: 20000,
      message: 'the label after the cycles',
    });
  });
  await E2E.sleep(200);
  await E2E.waitLeisure();
  const after = E2E.actorSnapshot(MARKER);
  const diff = E2E.diffActors(before, after);
  r.extra.cycles = { count: CYCLES, ...diff };
  r.check('one-panel-entry', E2E.panelEntryCount(uuid) === 1, E2E.panelEntryCount(uuid));
  r.check('no-leftover-marked-actors', after.marked === before.marked && before.marked > 0, diff.marked);
  r.check('panel-actor-count-stable', after.panelActors === before.panelActors, diff.panelActors);
  r.check('ui-top-level-count-stable', after.uiTopLevel === before.uiTopLevel, diff.uiTopLevel);

  await r.step('accounts', async () => {
    // The extension's own settings, as the preferences would write them.
    const extension = Main.extensionManager.lookup(uuid);
    const schemas = Gio.SettingsSchemaSource.new_from_directory(
      `${extension.path}/schemas`,
      Gio.SettingsSchemaSource.get_default(),
      false,
    );
    const settings = new Gio.Settings({
      settings_schema: schemas.lookup('org.gnome.shell.extensions.headroom', false),
    });
    // No banners for the new accounts' crossings: one still animating when the shell shuts down trips a
    // GNOME Shell 48 message-tray warning that the harness counts as an error.
    settings.set_boolean('notifications-enabled', false);
    settings.set_value(
      'account-directories',
      new GLib.Variant('a{sas}', { claude: ['~/.claude-work'], codex: ['~/.codex-work'] }),
    );
    settings.set_strv('indicator-items', ACCOUNT_ITEMS);
    const accountsButton = E2E.statusAreaButton(uuid);
    await E2E.waitFor(() => indicatorLabel(accountsButton) === EXPECTED_ACCOUNTS_LABEL, {
      timeout: 20000,
      message: `label ${EXPECTED_ACCOUNTS_LABEL}`,
    }).catch(() => undefined);
    r.extra.accountsLabel = indicatorLabel(accountsButton);
    r.check('indicator-shows-accounts', r.extra.accountsLabel === EXPECTED_ACCOUNTS_LABEL, {
      label: r.extra.accountsLabel,
      expected: EXPECTED_ACCOUNTS_LABEL,
    });
    await E2E.openMenu(accountsButton, 500);
    const texts = accountsButton.menu._getMenuItems().flatMap((item) => E2E.labelTexts(item));
    r.extra.accountsMenuTexts = texts;
    r.check(
      'menu-has-a-section-per-account',
      JSON.stringify(texts.filter((text) => EXPECTED_ACCOUNT_HEADINGS.includes(text))) ===
        JSON.stringify(EXPECTED_ACCOUNT_HEADINGS),
      { headings: texts.filter((text) => /^(Claude|Codex) /.test(text)) },
    );
    r.extra.accountsPng = await E2E.screenshotScreen(`${out}/menu-accounts.png`);
    await E2E.closeMenu(accountsButton);
    settings.reset('account-directories');
    settings.reset('indicator-items');
    settings.reset('notifications-enabled');
  });

  await r.step('live-update', async () => {
    // Codex writes a token_count line into its rollout: the indicator moves within 2 s, with no timer tick (the
    // refresh interval is 300 s) and no API request (the logs moved it).
    const live = E2E.statusAreaButton(uuid);
    await E2E.waitFor(() => indicatorLabel(live) === EXPECTED_CROSSED_LABEL, {
      timeout: 20000,
      message: `label ${EXPECTED_CROSSED_LABEL} before the live update`,
    });
    // Ask the APIs now ("Refresh now"), so the refresh the new line triggers stays within the 60 s minimum interval.
    const asked = await usageRequestCount();
    await E2E.openMenu(live, 200);
    live.menu
      ._getMenuItems()
      .find((item) => E2E.labelTexts(item).includes('Refresh now'))
      ?.activate(null);
    for (let waited = 0; (await usageRequestCount()) <= asked && waited < 10000; waited += 100) await E2E.sleep(100);
    await E2E.closeMenu(live);
    await E2E.sleep(1000);
    const day = Gio.File.new_for_path(`${GLib.get_home_dir()}/.codex/sessions/2026/11/22`);
    const names = [];
    const children = day.enumerate_children('standard::name', Gio.FileQueryInfoFlags.NONE, null);
    for (let info = children.next_file(null); info; info = children.next_file(null)) names.push(info.get_name());
    const rollout = day.get_child(
      names
        .filter((name) => name.endsWith('.jsonl'))
        .sort()
        .at(-1),
    );
    const nowS = Math.floor(Date.now() / 1000);
    const line = {
      timestamp: new Date().toISOString(),
      type: 'event_msg',
      payload: {
        type: 'token_count',
        info: null,
        rate_limits: {
          limit_id: 'codex',
          limit_name: null,
          primary: { used_percent: LIVE_PERCENT, window_minutes: 300, resets_at: nowS + 3 * 3600 },
          secondary: { used_percent: 20.0, window_minutes: 10080, resets_at: nowS + 5 * 86400 },
          credits: null,
          plan_type: null,
        },
      },
    };
    const requestsBefore = await usageRequestCount();
    const started = GLib.get_monotonic_time();
    const stream = rollout.append_to(Gio.FileCreateFlags.NONE, null);
    stream.write_all(new TextEncoder().encode(`${JSON.stringify(line)}\n`), null);
    stream.close(null);
    const moved = await E2E.waitFor(() => indicatorLabel(live).includes(`X ${LIVE_PERCENT}%`), {
      timeout: 2000,
      interval: 20,
      message: `X ${LIVE_PERCENT}%`,
    }).then(
      () => true,
      () => false,
    );
    r.extra.liveUpdateMs = Math.round((GLib.get_monotonic_time() - started) / 1000);
    r.extra.liveLabel = indicatorLabel(live);
    r.check('live-update-within-2s', moved, { label: r.extra.liveLabel, ms: r.extra.liveUpdateMs });
    const requestsAfter = await usageRequestCount();
    r.check('live-update-without-api-request', requestsAfter === requestsBefore, {
      before: requestsBefore,
      after: requestsAfter,
    });
    r.extra.livePng = await E2E.screenshotPanel(`${out}/panel-live.png`);
  });

  await r.step('web', async () => {
    // A claude.ai session key in the keyring, as the preferences store it, and two organisations chosen.
    const { default: Secret } = await import('gi://Secret');
    const schema = new Secret.Schema('org.gnome.shell.extensions.headroom', Secret.SchemaFlags.DONT_MATCH_NAME, {
      key: Secret.SchemaAttributeType.STRING,
    });
    await new Promise((resolve, reject) =>
      Secret.password_store(
        schema,
        { key: 'claude-session-key' },
        Secret.COLLECTION_DEFAULT,
        'Headroom: claude.ai session key',
        'sk-ant-sid01-HEADROOME2E-session',
        null,
        (_o, res) => {
          try {
            resolve(Secret.password_store_finish(res));
          } catch (e) {
            reject(e);
          }
        },
      ),
    );
    const extension = Main.extensionManager.lookup(uuid);
    const schemas = Gio.SettingsSchemaSource.new_from_directory(
      `${extension.path}/schemas`,
      Gio.SettingsSchemaSource.get_default(),
      false,
    );
    const settings = new Gio.Settings({
      settings_schema: schemas.lookup('org.gnome.shell.extensions.headroom', false),
    });
    settings.set_boolean('notifications-enabled', false);
    settings.set_strv('claude-organizations', ['org-chat', 'org-api']);
    settings.set_value('provider-sources', new GLib.Variant('a{ss}', { claude: 'web' }));
    settings.set_uint('claude-web-key-serial', settings.get_uint('claude-web-key-serial') + 1);
    const webButton = E2E.statusAreaButton(uuid);
    const menuTexts = () => webButton.menu._getMenuItems().flatMap((item) => E2E.labelTexts(item));
    const headings = ['Claude (Chat Org) · Team', 'Claude (API Org) · Pro'];
    await E2E.waitFor(() => headings.every((h) => menuTexts().includes(h)), {
      timeout: 20000,
      interval: 200,
      message: 'both organisations',
    }).catch(() => undefined);
    await E2E.openMenu(webButton, 500);
    const texts = menuTexts();
    r.extra.webMenuTexts = texts;
    r.check(
      'web-organisations-with-money',
      headings.every((h) => texts.includes(h)) &&
        texts.some((t) => /^Extra usage: .*67\.89 of .*123\.45/.test(t)) &&
        texts.some((t) => /^Prepaid: .*100\.00 left/.test(t)) &&
        texts.some((t) => t === '55% used'),
      texts,
    );
    r.extra.webPng = await E2E.screenshotScreen(`${out}/menu-web.png`);
    await E2E.closeMenu(webButton);

    // Cloudflare in auto: the further organisation says so, and Claude Code's OAuth login carries the default account.
    await E2E.httpGet(`${MOCK}/__set?cloudflare=1`);
    settings.reset('provider-sources');
    settings.set_uint('claude-web-key-serial', settings.get_uint('claude-web-key-serial') + 1);
    await E2E.waitFor(() => menuTexts().some((t) => t.includes('claude.ai is asking for a browser check')), {
      timeout: 20000,
      interval: 200,
      message: 'the Cloudflare state',
    }).catch(() => undefined);
    await E2E.openMenu(webButton, 500);
    const cfTexts = menuTexts();
    r.extra.webCloudflareTexts = cfTexts;
    r.check(
      'web-cloudflare-state',
      cfTexts.some((t) => t.includes('claude.ai is asking for a browser check')) &&
        cfTexts.some((t) => t.startsWith('Claude (~/.claude) · Max 20x')) &&
        !cfTexts.some((t) => /expired/i.test(t)),
      cfTexts,
    );
    r.extra.webCloudflarePng = await E2E.screenshotScreen(`${out}/menu-web-cloudflare.png`);
    await E2E.closeMenu(webButton);
    settings.reset('claude-organizations');
    settings.reset('notifications-enabled');
  });
  r.write();
}

export function finish() {}
