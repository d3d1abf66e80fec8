/**
 * The usage figures shown next to the limits: per provider account, today's and the last 30 days' tokens and cost,
 * the top models, the current five-hour block's burn rate, and 30 days of daily cost for a sparkline. Built from a
 * scan (scan.ts) for JSON v1's `usage` object and both dropdowns. Pure: no I/O.
 *
 * Units: tokens counts, costs USD, instants ISO 8601 (UTC) in JSON, epoch ms in the view's inputs.
 */
import { dateFormat } from '../format.js';
import { type UsageItem, aggregate, dayOf } from './aggregate.js';
import { activeBlock, fiveHourBlocks } from './blocks.js';
import type { ScanResult } from './scan.js';
import { recentItems, usageItems } from './index.js';
import { BLOCKS } from '../sparkline.js';

/** Tokens and cost of a span. */
export interface UsageTotalsV1 {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  /** USD of the priced models. */
  costUSD: number;
}

/** JSON v1 `providers[].usage`: what the account's local logs say it spent. */
export interface AccountUsageV1 {
  /** The day `today` covers, `YYYY-MM-DD` in `timeZone`. */
  day: string;
  timeZone: string;
  today: UsageTotalsV1;
  /** The 30 days ending today. */
  last30Days: UsageTotalsV1;
  /** Models of the 30 days, most expensive first (at most 3). */
  topModels: { model: string; totalTokens: number; costUSD: number }[];
  /** Daily cost of the 30 days, oldest first (30 numbers, USD). */
  dailyCostUSD: number[];
  /** The active five-hour block, or null. */
  block: {
    startsAt: string;
    endsAt: string;
    totalTokens: number;
    costUSD: number;
    /** Null in the block's first minute. */
    costPerHour: number | null;
    tokensPerMinute: number | null;
    projectedCostUSD: number | null;
  } | null;
  /** Models without a price in Headroom's table: their tokens count, their cost is unknown. */
  unpricedModels: string[];
}

const DAY_MS = 86_400_000;

function totals(from: {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  totalCost: number;
}): UsageTotalsV1 {
  return {
    inputTokens: from.inputTokens,
    outputTokens: from.outputTokens,
    cacheCreationTokens: from.cacheCreationTokens,
    cacheReadTokens: from.cacheReadTokens,
    totalTokens: from.totalTokens,
    costUSD: from.totalCost,
  };
}

/** The days `YYYY-MM-DD` of the 30 days ending on the day of `now` in `timeZone`, oldest first. */
function last30Days(now: number, timeZone: string, localZone: boolean): string[] {
  const days: string[] = [];
  const cache = new Map<number, string>();
  for (let back = 29; back >= 0; back--) days.push(dayOf(now - back * DAY_MS, timeZone, cache, localZone));
  // Around a DST change two instants 24 h apart can name the same day: keep distinct days.
  return [...new Set(days)];
}

/**
 * The usage of one account (key from core/accounts.ts) from a scan; null when its logs hold nothing. `now` is epoch
 * ms; `timeZone` the IANA zone of the days, `localZone` true when it is this process's own (aggregate.ts dayOf).
 */
export function accountUsage(
  result: ScanResult,
  account: string,
  options: { now: number; timeZone: string; localZone?: boolean },
): AccountUsageV1 | null {
  const only = new Set([account]);
  let found = false;
  const items = (function* (): Generator<UsageItem> {
    for (const item of usageItems(result, only)) {
      found = true;
      yield item;
    }
  })();
  const localZone = options.localZone ?? false;
  const days = last30Days(options.now, options.timeZone, localZone);
  const today = days[days.length - 1]!;
  const { periods, totals: sum } = aggregate(items, {
    kind: 'daily',
    timeZone: options.timeZone,
    localZone,
    since: days[0],
    until: today,
  });
  if (!found) return null;
  const byDay = new Map(periods.map((period) => [period.period, period]));
  const empty = {
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    totalTokens: 0,
    totalCost: 0,
  };
  const models = new Map<string, { model: string; totalTokens: number; costUSD: number }>();
  for (const period of periods) {
    for (const m of period.modelBreakdowns) {
      const row = models.get(m.modelName) ?? { model: m.modelName, totalTokens: 0, costUSD: 0 };
      row.totalTokens += m.inputTokens + m.outputTokens + m.cacheCreationTokens + m.cacheReadTokens;
      row.costUSD += m.cost;
      models.set(m.modelName, row);
    }
  }
  const block = activeBlock(fiveHourBlocks(recentItems(result, only), options.now));
  return {
    day: today,
    timeZone: options.timeZone,
    today: totals(byDay.get(today) ?? empty),
    last30Days: totals(sum),
    topModels: [...models.values()].sort((a, b) => b.costUSD - a.costUSD || b.totalTokens - a.totalTokens).slice(0, 3),
    dailyCostUSD: days.map((day) => byDay.get(day)?.totalCost ?? 0),
    block: block
      ? {
          startsAt: new Date(block.start).toISOString(),
          endsAt: new Date(block.end).toISOString(),
          totalTokens: block.totalTokens,
          costUSD: block.costUSD,
          costPerHour: block.burnRate?.costPerHour ?? null,
          tokensPerMinute: block.burnRate?.tokensPerMinute ?? null,
          projectedCostUSD: block.projection?.totalCost ?? null,
        }
      : null,
    unpricedModels: sum.unpricedModels ?? [],
  };
}

/** One provider account's lines in the dropdown's Spend section. */
export interface UsageAccountView {
  /** E.g. "Claude" or "Claude (Work)". */
  heading: string;
  /** "Today: $4.10 · 1.2M tokens". */
  todayText: string;
  /** "30 days: $123.45 · 45.6M tokens". */
  monthText: string;
  /** "$4.10/h · block ends 17:00", or null without an active block. */
  blockText: string | null;
  /** "Top: claude-opus-4-6 $80.12, claude-haiku-4-5 $3.10". */
  modelsText: string | null;
  /** Daily cost of 30 days as block characters (▁ to █, scaled to the highest day). */
  sparkline: string;
  /** "Unpriced: claude-opus-5-5" or null. */
  unpricedText: string | null;
}

/** A token count for a menu: 950, 12.3k, 4.5M, 1.2B. */
export function compactTokens(count: number): string {
  if (count < 1000) return String(Math.round(count));
  const units: [number, string][] = [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, unit] of units) {
    if (count >= size) {
      const value = count / size;
      return `${value >= 100 ? Math.round(value) : value.toFixed(1)}${unit}`;
    }
  }
  return String(count);
}

/** USD for a menu: $0.42, $12.30, $1,234. */
export function usd(amount: number): string {
  // Grouped by hand as en-US does: toLocaleString would start Intl (core/intl-replay.ts).
  return amount >= 1000 ? `$${String(Math.round(amount)).replace(/\B(?=(\d{3})+$)/g, ',')}` : `$${amount.toFixed(2)}`;
}

/** Daily values as block characters scaled to the highest one; empty when all are zero. */
export function dailySparkline(values: readonly number[]): string {
  const top = Math.max(0, ...values);
  if (!(top > 0)) return '';
  return values.map((value) => BLOCKS[Math.round((Math.max(0, value) / top) * (BLOCKS.length - 1))]).join('');
}

/**
 * The dropdown lines of one account's usage. `clock` formats the block's end as the user reads times (e.g.
 * "17:00"); the shells pass their locale's formatter.
 */
export function presentAccountUsage(
  heading: string,
  usage: AccountUsageV1,
  clock: (epochMs: number) => string,
): UsageAccountView {
  const block = usage.block;
  return {
    heading,
    todayText: `Today: ${usd(usage.today.costUSD)} · ${compactTokens(usage.today.totalTokens)} tokens`,
    monthText: `30 days: ${usd(usage.last30Days.costUSD)} · ${compactTokens(usage.last30Days.totalTokens)} tokens`,
    blockText: block
      ? `${block.costPerHour === null ? usd(block.costUSD) : `${usd(block.costPerHour)}/h`} · block ends ${clock(Date.parse(block.endsAt))}`
      : null,
    modelsText:
      usage.topModels.length > 0
        ? `Top: ${usage.topModels.map((m) => `${m.model} ${usd(m.costUSD)}`).join(', ')}`
        : null,
    sparkline: dailySparkline(usage.dailyCostUSD),
    unpricedText: usage.unpricedModels.length > 0 ? `Unpriced: ${usage.unpricedModels.join(', ')}` : null,
  };
}

/** The dropdown's Spend section: one block of lines per provider account with usage in its logs. */
export interface UsageView {
  /** "Spend (from local logs)". */
  heading: string;
  accounts: UsageAccountView[];
}

/** The Spend section's heading. */
export const USAGE_HEADING = 'Spend (from local logs)';

/**
 * The Spend section of a menu: one block per shown provider account with usage, in the menu's order. `locale`
 * formats the block's end time ("17:00"), or `clockTime` when given (the GNOME extension's, which follows the
 * desktop's 12- or 24-hour setting).
 */
export function usageView(
  providers: readonly { key: string; name: string; accountLabel: string | null }[],
  usage: ReadonlyMap<string, AccountUsageV1>,
  locale?: string,
  clockTime?: (epochMs: number) => string,
): UsageView {
  const clock =
    clockTime ??
    ((at: number): string => dateFormat(locale ?? 'en-GB', { hour: '2-digit', minute: '2-digit' }).format(at));
  const accounts = providers
    .filter((provider) => usage.has(provider.key))
    .map((provider) =>
      presentAccountUsage(
        provider.accountLabel ? `${provider.name} (${provider.accountLabel})` : provider.name,
        usage.get(provider.key)!,
        clock,
      ),
    );
  return { heading: USAGE_HEADING, accounts };
}
