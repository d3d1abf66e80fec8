// Makes sure the Debian packages the tests need are there: gjs and its GI bindings for the GJS tests, gnome-keyring
// and D-Bus for the keyring tests, debootstrap and zstd for the GNOME Shell chroots, zip/unzip and gettext for
// packaging. Installs what is missing with apt-get when running as root on Debian; otherwise says what to install.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian package → a file that proves it is installed. */
const PACKAGES = {
  gjs: '/usr/bin/gjs',
  'gir1.2-soup-3.0': '/usr/lib/x86_64-linux-gnu/girepository-1.0/Soup-3.0.typelib',
  'gir1.2-secret-1': '/usr/lib/x86_64-linux-gnu/girepository-1.0/Secret-1.typelib',
  'gnome-keyring': '/usr/bin/gnome-keyring-daemon',
  'libsecret-tools': '/usr/bin/secret-tool',
  'dbus-bin': '/usr/bin/dbus-run-session',
  'libglib2.0-bin': '/usr/bin/glib-compile-schemas',
  debootstrap: '/usr/sbin/debootstrap',
  zstd: '/usr/bin/zstd',
  zip: '/usr/bin/zip',
  unzip: '/usr/bin/unzip',
  gettext: '/usr/bin/msgfmt',
  // The locale sources (de_DE) the German GNOME Shell session compiles inside its chroot.
  locales: '/usr/share/i18n/locales/de_DE',
};

const missing = Object.entries(PACKAGES)
  .filter(([, file]) => !existsSync(file))
  .map(([name]) => name);
if (missing.length > 0) {
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.log(`Installing Debian packages for the tests: ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  } else {
    console.error(`The tests need these Debian packages: sudo apt-get install ${missing.join(' ')}`);
    process.exit(1);
  }
}
