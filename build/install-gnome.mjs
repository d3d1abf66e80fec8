// Installs the built GNOME Shell extension for the current user and says how to enable it.
// Run `npm run build` first (npm run install:gnome does both).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { uuid } = JSON.parse(readFileSync(join(root, 'gnome-extension', 'metadata.json'), 'utf8'));
const built = join(root, 'dist', 'gnome', uuid);
if (!existsSync(join(built, 'metadata.json'))) {
  console.error('Build the extension first: npm run build');
  process.exit(1);
}
const dataHome = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
const target = join(dataHome, 'gnome-shell', 'extensions', uuid);
rmSync(target, { recursive: true, force: true });
cpSync(built, target, { recursive: true });
try {
  execFileSync('glib-compile-schemas', [join(target, 'schemas')], { stdio: 'inherit' });
} catch {
  console.warn('glib-compile-schemas was not found; GNOME Shell compiles the settings schema itself from version 46.');
}
console.log(`Installed Headroom in ${target}

To enable it:
  1. Log out and back in (on Wayland GNOME Shell loads new extensions only at login; on X11 press Alt+F2, r, Enter).
  2. Run: gnome-extensions enable ${uuid}
     (or switch it on in the Extensions app).`);
