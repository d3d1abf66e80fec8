/**
 * Renders core's {@link MenuView} as the one JSON line a Waybar `custom` module with `"return-type": "json"` reads
 * (https://github.com/Alexays/Waybar/wiki/Module:-Custom): `{text, tooltip, class, percentage, alt}`. Other bars
 * that take the same line (e.g. i3status-rust's `custom` block with `json = true` reads `text`) can use it too.
 */
import { type Severity, maxSeverity } from '../core/format.js';
import type { MenuView } from '../core/present.js';

/** The object Waybar reads from one line of a custom module's output. */
export interface WaybarLine {
  /** The title, e.g. "C 24% · X 3%"; "Headroom" when nothing is known. */
  text: string;
  /** Every account's windows with their percent and reset time, one per line (Pango markup is escaped). */
  tooltip: string;
  /** The fullest window's severity: `normal`, `warning` (from 70 % used) or `critical` (from 90 %), for CSS. */
  class: Severity;
  /** The fullest window's percent used, 0–100 (rounded, clamped), for `format-icons`; 0 without windows. */
  percentage: number;
  /** Same as `class`, for `format-alt`-style icon selection by name. */
  alt: Severity;
}

/** Escapes the characters Pango markup would interpret (Waybar renders tooltips as markup). */
function pango(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Builds the Waybar object: `class` and `percentage` come from the fullest window of every account shown, the
 * tooltip lists each account's heading, windows ("Session (5 h): 24% used · resets in 2 h 14 min (16:16)"), money
 * and status.
 */
export function waybarLine(menu: MenuView): WaybarLine {
  const windows = menu.providers.flatMap((provider) => provider.windows);
  const fullest = windows.reduce<(typeof windows)[number] | undefined>(
    (best, window) => (!best || window.usedPercent > best.usedPercent ? window : best),
    undefined,
  );
  const severity = maxSeverity(windows.map((window) => window.severity));
  const lines: string[] = [];
  if (menu.nothingConnected) lines.push(menu.nothingConnectedText ?? '', ...menu.connectHelp);
  else {
    if (menu.offlineText) lines.push(menu.offlineText);
    for (const provider of menu.providers) {
      if (lines.length > 0) lines.push('');
      lines.push(provider.heading);
      for (const window of provider.windows) {
        lines.push(`${window.label}: ${window.percentText}${window.resetText ? ` · ${window.resetText}` : ''}`);
      }
      for (const money of provider.money) lines.push(`${money.label}: ${money.text}`);
      if (provider.statusText) lines.push(provider.statusText);
      if (provider.fixText) lines.push(provider.fixText);
    }
  }
  return {
    text: menu.title,
    tooltip: pango(lines.join('\n')),
    class: severity,
    percentage: fullest ? Math.min(100, Math.max(0, Math.round(fullest.usedPercent))) : 0,
    alt: severity,
  };
}

/** The line Waybar reads: {@link waybarLine} as compact JSON plus a newline (one line per refresh). */
export function renderWaybar(menu: MenuView): string {
  return `${JSON.stringify(waybarLine(menu))}\n`;
}
