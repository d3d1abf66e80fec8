// The usage scan's FileReader on real Gio (gnome-extension/log-reader.ts): reads in pieces, lines cut by a range or
// a piece boundary, files that vanish, cancellation, and the pause that yields to the main loop; then core's scan
// through it on a captured Claude Code transcript.
import GLib from 'gi://GLib';
import { GioLogReader, PIECE_BYTES, SLICE_MS } from '../../gnome-extension/log-reader.js';
import { scanUsage } from '../../core/usage/scan.js';
import { usageItems } from '../../core/usage/index.js';
import { equal, ok, rejection, repoPath, run, tempDir, test } from './assert.js';

const dir = tempDir();
const MARKER = '"usage":{';
const bytesOf = (text: string): number => new TextEncoder().encode(text).length;

/** A JSONL line of about `size` bytes, with or without the usage marker. */
function line(index: number, size: number, usage: boolean): string {
  const head = usage ? `{"n":${index},"usage":{"input_tokens":${index}},"text":"` : `{"n":${index},"text":"`;
  return `${head}${'é'.repeat(Math.max(0, Math.floor((size - head.length - 2) / 2)))}"}`;
}

/** Queues a main-loop source at `priority`, then works longer than a time slice; `ran` says whether it has run. */
function sourceWaitingPastSlice(priority: number): { ran: boolean } {
  const waiting = { ran: false };
  GLib.idle_add(priority, () => {
    waiting.ran = true;
    return GLib.SOURCE_REMOVE;
  });
  const busyUntil = Date.now() + SLICE_MS + 2;
  while (Date.now() < busyUntil) {
    // work longer than a slice
  }
  return waiting;
}

test('a range that ends inside a line returns the lines before it; the next range starts at that line', async () => {
  const reader = new GioLogReader();
  const lines = [line(1, 100, true), line(2, 100, false), line(3, 100, true)];
  const path = `${dir}/cut.jsonl`;
  GLib.file_set_contents(path, `${lines.join('\n')}\n`);
  const first = (await reader.readLines(path, { offset: 0, maxBytes: 250, markers: [MARKER] }))!;
  equal(first.lines, [lines[0]]);
  equal(first.consumed, bytesOf(`${lines[0]}\n${lines[1]}\n`));
  equal(first.eof, false);
  const second = (await reader.readLines(path, { offset: first.consumed, maxBytes: 1 << 20, markers: [MARKER] }))!;
  equal(second.lines, [lines[2]]);
  equal(second.eof, true);
  equal(second.tail, null);
  equal(first.consumed + second.consumed, bytesOf(`${lines.join('\n')}\n`));
});

test('a range larger than one piece is read in pieces; a line across a piece boundary comes back whole', async () => {
  const reader = new GioLogReader();
  // About 2.5 pieces of 2-byte characters, so that lines (and characters) straddle the 256 KiB boundaries.
  const lines = Array.from({ length: 70 }, (_, i) => line(i, 10_001, i % 3 === 0));
  const path = `${dir}/pieces.jsonl`;
  GLib.file_set_contents(path, `${lines.join('\n')}\n${line(99, 500, true)}`);
  const size = bytesOf(`${lines.join('\n')}\n`);
  ok(size > 2 * PIECE_BYTES, `the file spans pieces (${size} bytes)`);
  const chunk = (await reader.readLines(path, { offset: 0, maxBytes: 4 * PIECE_BYTES, markers: [MARKER] }))!;
  equal(
    chunk.lines,
    lines.filter((_, i) => i % 3 === 0),
  );
  equal(chunk.consumed, size);
  equal(chunk.eof, true);
  // The unterminated last line holds the marker: it is the tail, not a line.
  equal(chunk.tail, line(99, 500, true));
  equal(chunk.edge.length, 64);
});

test('a file or folder that vanished is null; a folder lists its entries', async () => {
  const reader = new GioLogReader();
  const path = `${dir}/gone.jsonl`;
  GLib.file_set_contents(path, `${line(1, 50, true)}\n`);
  GLib.unlink(path);
  equal(await reader.readLines(path, { offset: 0, maxBytes: 100, markers: [MARKER] }), null);
  equal(await reader.stat(path), null);
  equal(await reader.list(`${dir}/gone`), null);
  GLib.mkdir_with_parents(`${dir}/tree/sub`, 0o755);
  GLib.file_set_contents(`${dir}/tree/a.jsonl`, '');
  const entries = (await reader.list(`${dir}/tree`))!.sort((a, b) => a.name.localeCompare(b.name));
  equal(entries, [
    { name: 'a.jsonl', isDirectory: false },
    { name: 'sub', isDirectory: true },
  ]);
});

test('a file that vanishes during a scan is counted, not thrown, and the others are still read', async () => {
  const root = `${dir}/scan-vanish/projects/-p`;
  GLib.mkdir_with_parents(root, 0o755);
  const transcript = GLib.file_get_contents(
    repoPath('test/fixtures/claude/transcripts/claude-code-spotter-session-ae4a77f8.jsonl'),
  )[1];
  GLib.file_set_contents(`${root}/a.jsonl`, transcript);
  GLib.file_set_contents(`${root}/b.jsonl`, transcript);
  const reader = new GioLogReader();
  const vanishing = Object.assign(Object.create(reader) as GioLogReader, {
    readLines: (path: string, request: Parameters<GioLogReader['readLines']>[1]) => {
      if (path.endsWith('/a.jsonl')) GLib.unlink(path);
      return reader.readLines(path, request);
    },
  });
  const result = await scanUsage(vanishing, [
    { provider: 'claude', account: 'claude', directory: `${dir}/scan-vanish/projects` },
  ]);
  equal(result.stats.files, 2);
  equal(result.stats.skipped.vanished, 1);
  ok(result.stats.lines > 0, 'b.jsonl was read');
});

test('cancel() rejects a read in flight and every later read and pause', async () => {
  const reader = new GioLogReader();
  const path = `${dir}/big.jsonl`;
  GLib.file_set_contents(path, `${Array.from({ length: 400 }, (_, i) => line(i, 5000, true)).join('\n')}\n`);
  const pending = reader.readLines(path, { offset: 0, maxBytes: 4 << 20, markers: [MARKER] });
  reader.cancel();
  const error = await rejection(pending);
  ok(String(error).toLowerCase().includes('cancel'), String(error));
  ok(
    String(await rejection(reader.stat(path)))
      .toLowerCase()
      .includes('cancel'),
  );
  ok(
    String(await rejection(reader.pause()))
      .toLowerCase()
      .includes('cancel'),
  );
});

test('pause() resolves at once within a time slice and yields to the main loop after it', async () => {
  const reader = new GioLogReader();
  await reader.pause(); // starts from a fresh slice once it has yielded
  const waiting = sourceWaitingPastSlice(GLib.PRIORITY_DEFAULT);
  ok(!waiting.ran, 'nothing ran during the busy work');
  await reader.pause();
  ok(waiting.ran, 'the pause let a waiting main-loop source run');
});

test('a scan through the reader in small chunks counts the captured transcript exactly as one whole read', async () => {
  const root = `${dir}/scan-exact/projects/-p`;
  GLib.mkdir_with_parents(root, 0o755);
  const transcript = GLib.file_get_contents(
    repoPath('test/fixtures/claude/transcripts/claude-code-spotter-session-ae4a77f8.jsonl'),
  )[1];
  GLib.file_set_contents(`${root}/s.jsonl`, transcript);
  const roots = [{ provider: 'claude' as const, account: 'claude', directory: `${dir}/scan-exact/projects` }];
  const reader = new GioLogReader();
  const small = await scanUsage(reader, roots, { chunkBytes: 4096, pause: reader.pause });
  const whole = await scanUsage(reader, roots, { chunkBytes: 64 << 20 });
  const sum = (iterable: ReturnType<typeof usageItems>): number[] => {
    const items = [...iterable];
    return [
      items.length,
      items.reduce((total, item) => total + item.input + item.output + item.cacheRead + item.cacheWrite5m, 0),
    ];
  };
  ok(small.stats.lines > 0, 'usage lines were found');
  ok(small.stats.bytesRead === transcript.length, 'every byte was read');
  equal(sum(usageItems(small)), sum(usageItems(whole)));
});

test('a blocking reader (the scan process) reads, lists and scans as the asynchronous one, and never yields', async () => {
  const blocking = new GioLogReader(true);
  const reader = new GioLogReader();
  const pieces = `${dir}/pieces.jsonl`;
  const cut = `${dir}/cut.jsonl`;
  for (const request of [
    { path: pieces, offset: 0, maxBytes: 4 * PIECE_BYTES },
    { path: pieces, offset: 10_002, maxBytes: PIECE_BYTES + 7 },
    { path: cut, offset: 0, maxBytes: 250 },
    { path: `${dir}/gone.jsonl`, offset: 0, maxBytes: 100 },
  ]) {
    const { path, ...range } = request;
    equal(
      await blocking.readLines(path, { ...range, markers: [MARKER] }),
      await reader.readLines(path, { ...range, markers: [MARKER] }),
    );
  }
  equal(await blocking.stat(pieces), await reader.stat(pieces));
  equal(
    (await blocking.list(`${dir}/tree`))!.sort((a, b) => a.name.localeCompare(b.name)),
    (await reader.list(`${dir}/tree`))!.sort((a, b) => a.name.localeCompare(b.name)),
  );
  equal(await blocking.list(`${dir}/gone`), null);
  const roots = [{ provider: 'claude', account: 'claude', directory: `${dir}/scan-exact/projects` }];
  const scanned = await scanUsage(blocking, roots, { chunkBytes: 4096, pause: blocking.pause });
  ok(scanned.stats.lines > 0, 'usage lines were found');
  equal([...usageItems(scanned)], [...usageItems(await scanUsage(reader, roots, { chunkBytes: 4096 }))]);
  const waiting = sourceWaitingPastSlice(GLib.PRIORITY_HIGH);
  await blocking.pause();
  ok(!waiting.ran, 'a blocking reader does not yield to the main loop');
  blocking.cancel();
  ok(
    String(await rejection(blocking.readLines(pieces, { offset: 0, maxBytes: 100, markers: [MARKER] })))
      .toLowerCase()
      .includes('cancel'),
  );
});

test('a FIFO named like a log is refused at once, not waited on, by either reader', async () => {
  const fifo = `${dir}/pipe.jsonl`;
  const [made] = GLib.spawn_command_line_sync(`mkfifo ${fifo}`);
  ok(made, 'mkfifo ran');
  for (const reader of [new GioLogReader(), new GioLogReader(true)]) {
    const error = await rejection(reader.readLines(fifo, { offset: 0, maxBytes: 100, markers: [MARKER] }));
    ok(String(error).includes('not a regular file'), String(error));
  }
});

await run();
