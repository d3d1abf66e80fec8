// gjs -m prefs-probe.js EXTENSION_DIR OUT_DIR
//
// Runs an extension's own prefs.js under the suite's gjs, Gtk 4 and libadwaita, in a window of the running (headless)
// GNOME Shell, and hands each page to the automation module in turn:
//   OUT_DIR/prefs-pages.json          the pages' names, in order
//   OUT_DIR/prefs-page-<name>.json    written once <name> is the visible page and a frame was painted: the page's
//                                     groups and rows read from the widget tree (type, title, subtitle, visible)
//   OUT_DIR/prefs-page-<name>.done    written by the automation module after its screenshot; then the next page.
// The only change to prefs.js is its import of GNOME Shell's prefs base class, which needs the
// org.gnome.Shell.Extensions service; prefs-base.js stands in for it (same surface).
import Adw from 'gi://Adw?version=1';
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Gtk from 'gi://Gtk?version=4.0';

const [extensionPath, out] = ARGV;
const BASE = 'resource:///org/gnome/Shell/Extensions/js/extensions/prefs.js';
const decoder = new TextDecoder();
const read = (file) => decoder.decode(file.load_contents(null)[1]);
const write = (path, text) => GLib.file_set_contents(path, text);
const sleep = (ms) => new Promise((resolve) => GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => (resolve(), false)));

const dir = Gio.File.new_for_path(extensionPath);
const metadata = JSON.parse(read(dir.get_child('metadata.json')));
const source = read(dir.get_child('prefs.js'));
if (!source.includes(BASE)) throw new Error(`prefs.js does not import ${BASE}`);
const probe = dir.get_child('prefs-e2e-probe.js');
write(probe.get_path(), source.replace(BASE, 'file:///opt/headroom-e2e/lib/prefs-base.js'));
const { default: Preferences } = await import(probe.get_uri());
probe.delete(null);

Gtk.init();
Adw.init();
const loop = new GLib.MainLoop(null, false);

function children(widget) {
  const list = [];
  for (let child = widget.get_first_child(); child; child = child.get_next_sibling()) list.push(child);
  return list;
}

function descendants(widget) {
  return [widget, ...children(widget).flatMap(descendants)];
}

/** The page's groups and rows as the widget tree holds them. */
function describe(page) {
  return descendants(page)
    .filter((widget) => widget instanceof Adw.PreferencesGroup)
    .map((group) => ({
      title: group.title,
      description: group.description ?? '',
      rows: descendants(group)
        .filter((widget) => widget instanceof Adw.PreferencesRow)
        .map((row) => ({
          type: row.constructor.$gtype.name,
          title: row.title,
          subtitle: row.subtitle ?? '',
          visible: row.get_visible(),
          sensitive: row.get_sensitive(),
        })),
    }));
}

function painted(window) {
  return new Promise((resolve) => {
    const clock = window.get_frame_clock();
    const id = clock.connect('after-paint', () => {
      clock.disconnect(id);
      resolve();
    });
    window.queue_draw();
  });
}

async function main() {
  const window = new Adw.PreferencesWindow({
    title: `${metadata.name} preferences (probe)`,
    default_width: 760,
    default_height: 640,
    search_enabled: false,
  });
  window.connect('close-request', () => {
    loop.quit();
    return false;
  });
  await new Preferences({ ...metadata, dir, path: extensionPath }).fillPreferencesWindow(window);
  window.present();
  // The window's own search page has no name.
  const pages = descendants(window).filter((widget) => widget instanceof Adw.PreferencesPage && widget.name);
  write(`${out}/prefs-pages.json`, JSON.stringify(pages.map((page) => page.name)));
  for (const page of pages) {
    window.set_visible_page(page);
    await painted(window);
    await sleep(300);
    write(
      `${out}/prefs-page-${page.name}.json`,
      JSON.stringify({ name: page.name, title: page.title, visible: page.get_mapped(), groups: describe(page) }),
    );
    const done = Gio.File.new_for_path(`${out}/prefs-page-${page.name}.done`);
    for (let waited = 0; !done.query_exists(null) && waited < 20000; waited += 50) await sleep(50);
  }
  window.close();
}

main().catch((error) => {
  printerr(`prefs-probe: ${error}\n${error.stack}`);
  write(`${out}/prefs-probe-error.txt`, `${error}\n${error.stack}`);
  loop.quit();
});
// runAsync, not run(): this module is still evaluating (top-level await), and a blocking run() here would keep
// its promise jobs from running.
await loop.runAsync();
