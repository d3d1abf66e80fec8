/**
 * The dropdown's Spend section: what the local logs of Claude Code and Codex say was spent, as a submenu collapsed
 * until the user opens it. Inside, per provider account, core's {@link UsageAccountView} lines (the same view the
 * SwiftBar menu shows): today's and the last 30 days' cost and tokens, the current five-hour block's burn rate
 * ("$4.10/h · block ends 17:00"), the top models, and a bar chart of the 30 days' daily cost; then "Full report…",
 * which opens the daily report file the scan writes (usage-report.txt in the state directory) in the default text
 * viewer. While the first scan runs, when no logs hold usage, or when the scan failed, the submenu says so.
 */
import Clutter from 'gi://Clutter';
import St from 'gi://St';
import * as PopupMenu from 'resource:///org/gnome/shell/ui/popupMenu.js';
import { gettext as _ } from 'resource:///org/gnome/shell/extensions/extension.js';
import type { UsageAccountView } from '../core/usage/summary.js';

/** What the section shows (built by the extension from the scanner's status and core's view). */
export type UsageSectionModel =
  | { state: 'scanning' }
  | { state: 'empty' }
  | { state: 'error'; message: string }
  | {
      state: 'ok';
      /** Per account: core's lines and the 30 days' daily cost (USD, oldest first) for the chart. */
      accounts: { view: UsageAccountView; dailyCostUSD: number[] }[];
      /** The report file, or null when it could not be written. */
      reportPath: string | null;
    };

/** What the section needs from the indicator. */
export interface UsageSectionOptions {
  /** A line of text that shows information and does nothing when clicked (the indicator's own kind of row). */
  text(text: string, styleClass: string): PopupMenu.PopupBaseMenuItem;
  /** Open the submenu at once (it was open before the menu was rebuilt). */
  expanded: boolean;
  /** Called when the submenu opens or closes. */
  expandedChanged(open: boolean): void;
  /** Opens a URI with the default application. */
  openUri(uri: string): void;
}

/** Width and height of the daily-cost chart, px. */
const CHART_WIDTH = 150;
const CHART_HEIGHT = 20;

/** The daily cost of 30 days as bars scaled to the highest day, oldest on the left. */
function costChart(days: readonly number[]): St.DrawingArea {
  const area = new St.DrawingArea({
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    style_class: 'headroom-usage-chart',
    y_align: Clutter.ActorAlign.CENTER,
  });
  const top = Math.max(0, ...days);
  area.connect('repaint', () => {
    const cr = area.get_context();
    const [width, height] = area.get_surface_size();
    const slot = width / Math.max(1, days.length);
    cr.setSourceRGBA(0.38, 0.63, 0.92, 1);
    days.forEach((cost, index) => {
      // A day without cost is a hairline, so the 30 days read as a calendar.
      const barHeight = top > 0 ? Math.max(1, (Math.max(0, cost) / top) * (height - 1)) : 1;
      cr.rectangle(index * slot, height - barHeight, Math.max(1, slot - 1), barHeight);
    });
    cr.fill();
    cr.$dispose();
  });
  return area;
}

/** Builds the section. The caller adds it to the menu; destroying the menu's items destroys it. */
export function usageSection(model: UsageSectionModel, options: UsageSectionOptions): PopupMenu.PopupSubMenuMenuItem {
  const heading = _('Spend (from local logs)');
  const item = new PopupMenu.PopupSubMenuMenuItem(heading, false);
  item.add_style_class_name('headroom-usage');
  const summary =
    model.state === 'scanning'
      ? _('Reading logs…')
      : model.state === 'error'
        ? '⚠'
        : model.state === 'ok' && model.accounts.length > 0
          ? model.accounts[0]!.view.todayText
          : null;
  if (summary) {
    const label = new St.Label({
      text: summary,
      style_class: model.state === 'error' ? 'headroom-detail headroom-warning' : 'headroom-detail',
      y_align: Clutter.ActorAlign.CENTER,
    });
    // Before the arrow, after the label and the expander that pushes it right.
    item.insert_child_at_index(label, item.get_n_children() - 1);
  }
  item.accessible_name = [heading, summary].filter(Boolean).join(', ');
  const menu = item.menu;
  // Every line of the section is a compact row (stylesheet.css), so an account's figures fit in a few lines.
  const add = (text: string, styleClass: string): void =>
    menu.addMenuItem(options.text(text, `headroom-usage-row ${styleClass}`));
  if (model.state === 'scanning') {
    add(_('Reading the logs of Claude Code and Codex for the first time…'), 'headroom-detail');
  } else if (model.state === 'empty') {
    add(_('No usage found in the logs of Claude Code or Codex on this computer.'), 'headroom-status');
    add(_('It appears here once you use Claude Code or Codex.'), 'headroom-detail');
  } else if (model.state === 'error') {
    add(`${_('Could not read the logs')}: ${model.message}`, 'headroom-status headroom-warning');
    add(_('Check that the folders are readable; Headroom tries again at the next refresh.'), 'headroom-detail');
  } else {
    for (const { view, dailyCostUSD } of model.accounts) {
      add(view.heading, 'headroom-heading');
      add(view.todayText, 'headroom-usage-figure');
      add(view.monthText, 'headroom-usage-figure');
      if (view.blockText) add(view.blockText, 'headroom-usage-figure');
      if (view.sparkline) {
        const chart = options.text(_('Daily cost, 30 days'), 'headroom-usage-row headroom-detail');
        chart.add_child(costChart(dailyCostUSD));
        menu.addMenuItem(chart);
      }
      if (view.modelsText) add(view.modelsText, 'headroom-detail');
      if (view.unpricedText) add(view.unpricedText, 'headroom-detail headroom-warning');
    }
    const reportPath = model.reportPath;
    if (reportPath) {
      menu.addAction(_('Full report…'), () => options.openUri(`file://${encodeURI(reportPath)}`));
    }
  }
  menu.connect('open-state-changed', (_menu: unknown, open: boolean) => {
    options.expandedChanged(open);
    return undefined;
  });
  if (options.expanded) item.setSubmenuShown(true);
  return item;
}
