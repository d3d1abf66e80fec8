// A stand-in for GNOME Shell's resource:///org/gnome/Shell/Extensions/js/extensions/prefs.js, for prefs-probe.js:
// the same ExtensionPreferences surface an extension's prefs use (metadata, dir, path, uuid, getSettings, gettext),
// without the org.gnome.Shell.Extensions D-Bus service the real module starts. Gettext binds the extension's
// gettext-domain to <extension>/locale, as ExtensionBase.initTranslations does (gnome-shell js/extensions/
// sharedInternals.js).
import Gio from 'gi://Gio';
import Gettext from 'gettext';

let domain = null;

export class ExtensionPreferences {
  constructor(metadata) {
    this.metadata = metadata;
    domain = metadata['gettext-domain'] ?? metadata.uuid;
    Gettext.bindtextdomain(domain, metadata.dir.get_child('locale').get_path());
  }

  get uuid() {
    return this.metadata.uuid;
  }

  get dir() {
    return this.metadata.dir;
  }

  get path() {
    return this.metadata.path;
  }

  getSettings(schema = this.metadata['settings-schema']) {
    const source = Gio.SettingsSchemaSource.new_from_directory(
      this.dir.get_child('schemas').get_path(),
      Gio.SettingsSchemaSource.get_default(),
      false,
    );
    return new Gio.Settings({ settings_schema: source.lookup(schema, true) });
  }

  gettext(text) {
    return Gettext.dgettext(domain, text);
  }

  ngettext(one, many, n) {
    return Gettext.dngettext(domain, one, many, n);
  }

  pgettext(context, text) {
    return Gettext.dpgettext(domain, context, text);
  }
}

export const gettext = (text) => Gettext.dgettext(domain, text);
export const ngettext = (one, many, n) => Gettext.dngettext(domain, one, many, n);
export const pgettext = (context, text) => Gettext.dpgettext(domain, context, text);
