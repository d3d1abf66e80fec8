// GjsPorts.files and writePrivateFile on a temporary directory.
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import { GjsPorts } from '../../gnome-extension/gjs-ports.js';
import { equal, ok, run, tempDir, test } from './assert.js';

const ports = new GjsPorts('headroom@test/1 GNOME Shell extension');
const dir = tempDir();

function info(path: string): Gio.FileInfo {
  return Gio.File.new_for_path(path).query_info('unix::mode,unix::inode', Gio.FileQueryInfoFlags.NONE, null);
}

function mode(path: string): number {
  return info(path).get_attribute_uint32('unix::mode') & 0o777;
}

function read(path: string): string {
  return new TextDecoder().decode(GLib.file_get_contents(path)[1]);
}

GLib.file_set_contents(`${dir}/usage.json`, '{"a":"ü"}');
GLib.mkdir_with_parents(`${dir}/sessions`, 0o755);

test('readText reads UTF-8, and a missing file is null', async () => {
  equal(await ports.files.readText(`${dir}/usage.json`), '{"a":"ü"}');
  equal(await ports.files.readText(`${dir}/missing.json`), null);
  equal(await ports.files.readText(`${dir}/missing/deeper.json`), null);
});

test('readText refuses a FIFO at once instead of waiting for a writer', async () => {
  GLib.spawn_command_line_sync(`mkfifo ${dir}/fifo.json`);
  let error: unknown = null;
  await ports.files.readText(`${dir}/fifo.json`).catch((caught: unknown) => (error = caught));
  ok(String(error).includes('not a regular file'));
  GLib.unlink(`${dir}/fifo.json`);
});

test('list names files and directories; a missing path or a file is null', async () => {
  const entries = await ports.files.list(dir);
  ok(entries);
  equal(
    entries.sort((a, b) => a.name.localeCompare(b.name)),
    [
      { name: 'sessions', isDirectory: true },
      { name: 'usage.json', isDirectory: false },
    ],
  );
  equal(await ports.files.list(`${dir}/missing`), null);
  equal(await ports.files.list(`${dir}/usage.json`), null);
});

test('stat gives the size and the mtime in ms', async () => {
  // Gio 2.74 drops the microseconds when setting an mtime, so touch(1) sets it.
  GLib.spawn_sync(
    null,
    ['touch', '-d', '@1767000000.123456', `${dir}/usage.json`],
    null,
    GLib.SpawnFlags.SEARCH_PATH,
    null,
  );
  equal(await ports.files.stat(`${dir}/usage.json`), { size: 10, mtimeMs: 1_767_000_000_123 });
  GLib.file_set_contents(`${dir}/fresh.json`, '{}');
  const fresh = await ports.files.stat(`${dir}/fresh.json`);
  ok(fresh && Math.abs(fresh.mtimeMs - Date.now()) < 5000, `mtimeMs ${fresh?.mtimeMs} vs now ${Date.now()}`);
  equal(await ports.files.stat(`${dir}/missing.json`), null);
});

test('writePrivateFile creates missing parents 0700 and the file 0600', async () => {
  const path = `${dir}/state/headroom/last.json`;
  await ports.writePrivateFile(path, '{"v":1}');
  equal(read(path), '{"v":1}');
  equal(mode(`${dir}/state`).toString(8), '700');
  equal(mode(`${dir}/state/headroom`).toString(8), '700');
  equal(mode(path).toString(8), '600');
});

test('writePrivateFile replaces a file atomically (a new inode, mode 0600, no leftovers)', async () => {
  const path = `${dir}/sessions/last.json`;
  GLib.file_set_contents(path, 'old contents, longer than the new ones');
  Gio.File.new_for_path(path).set_attribute_uint32('unix::mode', 0o644, Gio.FileQueryInfoFlags.NONE, null);
  const inode = info(path).get_attribute_uint64('unix::inode');
  await ports.writePrivateFile(path, '{"v":2}');
  equal(read(path), '{"v":2}');
  equal(mode(path).toString(8), '600');
  ok(info(path).get_attribute_uint64('unix::inode') !== inode, 'the file was rewritten in place');
  equal(mode(`${dir}/sessions`).toString(8), '755', 'an existing parent keeps its mode');
  equal(
    (await ports.files.list(`${dir}/sessions`))?.map((entry) => entry.name),
    ['last.json'],
  );
});

test('readLines returns the lines holding a marker from an offset, the unterminated tail, and the edge', async () => {
  const path = `${dir}/transcript.jsonl`;
  const lines = ['{"type":"user"}', '{"usage":{"input_tokens":1},"text":"ü"}', '{"type":"summary"}'];
  GLib.file_set_contents(path, `${lines.join('\n')}\n{"usage":{"cut`);
  const whole = (await ports.files.readLines!(path, { offset: 0, maxBytes: 1 << 20, markers: ['"usage":{'] }))!;
  equal(whole.lines, [lines[1]]);
  const bytes = new TextEncoder().encode(`${lines.join('\n')}\n`).length;
  equal(whole.consumed, bytes);
  equal(whole.eof, true);
  equal(whole.tail, '{"usage":{"cut');
  equal(whole.edge.endsWith('{"type":"summary"}\n'), true);
  // From the second line, a range that ends inside the third: only complete lines count.
  const second = new TextEncoder().encode(`${lines[0]}\n`).length;
  const part = (await ports.files.readLines!(path, { offset: second, maxBytes: 50, markers: ['"usage":{'] }))!;
  equal(part.lines, [lines[1]]);
  equal(part.eof, false);
  equal(part.consumed, new TextEncoder().encode(`${lines[1]}\n`).length);
  equal(await ports.files.readLines!(`${dir}/missing.jsonl`, { offset: 0, maxBytes: 10, markers: [] }), null);
});

await run();
