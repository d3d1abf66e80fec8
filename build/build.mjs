// Builds Headroom's shipped files with esbuild:
// - dist/swiftbar/headroom.5m.mjs: the SwiftBar/xbar plugin and CLI, one standalone executable ES module;
// - dist/gnome/<uuid>/ and its extensions.gnome.org zip (see gnome.mjs).
// Refuses to build when core/ imports anything platform-specific (see check-core.mjs).
import { chmodSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { checkCore } from './check-core.mjs';
import { buildGnome } from './gnome.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const problems = checkCore(join(root, 'core'));
if (problems.length > 0) {
  console.error(`core/ must stay platform-free; forbidden imports:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

/** Refresh interval in SwiftBar's file-name syntax. */
const INTERVAL = '5m';
const pluginFile = join(root, 'dist', 'swiftbar', `headroom.${INTERVAL}.mjs`);

// esbuild drops comments, so the shebang and the xbar/SwiftBar metadata go in the banner. The shebang finds
// Homebrew's node on Apple silicon and Intel Macs, where SwiftBar's PATH lacks it. The bundle stays readable (not
// minified): measured, minifying it saved under 5 ms a run.
const banner = `#!/usr/bin/env -S PATH="\${PATH}:/opt/homebrew/bin:/usr/local/bin" node
// <xbar.title>Headroom</xbar.title>
// <xbar.version>v${pkg.version}</xbar.version>
// <xbar.author>Headroom developers</xbar.author>
// <xbar.desc>Claude, Codex and Gemini usage limits: session, weekly and daily windows, reset times, extra usage.</xbar.desc>
// <xbar.dependencies>node</xbar.dependencies>
// <xbar.var>select(HEADROOM_DISPLAY="used"): Show percent used or percent remaining. [used, remaining]</xbar.var>
// <xbar.var>string(HEADROOM_TITLE="claude.session,codex.session,gemini.session"): Windows in the menu bar (provider.window, or provider.max).</xbar.var>
// <xbar.var>select(HEADROOM_CLAUDE="auto"): Claude source. [auto, oauth, api, web, statusline, off]</xbar.var>
// <xbar.var>select(HEADROOM_CODEX="auto"): Codex source. [auto, api, app-server, logs, off]</xbar.var>
// <xbar.var>select(HEADROOM_GEMINI="auto"): Gemini source. [auto, api, off]</xbar.var>
// <xbar.var>select(HEADROOM_NOTIFY="on"): Notifications before a limit is hit and when it resets. [on, off]</xbar.var>
// <xbar.var>select(HEADROOM_TITLE_PACE="off"): Mark the menu-bar items with their pace (↑ ahead, ↓ behind). [on, off]</xbar.var>
// <swiftbar.hideRunInTerminal>true</swiftbar.hideRunInTerminal>
// <swiftbar.hideDisablePlugin>false</swiftbar.hideDisablePlugin>
//
// Headroom ${pkg.version}, ${pkg.license} licence. Generated from TypeScript by esbuild: edit the sources, not this file.`;

/**
 * Node built-ins through `process.getBuiltinModule` (Node 20.16+) instead of ES `import`: importing node:fs as an ES
 * module makes Node build its module facade, which reads every export, the lazy `ReadStream` getter among them, and
 * that loads node:stream and its dependants on every run. A static import of a built-in becomes a CommonJS shim that
 * esbuild evaluates where the import stood (at start-up for static imports, on first use for `await import()`).
 */
const builtinsWithoutFacade = {
  name: 'builtins-without-facade',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-builtin' }));
    build.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

rmSync(join(root, 'dist', 'swiftbar'), { recursive: true, force: true });
mkdirSync(dirname(pluginFile), { recursive: true });
const built = await esbuild.build({
  entryPoints: [join(root, 'swiftbar-plugin', 'main.ts')],
  outfile: pluginFile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  charset: 'utf8',
  legalComments: 'inline',
  banner: { js: banner },
  define: { HEADROOM_VERSION: JSON.stringify(pkg.version) },
  logLevel: 'warning',
  metafile: true,
  plugins: [builtinsWithoutFacade],
});
// Every module reachable from main.ts through static imports is evaluated on every run, whatever command runs: only
// the built-ins a SwiftBar refresh needs may be among them. The rest (node:http, node:crypto, node:child_process, …)
// must sit behind an `await import()` (of the built-in, or of the module that needs it).
const STARTUP_BUILTINS = new Set(['node:fs', 'node:fs/promises', 'node:path', 'node:os']);
const inputs = built.metafile.inputs;
const eager = new Set();
for (const queue = ['swiftbar-plugin/main.ts'], seen = new Set(queue); queue.length > 0;) {
  for (const imported of inputs[queue.pop()]?.imports ?? []) {
    if (imported.kind !== 'import-statement' && imported.kind !== 'require-call') continue;
    const builtin = imported.path.replace(/^node-builtin:/, '');
    if (builtin.startsWith('node:')) {
      if (!STARTUP_BUILTINS.has(builtin)) eager.add(builtin);
    } else if (!seen.has(imported.path)) {
      seen.add(imported.path);
      queue.push(imported.path);
    }
  }
}
if (eager.size > 0) {
  console.error(`the plugin must load these lazily (await import(...) where used): ${[...eager].join(', ')}`);
  process.exit(1);
}
chmodSync(pluginFile, 0o755);
console.log(`built ${pluginFile.slice(root.length + 1)}`);
const zip = await buildGnome(root);
console.log(`built ${zip.slice(root.length + 1)}`);
