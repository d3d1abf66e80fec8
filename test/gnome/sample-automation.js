// Automation module for gnome-shell --automation-script (GNOME Shell 48, 50, 51).
// Proves the harness with sample-extension/: the indicator loads, shows
// "HR 42%", its menu opens, and 50 disable/enable cycles leave exactly one
// panel entry and no leaked actors. Writes $HEADROOM_E2E_RESULT.
//
// Shell contract (js/ui/main.js + js/ui/scripting.js, same in 48/50/51):
// init() is called once the ExtensionManager exists; run() is awaited after
// startup-complete; then finish(); then the shell terminates itself (exit 1 if
// run() threw). run() below never throws: failures land in the result file.

import GLib from 'gi://GLib';

import * as Main from 'resource:///org/gnome/shell/ui/main.js';
import * as E2E from 'file:///opt/headroom-e2e/lib/shell-e2e.js';

const EXPECTED_LABEL = GLib.getenv('HEADROOM_E2E_EXPECT_LABEL') ?? 'HR 42%';
const MARKER = GLib.getenv('HEADROOM_E2E_MARKER') ?? 'headroom';
const CYCLES = Number(GLib.getenv('HEADROOM_E2E_CYCLES') ?? 50);

export function init() {
  // Nothing to prepare before startup.
}

export async function run() {
  const r = new E2E.Result();
  const uuid = E2E.uuid();
  const out = E2E.outDir();
  r.extra.uuid = uuid;
  r.extra.shellVersion = (await import('resource:///org/gnome/shell/misc/config.js')).PACKAGE_VERSION;

  await r.step('begin-run', () => E2E.beginRun());

  const st = await E2E.waitForExtensionState(uuid);
  r.extra.state = st.state;
  if (!r.check('extension-active', st.state === E2E.ExtensionState.ACTIVE, { state: st.state, error: st.error })) {
    r.errors.push(`extension not active: state ${st.state}: ${st.error}`);
    r.write();
    return;
  }

  const button = E2E.statusAreaButton(uuid);
  r.check('indicator-in-status-area', button !== null);
  const labels = button ? E2E.labelTexts(button) : [];
  r.extra.label = labels.join(' ');
  r.check('label-text', labels.includes(EXPECTED_LABEL), { labels, expected: EXPECTED_LABEL });

  await r.step('screenshot-panel', async () => {
    r.extra.panelPng = await E2E.screenshotPanel(`${out}/panel.png`);
  });

  if (button) {
    await r.step('menu-open', async () => {
      await E2E.openMenu(button);
      r.check('menu-is-open', button.menu.isOpen);
      r.extra.menuItems = button.menu._getMenuItems().map((i) => E2E.labelTexts(i).join(' '));
      r.check('menu-items', r.extra.menuItems.length === 2, r.extra.menuItems);
      r.extra.menuPng = await E2E.screenshotScreen(`${out}/menu-open.png`);
      await E2E.closeMenu(button);
    });
  }

  await r.step('settle-before-cycles', () => E2E.waitSettingsSettled());
  const before = E2E.actorSnapshot(MARKER);
  const entriesBefore = E2E.panelEntryCount(uuid);
  await r.step('disable-enable-cycles', async () => {
    const { lostSignals } = await E2E.cycleExtension(uuid, CYCLES);
    // A missed settings signal is the shell's race, not the extension's: report it.
    if (lostSignals.length) r.extra.lostSettingsSignals = lostSignals;
  });
  await E2E.sleep(200);
  await E2E.waitLeisure();
  const after = E2E.actorSnapshot(MARKER);
  const diff = E2E.diffActors(before, after);
  r.extra.cycles = { count: CYCLES, entriesBefore, ...diff };
  r.check('one-panel-entry', E2E.panelEntryCount(uuid) === 1, E2E.panelEntryCount(uuid));
  r.check('status-area-keys', Object.keys(Main.panel.statusArea).filter((k) => k === uuid).length === 1);
  r.check('no-leftover-marked-actors', after.marked === before.marked && before.marked > 0, diff.marked);
  r.check('panel-actor-count-stable', after.panelActors === before.panelActors, diff.panelActors);
  r.check('ui-top-level-count-stable', after.uiTopLevel === before.uiTopLevel, diff.uiTopLevel);

  const finalState = Main.extensionManager.lookup(uuid)?.state;
  r.extra.state = finalState;
  r.check('active-after-cycles', finalState === E2E.ExtensionState.ACTIVE, finalState);

  // Optional: prove that the shell sees the extra env and the host's loopback.
  const probe = GLib.getenv('HEADROOM_E2E_PROBE_URL');
  if (probe) {
    await r.step('loopback-probe', async () => {
      const res = await E2E.httpGet(probe);
      r.extra.probe = { url: probe, ...res };
      r.check('loopback-probe', res.status === 200, res);
    });
  }

  await r.step('keyring-round-trip', async () => {
    const value = `e2e-${GLib.get_monotonic_time()}`;
    const got = await E2E.secretRoundTrip(value);
    r.check('keyring-round-trip', got === value, { stored: value, got });
  });

  r.write();
}

export function finish() {
  // Result is written at the end of run(); nothing to collect from perf events.
}
