/**
 * The text tables of `headroom report` (swiftbar-plugin/report.ts) and of the GNOME extension's report file: one row
 * per period with input, output, cache-write and cache-read tokens, total tokens and cost (USD), and a total row.
 * Pure: no I/O.
 */
import type { PeriodTotals, ReportTotals } from './aggregate.js';

const n = (value: number): string => Math.round(value).toLocaleString('en-US');
const usd = (value: number): string => `$${value.toFixed(2)}`;

function row(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
}

/**
 * The table of a period report (periods and totals from aggregate.ts); `breakdown` adds a row per model under each
 * period. Models without a price are named below the table.
 */
export function periodTable(periods: PeriodTotals[], totals: ReportTotals, breakdown: boolean): string {
  const head = ['Period', 'Input', 'Output', 'Cache write', 'Cache read', 'Total tokens', 'Cost'];
  const rows: string[][] = [];
  for (const period of periods) {
    rows.push([
      period.period,
      n(period.inputTokens),
      n(period.outputTokens),
      n(period.cacheCreationTokens),
      n(period.cacheReadTokens),
      n(period.totalTokens),
      usd(period.totalCost),
    ]);
    if (breakdown) {
      for (const model of period.modelBreakdowns) {
        rows.push([
          `  └ ${model.modelName}`,
          n(model.inputTokens),
          n(model.outputTokens),
          n(model.cacheCreationTokens),
          n(model.cacheReadTokens),
          n(model.inputTokens + model.outputTokens + model.cacheCreationTokens + model.cacheReadTokens),
          model.missingPricing ? 'unpriced' : usd(model.cost),
        ]);
      }
    }
  }
  rows.push([
    'Total',
    n(totals.inputTokens),
    n(totals.outputTokens),
    n(totals.cacheCreationTokens),
    n(totals.cacheReadTokens),
    n(totals.totalTokens),
    usd(totals.totalCost),
  ]);
  const widths = head.map((_, i) => Math.max(head[i]!.length, ...rows.map((r) => r[i]!.length)));
  const lines = [row(head, widths), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map((r) => row(r, widths))];
  if (periods.length === 0) lines.splice(2, 0, 'No usage found in the logs.');
  if (totals.unpricedModels)
    lines.push(`Unpriced (not in Headroom's price table): ${totals.unpricedModels.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
