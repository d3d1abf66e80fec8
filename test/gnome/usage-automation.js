// Automation module for gnome-shell --automation-script: Headroom's Spend section (tokens and cost from the local
// logs) over a generated corpus of Claude Code transcripts and Codex rollouts in the fixture HOME. It waits for the
// first scan, then removes the usage index (so the next scan is cold), disables and enables the extension and,
// while the new instance scans the whole corpus, measures the main loop's longest stall: the lateness of a 10 ms
// GLib timeout re-armed each time it fires. A quiet window of the same kind after the scan gives the baseline. Then
// it opens the menu and the section, checks its texts and the report file, and saves menu-usage.png.
// Writes $HEADROOM_E2E_RESULT with `stall` ({ scanMs, maxMs, p99Ms, worstMs, samples, baselineMaxMs }).
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';

import * as Main from 'resource:///org/gnome/shell/ui/main.js';
import * as E2E from 'file:///opt/headroom-e2e/lib/shell-e2e.js';

const HEADING = 'Spend (from local logs)';
const STATE_DIR = GLib.build_filenamev([GLib.get_user_state_dir(), 'headroom']);

export function init() {}

/** The Spend section's row in the menu, or null. */
function usageItem(button) {
  return button.menu._getMenuItems().find((item) => E2E.labelTexts(item).includes(HEADING)) ?? null;
}

/** True once the extension's usage scanner (usage-scanner.ts) has finished a scan. */
function scanned(uuid) {
  const scanner = Main.extensionManager.lookup(uuid)?.stateObj?.usageScanner ?? null;
  return scanner !== null && scanner.current.state !== 'scanning';
}

/**
 * Starts re-arming a `intervalMs` timeout at the default priority and recording how late each one fired, ms. Returns
 * `stop()`, which ends it and returns the latenesses.
 */
function stallProbe(intervalMs = 10) {
  const late = [];
  const start = GLib.get_monotonic_time();
  let expected = start + intervalMs * 1000;
  let id = 0;
  const arm = () => {
    id = GLib.timeout_add(GLib.PRIORITY_DEFAULT, intervalMs, () => {
      const now = GLib.get_monotonic_time();
      late.push({ ms: (now - expected) / 1000, at: Math.round((expected - start) / 1000) });
      expected = now + intervalMs * 1000;
      arm();
      return GLib.SOURCE_REMOVE;
    });
  };
  arm();
  return () => {
    GLib.source_remove(id);
    return late;
  };
}

/** Max, 99th percentile and the five worst latenesses (with when they happened, ms after the start). */
function summary(late) {
  const sorted = [...late].sort((a, b) => a.ms - b.ms);
  const round = (value) => Math.round(value * 10) / 10;
  return {
    samples: sorted.length,
    maxMs: round(sorted[sorted.length - 1]?.ms ?? 0),
    p99Ms: round(sorted[Math.floor(sorted.length * 0.99)]?.ms ?? 0),
    worstMs: sorted
      .slice(-5)
      .reverse()
      .map((tick) => round(tick.ms)),
    worstAt: sorted
      .slice(-5)
      .reverse()
      .map((tick) => tick.at),
  };
}

export async function run() {
  const r = new E2E.Result();
  const uuid = E2E.uuid();
  const out = E2E.outDir();
  await E2E.beginRun();
  const state = await E2E.waitForExtensionState(uuid);
  if (!r.check('extension-active', state.state === E2E.ExtensionState.ACTIVE, state.error)) {
    r.write();
    return;
  }
  await r.step('first-scan', async () => {
    await E2E.waitFor(() => scanned(uuid), { timeout: 240000, interval: 200, message: 'the first scan' });
    r.check(
      'index-shared-with-the-cli',
      GLib.file_test(`${STATE_DIR}/usage-index.bin`, GLib.FileTest.EXISTS) &&
        GLib.file_test(`${STATE_DIR}/usage-entries.bin`, GLib.FileTest.EXISTS),
    );
  });

  await r.step('stall-during-cold-scan', async () => {
    for (const name of ['usage-index.bin', 'usage-entries.bin', 'usage-report.txt'])
      GLib.unlink(`${STATE_DIR}/${name}`);
    const manager = Main.extensionManager;
    manager.disableExtension(uuid);
    await E2E.waitForExtensionState(uuid, E2E.ExtensionState.INACTIVE);
    await E2E.waitSettingsSettled();
    manager.enableExtension(uuid);
    await E2E.waitForExtensionState(uuid, E2E.ExtensionState.ACTIVE);
    // From the new instance's start (its first refresh, then the scan) until the scan's figures reach the indicator.
    // The dropdown stays closed, as it mostly is: it is drawn when it opens (measured in the next step).
    const started = GLib.get_monotonic_time();
    const stop = stallProbe();
    await E2E.waitFor(() => scanned(uuid), {
      timeout: 240000,
      interval: 50,
      message: 'the cold scan',
    });
    const scanMs = Math.round((GLib.get_monotonic_time() - started) / 1000);
    const during = summary(stop());
    await E2E.waitLeisure();
    const stopQuiet = stallProbe();
    await E2E.sleep(Math.min(10000, Math.max(3000, scanMs)));
    const quiet = summary(stopQuiet());
    // What starting a subprocess costs the shell's main loop here (the scan runs in one).
    // With fork() (GSubprocess's default) and with posix_spawn (INHERIT_FDS, as the extension starts its worker).
    const spawnCost = (flags) => {
      const spawnStart = GLib.get_monotonic_time();
      const child = Gio.Subprocess.new(['true'], Gio.SubprocessFlags.STDOUT_PIPE | flags);
      const ms = Math.round((GLib.get_monotonic_time() - spawnStart) / 100) / 10;
      child.wait_async(null, null);
      return ms;
    };
    const spawnMs = { fork: spawnCost(0), posixSpawn: spawnCost(Gio.SubprocessFlags.INHERIT_FDS) };
    r.extra.stall = { scanMs, ...during, baselineMaxMs: quiet.maxMs, baselineP99Ms: quiet.p99Ms, spawnMs };
    console.log(`[e2e] usage scan stall: ${JSON.stringify(r.extra.stall)}`);
    r.check('cold-scan-measured', scanMs > 0 && during.samples > 0, r.extra.stall);
  });

  await r.step('spend-section', async () => {
    const button = E2E.statusAreaButton(uuid);
    // Opening draws the dropdown (built anew: the instance is new, its accounts and the Spend section arrived while
    // it was closed): how long that takes on the main loop.
    const draw = Object.getPrototypeOf(button).rebuild;
    const drawMs = [];
    button.rebuild = function (...args) {
      const start = GLib.get_monotonic_time();
      const result = draw.apply(this, args);
      drawMs.push(Math.round((GLib.get_monotonic_time() - start) / 100) / 10);
      return result;
    };
    await E2E.openMenu(button, 300);
    delete button.rebuild;
    r.extra.openDrawMs = drawMs;
    console.log(`[e2e] drawing the dropdown on open: ${JSON.stringify(drawMs)} ms`);
    const item = usageItem(button);
    if (!item) throw new Error('no Spend section');
    item.setSubmenuShown(true);
    await E2E.sleep(400);
    await E2E.waitLeisure();
    const texts = [...E2E.labelTexts(item), ...E2E.labelTexts(item.menu)];
    r.extra.usageTexts = texts;
    const has = (test) => texts.some(test);
    const missing = Object.entries({
      heading: texts.includes(HEADING),
      claude: has((t) => t.startsWith('Claude')),
      codex: has((t) => t.startsWith('Codex')),
      today: has((t) => /^Today: \$[\d,.]+ · [\d.]+[kMB]? tokens$/.test(t)),
      month: has((t) => /^30 days: \$[\d,.]+ · [\d.]+[kMB]? tokens$/.test(t)),
      block: has((t) => /^\$[\d,.]+(\/h)? · block ends \d{1,2}:\d\d/.test(t)),
      chart: texts.includes('Daily cost, 30 days'),
      models: has((t) => t.startsWith('Top: claude-')),
      report: texts.includes('Full report…'),
    })
      .filter(([, ok]) => !ok)
      .map(([name]) => name);
    r.check('spend-section-texts', missing.length === 0, { missing, texts });
    const [read, bytes] = GLib.file_get_contents(`${STATE_DIR}/usage-report.txt`);
    const report = read ? new TextDecoder().decode(bytes) : '';
    r.check(
      'report-file',
      report.startsWith('Headroom: tokens and cost') && /\n\d{4}-\d\d-\d\d +[\d,]+/.test(report),
      report.slice(0, 400),
    );
    r.extra.menuUsagePng = await E2E.screenshotScreen(`${out}/menu-usage.png`);
    await E2E.closeMenu(button);
  });
  r.write();
}

export function finish() {}
