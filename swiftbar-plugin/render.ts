/**
 * Renders core's {@link MenuView} for SwiftBar, xbar and the terminal. Text that came from an API or a file is
 * escaped so it can never add parameters or menu structure.
 */
import type { Severity } from '../core/format.js';
import type { MenuView, ProviderView, WindowView } from '../core/present.js';
import type { TelemetryView } from '../core/telemetry/present.js';
import type { UsageView } from '../core/usage/summary.js';

/** Output flavours of the menu. */
export type MenuFormat = 'swiftbar' | 'xbar' | 'text';

/** How to rerun this plugin for the "Refresh now" item: its absolute path. */
export interface RenderContext {
  pluginPath: string;
  /** Problems of this run itself, each a sentence and its fix (e.g. a state directory it cannot write); optional. */
  notices?: string[];
}

const SEVERITY_COLORS: Record<Severity, { light: string; dark: string }> = {
  normal: { light: '#1d1d1f', dark: '#f5f5f7' },
  warning: { light: '#b25000', dark: '#ffb340' },
  critical: { light: '#c41e1e', dark: '#ff6961' },
};
const DIM_COLOR = { light: '#6e6e73', dark: '#a1a1a6' };

// Control characters are exactly what must not reach the output.
// eslint-disable-next-line no-control-regex
const MENU_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
// eslint-disable-next-line no-control-regex
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Makes dynamic text safe for one menu line: no control characters or line breaks, no `|` (which starts the
 * parameters), and no leading `-` (which would make it a submenu item or a separator).
 */
export function escapeMenuText(text: string): string {
  return text
    .replace(MENU_UNSAFE, ' ')
    .replace(/\|/g, '¦')
    .replace(/\s{2,}/g, ' ')
    .trim()
    .replace(/^-+/, (dashes) => '‐'.repeat(dashes.length));
}

/** Quotes a parameter value when needed. */
function param(key: string, value: string): string {
  return /^[^\s"'|]+$/.test(value) ? `${key}=${value}` : `${key}="${value.replace(/"/g, "'")}"`;
}

/** Builds menu lines in SwiftBar's or xbar's grammar. */
class MenuWriter {
  readonly lines: string[] = [];
  constructor(private readonly format: 'swiftbar' | 'xbar') {}

  /** A line of text with parameters; `text` is escaped here. `depth` 1 puts it in the submenu of the line above. */
  item(text: string, params: Record<string, string | undefined> = {}, depth = 0): void {
    const parts = Object.entries(params)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([key, value]) => param(key, value));
    parts.push(this.format === 'swiftbar' ? 'symbolize=false emojize=false' : 'emojize=false ansi=false');
    this.lines.push(`${'--'.repeat(depth)}${escapeMenuText(text)} | ${parts.join(' ')}`);
  }

  separator(): void {
    this.lines.push('---');
  }

  color(severity: Severity, dim = false): string {
    const pair = dim ? DIM_COLOR : SEVERITY_COLORS[severity];
    return this.format === 'swiftbar' ? `${pair.light},${pair.dark}` : pair.light;
  }
}

/** Renders the menu for SwiftBar (`swiftbar`) or xbar (`xbar`): title line, `---`, sections, refresh, links. */
export function renderMenuBar(menu: MenuView, format: 'swiftbar' | 'xbar', context: RenderContext): string {
  const w = new MenuWriter(format);
  const titleDim = menu.titleParts.length > 0 && menu.titleParts.every((part) => part.dim);
  const titleParams: Record<string, string | undefined> = {};
  if (menu.severity !== 'normal' || titleDim) titleParams.color = w.color(menu.severity, titleDim);
  if (format === 'swiftbar') titleParams.sfimage = 'gauge.with.dots.needle.33percent';
  w.item(menu.title, titleParams);
  w.separator();

  if (menu.nothingConnected) {
    w.item(menu.nothingConnectedText ?? '', { color: w.color('normal') });
    for (const line of menu.connectHelp) w.item(line, { color: w.color('normal', true) });
    w.separator();
  }
  if (menu.offlineText) {
    w.item(`⚠ ${menu.offlineText}`, { color: w.color('warning') });
    w.separator();
  }
  for (const notice of context.notices ?? []) {
    w.item(`⚠ ${notice}`, { color: w.color('warning') });
    w.separator();
  }
  for (const provider of menu.providers) {
    if (menu.nothingConnected) break;
    if (menu.compactAccounts) writeAccountSummary(w, provider);
    else writeProvider(w, provider);
    w.separator();
  }
  if (menu.usage && menu.usage.accounts.length > 0) {
    writeUsage(w, menu.usage, context.pluginPath, format);
    w.separator();
  }
  if (menu.telemetry) {
    writeTelemetry(w, menu.telemetry);
    w.separator();
  }
  const refreshParams: Record<string, string> =
    format === 'swiftbar'
      ? { bash: context.pluginPath, param0: '--refresh', terminal: 'false', refresh: 'true' }
      : { bash: context.pluginPath, param1: '--refresh', terminal: 'false', refresh: 'true' };
  w.item('Refresh now', refreshParams);
  for (const provider of usagePages(menu)) w.item(`Open ${provider.name} usage page`, { href: provider.usageUrl });
  return `${w.lines.join('\n')}\n`;
}

/** One usage-page link per provider, however many accounts it shows. */
function usagePages(menu: MenuView): ProviderView[] {
  return menu.providers.filter((provider, index) => menu.providers.findIndex((p) => p.id === provider.id) === index);
}

/** An account in full: its heading, then every window, money line, status and source. */
function writeProvider(w: MenuWriter, provider: ProviderView): void {
  w.item(provider.heading, { color: w.color('normal'), size: '14' });
  writeDetails(w, provider, 0);
}

/**
 * An account in two lines, for menus with many accounts: its heading, whose submenu holds the full detail, and the
 * fullest window's percent and reset (or the account's status when it has no window).
 */
function writeAccountSummary(w: MenuWriter, provider: ProviderView): void {
  w.item(provider.heading, { color: w.color('normal'), size: '14' });
  writeDetails(w, provider, 1);
  const fullest = provider.fullest;
  if (fullest) {
    const reset = fullest.resetText ? ` · ${fullest.resetText}` : '';
    w.item(`${fullest.label}: ${fullest.percentText}${reset}`, { color: w.color(fullest.severity, provider.stale) });
  }
  if (provider.status !== 'ok' && provider.statusText) {
    w.item(`⚠ ${provider.statusText}`, { color: w.color('warning') });
  }
}

/** An account's windows, money, status, fix and source, at `depth` (1: the submenu of the line above). */
function writeDetails(w: MenuWriter, provider: ProviderView, depth: number): void {
  const dim = provider.stale;
  for (const window of provider.windows) {
    const reset = window.resetText ? ` · ${window.resetText}` : '';
    w.item(`${window.label}: ${window.percentText}${reset}`, { color: w.color(window.severity, dim) }, depth);
    const trend = trendText(window);
    if (trend) {
      w.item(trend, { color: w.color(window.runsOut ? 'warning' : 'normal', !window.runsOut), size: '12' }, depth);
    }
  }
  for (const money of provider.money) {
    w.item(`${money.label}: ${money.text}`, { color: w.color(money.severity, dim) }, depth);
  }
  if (provider.statusText) {
    const severity: Severity = provider.status === 'ok' ? 'normal' : 'warning';
    w.item(`${provider.status === 'ok' ? '' : '⚠ '}${provider.statusText}`, { color: w.color(severity) }, depth);
  }
  if (provider.fixText) w.item(provider.fixText, { color: w.color('normal', true), size: '12' }, depth);
  if (provider.sourceText) w.item(provider.sourceText, { color: w.color('normal', true), size: '12' }, depth);
}

/**
 * The Spend section: per account today's and 30 days' cost and tokens, the block's burn rate, the top models and a
 * 30-day sparkline of daily cost; an item that opens the full daily report in a terminal.
 */
function writeUsage(w: MenuWriter, view: UsageView, pluginPath: string, format: 'swiftbar' | 'xbar'): void {
  w.item(view.heading, { color: w.color('normal'), size: '14' });
  for (const account of view.accounts) {
    w.item(account.heading, { color: w.color('normal') });
    w.item(account.todayText, { color: w.color('normal') });
    w.item(account.monthText, { color: w.color('normal') });
    if (account.blockText) w.item(account.blockText, { color: w.color('normal') });
    if (account.sparkline)
      w.item(`${account.sparkline} daily cost, 30 days`, { color: w.color('normal', true), size: '12' });
    if (account.modelsText) w.item(account.modelsText, { color: w.color('normal', true), size: '12' });
    if (account.unpricedText) w.item(account.unpricedText, { color: w.color('normal', true), size: '12' });
  }
  // `headroom report` alone is the daily report; xbar numbers parameters from 1, SwiftBar from 0.
  w.item('Full usage report…', {
    bash: pluginPath,
    [format === 'swiftbar' ? 'param0' : 'param1']: 'report',
    terminal: 'true',
  });
}

/** The Spend section for a terminal. */
export function renderUsageText(view: UsageView): string {
  const clean = (text: string): string => text.replace(TERMINAL_UNSAFE, '');
  const out = [view.heading];
  for (const account of view.accounts) {
    out.push(`  ${clean(account.heading)}`);
    for (const line of [
      account.todayText,
      account.monthText,
      account.blockText,
      account.modelsText,
      account.unpricedText,
    ]) {
      if (line) out.push(`    ${clean(line)}`);
    }
    if (account.sparkline) out.push(`    ${account.sparkline} daily cost, 30 days`);
  }
  out.push('  Full report: headroom report daily');
  return `${out.join('\n')}\n`;
}

/**
 * The Telemetry section: heading, one line per figure, the tokens trend, and submenus per model and per user; a
 * failure shows its sentence and fix (the limits above are untouched).
 */
function writeTelemetry(w: MenuWriter, view: TelemetryView): void {
  w.item(view.heading, { color: w.color('normal'), size: '14' });
  for (const row of view.rows) w.item(`${row.label}: ${row.text}`, { color: w.color('normal') });
  if (view.sparkline) w.item(`${view.sparkline} tokens over time`, { color: w.color('normal', true), size: '12' });
  for (const [title, rows] of [
    ['By model', view.models],
    ['By user', view.users],
  ] as const) {
    if (rows.length === 0) continue;
    w.item(title, { color: w.color('normal') });
    for (const row of rows) w.item(`${row.label}: ${row.text}`, {}, 1);
  }
  if (view.statusText) w.item(`⚠ ${view.statusText}`, { color: w.color('warning') });
  if (view.fixText) w.item(view.fixText, { color: w.color('normal', true), size: '12' });
}

/** The Telemetry section for a terminal (also `headroom telemetry`). */
export function renderTelemetryText(view: TelemetryView): string {
  const clean = (text: string): string => text.replace(TERMINAL_UNSAFE, '');
  const out = [clean(view.heading)];
  const width = Math.max(12, ...view.rows.map((row) => row.label.length));
  for (const row of view.rows) out.push(`  ${row.label.padEnd(width)}  ${clean(row.text)}`);
  if (view.sparkline) out.push(`  ${'Over time'.padEnd(width)}  ${view.sparkline}`);
  for (const [title, rows] of [
    ['By model', view.models],
    ['By user', view.users],
  ] as const) {
    if (rows.length === 0) continue;
    out.push(`  ${title}`);
    for (const row of rows) out.push(`    ${clean(row.label)}  ${clean(row.text)}`);
  }
  if (view.statusText) out.push(`  ! ${clean(view.statusText)}`);
  if (view.fixText) out.push(`    Fix: ${clean(view.fixText)}`);
  return `${out.join('\n')}\n`;
}

/** The pace line under a window: "▁▂▃▅ 12% ahead of pace · Runs out in ~1 h 40 min (15:20)"; null when empty. */
function trendText(window: WindowView): string | null {
  const parts = [window.paceText, window.forecastText].filter((part): part is string => !!part);
  if (parts.length === 0) return null;
  return `${window.sparkline ? `${window.sparkline} ` : ''}${parts.join(' · ')}`;
}

/** A 10-cell bar for the terminal: "███▌░░░░░░". */
function bar(fraction: number): string {
  const cells = Math.round(Math.min(1, Math.max(0, fraction)) * 20) / 2;
  const full = Math.floor(cells);
  return '█'.repeat(full) + (cells > full ? '▌' : '') + '░'.repeat(10 - Math.ceil(cells));
}

/** Renders the menu as plain text for a terminal. */
export function renderText(menu: MenuView, notices: readonly string[] = []): string {
  const clean = (text: string): string => text.replace(TERMINAL_UNSAFE, '');
  const out: string[] = [];
  if (menu.nothingConnected) {
    out.push(menu.nothingConnectedText ?? '', '', 'To connect:');
    for (const line of menu.connectHelp) out.push(`  ${clean(line)}`);
    out.push('', 'Then run Headroom again.');
    if (menu.usage && menu.usage.accounts.length > 0) out.push('', renderUsageText(menu.usage).trimEnd());
    if (menu.telemetry) out.push('', renderTelemetryText(menu.telemetry).trimEnd());
    return `${out.join('\n')}\n`;
  }
  out.push(`Headroom  ${clean(menu.title)}`);
  if (menu.offlineText) out.push(`! ${menu.offlineText}`);
  for (const notice of notices) out.push(`! ${clean(notice)}`);
  const labelWidth = Math.max(
    12,
    ...menu.providers.flatMap((p) => [...p.windows, ...p.money].map((row) => clean(row.label).length)),
  );
  for (const provider of menu.providers) {
    out.push('');
    out.push(clean(provider.heading) + (provider.sourceText ? `  (${clean(provider.sourceText)})` : ''));
    for (const window of provider.windows) {
      const reset = window.resetText ? `  ${clean(window.resetText)}` : '';
      out.push(
        `  ${clean(window.label).padEnd(labelWidth)}  ${bar(window.fraction)} ${window.percentText.padStart(9)}${reset}`,
      );
      const trend = trendText(window);
      if (trend) out.push(`  ${' '.repeat(labelWidth)}  ${clean(trend)}`);
    }
    for (const money of provider.money) out.push(`  ${clean(money.label).padEnd(labelWidth)}  ${clean(money.text)}`);
    if (provider.statusText) out.push(`  ${provider.status === 'ok' ? '' : '! '}${clean(provider.statusText)}`);
    if (provider.fixText) out.push(`    Fix: ${clean(provider.fixText)}`);
  }
  if (menu.usage && menu.usage.accounts.length > 0) out.push('', renderUsageText(menu.usage).trimEnd());
  if (menu.telemetry) out.push('', renderTelemetryText(menu.telemetry).trimEnd());
  return `${out.join('\n')}\n`;
}
