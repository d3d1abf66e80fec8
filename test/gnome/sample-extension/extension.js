import GObject from 'gi://GObject';
import St from 'gi://St';
import Clutter from 'gi://Clutter';

import { Extension } from 'resource:///org/gnome/shell/extensions/extension.js';
import * as Main from 'resource:///org/gnome/shell/ui/main.js';
import * as PanelMenu from 'resource:///org/gnome/shell/ui/panelMenu.js';
import * as PopupMenu from 'resource:///org/gnome/shell/ui/popupMenu.js';

class SampleIndicator extends PanelMenu.Button {
  static {
    GObject.registerClass(this);
  }

  constructor() {
    super(0.5, 'Headroom sample', false);
    this.add_style_class_name('headroom-sample-indicator');
    this._label = new St.Label({
      text: 'HR 42%',
      style_class: 'headroom-sample-label',
      y_align: Clutter.ActorAlign.CENTER,
    });
    this.add_child(this._label);

    this.menu.addMenuItem(new PopupMenu.PopupMenuItem('Claude: 42% of 5 h window'));
    this.menu.addMenuItem(new PopupMenu.PopupMenuItem('Codex: 17% of weekly window'));
  }
}

export default class SampleExtension extends Extension {
  enable() {
    this._indicator = new SampleIndicator();
    Main.panel.addToStatusArea(this.uuid, this._indicator);
  }

  disable() {
    this._indicator.destroy();
    this._indicator = null;
  }
}
