/**
 * The CLI's keyring (swiftbar-plugin/keyring.ts) against a real GNOME Keyring on a private session bus
 * (test/gjs/keyring-session.sh): a canary secret round-trips through `secret-tool` and never appears in its argv.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/plugin-harness.js';

const CANARY = 'sk-ant-ort01-HEADROOMCANARY-keyring-6d2f9a';
const tools = ['dbus-run-session', 'gnome-keyring-daemon', 'secret-tool', 'gdbus'];
const missing = tools.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
const skip = missing.length > 0 && process.env.CI !== 'true';
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-keyring-'));
  writeFileSync(
    join(dir, 'driver.ts'),
    `import { secretToolStore as s } from ${JSON.stringify(join(ROOT, 'swiftbar-plugin', 'keyring.ts'))};
const secret = process.argv[2]!;
const out = [await s.lookup('claude-oauth'), await s.store('claude-oauth', 'Headroom: Claude sign-in', secret),
  await s.lookup('claude-oauth'), await s.clear('claude-oauth'), await s.lookup('claude-oauth')];
process.stdout.write(JSON.stringify(out));`,
  );
  await esbuild.build({
    entryPoints: [join(dir, 'driver.ts')],
    outfile: join(dir, 'driver.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'error',
  });
  // A secret-tool in front of the real one that logs its argv, to prove the secret never travels there.
  const real = execFileSync('sh', ['-c', 'command -v secret-tool'], { encoding: 'utf8' }).trim();
  writeFileSync(
    join(dir, 'secret-tool'),
    `#!/bin/sh\nprintf '%s\\n' "$*" >> ${JSON.stringify(join(dir, 'argv.log'))}\nexec ${real} "$@"\n`,
  );
  chmodSync(join(dir, 'secret-tool'), 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(skip)('the CLI keyring in a real gnome-keyring-daemon', () => {
  it('stores, finds and forgets a secret, which goes over stdin only', () => {
    expect(missing).toEqual([]);
    const result = spawnSync(
      'dbus-run-session',
      [
        `--config-file=${join(ROOT, 'test', 'gjs', 'session-bus.conf')}`,
        '--',
        'sh',
        join(ROOT, 'test', 'gjs', 'keyring-session.sh'),
        'unlocked',
        process.execPath,
        join(dir, 'driver.mjs'),
        CANARY,
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}` },
        timeout: 60_000,
      },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      { ok: true, value: null },
      { ok: true, value: true },
      { ok: true, value: CANARY },
      { ok: true, value: true },
      { ok: true, value: null },
    ]);
    const argv = readFileSync(join(dir, 'argv.log'), 'utf8');
    expect(argv).toContain(
      'store --label=Headroom: Claude sign-in xdg:schema org.gnome.shell.extensions.headroom key claude-oauth',
    );
    expect(argv).not.toContain(CANARY);
    expect(result.stderr).not.toContain(CANARY);
  });
});
