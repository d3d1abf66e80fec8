/**
 * The top-bar indicator: a symbolic icon and the compact title (e.g. "C 37% · X 18%") coloured by severity, and its
 * dropdown with a section per provider. It only renders core's {@link MenuView}.
 */
import Clutter from 'gi://Clutter';
import Gio from 'gi://Gio';
import GObject from 'gi://GObject';
import St from 'gi://St';
import * as PanelMenu from 'resource:///org/gnome/shell/ui/panelMenu.js';
import * as Main from 'resource:///org/gnome/shell/ui/main.js';
import * as PopupMenu from 'resource:///org/gnome/shell/ui/popupMenu.js';
import { gettext as _ } from 'resource:///org/gnome/shell/extensions/extension.js';
import * as Config from 'resource:///org/gnome/shell/misc/config.js';
import type { Severity } from '../core/format.js';
import type { SparklinePoint } from '../core/sparkline.js';
import type { MenuView, ProviderView, WindowView } from '../core/present.js';
import type { TelemetryRange } from '../core/telemetry/settings.js';
import { telemetrySection } from './telemetry-section.js';

/** What the indicator asks of the extension. */
export interface IndicatorActions {
  refresh(): void;
  openPreferences(): void;
  openUri(uri: string): void;
  /** Called when the menu opens. */
  menuOpened(): void;
  /** The user picked another range in the Telemetry section. */
  setTelemetryRange(range: TelemetryRange): void;
}

/** St.BoxLayout gained `orientation` in GNOME 48 and deprecated `vertical`, which later versions drop. */
const HAS_ORIENTATION = Number.parseInt(Config.PACKAGE_VERSION, 10) >= 48;

function verticalBox(): St.BoxLayout {
  return HAS_ORIENTATION
    ? new St.BoxLayout({
        orientation: Clutter.Orientation.VERTICAL,
        x_expand: true,
      } as Partial<St.BoxLayout.ConstructorProps>)
    : new St.BoxLayout({ vertical: true, x_expand: true } as Partial<St.BoxLayout.ConstructorProps>);
}

/** Colours of the trend line by severity (RGB 0–1). */
const TREND_COLORS: Record<Severity, [number, number, number]> = {
  normal: [0.38, 0.63, 0.92],
  warning: [0.97, 0.66, 0.28],
  critical: [1, 0.48, 0.39],
};

/** The current cycle's use as a small line chart: x = share of the window elapsed, y = percent used. */
function sparkline(points: SparklinePoint[], severity: Severity): St.DrawingArea {
  const area = new St.DrawingArea({ width: 64, height: 16, style_class: 'headroom-sparkline' });
  area.connect('repaint', () => {
    const cr = area.get_context();
    const [width, height] = area.get_surface_size();
    const [r, g, b] = TREND_COLORS[severity];
    cr.setSourceRGBA(r, g, b, 1);
    cr.setLineWidth(1.5);
    points.forEach((point, index) => {
      const x = point.x * (width - 2) + 1;
      const y = height - 1 - (Math.min(100, point.y) / 100) * (height - 2);
      if (index === 0) cr.moveTo(x, y);
      else cr.lineTo(x, y);
    });
    cr.stroke();
    cr.$dispose();
  });
  return area;
}

/** Width of a usage bar, px. */
const BAR_WIDTH = 220;
/** Width of the even-pace marker on a bar, px. */
const PACE_MARKER_WIDTH = 2;

/**
 * A row that shows information: drawn at full contrast (a non-reactive item would be greyed out as insensitive),
 * not highlighted on hover, and clicking it neither does anything nor closes the menu.
 */
class InfoItem extends PopupMenu.PopupBaseMenuItem {
  static {
    GObject.registerClass(this);
  }

  /** `accessibleName` is what a screen reader says for the whole row. */
  constructor(styleClass: string, accessibleName: string) {
    super({ reactive: true, can_focus: false, hover: false, style_class: styleClass });
    this.accessible_name = accessibleName;
  }

  override activate(): void {}
}

/** A line of text. */
class TextItem extends InfoItem {
  static {
    GObject.registerClass(this);
  }

  constructor(text: string, styleClass: string) {
    super(styleClass, text);
    const label = new St.Label({ text, x_expand: true });
    label.clutter_text.line_wrap = true;
    this.add_child(label);
  }
}

/**
 * A window's bar: the fill follows the display mode and its colour the consumption; a thin marker shows where an even
 * pace would be now, so "ahead of pace" is visible without reading.
 */
function usageBar(window: WindowView, dim: boolean): St.Widget {
  const trough = new St.Widget({
    style_class: 'headroom-bar',
    width: BAR_WIDTH,
    layout_manager: new Clutter.FixedLayout(),
  });
  trough.add_child(
    new St.Widget({
      style_class: `headroom-bar-fill ${severityClass(window.severity, dim)}`,
      width: Math.round(BAR_WIDTH * window.fraction),
    }),
  );
  if (window.paceMarker !== null) {
    trough.add_child(
      new St.Widget({
        style_class: 'headroom-bar-pace',
        x: Math.min(BAR_WIDTH - PACE_MARKER_WIDTH, Math.round(BAR_WIDTH * window.paceMarker)),
        width: PACE_MARKER_WIDTH,
      }),
    );
  }
  return trough;
}

/** A usage window: label and percent on one line, a bar, and the reset time. */
class WindowItem extends InfoItem {
  static {
    GObject.registerClass(this);
  }

  constructor(window: WindowView, dim: boolean) {
    super(
      'headroom-window',
      [window.label, window.percentText, window.resetText, window.paceText].filter(Boolean).join(', '),
    );
    const column = verticalBox();
    const line = new St.BoxLayout({ x_expand: true });
    line.add_child(new St.Label({ text: window.label, x_expand: true, style_class: 'headroom-window-label' }));
    line.add_child(
      new St.Label({
        text: window.percentText,
        style_class: `headroom-percent ${severityClass(window.severity, dim)}`,
      }),
    );
    column.add_child(line);
    column.add_child(usageBar(window, dim));
    if (window.resetText) column.add_child(new St.Label({ text: window.resetText, style_class: 'headroom-detail' }));
    const trend = [window.paceText, window.forecastText].filter(Boolean).join(' · ');
    if (window.points.length > 1 || trend) {
      const line = new St.BoxLayout({ x_expand: true });
      if (window.points.length > 1) line.add_child(sparkline(window.points, window.severity));
      if (trend) {
        const style = window.runsOut ? 'headroom-detail headroom-warning' : 'headroom-detail';
        line.add_child(new St.Label({ text: trend, style_class: style, y_align: Clutter.ActorAlign.CENTER }));
      }
      column.add_child(line);
    }
    this.add_child(column);
  }
}

/** Room kept below the scrolling sections for the actions and the menu's own margins, logical px. */
const ACTIONS_RESERVE = 260;

/**
 * A section wrapped in a vertical scroll view no taller than the primary monitor's work area less room for the
 * actions.
 */
function scrolling(section: PopupMenu.PopupMenuSection): PopupMenu.PopupMenuSection {
  const scale = St.ThemeContext.get_for_stage(global.stage as Clutter.Stage).scale_factor || 1;
  const workArea = Main.layoutManager.getWorkAreaForMonitor(Main.layoutManager.primaryIndex);
  const maxHeight = Math.max(160, Math.floor(workArea.height / scale) - ACTIONS_RESERVE);
  const view = new St.ScrollView({
    style_class: 'headroom-scroll',
    style: `max-height: ${maxHeight}px;`,
    hscrollbar_policy: St.PolicyType.NEVER,
    vscrollbar_policy: St.PolicyType.AUTOMATIC,
    overlay_scrollbars: true,
  });
  // A child of the wrapper, so destroying the wrapper (menu.removeAll) destroys it and its items; only its actor
  // moves into the scroll view.
  const wrapper = new PopupMenu.PopupMenuSection();
  wrapper.addMenuItem(section);
  const box = wrapper.actor as unknown as St.BoxLayout;
  const sectionActor = section.actor as unknown as Clutter.Actor;
  box.remove_child(sectionActor);
  view.child = sectionActor as unknown as St.ScrollView['child'];
  box.add_child(view);
  return wrapper;
}

function severityClass(severity: Severity, dim = false): string {
  return dim ? 'headroom-dim' : `headroom-${severity}`;
}

/** The indicator. Build it in enable(); destroy() removes it, its menu and everything in it. */
export class HeadroomIndicator extends PanelMenu.Button {
  static {
    GObject.registerClass(this);
  }

  private readonly label: St.Label;
  private readonly handlers: IndicatorActions;
  private keyringProblem: string | null = null;
  private view: MenuView | null = null;
  /** True while the Telemetry submenu is open, so that a rebuild of the open menu keeps it open. */
  private telemetryOpen = false;
  /**
   * True once the actor is destroyed, by disable() or by the shell itself (at shutdown it disposes the panel without
   * disabling extensions): a refresh still in flight then finds nothing to update.
   */
  private destroyed = false;

  constructor(iconPath: string, actions: IndicatorActions) {
    super(0.5, 'Headroom', false);
    this.handlers = actions;
    this.connect('destroy', () => {
      this.destroyed = true;
    });
    const box = new St.BoxLayout({ style_class: 'panel-status-menu-box' });
    box.add_child(
      new St.Icon({
        // Two copies of Gio's types meet here (@girs versions); the object is the same.
        gicon: Gio.icon_new_for_string(iconPath) as unknown as St.Icon['gicon'],
        style_class: 'system-status-icon headroom-icon',
      }),
    );
    this.label = new St.Label({
      text: _('Headroom'),
      y_align: Clutter.ActorAlign.CENTER,
      style_class: 'headroom-title',
    });
    box.add_child(this.label);
    this.add_child(box);
    (this.menu as PopupMenu.PopupMenu).connect('open-state-changed', (_menu: unknown, open: boolean) => {
      if (open) this.handlers.menuOpened();
      return undefined;
    });
    this.rebuild();
  }

  /** Shows a new menu view. */
  update(view: MenuView): void {
    if (this.destroyed) return;
    this.view = view;
    this.label.text = view.title;
    this.accessible_name = `Headroom: ${view.title}`;
    const dim = view.titleParts.length > 0 && view.titleParts.every((part) => part.dim);
    this.label.style_class = `headroom-title ${severityClass(view.severity, dim)}`;
    this.rebuild();
  }

  /** Shows (text) or hides (null) a line about the keyring. */
  setKeyringProblem(text: string | null): void {
    if (this.destroyed) return;
    this.keyringProblem = text;
    this.rebuild();
  }

  private rebuild(): void {
    const menu = this.menu as PopupMenu.PopupMenu;
    const telemetryOpen = this.telemetryOpen && menu.isOpen;
    menu.removeAll();
    const view = this.view;
    // The sections scroll, so the menu never runs past the screen however many accounts it shows; the actions
    // below them stay in view.
    const sections = new PopupMenu.PopupMenuSection();
    if (!view) {
      sections.addMenuItem(new TextItem(_('Loading…'), 'headroom-detail'));
    } else if (view.nothingConnected) {
      sections.addMenuItem(new TextItem(view.nothingConnectedText ?? '', 'headroom-heading'));
      for (const line of view.connectHelp) sections.addMenuItem(new TextItem(line, 'headroom-detail'));
    } else {
      if (view.offlineText) {
        sections.addMenuItem(new TextItem(view.offlineText, 'headroom-status headroom-warning'));
      }
      view.providers.forEach((provider, index) => {
        if (index > 0) sections.addMenuItem(new PopupMenu.PopupSeparatorMenuItem());
        this.addProvider(sections, provider);
      });
    }
    if (this.keyringProblem) {
      sections.addMenuItem(new PopupMenu.PopupSeparatorMenuItem());
      sections.addMenuItem(new TextItem(this.keyringProblem, 'headroom-status headroom-warning'));
    }
    menu.addMenuItem(scrolling(sections));
    // Telemetry sits below the scrolling sections, always in view; its submenu scrolls by itself when it must.
    if (view?.telemetry) {
      menu.addMenuItem(new PopupMenu.PopupSeparatorMenuItem());
      menu.addMenuItem(
        telemetrySection(view.telemetry, {
          text: (text, styleClass) => new TextItem(text, styleClass),
          expanded: telemetryOpen,
          expandedChanged: (open) => (this.telemetryOpen = open),
          pickRange: (range) => this.handlers.setTelemetryRange(range),
        }),
      );
    }
    menu.addMenuItem(new PopupMenu.PopupSeparatorMenuItem());
    menu.addAction(_('Refresh now'), () => this.handlers.refresh());
    menu.addAction(_('Settings'), () => this.handlers.openPreferences());
    const providers = view?.providers ?? [];
    // One link per provider, however many accounts it shows.
    for (const provider of providers.filter((p, i) => providers.findIndex((q) => q.id === p.id) === i)) {
      menu.addAction(`${_('Open usage page')}: ${provider.name}`, () => this.handlers.openUri(provider.usageUrl));
    }
  }

  private addProvider(menu: PopupMenu.PopupMenuSection, provider: ProviderView): void {
    menu.addMenuItem(new TextItem(provider.heading, 'headroom-heading'));
    for (const window of provider.windows) menu.addMenuItem(new WindowItem(window, provider.stale));
    for (const money of provider.money) {
      menu.addMenuItem(
        new TextItem(`${money.label}: ${money.text}`, `headroom-money ${severityClass(money.severity)}`),
      );
    }
    if (provider.statusText) {
      const tone = provider.status === 'ok' ? 'headroom-detail' : 'headroom-warning';
      menu.addMenuItem(new TextItem(provider.statusText, `headroom-status ${tone}`));
    }
    if (provider.fixText) menu.addMenuItem(new TextItem(provider.fixText, 'headroom-detail'));
    if (provider.sourceText) menu.addMenuItem(new TextItem(provider.sourceText, 'headroom-detail'));
  }
}
