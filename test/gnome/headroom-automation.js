// Automation module for gnome-shell --automation-script: the real Headroom extension inside a real GNOME Shell
// (48, 50, 51). HOME is the fixture home (Claude Code credentials, Codex auth.json and rollouts) and the base-URL
// overrides point at the test's loopback server. Checks, from inside the shell:
// - the extension is ACTIVE and the indicator shows the expected percentages;
// - the open menu lists every expected window with its reset countdown;
// - "Refresh now" makes a new request to the server;
// - the preferences window is mapped and painted, and each page of the extension's prefs.js is painted and holds
//   the groups and rows the test expects (read from the Gtk widget tree);
// - 200 disable/enable cycles leave one panel entry, the same number of UI actors, of signal handlers the extension
//   holds on shell objects and of its main-loop sources (none while disabled), and the indicator working again;
// - 500 refreshes: the shell's resident memory grows by at most 2 MB over the last 200 (the whole growth is reported);
// - with three Claude Code directories and three Codex homes in the settings, the indicator shows six accounts and
//   the menu one compact row each, inside the work area (nothing cut off); the arrow keys move the key focus from
//   row to row and Return shows a row's detail;
// - with HEADROOM_PROMETHEUS_URL set, the menu has the Telemetry section, collapsed, with its summary;
// - a token_count line appended to a Codex rollout moves the indicator within 2 s, without a timer tick or API call;
// - a claude.ai session key in the keyring shows two organisations with money, and Cloudflare its own state.
// Saves screenshots of the top bar, the open menu and the preferences window. Writes $HEADROOM_E2E_RESULT.
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import St from 'gi://St';

import * as Main from 'resource:///org/gnome/shell/ui/main.js';
import * as E2E from 'file:///opt/headroom-e2e/lib/shell-e2e.js';

const EXPECTED_LABEL = GLib.getenv('HEADROOM_E2E_EXPECT_LABEL');
const EXPECTED_MENU = JSON.parse(GLib.getenv('HEADROOM_E2E_EXPECT_MENU') ?? '[]');
const MOCK = GLib.getenv('HEADROOM_E2E_MOCK');
const EXPECTED_CROSSED_LABEL = GLib.getenv('HEADROOM_E2E_EXPECT_CROSSED_LABEL');
const CYCLES = Number(GLib.getenv('HEADROOM_E2E_CYCLES') ?? 200);
const REFRESHES = Number(GLib.getenv('HEADROOM_E2E_REFRESHES') ?? 2000);
const WARM_UP = 50;
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

  // A retried run (run-shell.sh retries after a crash of the shell) starts with the server as the crashed one left
  // it: put the session window back and refresh with it.
  await E2E.httpGet(`${MOCK}/__set?claude_session=`);
  await Main.extensionManager.lookup(uuid).stateObj?.refresher?.refresh(true);
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

  // The preferences as GNOME opens them (the org.gnome.Shell.Extensions service), where the suite ships it next to
  // its shell: the window must be mapped and painted, not just listed.
  const prefsService = GLib.file_test('/usr/share/gnome-shell/org.gnome.Shell.Extensions', GLib.FileTest.EXISTS);
  r.extra.prefsServiceInstalled = prefsService;
  if (prefsService) {
    await r.step('preferences', async () => {
      Main.extensionManager.openExtensionPrefs(uuid, '', {});
      const window = await E2E.waitFor(() => windowTitled('Headroom'), {
        timeout: 20000,
        interval: 100,
        message: 'the preferences window',
      });
      const shot = await E2E.screenshotPaintedWindow(window, `${out}/prefs.png`);
      r.extra.prefsWindow = { title: window.get_title(), ...shot };
      r.check('preferences-window-painted', shot.painted, r.extra.prefsWindow);
      window.delete(global.get_current_time());
      await E2E.waitFor(() => windowTitled('Headroom') === null, { timeout: 10000, message: 'prefs closed' });
    });
  }

  // Every page of the extension's own prefs.js, run under this suite's gjs, Gtk 4 and libadwaita in a window of this
  // shell (test/gnome/lib/prefs-probe.js): a screenshot of each painted page and its rows from the widget tree.
  await r.step('preference-pages', async () => {
    r.extra.prefsPages = await E2E.probePreferences(Main.extensionManager.lookup(uuid).path, out);
    r.check(
      'preference-pages-painted',
      r.extra.prefsPages.length > 0 && r.extra.prefsPages.every((page) => page.painted),
      r.extra.prefsPages.map(({ name, painted, rect }) => ({ name, painted, rect })),
    );
  });

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

  let tracker = null;
  await r.step('lifecycle', async () => {
    // One cycle first: the shell builds some of its own parts lazily, and the tracker only sees what an enable makes.
    const extensionPath = Main.extensionManager.lookup(uuid).path;
    tracker = await E2E.trackExtensionResources(extensionPath);
    await E2E.cycleExtension(uuid, 1);
    const settle = async () => {
      await E2E.waitFor(() => indicatorLabel(E2E.statusAreaButton(uuid)) === EXPECTED_CROSSED_LABEL, {
        timeout: 20000,
        message: 'the label after enabling',
      });
      // The refresh after enable (and the telemetry after it) finished: no request or lock wait in flight.
      await E2E.waitFor(() => !Main.extensionManager.lookup(uuid).stateObj?.refresher?.running, {
        timeout: 20000,
        message: 'the refresh after enabling',
      });
      E2E.clearNotifications();
      await E2E.sleep(500);
      await E2E.waitLeisure();
    };
    await settle();
    const before = { actors: E2E.actorSnapshot(MARKER), ...tracker.counts() };
    let disabledMax = { signals: 0, sources: 0 };
    const { lostSignals } = await E2E.cycleExtension(uuid, CYCLES, 10000, () => {
      const counts = tracker.counts();
      if (counts.signals + counts.sources > disabledMax.signals + disabledMax.sources) disabledMax = counts;
    });
    if (lostSignals.length) r.extra.lostSettingsSignals = lostSignals;
    await settle();
    const after = { actors: E2E.actorSnapshot(MARKER), ...tracker.counts() };
    const diff = E2E.diffActors(before.actors, after.actors);
    r.extra.cycles = {
      count: CYCLES,
      signals: { before: before.signals, after: after.signals, whileDisabled: disabledMax.signals },
      sources: { before: before.sources, after: after.sources, whileDisabled: disabledMax.sources },
      signalTargets: after.signalTargets,
      sourceNames: after.sourceNames,
      disabledLeftovers: disabledMax,
      ...diff,
    };
    console.log(`[e2e] ${CYCLES} cycles: ${JSON.stringify({ ...r.extra.cycles, uiActorsAdded: undefined })}`);
    r.check('one-panel-entry', E2E.panelEntryCount(uuid) === 1, E2E.panelEntryCount(uuid));
    r.check(
      'no-leftover-marked-actors',
      diff.marked.after === diff.marked.before && diff.marked.before > 0,
      diff.marked,
    );
    r.check('panel-actor-count-stable', diff.panelActors.after === diff.panelActors.before, diff.panelActors);
    r.check('ui-top-level-count-stable', diff.uiTopLevel.after === diff.uiTopLevel.before, diff.uiTopLevel);
    r.check('ui-actor-count-stable', diff.uiActors.after === diff.uiActors.before, {
      ...diff.uiActors,
      added: diff.uiActorsAdded,
      removed: diff.uiActorsRemovedCount,
    });
    r.check('signal-count-stable', after.signals === before.signals && before.signals > 0, r.extra.cycles.signals);
    r.check('source-count-stable', after.sources === before.sources, r.extra.cycles.sources);
    r.check('nothing-left-while-disabled', disabledMax.signals === 0 && disabledMax.sources === 0, disabledMax);
  });

  await r.step('memory', async () => {
    // Refreshes as the timer runs them (forced, so each one asks the loopback server); each moves the pace markers,
    // so each updates the menu. Resident memory after a collection, before, every 100 and after.
    const { default: System } = await import('system');
    const refresher = () => Main.extensionManager.lookup(uuid).stateObj.refresher;
    const refreshes = async (n) => {
      for (let i = 0; i < n; i++) await refresher().refresh(true);
    };
    const settledRss = async () => {
      System.gc();
      await E2E.sleep(300);
      await E2E.waitLeisure();
      System.gc();
      await E2E.sleep(300);
      const kb = E2E.residentKb();
      byKind.push(E2E.residentByKindKb());
      return kb;
    };
    /** Each reading's resident memory by kind of mapping (E2E.residentByKindKb), to tell where a step happened. */
    const byKind = [];
    // GNOME Shell 50+ only; an empty map elsewhere.
    const { debugGetSignalTrackers = () => new Map() } =
      await import('resource:///org/gnome/shell/misc/signalTracker.js');
    // Menus built anew (each build starts with removeAll()); an update in place keeps the menu's items.
    const button = E2E.statusAreaButton(uuid);
    let menusBuilt = 0;
    button.menu.removeAll = function (...args) {
      menusBuilt++;
      return Object.getPrototypeOf(this).removeAll.apply(this, args);
    };
    // Resident memory moves by a few MB from one measurement to the next (the allocators keep and return memory as
    // they please), in both directions, and climbs for the first few hundred refreshes while the allocators reach
    // their working set. One pair of measurements cannot tell 2 MB of growth from that; the trend of many can. So the
    // memory is measured every 100 of REFRESHES (2000) refreshes, and the check is that the least-squares trend
    // through the measurements of the second half (refreshes 1000 to 2000, 11 of them) grows by at most 2 MB per 500
    // refreshes: a leak of 5 kB per refresh (2.5 MB per 500) fails it. The noise moves it by about 0.5 MB; a step of
    // a few MB that stays (seen on 48: +5.2 MB at once, its trend then +4.7 MB) moves it more, which is what the
    // confirmation below is for. The trend through all the measurements and the whole growth are reported too.
    // The dropdown stays open meanwhile, so each refresh updates its rows (a closed one is only updated when it opens).
    await E2E.openMenu(button, 300);
    await refreshes(WARM_UP);
    const before = await settledRss();
    const countsBefore = { ...tracker?.counts(), trackers: debugGetSignalTrackers().size };
    const start = GLib.get_monotonic_time();
    const steps = [];
    /** How many refreshes were done at each of `steps`. */
    const counts = [];
    let done = 0;
    const measureUntil = async (total) => {
      while (done < total) {
        const n = Math.min(100, total - done);
        await refreshes(n);
        done += n;
        counts.push(done);
        steps.push(await settledRss());
      }
    };
    await measureUntil(REFRESHES);
    // Least-squares trend of the measurements from `from` refreshes on (0 for `before`), kB per 500 refreshes.
    const trendPer500 = (from) => {
      const points = [[0, before], ...counts.map((x, i) => [x, steps[i]])].filter(([x]) => x >= from);
      const mean = (k) => points.reduce((sum, point) => sum + point[k], 0) / points.length;
      const [mx, my] = [mean(0), mean(1)];
      const slope =
        points.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0) /
        points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
      return Math.round(slope * 500);
    };
    const firstTrendKbPer500 = trendPer500(REFRESHES / 2);
    let trendKbPer500 = firstTrendKbPer500;
    // A step of a few MB that stays (the shell's other threads' malloc arenas, rssKbByKind) can push one window over
    // the limit: in the clean-clone CI runs of 2026-12-01 it did once on 51 (+2.73 MB) and once on 50, each time with
    // the same code passing in the run before or after. So a window over the limit is confirmed by the next
    // REFRESHES / 2 refreshes, and that window's trend is judged: a leak grows in it again, a step seldom recurs.
    const confirmed = trendKbPer500 > 2048;
    if (confirmed) {
      await measureUntil(REFRESHES + REFRESHES / 2);
      trendKbPer500 = trendPer500(REFRESHES);
    }
    const seconds = (GLib.get_monotonic_time() - start) / 1e6;
    const after = steps[steps.length - 1];
    await E2E.closeMenu(button);
    // With the dropdown closed, refreshes draw nothing but the top bar's label; it is brought up to date (in place)
    // when it opens.
    let drawn = 0;
    const draw = Object.getPrototypeOf(button).rebuild;
    button.rebuild = function (...args) {
      drawn++;
      return draw.apply(this, args);
    };
    await refreshes(20);
    const drawnClosed = drawn;
    await E2E.openMenu(button, 300);
    const drawnOnOpen = drawn - drawnClosed;
    await E2E.closeMenu(button);
    delete button.rebuild;
    // (Opening may also start a refresh or a scan whose result redraws the open dropdown once more.)
    r.check('closed-menu-drawn-on-open', drawnClosed === 0 && drawnOnOpen >= 1, { drawnClosed, drawnOnOpen });
    delete button.menu.removeAll;
    const countsAfter = { ...tracker?.counts(), trackers: debugGetSignalTrackers().size };
    r.extra.memory = {
      refreshes: done,
      warmUp: WARM_UP,
      rssKbBefore: before,
      rssKbAfter: after,
      growthKb: after - before,
      rssKbEvery100: steps,
      rssKbByKind: Object.fromEntries(Object.keys(byKind[0]).map((kind) => [kind, byKind.map((entry) => entry[kind])])),
      trendKbPer500,
      firstTrendKbPer500,
      confirmed,
      wholeTrendKbPer500: trendPer500(0),
      seconds,
      signalsOnShellObjects: { before: countsBefore.signals, after: countsAfter.signals },
      shellSignalTrackers: { before: countsBefore.trackers, after: countsAfter.trackers },
      menusBuilt,
    };
    console.log(`[e2e] memory: ${JSON.stringify(r.extra.memory)}`);
    r.check('memory-measured', steps.length >= 3, r.extra.memory);
    r.check('memory-trend-within-2-mb-per-500-refreshes', trendKbPer500 <= 2048, r.extra.memory);
    // Same accounts and windows: the rows are updated in place, not made anew at each refresh (a row that gains a
    // part, e.g. the trend line once the history holds two samples, builds the menu anew once).
    r.check('menu-updated-in-place', menusBuilt <= 5, { menusBuilt, refreshes: REFRESHES });
  });

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
      new GLib.Variant('a{sas}', {
        claude: ['~/.claude-work', '~/.claude-team'],
        codex: ['~/.codex-work', '~/.codex-team'],
      }),
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
    // Telemetry arrives after the limits; the menu is rebuilt with it.
    await E2E.waitFor(
      () => E2E.labelTexts(accountsButton.menu.actor).some((text) => text.startsWith('Telemetry ·')) || !PROMETHEUS_URL,
      { timeout: 20000, message: 'the Telemetry section with six accounts' },
    ).catch(() => undefined);
    await E2E.sleep(300);
    await E2E.waitLeisure();
    const menuActor = accountsButton.menu.actor;
    const rows = () => E2E.descendants(menuActor).filter((a) => a.has_style_class_name?.('headroom-account'));
    const texts = accountsButton.menu._getMenuItems().flatMap((item) => E2E.labelTexts(item));
    r.extra.accountsMenuTexts = texts;
    const headings = rows().map((row) => E2E.labelTexts(row)[0]);
    r.extra.accountRows = rows().map((row) => row.accessible_name);
    r.check('menu-has-a-row-per-account', JSON.stringify(headings) === JSON.stringify(EXPECTED_ACCOUNT_HEADINGS), {
      headings,
      expected: EXPECTED_ACCOUNT_HEADINGS,
    });
    // Compact: each row shows the fullest window's percent and reset; the windows' own items stay hidden.
    const hiddenWindows = E2E.descendants(menuActor).filter((a) => a.has_style_class_name?.('headroom-window'));
    r.check(
      'account-rows-compact',
      rows().every(
        (row) => /\d+% used/.test(E2E.labelTexts(row).join(' ')) && /resets in/.test(E2E.labelTexts(row).join(' ')),
      ) &&
        hiddenWindows.length > 0 &&
        hiddenWindows.every((a) => !a.is_mapped()),
      r.extra.accountRows,
    );
    // Nothing cut off: the open menu lies inside the work area, and so does its last action.
    const workArea = Main.layoutManager.getWorkAreaForMonitor(Main.layoutManager.primaryIndex);
    const extents = (actor) => {
      const [x, y] = actor.get_transformed_position();
      const [width, height] = actor.get_transformed_size();
      return { x: Math.round(x), y: Math.round(y), width: Math.round(width), height: Math.round(height) };
    };
    const inside = (box) =>
      box.x >= workArea.x &&
      box.y >= workArea.y &&
      box.x + box.width <= workArea.x + workArea.width &&
      box.y + box.height <= workArea.y + workArea.height;
    const items = accountsButton.menu._getMenuItems();
    const lastAction = items[items.length - 1];
    const menuBox = extents(menuActor);
    const lastBox = extents(lastAction.actor ?? lastAction);
    r.extra.sixAccountsLayout = {
      workArea: { x: workArea.x, y: workArea.y, width: workArea.width, height: workArea.height },
      menu: menuBox,
      lastAction: { text: E2E.labelTexts(lastAction).join(' '), ...lastBox },
    };
    r.check(
      'menu-inside-work-area',
      inside(menuBox) && inside(lastBox) && lastBox.y + lastBox.height <= menuBox.y + menuBox.height,
      r.extra.sixAccountsLayout,
    );
    r.extra.accountsPng = await E2E.screenshotScreen(`${out}/menu-accounts.png`);

    // The keyboard: Down moves the key focus from account row to account row, then to the actions; Return on a
    // row shows its detail.
    const { default: Clutter } = await import('gi://Clutter');
    // Clutter.get_default_backend() is gone in GNOME 51; the stage's context has the backend from 48 on.
    const backend = global.stage.context?.get_backend?.() ?? Clutter.get_default_backend();
    const keyboard = backend.get_default_seat().create_virtual_device(Clutter.InputDeviceType.KEYBOARD_DEVICE);
    const press = async (keyval) => {
      keyboard.notify_keyval(GLib.get_monotonic_time(), keyval, Clutter.KeyState.PRESSED);
      keyboard.notify_keyval(GLib.get_monotonic_time(), keyval, Clutter.KeyState.RELEASED);
      await E2E.sleep(150);
      await E2E.waitLeisure();
    };
    const focused = () => {
      const actor = global.stage.get_key_focus();
      return actor ? actor.accessible_name || E2E.labelTexts(actor).join(' ') : null;
    };
    menuActor.navigate_focus(null, St.DirectionType.TAB_FORWARD, false);
    const visited = [focused()];
    for (let i = 0; i < 10; i++) {
      await press(Clutter.KEY_Down);
      visited.push(focused());
    }
    r.extra.keyboardFocus = visited;
    r.check(
      'keyboard-moves-through-rows',
      EXPECTED_ACCOUNT_HEADINGS.every((heading, i) => visited[i]?.startsWith(heading)) &&
        visited.includes('Refresh now') &&
        visited.indexOf('Refresh now') > EXPECTED_ACCOUNT_HEADINGS.length - 1,
      visited,
    );
    // Back up to the second account and open it.
    menuActor.navigate_focus(null, St.DirectionType.TAB_FORWARD, false);
    await press(Clutter.KEY_Down);
    await press(Clutter.KEY_Return);
    const second = rows()[1];
    const detailShown = E2E.descendants(menuActor).some(
      (a) => a.has_style_class_name?.('headroom-window') && a.is_mapped(),
    );
    r.check(
      'return-expands-a-row',
      accountsButton.menu.isOpen && detailShown && /expanded$/.test(second?.accessible_name ?? ''),
      {
        name: second?.accessible_name,
        detailShown,
      },
    );
    r.extra.expandedPng = await E2E.screenshotScreen(`${out}/menu-expanded.png`);
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
    // An open dropdown follows each refresh (a closed one is brought up to date when it opens).
    await E2E.openMenu(webButton, 500);
    await E2E.waitFor(() => headings.every((h) => menuTexts().includes(h)), {
      timeout: 20000,
      interval: 200,
      message: 'both organisations',
    }).catch(() => undefined);
    await E2E.sleep(300);
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
    await E2E.openMenu(webButton, 500);
    await E2E.waitFor(() => menuTexts().some((t) => t.includes('claude.ai is asking for a browser check')), {
      timeout: 20000,
      interval: 200,
      message: 'the Cloudflare state',
    }).catch(() => undefined);
    await E2E.sleep(300);
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
