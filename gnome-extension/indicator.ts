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
class Sparkline {
  readonly area = new St.DrawingArea({ width: 64, height: 16, style_class: 'headroom-sparkline' });
  private points: SparklinePoint[];
  private severity: Severity;

  constructor(points: SparklinePoint[], severity: Severity) {
    this.points = points;
    this.severity = severity;
    this.area.connect('repaint', () => this.draw());
  }

  /** Shows other points or another severity (colour); repaints. */
  set(points: SparklinePoint[], severity: Severity): void {
    this.points = points;
    this.severity = severity;
    this.area.queue_repaint();
  }

  private draw(): void {
    const cr = this.area.get_context();
    const [width, height] = this.area.get_surface_size();
    const [r, g, b] = TREND_COLORS[this.severity];
    cr.setSourceRGBA(r, g, b, 1);
    cr.setLineWidth(1.5);
    this.points.forEach((point, index) => {
      const x = point.x * (width - 2) + 1;
      const y = height - 1 - (Math.min(100, point.y) / 100) * (height - 2);
      if (index === 0) cr.moveTo(x, y);
      else cr.lineTo(x, y);
    });
    cr.stroke();
    cr.$dispose();
  }
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

  private readonly label: St.Label;

  constructor(text: string, styleClass: string) {
    super(styleClass, text);
    this.label = new St.Label({ text, x_expand: true });
    this.label.clutter_text.line_wrap = true;
    this.add_child(this.label);
  }

  /** Shows another text (the style class stays: it is part of the item's kind, see {@link MenuItems}). */
  setText(text: string): void {
    if (this.label.text !== text) this.label.text = text;
    this.accessible_name = text;
  }
}

/**
 * A window's bar: the fill follows the display mode and its colour the consumption; a thin marker shows where an even
 * pace would be now, so "ahead of pace" is visible without reading. Whether it has a marker is fixed at construction
 * (part of its row's kind, see {@link MenuItems}); {@link UsageBar.set} moves the fill and the marker.
 */
class UsageBar {
  readonly trough = new St.Widget({
    style_class: 'headroom-bar',
    width: BAR_WIDTH,
    layout_manager: new Clutter.FixedLayout(),
  });
  private readonly fill = new St.Widget();
  private readonly pace: St.Widget | null;

  constructor(window: WindowView, dim: boolean) {
    this.trough.add_child(this.fill);
    this.pace =
      window.paceMarker === null ? null : new St.Widget({ style_class: 'headroom-bar-pace', width: PACE_MARKER_WIDTH });
    if (this.pace) this.trough.add_child(this.pace);
    this.set(window, dim);
  }

  /** Shows `window`'s fill (share 0–1 of the bar, its colour by severity, grey when `dim`) and pace marker. */
  set(window: WindowView, dim: boolean): void {
    setStyleClass(this.fill, `headroom-bar-fill ${severityClass(window.severity, dim)}`);
    this.fill.width = Math.round(BAR_WIDTH * window.fraction);
    if (this.pace && window.paceMarker !== null) {
      this.pace.x = Math.min(BAR_WIDTH - PACE_MARKER_WIDTH, Math.round(BAR_WIDTH * window.paceMarker));
    }
  }
}

/** Sets a widget's style class unless it already has it (a change restyles the widget). */
function setStyleClass(widget: St.Widget, styleClass: string): void {
  if (widget.style_class !== styleClass) widget.style_class = styleClass;
}

/** Sets a label's text unless it already shows it (a change lays the text out again). */
function setText(label: St.Label, text: string): void {
  if (label.text !== text) label.text = text;
}

/** What a usage window's row consists of: rows of the same kind differ only in texts, widths and colours. */
function windowKind(window: WindowView): string {
  const trend = Boolean(window.paceText || window.forecastText);
  return `window:${Boolean(window.resetText)}:${window.points.length > 1}:${trend}:${window.paceMarker !== null}`;
}

/** A usage window: label and percent on one line, a bar, and the reset time. */
class WindowItem extends InfoItem {
  static {
    GObject.registerClass(this);
  }

  private readonly windowLabel: St.Label;
  private readonly percent: St.Label;
  private readonly bar: UsageBar;
  private readonly reset: St.Label | null = null;
  private readonly sparkline: Sparkline | null = null;
  private readonly trend: St.Label | null = null;

  /** The row's parts follow `window` ({@link windowKind}); {@link showWindow} fills them. */
  constructor(window: WindowView, dim: boolean) {
    super('headroom-window', '');
    const column = verticalBox();
    const line = new St.BoxLayout({ x_expand: true });
    this.windowLabel = new St.Label({ x_expand: true, style_class: 'headroom-window-label' });
    line.add_child(this.windowLabel);
    this.percent = new St.Label();
    line.add_child(this.percent);
    column.add_child(line);
    this.bar = new UsageBar(window, dim);
    column.add_child(this.bar.trough);
    if (window.resetText) {
      this.reset = new St.Label({ style_class: 'headroom-detail' });
      column.add_child(this.reset);
    }
    const hasTrend = Boolean(window.paceText || window.forecastText);
    if (window.points.length > 1 || hasTrend) {
      const line = new St.BoxLayout({ x_expand: true });
      if (window.points.length > 1) {
        this.sparkline = new Sparkline(window.points, window.severity);
        line.add_child(this.sparkline.area);
      }
      if (hasTrend) {
        this.trend = new St.Label({ y_align: Clutter.ActorAlign.CENTER });
        line.add_child(this.trend);
      }
      column.add_child(line);
    }
    this.add_child(column);
    this.showWindow(window, dim);
  }

  /** Shows `window`, which must be of this row's kind ({@link windowKind}). */
  showWindow(window: WindowView, dim: boolean): void {
    this.accessible_name = [window.label, window.percentText, window.resetText, window.paceText]
      .filter(Boolean)
      .join(', ');
    setText(this.windowLabel, window.label);
    setText(this.percent, window.percentText);
    setStyleClass(this.percent, `headroom-percent ${severityClass(window.severity, dim)}`);
    this.bar.set(window, dim);
    if (this.reset) setText(this.reset, window.resetText ?? '');
    this.sparkline?.set(window.points, window.severity);
    if (this.trend) {
      setText(this.trend, [window.paceText, window.forecastText].filter(Boolean).join(' · '));
      setStyleClass(this.trend, window.runsOut ? 'headroom-detail headroom-warning' : 'headroom-detail');
    }
  }
}

/**
 * The texts of an account's summary row below its bar: `note` (the fullest window's label and reset, or the account's
 * status or fix without windows; '' for none) and `problem` (the status of an account that has windows but a problem;
 * null for none).
 */
function accountParts(provider: ProviderView): { note: string; problem: string | null } {
  const fullest = provider.fullest;
  const note = fullest
    ? [fullest.label, fullest.resetText].filter(Boolean).join(' · ')
    : (provider.statusText ?? provider.fixText ?? '');
  const problem = provider.status !== 'ok' && fullest !== null ? provider.statusText : null;
  return { note, problem };
}

/** What an account's summary row consists of; the key too, as the row remembers it for expanding. */
function accountKind(provider: ProviderView): string {
  const { note, problem } = accountParts(provider);
  const bar = provider.fullest ? `bar:${provider.fullest.paceMarker !== null}` : 'none';
  return `account:${provider.key}:${bar}:${Boolean(note)}:${Boolean(problem)}`;
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
  private summary = '';
  private readonly toggled: (expanded: boolean) => void;
  private readonly heading: St.Label;
  private readonly percent: St.Label | null = null;
  private readonly bar: UsageBar | null = null;
  private readonly note: St.Label | null = null;
  private readonly problem: St.Label | null = null;

  /** The row's parts follow `provider` ({@link accountKind}); {@link showAccount} fills them. */
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
    const parts = accountParts(provider);
    this.arrow = new St.Icon({
      style_class: 'popup-menu-arrow headroom-account-arrow',
      y_align: Clutter.ActorAlign.START,
    });
    this.add_child(this.arrow);
    const column = verticalBox();
    const line = new St.BoxLayout({ x_expand: true });
    this.heading = new St.Label({ x_expand: true, style_class: 'headroom-heading' });
    line.add_child(this.heading);
    if (fullest) {
      this.percent = new St.Label();
      line.add_child(this.percent);
    }
    column.add_child(line);
    if (fullest) {
      this.bar = new UsageBar(fullest, provider.stale);
      column.add_child(this.bar.trough);
    }
    if (parts.note) {
      this.note = new St.Label({ style_class: 'headroom-detail' });
      column.add_child(this.note);
    }
    if (parts.problem) {
      this.problem = new St.Label({ style_class: 'headroom-detail headroom-warning' });
      column.add_child(this.problem);
    }
    this.add_child(column);
    this.showAccount(provider);
  }

  /** Shows `provider`, which must be of this row's kind ({@link accountKind}). */
  showAccount(provider: ProviderView): void {
    const fullest = provider.fullest;
    const dim = provider.stale;
    const { note, problem } = accountParts(provider);
    setText(this.heading, provider.heading);
    if (fullest && this.percent) {
      setText(this.percent, fullest.percentText);
      setStyleClass(this.percent, `headroom-percent ${severityClass(fullest.severity, dim)}`);
    }
    if (fullest) this.bar?.set(fullest, dim);
    if (this.note) setText(this.note, note);
    if (this.problem) setText(this.problem, problem ?? '');
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

/** Thrown by {@link MenuItems.take} when an update in place meets an item of another kind: the menu is built anew. */
class ShapeChanged extends Error {}

/**
 * The menu's items in the order they were built, each with its kind (what it consists of: a text of a style, a
 * window row with or without a trend line, an account's summary row, an action with its target). An update pass
 * walks the same layout and takes them back in that order, updating each in place; it stops with
 * {@link ShapeChanged} at the first item of another kind, and the caller then builds the menu anew.
 */
class MenuItems {
  private items: { kind: string; item: unknown }[] = [];
  private next = 0;
  /** True while building new items; false while updating the existing ones. */
  building = true;

  /** Starts a pass: a build from scratch (true) or an update of the items of the last build (false). */
  begin(building: boolean): void {
    this.building = building;
    this.next = 0;
    if (building) this.items = [];
  }

  /**
   * In a build, makes the item with `create()` and records it under `kind`; in an update, takes the next recorded
   * item and passes it to `update`, which may return an item that took its place (recorded instead). Throws
   * {@link ShapeChanged} when that item is missing or of another kind.
   */
  take<T>(kind: string, create: () => T, update?: (item: T) => T | void): T {
    if (this.building) {
      const item = create();
      this.items.push({ kind, item });
      return item;
    }
    const slot = this.items[this.next++];
    if (!slot || slot.kind !== kind) throw new ShapeChanged(kind);
    const replacement = update?.(slot.item as T);
    if (replacement) slot.item = replacement;
    return slot.item as T;
  }

  /** True when an update pass took every recorded item (none left over from a larger menu). */
  get complete(): boolean {
    return this.next === this.items.length;
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
  /** The menu's items, for updating them in place. */
  private readonly items = new MenuItems();
  /** True while the Telemetry submenu is open, so that a rebuild of the open menu keeps it open. */
  private telemetryOpen = false;
  /** The Spend section (usage-section.ts); null: not shown. */
  private usage: UsageSectionModel | null = null;
  private usageDrawn = 'null';
  /** The shown Spend section's item, for replacing it in place, and the model it shows (as usageDrawn). */
  private usageItem: PopupMenu.PopupSubMenuMenuItem | null = null;
  private usageItemDrawn = '';
  /** True while the Spend submenu is open. */
  private usageOpen = false;
  /**
   * True when the view, the Spend section or the keyring line changed while the dropdown was closed: the dropdown is
   * brought up to date when it opens (see {@link sync}).
   */
  private outdated = false;
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
        if (!open) return undefined;
        // Before the menu is laid out and painted, and before the top bar's menu manager moves the key focus into it.
        if (this.outdated) this.rebuild();
        this.handlers.menuOpened();
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
    this.sync();
  }

  /**
   * Brings the dropdown up to date now when it is open, else when it next opens. A closed dropdown is not drawn, and
   * its first build after a change of accounts (a few dozen actors made at once) stalled the shell's main loop for
   * 100 ms and more on a loaded machine with software rendering; most refreshes and scans happen with it closed.
   */
  private sync(): void {
    if ((this.menu as PopupMenu.PopupMenu).isOpen) this.rebuild();
    else this.outdated = true;
  }

  /**
   * Shows the Spend section (or hides it: null); a model that draws as the shown one changes nothing. A new model
   * for a shown section replaces that section alone, in place (see {@link layout}): a scan's figures arrive apart
   * from the refreshes, and rebuilding the whole menu for them would cost the shell's main loop far more than a frame.
   */
  setUsage(model: UsageSectionModel | null): void {
    if (this.destroyed) return;
    const drawn = JSON.stringify(model);
    if (drawn === this.usageDrawn) return;
    this.usageDrawn = drawn;
    this.usage = model;
    this.sync();
  }

  /**
   * The Spend section's item for the current model: `shown` when it shows that model already, else a new item put in
   * its place.
   */
  private replaceUsage(shown: PopupMenu.PopupSubMenuMenuItem): PopupMenu.PopupSubMenuMenuItem {
    const menu = this.menu as PopupMenu.PopupMenu;
    const position = menu._getMenuItems().indexOf(shown);
    if (this.usageItemDrawn === this.usageDrawn || !this.usage || position < 0) return shown;
    shown.destroy();
    const item = this.buildUsage(this.usage, this.usageOpen && menu.isOpen);
    menu.addMenuItem(item, position);
    return item;
  }

  /** The Spend section's submenu item (usage-section.ts), remembered as the shown one. */
  private buildUsage(model: UsageSectionModel, open: boolean): PopupMenu.PopupSubMenuMenuItem {
    this.usageItemDrawn = this.usageDrawn;
    return (this.usageItem = usageSection(model, {
      text: (text, styleClass) => new TextItem(text, styleClass),
      expanded: open,
      expandedChanged: (isOpen) => (this.usageOpen = isOpen),
      openUri: (uri) => this.handlers.openUri(uri),
    }));
  }

  /** Shows (text) or hides (null) a line about the keyring. */
  setKeyringProblem(text: string | null): void {
    if (this.destroyed) return;
    this.keyringProblem = text;
    this.sync();
  }

  /**
   * Shows the current view in the menu. When the menu consists of the same items as before (the same accounts, the
   * same windows with the same parts, the same actions), they are updated in place; otherwise the menu is built anew.
   * Refreshes mostly change only texts, widths and colours, and making and destroying a hundred actors at each one
   * only churned the shell's memory.
   */
  private rebuild(): void {
    this.outdated = false;
    try {
      this.items.begin(false);
      this.layout();
      if (this.items.complete) return;
    } catch (error) {
      if (!(error instanceof ShapeChanged)) throw error;
    }
    const menu = this.menu as PopupMenu.PopupMenu;
    const telemetryOpen = this.telemetryOpen && menu.isOpen;
    const usageOpen = this.usageOpen && menu.isOpen;
    menu.removeAll();
    this.items.begin(true);
    this.layout(telemetryOpen, usageOpen);
  }

  /** Builds the menu's items, or updates them in place: see {@link MenuItems}. Items are added only when building. */
  private layout(telemetryOpen = false, usageOpen = false): void {
    const menu = this.menu as PopupMenu.PopupMenu;
    const items = this.items;
    const building = items.building;
    const text = (section: PopupMenu.PopupMenuSection, line: string, styleClass: string): void => {
      const item = items.take(
        `text:${styleClass}`,
        () => new TextItem(line, styleClass),
        (shown) => shown.setText(line),
      );
      if (building) section.addMenuItem(item);
    };
    const separator = (section: PopupMenu.PopupMenuSection | PopupMenu.PopupMenu): void => {
      const item = items.take('separator', () => new PopupMenu.PopupSeparatorMenuItem());
      if (building) section.addMenuItem(item);
    };
    const view = this.view;
    // The sections scroll, so the menu never runs past the screen however many accounts it shows; the actions
    // below them stay in view.
    const sections = items.take('sections', () => new PopupMenu.PopupMenuSection());
    if (!view) {
      text(sections, _('Loading…'), 'headroom-detail');
    } else if (view.nothingConnected) {
      text(sections, view.nothingConnectedText ?? '', 'headroom-heading');
      for (const line of view.connectHelp) text(sections, line, 'headroom-detail');
    } else {
      if (view.offlineText) text(sections, view.offlineText, 'headroom-status headroom-warning');
      // Each account shows its full detail until the user collapses it, unless the view asks for compact rows.
      const expandedByDefault = !view.compactAccounts;
      view.providers.forEach((provider, index) => {
        // Compact rows are separated by their own spacing, so that six of them fit a 720 px screen.
        if (index > 0 && !view.compactAccounts) separator(sections);
        const details = items.take('details', () => new PopupMenu.PopupMenuSection());
        this.addProvider(details, provider, text);
        const account = items.take(
          accountKind(provider),
          () =>
            new AccountItem(provider, details, this.expanded.get(provider.key) ?? expandedByDefault, (open) =>
              this.expanded.set(provider.key, open),
            ),
          (shown) => shown.showAccount(provider),
        );
        if (building) {
          sections.addMenuItem(account);
          sections.addMenuItem(details);
        }
      });
    }
    if (this.keyringProblem) {
      separator(sections);
      text(sections, this.keyringProblem, 'headroom-status headroom-warning');
    }
    if (building) menu.addMenuItem(new ScrollingSection(sections));
    // Telemetry sits below the scrolling sections, always in view; its submenu scrolls by itself when it must. A
    // changed report builds the menu anew (reports change far less often than the limits).
    const telemetry = view?.telemetry;
    if (telemetry) {
      separator(menu);
      const section = items.take(`telemetry:${JSON.stringify(telemetry)}`, () =>
        telemetrySection(telemetry, {
          text: (line, styleClass) => new TextItem(line, styleClass),
          expanded: telemetryOpen,
          expandedChanged: (open) => (this.telemetryOpen = open),
          pickRange: (range) => this.handlers.setTelemetryRange(range),
        }),
      );
      if (building) menu.addMenuItem(section);
    }
    // The Spend section: built with the menu; an update replaces it alone, in place, when its model changed.
    if (building) this.usageItem = null;
    const usage = this.usage;
    if (usage) {
      separator(menu);
      const item = items.take(
        'usage',
        () => this.buildUsage(usage, usageOpen),
        (shown) => this.replaceUsage(shown),
      );
      if (building) menu.addMenuItem(item);
    }
    separator(menu);
    items.take('action:refresh', () => menu.addAction(_('Refresh now'), () => this.handlers.refresh()));
    items.take('action:settings', () => menu.addAction(_('Settings'), () => this.handlers.openPreferences()));
    const providers = view?.providers ?? [];
    // One link per provider, however many accounts it shows.
    for (const provider of providers.filter((p, i) => providers.findIndex((q) => q.id === p.id) === i)) {
      const label = `${_('Open usage page')}: ${provider.name}`;
      const uri = provider.usageUrl;
      items.take(`action:${label}:${uri}`, () => menu.addAction(label, () => this.handlers.openUri(uri)));
    }
  }

  /** An account's full detail (its summary row above shows the heading), built or updated in place. */
  private addProvider(
    menu: PopupMenu.PopupMenuSection,
    provider: ProviderView,
    text: (section: PopupMenu.PopupMenuSection, line: string, styleClass: string) => void,
  ): void {
    for (const window of provider.windows) {
      const item = this.items.take(
        windowKind(window),
        () => new WindowItem(window, provider.stale),
        (shown) => shown.showWindow(window, provider.stale),
      );
      if (this.items.building) menu.addMenuItem(item);
    }
    for (const money of provider.money) {
      text(menu, `${money.label}: ${money.text}`, `headroom-money ${severityClass(money.severity)}`);
    }
    if (provider.statusText) {
      const tone = provider.status === 'ok' ? 'headroom-detail' : 'headroom-warning';
      text(menu, provider.statusText, `headroom-status ${tone}`);
    }
    if (provider.fixText) text(menu, provider.fixText, 'headroom-detail');
    if (provider.sourceText) text(menu, provider.sourceText, 'headroom-detail');
  }
}
