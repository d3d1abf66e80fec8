// Types for GJS, GNOME Shell's modules (resource:///org/gnome/shell/…) and the gi:// imports, from @girs.
// Soup 3 and libsecret are declared in gi-extra.d.ts: only the calls Headroom makes.
import '@girs/gjs';
import '@girs/gjs/dom';
import '@girs/gnome-shell/ambient';
import '@girs/gnome-shell/extensions/global';
