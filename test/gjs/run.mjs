// Runs the GJS tests: bundles test/gjs/*.test.ts with esbuild into dist/gjs-tests/ and runs each bundle under the
// real gjs (the keyring tests on private session buses, see keyring-session.sh), printing one TAP line per test and
// a last line "N passed, M failed". Exits 1 on any failure; a missing gjs is a failure, and with CI=true so is any
// missing tool (locally the keyring runs are skipped without dbus-run-session, gnome-keyring-daemon or gdbus).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = join(root, 'test', 'gjs');
const outdir = join(root, 'dist', 'gjs-tests');
const ci = process.env.CI === 'true';
/** stderr lines that fail a run even when every test passed. */
const GJS_ERRORS = /JS ERROR|Unhandled promise rejection|Gjs-CRITICAL/;

const names = readdirSync(here)
  .filter((name) => name.endsWith('.test.ts'))
  .sort();
rmSync(outdir, { recursive: true, force: true });
await esbuild.build({
  entryPoints: names.map((name) => join(here, name)),
  outdir,
  bundle: true,
  format: 'esm',
  target: 'firefox102',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  external: ['gi://*', 'resource://*', 'system', 'gettext'],
  logLevel: 'warning',
});

const bus = ['dbus-run-session', `--config-file=${join(here, 'session-bus.conf')}`, '--'];
const keyringTools = ['dbus-run-session', 'dbus-daemon', 'gnome-keyring-daemon', 'gdbus'];

/** The gjs invocations of one bundle: once, or for the keyring once per situation. */
function runsOf(name) {
  const gjs = ['gjs', '-m', join(outdir, name.replace(/\.ts$/, '.js'))];
  const label = name.replace(/\.test\.ts$/, '');
  if (label !== 'keyring') return [{ label, argv: gjs, tools: [] }];
  const session = (mode) => [...bus, 'sh', join(here, 'keyring-session.sh'), mode, ...gjs];
  return [
    { label: 'keyring (unlocked)', scenario: 'unlocked', argv: session('unlocked'), tools: keyringTools },
    { label: 'keyring (locked)', scenario: 'locked', argv: session('locked'), tools: keyringTools },
    { label: 'keyring (no login keyring)', scenario: 'locked', argv: session('empty'), tools: keyringTools },
    { label: 'keyring (no Secret Service)', scenario: 'unavailable', argv: [...bus, ...gjs], tools: keyringTools },
    {
      label: 'keyring (no session bus)',
      scenario: 'unavailable',
      argv: gjs,
      tools: [],
      // No address and an empty runtime directory: GLib finds no bus and cannot autolaunch one without X11.
      env: (tmp) => ({ DBUS_SESSION_BUS_ADDRESS: undefined, DISPLAY: undefined, XDG_RUNTIME_DIR: tmp }),
    },
  ];
}

function has(tool) {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

let number = 0;
let passed = 0;
let failed = 0;
function report(good, text, details = []) {
  number++;
  if (good) passed++;
  else failed++;
  console.log(`${good ? 'ok' : 'not ok'} ${number} - ${text}`);
  for (const line of details) console.log(`# ${line}`);
}

for (const run of names.flatMap(runsOf)) {
  const missing = ['gjs', ...run.tools].filter((tool) => !has(tool));
  if (missing.length > 0) {
    if (missing.includes('gjs') || ci) report(false, `${run.label}: missing ${missing.join(', ')}`);
    else console.log(`ok ${++number} - ${run.label} # SKIP missing ${missing.join(', ')}`);
    continue;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'headroom-gjs-'));
  const env = { ...process.env, TMPDIR: tmp, HEADROOM_KEYRING_SCENARIO: run.scenario, ...run.env?.(tmp) };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  const child = spawnSync(run.argv[0], run.argv.slice(1), { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
  rmSync(tmp, { recursive: true, force: true });
  const stdout = (child.stdout ?? '').split('\n');
  const stderr = (child.stderr ?? '').split('\n').filter(Boolean);
  const planned = Number(/^1\.\.(\d+)$/m.exec(child.stdout ?? '')?.[1] ?? -1);
  let results = 0;
  let failures = 0;
  for (const [index, line] of stdout.entries()) {
    const match = /^(ok|not ok) \d+ - (.*)$/.exec(line);
    if (!match) continue;
    results++;
    if (match[1] !== 'ok') failures++;
    const details = [];
    for (let next = index + 1; stdout[next]?.startsWith('# '); next++) details.push(stdout[next].slice(2));
    report(match[1] === 'ok', `${run.label}: ${match[2]}`, details);
  }
  const gjsErrors = stderr.filter((line) => GJS_ERRORS.test(line));
  const exitedBadly = child.status !== (failures > 0 ? 1 : 0);
  if (results !== planned || exitedBadly || gjsErrors.length > 0) {
    const how = child.error ? child.error.message : `status ${child.status ?? child.signal}`;
    report(false, `${run.label}: ${results} of ${planned} results, ${how}`, stderr);
  } else if (failures > 0) {
    for (const line of stderr) console.log(`# ${line}`);
  }
}
console.log(`1..${number}`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || number === 0 ? 1 : 0;
