// LiveWatcher (gnome-extension/live-watcher.ts): Gio.FileMonitors on Codex's newest session directory and a
// status-line record; a write calls back once per burst; a new day's directory is picked up; destroy() stops it all.
import GLib from 'gi://GLib';
import { GjsPorts } from '../../gnome-extension/gjs-ports.js';
import { LiveWatcher } from '../../gnome-extension/live-watcher.js';
import { equal, ok, run, tempDir, test } from './assert.js';

const dir = tempDir();
const sessions = `${dir}/.codex/sessions`;
GLib.mkdir_with_parents(`${sessions}/2026/11/21`, 0o755);
GLib.mkdir_with_parents(`${sessions}/2026/11/22`, 0o755);
const rollout = `${sessions}/2026/11/22/rollout-2026-11-22T04-16-03-x.jsonl`;
GLib.file_set_contents(rollout, '{"type":"session_meta"}\n');
const record = `${dir}/state/headroom/statusline.json`;

const ports = new GjsPorts('headroom@test/1 GNOME Shell extension');
let calls = 0;
const watcher = new LiveWatcher(
  ports,
  () => [
    { path: sessions, depth: 3, newestOnly: true },
    { path: record, depth: 0, newestOnly: false },
  ],
  () => calls++,
);

function append(path: string, text: string): void {
  const [, bytes] = GLib.file_get_contents(path);
  GLib.file_set_contents(path, new TextDecoder().decode(bytes) + text);
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 20) {
    if (check()) return true;
    await ports.subprocess.delay(20);
  }
  return check();
}

test('watches the sessions root down to the newest day, and the status-line record', async () => {
  await watcher.update();
  equal(watcher.watched, [sessions, `${sessions}/2026`, `${sessions}/2026/11`, `${sessions}/2026/11/22`, record]);
});

test('a line appended to a rollout calls back once, within a second', async () => {
  const before = calls;
  append(rollout, '{"type":"event_msg"}\n');
  append(rollout, '{"type":"event_msg"}\n');
  ok(await until(() => calls > before, 1000), 'called back');
  await ports.subprocess.delay(400);
  equal(calls, before + 1);
});

test('a new day directory is watched once created, and its rollout noticed', async () => {
  GLib.mkdir_with_parents(`${sessions}/2026/11/23`, 0o755);
  ok(await until(() => watcher.watched.includes(`${sessions}/2026/11/23`), 1500), 'the new day is watched');
  ok(!watcher.watched.includes(`${sessions}/2026/11/22`));
  const before = calls;
  GLib.file_set_contents(`${sessions}/2026/11/23/rollout-new.jsonl`, '{}\n');
  ok(await until(() => calls > before, 1000));
});

test('the status-line record appearing calls back', async () => {
  const before = calls;
  GLib.mkdir_with_parents(`${dir}/state/headroom`, 0o700);
  GLib.file_set_contents(record, '{}');
  ok(await until(() => calls > before, 6000), 'record noticed');
});

test('destroy() cancels every monitor: later writes call nothing', async () => {
  watcher.destroy();
  equal(watcher.watched, []);
  const before = calls;
  append(`${sessions}/2026/11/23/rollout-new.jsonl`, '{}\n');
  await ports.subprocess.delay(600);
  equal(calls, before);
  ports.destroy();
});

await run();
