/**
 * The GNOME Shell extension zip as extensions.gnome.org receives it: only the files it expects, metadata it
 * accepts, readable (unminified) JavaScript that is all reachable, and no shell/prefs import crossing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/plugin-harness.js';

const UUID = 'headroom@headroom.github.io';
const DIR = join(ROOT, 'dist', 'gnome', UUID);
const ZIP = join(ROOT, 'dist', 'gnome', `${UUID}.shell-extension.zip`);

function zipEntries(): string[] {
  return execFileSync('unzip', ['-Z1', ZIP], { encoding: 'utf8' })
    .split('\n')
    .filter((name) => name && !name.endsWith('/'));
}

describe('the extensions.gnome.org zip', () => {
  it('holds exactly the files extensions.gnome.org expects', () => {
    const entries = new Set(zipEntries().map((name) => name.replace(/^lib\/chunk-[A-Z0-9]+\.js$/, 'lib/chunk.js')));
    expect([...entries].sort()).toEqual(
      [
        'LICENSE',
        'extension.js',
        'icons/headroom-symbolic.svg',
        'lib/chunk.js',
        // The German translation (po/de.po), compiled by the build.
        'locale/de/LC_MESSAGES/headroom.mo',
        'metadata.json',
        'prefs.js',
        'schemas/org.gnome.shell.extensions.headroom.gschema.xml',
        'stylesheet.css',
        // The Spend section's log scan, run by the extension as a `gjs -m` process of its own.
        'usage-worker.js',
      ].sort(),
    );
  });

  it('has metadata extensions.gnome.org accepts', () => {
    const metadata = JSON.parse(execFileSync('unzip', ['-p', ZIP, 'metadata.json'], { encoding: 'utf8' }));
    expect(metadata).toMatchObject({
      uuid: UUID,
      name: 'Headroom',
      'settings-schema': 'org.gnome.shell.extensions.headroom',
      'gettext-domain': 'headroom',
      'shell-version': ['46', '47', '48', '49', '50', '51'],
    });
    expect(metadata).not.toHaveProperty('version');
    expect(metadata).not.toHaveProperty('session-modes');
    expect(metadata.url).toMatch(/^https:\/\//);
  });

  it('ships readable, unminified JavaScript that is all loaded by extension.js, prefs.js or the usage worker', () => {
    const files = zipEntries().filter((name) => name.endsWith('.js'));
    const reachable = new Set<string>();
    const visit = (name: string): void => {
      if (reachable.has(name)) return;
      reachable.add(name);
      const text = readFileSync(join(DIR, name), 'utf8');
      for (const match of text.matchAll(/from\s+"(\.{1,2}\/[^"]+)"/g)) {
        visit(join(name, '..', match[1]!).replace(/\\/g, '/'));
      }
    };
    visit('extension.js');
    visit('prefs.js');
    expect(readFileSync(join(DIR, 'extension.js'), 'utf8')).toContain('usage-worker.js');
    visit('usage-worker.js');
    expect([...reachable].sort()).toEqual([...files].sort());
    for (const name of files) {
      const text = readFileSync(join(DIR, name), 'utf8');
      const lines = text.split('\n');
      // shexli's minification heuristics: ≥ 2000 bytes in ≤ 4 lines, or ≥ 55 % of identifiers of 1–2 characters.
      expect(text.length >= 2000 && lines.length <= 4, name).toBe(false);
      const identifiers = text.match(/\b[A-Za-z_$][\w$]*\b/g) ?? [];
      const short = identifiers.filter((id) => id.length <= 2).length;
      expect(short / identifiers.length, name).toBeLessThan(0.55);
      expect(Math.max(...lines.map((line) => line.length)), name).toBeLessThan(500);
    }
  });

  it('keeps Gtk/Adw out of the shell and shell libraries out of preferences', async () => {
    const { checkGnomeImports } = (await import(join(ROOT, 'build', 'gnome.mjs'))) as {
      checkGnomeImports(dir: string): string[];
    };
    expect(checkGnomeImports(DIR)).toEqual([]);
    const prefs = readFileSync(join(DIR, 'prefs.js'), 'utf8');
    expect(prefs).toContain('gi://Adw');
    expect(prefs).not.toMatch(/gi:\/\/(St|Clutter|Meta|Shell)\b|resource:\/\/\/org\/gnome\/shell\//);
    const shell = readFileSync(join(DIR, 'extension.js'), 'utf8');
    expect(shell).toContain('resource:///org/gnome/shell/ui/panelMenu.js');
    expect(shell).not.toMatch(/gi:\/\/(Gtk|Gdk|Adw)\b/);
  });
});
