// Builds the GNOME Shell extension: dist/gnome/<uuid>/ (what gets installed) and dist/gnome/<uuid>.shell-extension.zip
// (what extensions.gnome.org receives). esbuild bundles extension.ts and prefs.ts with core/ and zod into readable,
// unminified ES modules, sharing code through lib/ chunks; gi:// and resource:// imports stay as they are.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import * as esbuild from 'esbuild';

/** Imports each side may not make: prefs runs in a Gtk process, the extension inside the shell. */
const FORBIDDEN = {
  shell: [/^gi:\/\/(Gtk|Gdk|Adw)(\?|$)/],
  prefs: [/^gi:\/\/(St|Clutter|Meta|Shell|Mtk|Cogl)(\?|$)/, /^resource:\/\/\/org\/gnome\/shell\//],
  // The usage scan's subprocess (plain gjs): neither the shell's nor Gtk's libraries.
  worker: [/^gi:\/\/(St|Clutter|Meta|Shell|Mtk|Cogl|Gtk|Gdk|Adw)(\?|$)/, /^resource:\/\/\/org\/gnome\/shell\//],
  both: [/^node:/],
};

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm),
  ].map((match) => match[1] ?? match[2]);
}

/** Every JS file an entry point loads, itself included. */
function closure(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith('.')) visit(join(file, '..', specifier));
    }
  };
  visit(entry);
  return [...seen];
}

/** Lists forbidden imports in the built extension as "file: specifier". */
export function checkGnomeImports(outdir) {
  const problems = [];
  for (const [entry, side] of [
    ['extension.js', 'shell'],
    ['prefs.js', 'prefs'],
    ['usage-worker.js', 'worker'],
  ]) {
    for (const file of closure(join(outdir, entry))) {
      for (const specifier of importsOf(file)) {
        if ([...FORBIDDEN[side], ...FORBIDDEN.both].some((rule) => rule.test(specifier))) {
          problems.push(`${relative(outdir, file)} (loaded by ${entry}): ${specifier}`);
        }
      }
    }
  }
  return problems;
}

/** Builds the extension directory and its zip; returns the zip's path. */
export async function buildGnome(root) {
  const source = join(root, 'gnome-extension');
  const metadata = JSON.parse(readFileSync(join(source, 'metadata.json'), 'utf8'));
  const outdir = join(root, 'dist', 'gnome', metadata.uuid);
  rmSync(join(root, 'dist', 'gnome'), { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });

  await esbuild.build({
    entryPoints: [join(source, 'extension.ts'), join(source, 'prefs.ts'), join(source, 'usage-worker.ts')],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'firefox102',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    external: ['gi://*', 'resource://*', 'gettext', 'system', 'cairo'],
    chunkNames: 'lib/[name]-[hash]',
    charset: 'utf8',
    minify: false,
    legalComments: 'none',
    banner: {
      js: `// Headroom ${metadata['version-name']} (${metadata.url}), MIT licence.\n// Generated from TypeScript by esbuild; the sources are in the repository above.`,
    },
    logLevel: 'warning',
  });

  const problems = checkGnomeImports(outdir);
  if (problems.length > 0) {
    throw new Error(`forbidden imports in the GNOME extension:\n  ${problems.join('\n  ')}`);
  }

  cpSync(join(source, 'metadata.json'), join(outdir, 'metadata.json'));
  cpSync(join(source, 'stylesheet.css'), join(outdir, 'stylesheet.css'));
  cpSync(join(source, 'icons'), join(outdir, 'icons'), { recursive: true });
  mkdirSync(join(outdir, 'schemas'));
  for (const name of readdirSync(join(source, 'schemas')).filter((n) => n.endsWith('.gschema.xml'))) {
    cpSync(join(source, 'schemas', name), join(outdir, 'schemas', name));
  }
  const poDir = join(source, 'po');
  if (existsSync(poDir)) {
    for (const po of readdirSync(poDir).filter((n) => n.endsWith('.po'))) {
      const lang = basename(po, '.po');
      const target = join(outdir, 'locale', lang, 'LC_MESSAGES');
      mkdirSync(target, { recursive: true });
      execFileSync('msgfmt', ['--check', '-o', join(target, `${metadata['gettext-domain']}.mo`), join(poDir, po)]);
    }
  }
  const license = join(root, 'LICENSE');
  if (existsSync(license) && statSync(license).isFile()) cpSync(license, join(outdir, 'LICENSE'));

  const zip = join(root, 'dist', 'gnome', `${metadata.uuid}.shell-extension.zip`);
  execFileSync('zip', ['-qr', '-X', zip, '.'], { cwd: outdir });
  return zip;
}
