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
import { connectObject, disconnectObject } from './signals.js';
import { telemetrySection } from './telemetry-section.js';
import { type UsageSectionModel, usageSection } from './usage-section.js';

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

/**
 * An account's one-line summary: its heading (name and plan), the fullest window's percent and bar with its pace
 * marker, and that window's reset; activating it (click, Enter or Space) shows or hides the account's full detail
 * below it without closing the menu. It takes the keyboard focus, so the arrow keys move from account to account.
 */
class AccountItem extends PopupMenu.PopupBaseMenuItem {
  static {
    GObject.registerClass(this);
  }

  private expanded: boolean;
  private readonly arrow: St.Icon;
  private readonly details: PopupMenu.PopupMenuSection;
  private readonly summary: string;
  private readonly toggled: (expanded: boolean) => void;

  constructor(
    provider: ProviderView,
    details: PopupMenu.PopupMenuSection,
    expanded: boolean,
    toggled: (expanded: boolean) => void,
  ) {
    super({ style_class: 'headroom-account' });
    this.expanded = expanded;
    this.details = details;
    this.toggled = toggled;
    const fullest = provider.fullest;
    const dim = provider.stale;
    this.arrow = new St.Icon({
      style_class: 'popup-menu-arrow headroom-account-arrow',
      y_align: Clutter.ActorAlign.START,
    });
    this.add_child(this.arrow);
    const column = verticalBox();
    const line = new St.BoxLayout({ x_expand: true });
    line.add_child(new St.Label({ text: provider.heading, x_expand: true, style_class: 'headroom-heading' }));
    if (fullest) {
      line.add_child(
        new St.Label({
          text: fullest.percentText,
          style_class: `headroom-percent ${severityClass(fullest.severity, dim)}`,
        }),
      );
    }
    column.add_child(line);
    if (fullest) column.add_child(usageBar(fullest, dim));
    const note = fullest
      ? [fullest.label, fullest.resetText].filter(Boolean).join(' · ')
      : (provider.statusText ?? provider.fixText ?? '');
    const problem = provider.status !== 'ok' && fullest !== null;
    if (note) column.add_child(new St.Label({ text: note, style_class: 'headroom-detail' }));
    if (problem && provider.statusText) {
      column.add_child(new St.Label({ text: provider.statusText, style_class: 'headroom-detail headroom-warning' }));
    }
    this.add_child(column);
    this.summary = [provider.heading, fullest ? `${fullest.label} ${fullest.percentText}` : null, note]
      .filter(Boolean)
      .join(', ');
    this.showState();
  }

  /** Shows the state: the arrow, the details, and what a screen reader says. */
  private showState(): void {
    this.arrow.icon_name = this.expanded ? 'pan-down-symbolic' : 'pan-end-symbolic';
    (this.details.actor as unknown as Clutter.Actor).visible = this.expanded;
    this.accessible_name = `${this.summary}, ${this.expanded ? _('expanded') : _('collapsed')}`;
  }

  override activate(): void {
    this.expanded = !this.expanded;
    this.showState();
    this.toggled(this.expanded);
  }
}

/** Room kept below the scrolling sections for the actions and the menu's own margins, logical px. */
const ACTIONS_RESERVE = 260;

/**
 * A section shown in a vertical scroll view no taller than the primary monitor's work area less room for the actions.
 * The section stays a menu child of this wrapper (its items behave as menu items) while its actor moves into the
 * scroll view, so the wrapper no longer finds it among its own items: destroy() destroys it explicitly. Without that
 * the section's GNOME Shell side (its handler on Main.sessionMode, which holds every item) outlived each rebuild.
 */
class ScrollingSection extends PopupMenu.PopupMenuSection {
  private readonly inner: PopupMenu.PopupMenuSection;

  constructor(inner: PopupMenu.PopupMenuSection) {
    super();
    this.inner = inner;
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
    this.addMenuItem(inner);
    const box = this.actor as unknown as St.BoxLayout;
    const innerActor = inner.actor as unknown as Clutter.Actor;
    box.remove_child(innerActor);
    view.child = innerActor as unknown as St.ScrollView['child'];
    box.add_child(view);
  }

  override destroy(): void {
    this.inner.destroy();
    super.destroy();
  }
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
  /** The shown view as drawn (see update()). */
  private drawn = '';
  /** Accounts the user expanded (true) or collapsed (false), by account key; kept across rebuilds. */
  private readonly expanded = new Map<string, boolean>();
  /** True while the Telemetry submenu is open, so that a rebuild of the open menu keeps it open. */
  private telemetryOpen = false;
  /** The Spend section (usage-section.ts); null: not shown. */
  private usage: UsageSectionModel | null = null;
  private usageDrawn = 'null';
  /** The shown Spend section's item, for replacing it in place. */
  private usageItem: PopupMenu.PopupSubMenuMenuItem | null = null;
  /** True while the Spend submenu is open. */
  private usageOpen = false;
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
    connectObject(
      this.menu,
      'open-state-changed',
      (_menu: unknown, open: boolean) => {
        if (open) this.handlers.menuOpened();
        return undefined;
      },
      this,
    );
    this.rebuild();
  }

  /**
   * Destroys the indicator and its menu. First drops the top bar's handler on the menu: Panel._onMenuSet connects
   * the menu's open-state-changed with the panel as owner, and as a menu has no GObject destroy signal, GNOME Shell
   * never untracks it; the panel would keep one handler (and the old menu) per enable.
   */
  override destroy(): void {
    disconnectObject(this.menu, Main.panel);
    super.destroy();
  }

  /**
   * Shows a new menu view. A view that draws the same as the shown one changes nothing: most refreshes bring the same
   * figures, and rebuilding the menu for them would only cost (every rebuild makes and destroys a hundred actors).
   */
  update(view: MenuView): void {
    if (this.destroyed) return;
    // Trend points are drawn 64 px wide: a move of less than half a pixel draws the same.
    const drawn = JSON.stringify(view, (name, value: unknown) =>
      (name === 'x' || name === 'y') && typeof value === 'number' ? Math.round(value * 128) : value,
    );
    if (drawn === this.drawn) return;
    this.drawn = drawn;
    this.view = view;
    this.label.text = view.title;
    this.accessible_name = `Headroom: ${view.title}`;
    const dim = view.titleParts.length > 0 && view.titleParts.every((part) => part.dim);
    this.label.style_class = `headroom-title ${severityClass(view.severity, dim)}`;
    this.rebuild();
  }

  /**
   * Shows the Spend section (or hides it: null); a model that draws as the shown one changes nothing. A new model
   * for a shown section replaces that section alone, in place: a scan's figures arrive apart from the refreshes,
   * and rebuilding the whole menu for them would cost the shell's main loop far more than a frame.
   */
  setUsage(model: UsageSectionModel | null): void {
    if (this.destroyed) return;
    const drawn = JSON.stringify(model);
    if (drawn === this.usageDrawn) return;
    this.usageDrawn = drawn;
    this.usage = model;
    const menu = this.menu as PopupMenu.PopupMenu;
    const shown = this.usageItem;
    const position = shown ? menu._getMenuItems().indexOf(shown) : -1;
    if (!model || !shown || position < 0) {
      this.rebuild();
      return;
    }
    const open = this.usageOpen && menu.isOpen;
    shown.destroy();
    this.usageItem = this.buildUsage(model, open);
    menu.addMenuItem(this.usageItem, position);
  }

  /** The Spend section's submenu item (usage-section.ts). */
  private buildUsage(model: UsageSectionModel, open: boolean): PopupMenu.PopupSubMenuMenuItem {
    return usageSection(model, {
      text: (text, styleClass) => new TextItem(text, styleClass),
      expanded: open,
      expandedChanged: (isOpen) => (this.usageOpen = isOpen),
      openUri: (uri) => this.handlers.openUri(uri),
    });
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
    const usageOpen = this.usageOpen && menu.isOpen;
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
      // Each account shows its full detail until the user collapses it, unless the view asks for compact rows.
      const expandedByDefault = !view.compactAccounts;
      view.providers.forEach((provider, index) => {
        // Compact rows are separated by their own spacing, so that six of them fit a 720 px screen.
        if (index > 0 && !view.compactAccounts) sections.addMenuItem(new PopupMenu.PopupSeparatorMenuItem());
        const details = new PopupMenu.PopupMenuSection();
        this.addProvider(details, provider);
        sections.addMenuItem(
          new AccountItem(provider, details, this.expanded.get(provider.key) ?? expandedByDefault, (open) =>
            this.expanded.set(provider.key, open),
          ),
        );
        sections.addMenuItem(details);
      });
    }
    if (this.keyringProblem) {
      sections.addMenuItem(new PopupMenu.PopupSeparatorMenuItem());
      sections.addMenuItem(new TextItem(this.keyringProblem, 'headroom-status headroom-warning'));
    }
    menu.addMenuItem(new ScrollingSection(sections));
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
    this.usageItem = null;
    if (this.usage) {
      menu.addMenuItem(new PopupMenu.PopupSeparatorMenuItem());
      this.usageItem = this.buildUsage(this.usage, usageOpen);
      menu.addMenuItem(this.usageItem);
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

  /** An account's full detail (its summary row above shows the heading). */
  private addProvider(menu: PopupMenu.PopupMenuSection, provider: ProviderView): void {
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
