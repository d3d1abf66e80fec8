/**
 * The dropdown's Telemetry section: core's {@link TelemetryView} as a submenu, collapsed until the user opens it. Its
 * row shows the heading ("Telemetry · last 24 hours") and a summary ("1.2M tokens · $3.40", or ⚠ when something is
 * wrong); inside are the figures, a bar chart of tokens over the range, the figures per model and per user, what is
 * wrong and how to fix it, and the range to pick.
 */
import Clutter from 'gi://Clutter';
import St from 'gi://St';
import * as PopupMenu from 'resource:///org/gnome/shell/ui/popupMenu.js';
import { gettext as _ } from 'resource:///org/gnome/shell/extensions/extension.js';
import type { TelemetryView } from '../core/telemetry/present.js';
import type { TelemetryRange } from '../core/telemetry/settings.js';

/** What the section needs from the indicator. */
export interface TelemetrySectionOptions {
  /** A line of text that shows information and does nothing when clicked (the indicator's own kind of row). */
  text(text: string, styleClass: string): PopupMenu.PopupBaseMenuItem;
  /** Open the submenu at once (it was open before the menu was rebuilt). */
  expanded: boolean;
  /** Called when the submenu opens or closes. */
  expandedChanged(open: boolean): void;
  /** Called when the user picks a range. */
  pickRange(range: TelemetryRange): void;
}

/** Width and height of the tokens-over-time chart, px. */
const CHART_WIDTH = 180;
const CHART_HEIGHT = 24;

/** Tokens per bucket as bars, each 0–1 of the fullest (core's `bars`), oldest on the left. */
function barChart(bars: readonly number[]): St.DrawingArea {
  const area = new St.DrawingArea({
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    style_class: 'headroom-telemetry-chart',
    y_align: Clutter.ActorAlign.CENTER,
  });
  area.connect('repaint', () => {
    const cr = area.get_context();
    const [width, height] = area.get_surface_size();
    const slot = width / Math.max(1, bars.length);
    cr.setSourceRGBA(0.38, 0.63, 0.92, 1);
    bars.forEach((bar, index) => {
      // Every bucket shows at least a hairline, so an empty one reads as "nothing" rather than "missing".
      const barHeight = Math.max(1, bar * (height - 1));
      cr.rectangle(index * slot, height - barHeight, Math.max(1, slot - 1), barHeight);
    });
    cr.fill();
    cr.$dispose();
  });
  return area;
}

/** Builds the section. The caller adds it to the menu; destroying the menu's items destroys it. */
export function telemetrySection(
  view: TelemetryView,
  options: TelemetrySectionOptions,
): PopupMenu.PopupSubMenuMenuItem {
  const item = new PopupMenu.PopupSubMenuMenuItem(view.heading, false);
  item.add_style_class_name('headroom-telemetry');
  const summary = view.status === 'ok' ? view.summary : `⚠ ${view.summary ?? ''}`.trim();
  if (summary) {
    const label = new St.Label({
      text: summary,
      style_class: view.status === 'ok' ? 'headroom-detail' : 'headroom-detail headroom-warning',
      y_align: Clutter.ActorAlign.CENTER,
    });
    // Before the arrow, after the label and the expander that pushes it right.
    item.insert_child_at_index(label, item.get_n_children() - 1);
  }
  item.accessible_name = [view.heading, summary].filter(Boolean).join(', ');
  const menu = item.menu;
  for (const row of view.rows) menu.addMenuItem(options.text(`${row.label}: ${row.text}`, 'headroom-telemetry-row'));
  if (view.bars.length > 0) {
    const chart = options.text(_('Tokens over time'), 'headroom-detail');
    chart.add_child(barChart(view.bars));
    menu.addMenuItem(chart);
  }
  for (const [title, rows] of [
    [_('By model'), view.models],
    [_('By user'), view.users],
  ] as const) {
    if (rows.length === 0) continue;
    menu.addMenuItem(options.text(title, 'headroom-heading'));
    for (const row of rows) menu.addMenuItem(options.text(`${row.label}: ${row.text}`, 'headroom-detail'));
  }
  if (view.statusText) menu.addMenuItem(options.text(view.statusText, 'headroom-status headroom-warning'));
  if (view.fixText) menu.addMenuItem(options.text(view.fixText, 'headroom-detail'));
  menu.addMenuItem(new PopupMenu.PopupSeparatorMenuItem(_('Range')));
  for (const range of view.ranges) {
    const choice = new PopupMenu.PopupMenuItem(range.label);
    choice.setOrnament(range.current ? PopupMenu.Ornament.DOT : PopupMenu.Ornament.NONE);
    if (!range.current) choice.connect('activate', () => options.pickRange(range.id));
    menu.addMenuItem(choice);
  }
  menu.connect('open-state-changed', (_menu: unknown, open: boolean) => {
    options.expandedChanged(open);
    return undefined;
  });
  if (options.expanded) item.setSubmenuShown(true);
  return item;
}
