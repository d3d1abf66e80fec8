// GjsPorts.subprocess (Gio.Subprocess with pipes, GLib timeouts) driving core's Codex app-server client: a scripted
// JSON-RPC server answers; a hung one is killed (SIGTERM ignored, so SIGKILL) and reaped; destroy() kills a child.
import GLib from 'gi://GLib';
import { GjsPorts } from '../../gnome-extension/gjs-ports.js';
import { readCodexAppServer } from '../../core/providers/codex-app-server.js';
import { equal, ok, run, tempDir, test } from './assert.js';

const dir = tempDir();

/** A stand-in for `codex app-server` in Node: answers initialize, account/read and account/rateLimits/read. */
const SERVER = `#!/usr/bin/env node
const replies = {
  initialize: { userAgent: 'fake', platformOs: 'linux' },
  'account/read': { account: { type: 'chatgpt', planType: 'plus' }, requiresOpenaiAuth: true },
  'account/rateLimits/read': {
    rateLimits: { limitId: 'codex', primary: { usedPercent: 42, windowDurationMins: 300, resetsAt: 1795330097 },
      secondary: null, credits: { hasCredits: true, unlimited: false, balance: '3.5' }, planType: 'plus' },
    rateLimitsByLimitId: { codex_bengalfox: { limitId: 'codex_bengalfox', limitName: 'GPT-5.3-Codex-Spark',
      primary: { usedPercent: 5, windowDurationMins: 10080, resetsAt: 1795521097 }, secondary: null } },
  },
};
let buffer = '';
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  let end;
  while ((end = buffer.indexOf('\\n')) >= 0) {
    const message = JSON.parse(buffer.slice(0, end));
    buffer = buffer.slice(end + 1);
    if (message.id !== undefined) process.stdout.write(JSON.stringify({ id: message.id, result: replies[message.method] }) + '\\n');
  }
});
process.stdin.on('end', () => process.exit(0));
`;

function script(name: string, text: string): string {
  const path = `${dir}/${name}`;
  GLib.file_set_contents(path, text);
  GLib.spawn_command_line_sync(`chmod 755 ${path}`);
  return path;
}

const server = script('fake-codex', SERVER);
const hungPid = `${dir}/hung.pid`;
const hung = script('hung-codex', `#!/bin/sh\necho $$ > ${hungPid}\ntrap '' TERM\nexec sleep 600\n`);

function alive(pidFile: string): boolean {
  const pid = new TextDecoder().decode(GLib.file_get_contents(pidFile)[1]).trim();
  return GLib.file_test(`/proc/${pid}`, GLib.FileTest.EXISTS);
}

test('reads the limits and credits a JSON-RPC server on a pipe answers', async () => {
  GLib.setenv('HEADROOM_CODEX_BIN', server, true);
  const ports = new GjsPorts('headroom@test/1 GNOME Shell extension');
  const result = await readCodexAppServer(ports);
  ok(result.ok);
  equal(result.capture.plan, 'Plus');
  equal(
    result.capture.windows.map((w) => [w.id, w.usedPercent]),
    [
      ['session', 42],
      ['gpt-5-3-codex-spark-weekly', 5],
    ],
  );
  equal(result.capture.money[0]?.balanceMinor, 350);
  ports.destroy();
});

test('kills a hung server within start timeout + grace, and reaps it', async () => {
  GLib.setenv('HEADROOM_CODEX_BIN', hung, true);
  const ports = new GjsPorts('headroom@test/1 GNOME Shell extension');
  const started = Date.now();
  const result = await readCodexAppServer(ports, undefined, { startMs: 300, requestMs: 300, graceMs: 300 });
  const elapsed = Date.now() - started;
  ok(!result.ok);
  equal(result.failure.status, 'error');
  ok(elapsed >= 600 && elapsed < 2000, `took ${elapsed} ms`);
  ok(!alive(hungPid), 'the hung server is gone (no zombie: /proc has no entry)');
  ports.destroy();
});

test('destroy() (disable) kills a running child and ends pending delays', async () => {
  GLib.unlink(hungPid);
  const ports = new GjsPorts('headroom@test/1 GNOME Shell extension');
  const child = await ports.subprocess.spawn([hung], { env: {}, onLine: () => {} });
  const delayed = ports.subprocess.delay(60_000);
  while (!GLib.file_test(hungPid, GLib.FileTest.EXISTS)) await ports.subprocess.delay(20);
  ok(alive(hungPid));
  // A fresh port for the polling above is not needed: destroy() ends the 60 s delay at once.
  ports.destroy();
  await delayed;
  equal(await child.exited, null);
  ok(!alive(hungPid));
});

test('a program that does not exist rejects at spawn', async () => {
  const ports = new GjsPorts('headroom@test/1 GNOME Shell extension');
  let failed = false;
  await ports.subprocess.spawn(['/nonexistent/codex'], { env: {}, onLine: () => {} }).catch(() => (failed = true));
  ok(failed);
  ports.destroy();
});

await run();
