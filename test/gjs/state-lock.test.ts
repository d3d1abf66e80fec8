// The GNOME extension's refresh lock, shared with the CLI (gnome-extension/state-lock.ts).
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import { LOCK_FILE, acquireStateLock } from '../../gnome-extension/state-lock.js';
import { equal, ok, run, tempDir, test } from './assert.js';

const dir = tempDir();
const path = `${dir}/${LOCK_FILE}`;
const me = new Gio.Credentials().get_unix_pid();

test('a lock held by a live process is waited for, then given up; a free one is taken and released', async () => {
  GLib.file_set_contents(path, `${me} ${Date.now()}`);
  equal(await acquireStateLock(dir, 120), null);
  GLib.unlink(path);
  const lock = await acquireStateLock(dir, 120);
  ok(lock);
  ok(GLib.file_test(path, GLib.FileTest.EXISTS));
  await lock.release();
  ok(!GLib.file_test(path, GLib.FileTest.EXISTS));
});

test('a lock older than 30 s is taken over', async () => {
  GLib.file_set_contents(path, `${me} ${Date.now() - 60_000}`);
  const lock = await acquireStateLock(dir, 120);
  ok(lock);
  await lock.release();
});

test('a cancelled wait ends at once with no lock (the extension was disabled)', async () => {
  GLib.file_set_contents(path, `${me} ${Date.now()}`);
  const cancellable = new Gio.Cancellable();
  const started = Date.now();
  const waiting = acquireStateLock(dir, 10_000, cancellable);
  GLib.timeout_add(GLib.PRIORITY_DEFAULT, 120, () => {
    cancellable.cancel();
    return GLib.SOURCE_REMOVE;
  });
  equal(await waiting, null);
  ok(Date.now() - started < 2_000, `gave up after ${Date.now() - started} ms`);
  ok(GLib.file_test(path, GLib.FileTest.EXISTS), 'the holder keeps its lock');
  GLib.unlink(path);
});

await run();
