// Reusable helpers for automation modules that run INSIDE a real GNOME Shell
// (gnome-shell --automation-script). Works on GNOME Shell 48, 50 and 51.
//
// run-shell.sh mounts this directory read-only at /opt/headroom-e2e/lib, so any
// automation module can import it with
//   import * as E2E from 'file:///opt/headroom-e2e/lib/shell-e2e.js';
//
// Environment set by run-shell.sh (all visible through GLib.getenv):
//   HEADROOM_E2E_UUID     uuid of the extension under test
//   HEADROOM_E2E_RESULT   path of the JSON result file to write
//   HEADROOM_E2E_OUT      directory for screenshots and other artefacts
//                         (everything in it is copied to OUT_DIR on the host)

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Shell from 'gi://Shell';
import St from 'gi://St';

import * as Main from 'resource:///org/gnome/shell/ui/main.js';
import * as Scripting from 'resource:///org/gnome/shell/ui/scripting.js';

Gio._promisify(Shell.Screenshot.prototype, 'screenshot');
Gio._promisify(Shell.Screenshot.prototype, 'screenshot_area');

// Values of ExtensionState in js/misc/extensionUtils.js (same in 45 to 51).
export const ExtensionState = Object.freeze({
  ACTIVE: 1,
  INACTIVE: 2,
  ERROR: 3,
  OUT_OF_DATE: 4,
  DOWNLOADING: 5,
  INITIALIZED: 6,
  DEACTIVATING: 7,
  ACTIVATING: 8,
  UNINSTALLED: 99,
});

export const env = (name) => GLib.getenv(name);
export const uuid = () => GLib.getenv('HEADROOM_E2E_UUID');
export const outDir = () => GLib.getenv('HEADROOM_E2E_OUT') ?? GLib.get_tmp_dir();

export function sleep(ms) {
  return new Promise((resolve) => {
    GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
      resolve();
      return GLib.SOURCE_REMOVE;
    });
  });
}

/** Resolves once the shell is idle (no pending relayout/redraw work). */
export function waitLeisure() {
  return new Promise((resolve) => global.run_at_leisure(resolve));
}

/**
 * Polls `predicate()` every `interval` ms until it returns a truthy value, which
 * is returned. Throws `Error(message)` after `timeout` ms.
 */
export async function waitFor(predicate, { timeout = 10000, interval = 20, message = 'condition' } = {}) {
  const deadline = GLib.get_monotonic_time() + timeout * 1000;
  for (;;) {
    const value = predicate();
    if (value) return value;
    if (GLib.get_monotonic_time() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${message}`);
    await sleep(interval);
  }
}

/**
 * Call first in run(). The shell spawns gnome-shell-perf-helper for every
 * automation script and, after run(), asks it to exit over D-Bus; the helper
 * quits by itself after ~30 s idle, so a longer run() would end with "Failed to
 * exit helper" and exit status 1. Disabling the auto-exit avoids that (the
 * helper dies with the session). Then hides the overview and clears
 * notifications so screenshots show the plain desktop.
 */
export async function beginRun() {
  await Scripting.disableHelperAutoExit();
  await hideOverview();
  clearNotifications();
}

/** Hides the overview (the shell may start in it) and waits until it is gone. */
export async function hideOverview() {
  Main.overview.hide();
  await waitFor(() => !Main.overview.visible, { message: 'overview hidden' });
}

/** Destroys every notification source so banners don't cover screenshots. */
export function clearNotifications() {
  for (const source of [...Main.messageTray.getSources()]) source.destroy();
}

/**
 * Waits until the extension reaches `state` (default ACTIVE). Resolves with
 * `{state, error, extension}`; if the extension lands in ERROR or OUT_OF_DATE
 * first, resolves early with that state and its `error` text instead.
 */
export async function waitForExtensionState(id, state = ExtensionState.ACTIVE, timeout = 15000) {
  let ext = null;
  try {
    await waitFor(
      () => {
        ext = Main.extensionManager.lookup(id);
        return (
          ext &&
          (ext.state === state ||
            // loadExtension() sets ERROR first and success last, so ERROR without a message is still loading.
            (ext.state === ExtensionState.ERROR && ext.error) ||
            ext.state === ExtensionState.OUT_OF_DATE)
        );
      },
      { timeout, message: `${id} state ${state}` },
    );
  } catch (e) {
    return {
      state: ext?.state ?? null,
      error: `${e.message} (state ${ext?.state ?? 'not found'}, error ${ext?.error ?? ''})`,
      extension: ext,
    };
  }
  return { state: ext.state, error: ext.error || '', extension: ext };
}

/** Depth-first list of an actor and all its descendants, in the order they are drawn (children first to last). */
export function descendants(actor) {
  const out = [];
  const stack = [actor];
  while (stack.length) {
    const a = stack.pop();
    out.push(a);
    stack.push(...a.get_children().reverse());
  }
  return out;
}

/** Texts of every St.Label (or anything with a string `text`) under `actor` (or a menu section's actor). */
export function labelTexts(actor) {
  return descendants(actor.actor ?? actor)
    .filter((a) => a instanceof St.Label && a.text)
    .map((a) => a.text);
}

/** The panel indicator an extension registered with addToStatusArea(uuid, …). */
export function statusAreaButton(id) {
  return Main.panel.statusArea[id] ?? null;
}

/**
 * Number of panel slots (children of the left/center/right boxes) whose button
 * was registered under `id`: exactly 1 when the extension is active.
 */
export function panelEntryCount(id) {
  const button = statusAreaButton(id);
  const boxes = [Main.panel._leftBox, Main.panel._centerBox, Main.panel._rightBox];
  let count = 0;
  for (const box of boxes) {
    for (const child of box.get_children()) {
      if (button && (child === button.container || child === button)) count++;
    }
  }
  return count;
}

/**
 * Counts actors under `root` (default: the whole UI group, which holds the panel
 * and all popup menus) whose style class or name contains `marker`.
 */
export function countMarkedActors(marker, root = Main.uiGroup) {
  return descendants(root).filter((a) => {
    const cls = a.get_style_class_name?.() ?? '';
    const name = a.get_name?.() ?? '';
    return cls.includes(marker) || name.includes(marker);
  }).length;
}

/** Total actor count under `root`, to spot leaked actors of any kind. */
export function countActors(root = Main.uiGroup) {
  return descendants(root).length;
}

function _describeActor(a) {
  const cls = a.get_style_class_name?.() ?? '';
  const name = a.get_name?.() ?? '';
  return `${a.constructor.$gtype?.name ?? a.constructor.name}${name ? `#${name}` : ''}${cls ? `.${cls.replace(/ /g, '.')}` : ''}`;
}

/**
 * Snapshot for leak checks: the actor set under Main.uiGroup (less application windows and the overview) plus the counts
 * that an extension leak changes (top-level uiGroup children hold popup menus,
 * panel boxes hold indicators). Compare two snapshots with `diffActors()`.
 */
export function actorSnapshot(marker) {
  // Application windows (global.window_group) come and go with their clients, and the overview (app grid, search)
  // builds its parts lazily: neither belongs to an extension.
  const windows = new Set([...descendants(global.window_group), ...descendants(Main.layoutManager.overviewGroup)]);
  return {
    actors: new Set(descendants(Main.uiGroup).filter((a) => !windows.has(a))),
    topLevel: Main.uiGroup.get_children().map(_describeActor),
    uiTopLevel: Main.uiGroup.get_children().length,
    panelActors: countActors(Main.panel),
    marked: countMarkedActors(marker),
  };
}

/**
 * What changed between two snapshots. `uiActorsAdded` lists (up to 40) actors
 * that exist now but did not before; the shell itself adds some over time
 * (e.g. lazily built overview/calendar parts), so treat it as a diagnostic.
 */
export function diffActors(before, after) {
  const added = [...after.actors].filter((a) => !before.actors.has(a));
  const removed = [...before.actors].filter((a) => !after.actors.has(a));
  return {
    uiTopLevel: { before: before.uiTopLevel, after: after.uiTopLevel },
    panelActors: { before: before.panelActors, after: after.panelActors },
    marked: { before: before.marked, after: after.marked },
    uiActors: { before: before.actors.size, after: after.actors.size },
    uiActorsAdded: added.slice(0, 40).map(_describeActor),
    uiActorsRemovedCount: removed.length,
    // Removed actors are not described: they may be disposed already, and reading them logs Gjs-CRITICAL lines.
    topLevelAdded: after.topLevel.filter((name) => !before.topLevel.includes(name)),
    topLevelRemoved: before.topLevel.filter((name) => !after.topLevel.includes(name)),
  };
}

function _openStream(path) {
  const file = Gio.File.new_for_path(path);
  return file.replace(null, false, Gio.FileCreateFlags.REPLACE_DESTINATION, null);
}

/** PNG of the rectangle (x, y, w, h) of the stage. Returns the path. */
export async function screenshotArea(path, x, y, width, height) {
  await waitLeisure();
  const stream = _openStream(path);
  try {
    await new Shell.Screenshot().screenshot_area(x, y, width, height, stream);
  } finally {
    stream.close(null);
  }
  return path;
}

/** PNG of the whole screen (no cursor). Returns the path. */
export async function screenshotScreen(path) {
  await waitLeisure();
  const stream = _openStream(path);
  try {
    await new Shell.Screenshot().screenshot(false, stream);
  } finally {
    stream.close(null);
  }
  return path;
}

/** PNG of the top bar only. */
export function screenshotPanel(path) {
  const monitor = Main.layoutManager.primaryMonitor;
  return screenshotArea(path, monitor.x, monitor.y, monitor.width, Main.panel.height);
}

/** Opens a PanelMenu.Button's menu and waits until it is open and drawn. */
export async function openMenu(button, settleMs = 300) {
  if (button.menu.isEmpty?.()) throw new Error('menu is empty (an empty PopupMenu refuses to open)');
  button.menu.open(false);
  await waitFor(() => button.menu.isOpen, { message: 'menu open' });
  await sleep(settleMs);
  await waitLeisure();
}

export async function closeMenu(button) {
  button.menu.close(false);
  await waitFor(() => !button.menu.isOpen, { message: 'menu closed' });
  await waitLeisure();
}

/** Extension-manager view of one extension, for failure messages. */
export function managerSnapshot(id) {
  const mgr = Main.extensionManager;
  const ext = mgr.lookup(id);
  return JSON.stringify({
    state: ext?.state,
    enabled: ext?.enabled,
    managerEnabled: mgr._enabledExtensions,
    enabledKey: global.settings.get_strv('enabled-extensions'),
    disabledKey: global.settings.get_strv('disabled-extensions'),
  });
}

/**
 * Waits until the ExtensionManager has processed every pending change of the
 * enabled-extensions / disabled-extensions keys: its own enabled list agrees
 * with the keys and no change signal arrived for `quietMs`.
 */
export async function waitSettingsSettled(quietMs = 40, timeout = 5000) {
  const mgr = Main.extensionManager;
  let last = GLib.get_monotonic_time();
  const ids = ['enabled-extensions', 'disabled-extensions'].map((k) =>
    global.settings.connect(`changed::${k}`, () => (last = GLib.get_monotonic_time())),
  );
  try {
    await waitFor(
      () => {
        const en = global.settings.get_strv('enabled-extensions');
        const dis = global.settings.get_strv('disabled-extensions');
        const want = en.filter((u) => !dis.includes(u)).sort();
        const have = [...(mgr._enabledExtensions ?? want)].sort();
        return JSON.stringify(want) === JSON.stringify(have) && GLib.get_monotonic_time() - last > quietMs * 1000;
      },
      { timeout, interval: 10, message: 'extension settings settled' },
    );
  } finally {
    ids.forEach((id) => global.settings.disconnect(id));
  }
}

/**
 * Runs `cycles` disable/enable rounds through the public ExtensionManager API
 * (the same path as the Extensions app: it edits the enabled/disabled keys and
 * the shell reacts to the settings change signals asynchronously), waiting for
 * INACTIVE and ACTIVE each time and for the settings to settle in between.
 *
 * Toggling this fast can make the shell miss a settings change (seen on 48 and
 * 51 under CPU load, about once per few thousand toggles: the keys say
 * "enabled", the manager's own list does not, the extension stays INACTIVE).
 * That is a shell/dconf race, not an extension bug, so when it is detected the
 * manager is asked to re-read the keys (its own change handler) and the event
 * is returned in `lostSignals`. An extension that fails to enable ends in
 * ERROR instead and fails the cycle.
 */
export async function cycleExtension(id, cycles = 50, timeout = 10000, onDisabled = () => {}) {
  const mgr = Main.extensionManager;
  const lostSignals = [];
  const reach = async (state, i, what) => {
    let r = await waitForExtensionState(id, state, 3000);
    if (
      r.state !== state &&
      r.state !== ExtensionState.ERROR &&
      typeof mgr._onEnabledExtensionsChanged === 'function'
    ) {
      lostSignals.push(`cycle ${i} ${what}: ${managerSnapshot(id)}`);
      console.log(`[e2e] lost settings change in cycle ${i} (${what}), re-reading keys`);
      await mgr._onEnabledExtensionsChanged();
      r = await waitForExtensionState(id, state, timeout);
    }
    if (r.state !== state)
      throw new Error(`cycle ${i}: ${what} left state ${r.state}: ${r.error} ${managerSnapshot(id)}`);
    await waitSettingsSettled();
  };
  for (let i = 0; i < cycles; i++) {
    mgr.disableExtension(id);
    await reach(ExtensionState.INACTIVE, i, 'disable');
    onDisabled(i);
    mgr.enableExtension(id);
    await reach(ExtensionState.ACTIVE, i, 'enable');
  }
  return { lostSignals };
}

/** HTTP GET with Soup 3 (for probing loopback servers from inside the shell). */
export async function httpGet(url, timeoutSeconds = 5) {
  const { default: Soup } = await import('gi://Soup?version=3.0');
  const session = new Soup.Session({ timeout: timeoutSeconds });
  const msg = Soup.Message.new('GET', url);
  const bytes = await new Promise((resolve, reject) => {
    session.send_and_read_async(msg, GLib.PRIORITY_DEFAULT, null, (s, res) => {
      try {
        resolve(s.send_and_read_finish(res));
      } catch (e) {
        reject(e);
      }
    });
  });
  session.abort();
  return { status: msg.get_status(), body: new TextDecoder().decode(bytes.get_data() ?? new Uint8Array()) };
}

/**
 * Stores and looks up a password through libsecret (async API only, as the
 * shell must never block) in the default (login) collection, which run-shell.sh
 * unlocks. Returns the value read back.
 */
export async function secretRoundTrip(value = 'e2e-secret', collection = null) {
  const { default: Secret } = await import('gi://Secret');
  const schema = new Secret.Schema('org.gnome.shell.extensions.headroom.e2e', Secret.SchemaFlags.NONE, {
    account: Secret.SchemaAttributeType.STRING,
  });
  const attrs = { account: 'e2e' };
  await new Promise((resolve, reject) => {
    Secret.password_store(
      schema,
      attrs,
      collection ?? Secret.COLLECTION_DEFAULT,
      'headroom e2e',
      value,
      null,
      (o, res) => {
        try {
          resolve(Secret.password_store_finish(res));
        } catch (e) {
          reject(e);
        }
      },
    );
  });
  return new Promise((resolve, reject) => {
    Secret.password_lookup(schema, attrs, null, (o, res) => {
      try {
        resolve(Secret.password_lookup_finish(res));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/**
 * Collects named checks and errors and writes the result JSON
 * `{ok, ...extra, checks:[{name, ok, detail}], errors:[...]}`.
 */
export class Result {
  constructor() {
    this.checks = [];
    this.errors = [];
    this.extra = {};
  }

  check(name, ok, detail = null) {
    this.checks.push({ name, ok: Boolean(ok), detail });
    if (!ok) console.log(`[e2e] CHECK FAILED ${name}: ${JSON.stringify(detail)}`);
    return Boolean(ok);
  }

  error(where, e) {
    const text = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
    this.errors.push(`${where}: ${text}`);
    console.log(`[e2e] ERROR ${where}: ${text}`);
  }

  /** Runs `fn`; a throw is recorded as an error and as a failed check. */
  async step(name, fn) {
    console.log(`[e2e] step ${name}`);
    try {
      return await fn();
    } catch (e) {
      this.error(name, e);
      this.check(name, false, e.message);
      return undefined;
    }
  }

  get ok() {
    return this.errors.length === 0 && this.checks.every((c) => c.ok);
  }

  write(path = GLib.getenv('HEADROOM_E2E_RESULT')) {
    const json = JSON.stringify({ ok: this.ok, ...this.extra, checks: this.checks, errors: this.errors }, null, 2);
    if (!path) {
      console.log(json);
      return;
    }
    GLib.file_set_contents(path, `${json}\n`);
  }
}

/**
 * Whether the PNG at `path` shows something drawn: at least `minColours` distinct colours among its pixels (a window
 * that is mapped but not yet painted is one flat colour).
 */
export async function isPainted(path, minColours = 16) {
  const { default: GdkPixbuf } = await import('gi://GdkPixbuf');
  const pixbuf = GdkPixbuf.Pixbuf.new_from_file(path);
  const pixels = pixbuf.get_pixels();
  const stride = pixbuf.get_rowstride();
  const channels = pixbuf.get_n_channels();
  const colours = new Set();
  for (let y = 0; y < pixbuf.get_height() && colours.size < minColours; y += 2) {
    for (let x = 0; x < pixbuf.get_width() && colours.size < minColours; x += 2) {
      const i = y * stride + x * channels;
      colours.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
    }
  }
  return colours.size >= minColours;
}

/**
 * Screenshots a window's frame rectangle until it is painted (see isPainted), at most `timeout` ms. Resolves with
 * `{path, painted, rect}`.
 */
export async function screenshotPaintedWindow(metaWindow, path, timeout = 15000) {
  const deadline = GLib.get_monotonic_time() + timeout * 1000;
  for (;;) {
    const rect = metaWindow.get_frame_rect();
    const actor = metaWindow.get_compositor_private();
    if (actor?.mapped && rect.width > 0 && rect.height > 0) {
      await screenshotArea(path, rect.x, rect.y, rect.width, rect.height);
      const rectangle = { x: rect.x, y: rect.y, width: rect.width, height: rect.height };
      if (await isPainted(path)) return { path, painted: true, rect: rectangle };
      if (GLib.get_monotonic_time() > deadline) return { path, painted: false, rect: rectangle };
    } else if (GLib.get_monotonic_time() > deadline) {
      return { path, painted: false, rect: null };
    }
    await sleep(200);
  }
}

/** Reads a small JSON file, or null while it does not exist. */
export function readJson(path) {
  const file = Gio.File.new_for_path(path);
  if (!file.query_exists(null)) return null;
  return JSON.parse(new TextDecoder().decode(file.load_contents(null)[1]));
}

/**
 * Counts what an extension holds on the shell while it runs: signal handlers it connected (directly or through
 * connectObject, and through shell code it called) on the shell's long-lived objects, and main-loop sources it
 * created. It wraps GObject.Object's and the shell EventEmitter's connect/connect_after/disconnect and GLib's
 * timeout/idle functions for the rest of the session. A connection is the extension's when the JS stack passes
 * through a file under `extensionPath` (so handlers the shell makes on its behalf count too); a source when the
 * extension's code called the GLib function itself. A source stops counting when it is removed or its callback returns SOURCE_REMOVE; a
 * handler when it is disconnected, from any stack. `counts()` returns `{signals, sources, signalTargets,
 * sourceNames}`.
 *
 * The shell's long-lived objects: `global` and its display, stage, settings, window and workspace managers, the
 * panel, layout manager, overview, message tray, session mode, extension manager, St's settings, theme context and
 * texture cache, and every actor of the stage when tracking starts.
 */
export async function trackExtensionResources(extensionPath) {
  const { default: GObject } = await import('gi://GObject');
  const { default: Clutter } = await import('gi://Clutter');
  const { EventEmitter } = await import('resource:///org/gnome/shell/misc/signals.js');
  const shellObjects = new Set([
    global,
    global.display,
    global.stage,
    global.settings,
    global.window_manager,
    global.workspace_manager,
    Main.panel,
    Main.layoutManager,
    Main.overview,
    Main.messageTray,
    Main.sessionMode,
    Main.extensionManager,
    St.Settings.get(),
    St.ThemeContext.get_for_stage(global.stage),
    St.TextureCache.get_default(),
    ...descendants(global.stage),
  ]);
  const ours = () => (new Error().stack ?? '').includes(extensionPath);
  // Frame 0 is ours(), 1 the wrapper, 2 whoever called the GLib function.
  const callerIsOurs = () => ((new Error().stack ?? '').split('\n')[2] ?? '').includes(extensionPath);
  /** target → Map(handler id → signal name) */
  const handlers = new Map();
  /** Our main-loop sources alive: id → the GLib function that added it, and id → its name. */
  const sources = new Map();
  const names = new Map();
  const describe = (target) =>
    target instanceof Clutter.Actor ? _describeActor(target) : (target.constructor?.name ?? String(target));

  for (const proto of [GObject.Object.prototype, EventEmitter.prototype]) {
    for (const name of ['connect', 'connect_after']) {
      const original = proto[name];
      if (typeof original !== 'function') continue;
      proto[name] = function (signal, ...rest) {
        const id = original.call(this, signal, ...rest);
        if (shellObjects.has(this) && ours()) {
          if (!handlers.has(this)) handlers.set(this, new Map());
          handlers.get(this).set(id, signal);
        }
        return id;
      };
    }
    const disconnect = proto.disconnect;
    proto.disconnect = function (id) {
      handlers.get(this)?.delete(id);
      return disconnect.call(this, id);
    };
  }

  const wrapSource = (name, callbackIndex, once = false) => {
    const original = GLib[name];
    if (typeof original !== 'function') return;
    GLib[name] = function (...args) {
      if (!callerIsOurs()) return original.apply(this, args);
      let id = 0;
      const callback = args[callbackIndex];
      args[callbackIndex] = (...cbArgs) => {
        const result = callback(...cbArgs);
        if (once || !result) {
          sources.delete(id);
          names.delete(id);
        }
        return result;
      };
      id = original.apply(this, args);
      sources.set(id, name);
      return id;
    };
  };
  wrapSource('timeout_add', 2);
  wrapSource('timeout_add_seconds', 2);
  wrapSource('idle_add', 1);
  wrapSource('timeout_add_once', 2, true);
  wrapSource('idle_add_once', 1, true);
  const remove = GLib.Source.remove;
  GLib.Source.remove = function (id) {
    sources.delete(id);
    names.delete(id);
    return remove.call(this, id);
  };
  const setName = GLib.Source.set_name_by_id;
  GLib.Source.set_name_by_id = function (id, name) {
    if (sources.has(id)) names.set(id, name);
    return setName.call(this, id, name);
  };

  return {
    counts() {
      const signalTargets = {};
      let signals = 0;
      for (const [target, ids] of handlers) {
        if (ids.size === 0) continue;
        signals += ids.size;
        const key = describe(target);
        signalTargets[key] = [...(signalTargets[key] ?? []), ...ids.values()];
      }
      return {
        signals,
        sources: sources.size,
        signalTargets,
        sourceNames: [...sources.keys()].map((id) => names.get(id) ?? `unnamed ${sources.get(id)}`),
      };
    },
  };
}

/**
 * Resident memory of this process (the shell) by kind of mapping, kB, from /proc/<pid>/smaps: `heap` (glibc's main
 * arena, [heap]), `arenas` (glibc's arenas of other threads: anonymous read-write mappings on a 64 MB boundary),
 * `code` (anonymous executable mappings: the JS engine's compiled code), `anon` (other anonymous mappings: the JS
 * engine's GC chunks, large allocations, thread stacks), `gpu` (memfd, DRM and shared-memory buffers), `file`
 * (libraries, fonts, caches mapped from files) and `other` ([stack], [vvar] …). Tells a step in the resident memory
 * by where it happened. awk adds it up in a process of its own: parsing the few MB of smaps here would leave that
 * much garbage in the shell's JS heap, whose chunks then count in the next reading.
 */
export function residentByKindKb() {
  const pid = Gio.Credentials.new().get_unix_pid();
  const program =
    '/^[0-9a-f]+-[0-9a-f]+ /{p=$6; a=substr($1,1,index($1,"-")-1); k="other"; ' +
    'if (p=="[heap]") k="heap"; else if (p==""||p~/^\\[anon/) ' +
    '{k=($2~/x/)?"code":(a~/[048c]000000$/&&$2~/^rw/)?"arenas":"anon"} ' +
    'else if (p~/^\\/(memfd:|dev\\/dri|dev\\/shm|SYSV)/) k="gpu"; else if (p~/^\\//) k="file"; next} ' +
    '/^Rss:/{s[k]+=$2} END{for(k in s) print k, s[k]}';
  const child = Gio.Subprocess.new(['awk', program, `/proc/${pid}/smaps`], Gio.SubprocessFlags.STDOUT_PIPE);
  const [, out] = child.communicate_utf8(null, null);
  const kinds = { heap: 0, arenas: 0, code: 0, anon: 0, gpu: 0, file: 0, other: 0 };
  for (const line of (out ?? '').trim().split('\n')) {
    const [kind, kb] = line.split(' ');
    if (kind in kinds) kinds[kind] = Number(kb);
  }
  return kinds;
}

/** Resident memory of this process (the shell), kB, from /proc/self/status. */
export function residentKb() {
  const [, bytes] = GLib.file_get_contents('/proc/self/status');
  const match = /VmRSS:\s+(\d+) kB/.exec(new TextDecoder().decode(bytes));
  return match ? Number(match[1]) : null;
}

function _windowTitled(fragment) {
  return global.display.list_all_windows().find((w) => (w.get_title() ?? '').includes(fragment)) ?? null;
}

/**
 * Runs the extension's own prefs.js in a window of this shell (prefs-probe.js, under the suite's gjs, Gtk 4 and
 * libadwaita, in the shell's environment and so its language), screenshots each page once it is painted as
 * `<out>/<prefix>-<page>.png`, and resolves with the pages: `{name, title, groups: [{title, rows: [{type, title,
 * subtitle, visible}]}], painted, rect}`.
 */
export async function probePreferences(extensionPath, out, prefix = 'prefs') {
  const launcher = new Gio.SubprocessLauncher({ flags: Gio.SubprocessFlags.NONE });
  launcher.set_stdout_file_path(`${out}/${prefix}-probe.log`);
  launcher.set_stderr_file_path(`${out}/${prefix}-probe.log`);
  launcher.setenv('GDK_BACKEND', 'wayland', true);
  launcher.setenv('GSK_RENDERER', 'cairo', true);
  const probe = launcher.spawnv(['gjs', '-m', '/opt/headroom-e2e/lib/prefs-probe.js', extensionPath, out]);
  const names = await waitFor(() => readJson(`${out}/prefs-pages.json`), {
    timeout: 30000,
    interval: 100,
    message: 'the probe window',
  });
  const pages = [];
  for (const name of names) {
    const page = await waitFor(() => readJson(`${out}/prefs-page-${name}.json`), {
      timeout: 20000,
      interval: 100,
      message: `the ${name} page`,
    });
    const window = _windowTitled('preferences (probe)');
    const shot = window
      ? await screenshotPaintedWindow(window, `${out}/${prefix}-${name}.png`)
      : { painted: false, rect: null };
    pages.push({ ...page, painted: shot.painted, rect: shot.rect });
    GLib.file_set_contents(`${out}/prefs-page-${name}.done`, '');
  }
  await waitFor(() => _windowTitled('preferences (probe)') === null, { timeout: 10000, message: 'probe closed' });
  probe.force_exit();
  for (const name of ['prefs-pages.json', ...names.flatMap((n) => [`prefs-page-${n}.json`, `prefs-page-${n}.done`])])
    Gio.File.new_for_path(`${out}/${name}`).delete(null);
  return pages;
}
