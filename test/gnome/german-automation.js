// Automation module for gnome-shell --automation-script: Headroom in a German session (LANG=de_DE.UTF-8, set up by
// run-shell.sh's HEADROOM_E2E_LOCALE). Checks that the extension's own strings come from its German catalogue
// (locale/de/LC_MESSAGES/headroom.mo, built from gnome-extension/po/de.po) in the dropdown and in the preferences,
// including a plural form ("Alle 5 Minuten"). Saves menu-de.png and prefs-de-<page>.png. Writes $HEADROOM_E2E_RESULT.
import GLib from 'gi://GLib';

import * as Main from 'resource:///org/gnome/shell/ui/main.js';
import * as E2E from 'file:///opt/headroom-e2e/lib/shell-e2e.js';

const EXPECTED_MENU = JSON.parse(GLib.getenv('HEADROOM_E2E_EXPECT_MENU') ?? '[]');
const EXPECTED_PREFS = JSON.parse(GLib.getenv('HEADROOM_E2E_EXPECT_PREFS') ?? '[]');

export function init() {}

export async function run() {
  const r = new E2E.Result();
  const uuid = E2E.uuid();
  const out = E2E.outDir();
  r.extra.lang = GLib.getenv('LANG');
  await E2E.beginRun();
  const state = await E2E.waitForExtensionState(uuid);
  if (!r.check('extension-active', state.state === E2E.ExtensionState.ACTIVE, state.error)) {
    r.write();
    return;
  }
  const button = E2E.statusAreaButton(uuid);
  await r.step('menu-in-german', async () => {
    await E2E.waitFor(() => E2E.labelTexts(button).some((text) => text.includes('%')), {
      timeout: 20000,
      message: 'the percentages',
    });
    await E2E.openMenu(button, 500);
    const texts = button.menu._getMenuItems().flatMap((item) => E2E.labelTexts(item));
    r.extra.menuTexts = texts;
    const missing = EXPECTED_MENU.filter((text) => !texts.includes(text));
    r.check('menu-strings-in-german', missing.length === 0, { missing });
    r.extra.menuPng = await E2E.screenshotScreen(`${out}/menu-de.png`);
    await E2E.closeMenu(button);
  });
  await r.step('preferences-in-german', async () => {
    const pages = await E2E.probePreferences(Main.extensionManager.lookup(uuid).path, out, 'prefs-de');
    r.extra.prefsPages = pages;
    const shown = pages.flatMap((page) => [
      page.title,
      ...page.groups.flatMap((group) => [group.title, ...group.rows.flatMap((row) => [row.title, row.subtitle])]),
    ]);
    const missing = EXPECTED_PREFS.filter((text) => !shown.includes(text));
    r.check('preferences-in-german', missing.length === 0 && pages.every((page) => page.painted), { missing });
  });
  r.write();
}

export function finish() {}
