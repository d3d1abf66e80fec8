/**
 * Aggregation of deduped usage entries into the periods of the report (day, week, month, session) in an IANA time
 * zone, with per-model breakdowns and cost from the offline price table (pricing.ts). The totals have the shape of
 * ccusage's `--json` reports (`{period, inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens,
 * totalTokens, totalCost, modelsUsed, modelBreakdowns}`), so scripts written for ccusage keep working.
 *
 * Units: tokens are counts, costs USD, instants epoch ms, days `YYYY-MM-DD` in the given zone.
 */
import type { UsageEntry } from './entries.js';
import { costOf } from './pricing.js';

/** Token and cost totals of one model within a period. */
export interface ModelBreakdown {
  modelName: string;
  inputTokens: number;
  outputTokens: number;
  /** Cache writes, 5-minute and 1-hour together. */
  cacheCreationTokens: number;
  cacheReadTokens: number;
  /** USD; 0 when the model has no price (then `missingPricing` is true). */
  cost: number;
  missingPricing?: true;
}

/** Totals of one period. */
export interface PeriodTotals {
  /** `YYYY-MM-DD` (day, or the first day of the week), `YYYY-MM` (month), or the session id. */
  period: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  /** USD of the priced models. */
  totalCost: number;
  /** Model names, sorted. */
  modelsUsed: string[];
  /** Per model, most expensive first. */
  modelBreakdowns: ModelBreakdown[];
  /** Session reports: the project and the last entry's time (ISO 8601). */
  project?: string;
  lastActivity?: string;
}

/** How entries are grouped. */
export type PeriodKind = 'daily' | 'weekly' | 'monthly' | 'session';

/** The grand totals of a report; `unpricedModels` lists models without a price (never priced as zero silently). */
export interface ReportTotals {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  totalCost: number;
  unpricedModels?: string[];
}

/** Options of {@link aggregate}. */
export interface AggregateOptions {
  kind: PeriodKind;
  /** IANA zone for day boundaries, e.g. `Europe/Berlin`; default UTC. */
  timeZone?: string;
  /** `timeZone` is this process's own zone: days come from Date's local getters, without starting Intl. */
  localZone?: boolean;
  /** Inclusive day bounds `YYYY-MM-DD` in that zone. */
  since?: string;
  until?: string;
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The calendar day of an instant in a zone, `YYYY-MM-DD`. With `localZone` the zone is this process's own, and the
 * day is read from Date's local getters (no Intl: see core/intl-replay.ts for why that matters to a one-shot run).
 * Throws a RangeError for an unknown zone (callers check with {@link isTimeZone} first).
 */
export function dayOf(at: number, timeZone: string, cache?: Map<number, string>, localZone = false): string {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return new Date(at).toISOString().slice(0, 10);
  if (localZone) {
    const date = new Date(at);
    const two = (n: number): string => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
  }
  // Zone offsets change only on quarter hours: one lookup per 15 minutes of time is enough.
  const bucket = Math.floor(at / 900_000);
  const hit = cache?.get(bucket);
  if (hit !== undefined) return hit;
  let formatter = dayFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(new Date(at));
  const get = (type: string): string => parts.find((part) => part.type === type)?.value ?? '00';
  const day = `${get('year')}-${get('month')}-${get('day')}`;
  cache?.set(bucket, day);
  return day;
}

/** True when `name` is an IANA time zone this runtime knows. */
export function isTimeZone(name: string): boolean {
  if (name === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The Sunday that starts the week of a day (`YYYY-MM-DD`), as ccusage's default `--start-of-week sunday`. */
function weekOf(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  date.setUTCDate(date.getUTCDate() - date.getUTCDay());
  return date.toISOString().slice(0, 10);
}

/**
 * What {@link aggregate} adds up: an entry, or the totals of a quarter hour and model from the index (with their
 * cost already summed in `cost`).
 */
export type UsageItem = Pick<
  UsageEntry,
  'at' | 'model' | 'input' | 'output' | 'cacheWrite5m' | 'cacheWrite1h' | 'cacheRead' | 'session' | 'project'
> & { cost?: number | null };

/**
 * The cost of one entry, USD, or null when its model has no price (a logged `costUSD` is not used: ccusage's
 * offline mode prices current logs from its table, and only Claude Code ≤ 1.0 wrote it).
 */
export function entryCost(entry: UsageItem): number | null {
  return entry.cost !== undefined ? entry.cost : costOf(entry.model, entry);
}

/**
 * Groups entries into periods, oldest first (sessions: by last activity). Entries outside `since`/`until` are left
 * out. Totals add the periods.
 */
export function aggregate(
  entries: Iterable<UsageItem>,
  options: AggregateOptions,
): { periods: PeriodTotals[]; totals: ReportTotals } {
  const timeZone = options.timeZone ?? 'UTC';
  const cache = new Map<number, string>();
  const groups = new Map<string, { models: Map<string, ModelBreakdown>; last: number; project: string }>();
  for (const entry of entries) {
    const day = dayOf(entry.at, timeZone, cache, options.localZone);
    if ((options.since && day < options.since) || (options.until && day > options.until)) continue;
    const key =
      options.kind === 'daily'
        ? day
        : options.kind === 'monthly'
          ? day.slice(0, 7)
          : options.kind === 'weekly'
            ? weekOf(day)
            : entry.session;
    let group = groups.get(key);
    if (!group) {
      group = { models: new Map(), last: entry.at, project: entry.project };
      groups.set(key, group);
    }
    if (entry.at > group.last) group.last = entry.at;
    let model = group.models.get(entry.model);
    if (!model) {
      model = {
        modelName: entry.model,
        inputTokens: 0,
        outputTokens: 0,
        cacheCreationTokens: 0,
        cacheReadTokens: 0,
        cost: 0,
      };
      group.models.set(entry.model, model);
    }
    model.inputTokens += entry.input;
    model.outputTokens += entry.output;
    model.cacheCreationTokens += entry.cacheWrite5m + entry.cacheWrite1h;
    model.cacheReadTokens += entry.cacheRead;
    const cost = entryCost(entry);
    if (cost === null) model.missingPricing = true;
    else model.cost += cost;
  }
  const periods: PeriodTotals[] = [];
  const unpriced = new Set<string>();
  for (const [period, group] of groups) {
    const breakdowns = [...group.models.values()].sort((a, b) => b.cost - a.cost);
    const totals = sumBreakdowns(breakdowns);
    for (const model of breakdowns) if (model.missingPricing) unpriced.add(model.modelName);
    periods.push({
      period,
      ...totals,
      modelsUsed: breakdowns.map((model) => model.modelName).sort(),
      modelBreakdowns: breakdowns,
      ...(options.kind === 'session'
        ? { project: group.project, lastActivity: new Date(group.last).toISOString() }
        : {}),
    });
  }
  if (options.kind === 'session') periods.sort((a, b) => (a.lastActivity ?? '').localeCompare(b.lastActivity ?? ''));
  else periods.sort((a, b) => a.period.localeCompare(b.period));
  const totals: ReportTotals = {
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    totalTokens: 0,
    totalCost: 0,
  };
  for (const period of periods) {
    totals.inputTokens += period.inputTokens;
    totals.outputTokens += period.outputTokens;
    totals.cacheCreationTokens += period.cacheCreationTokens;
    totals.cacheReadTokens += period.cacheReadTokens;
    totals.totalTokens += period.totalTokens;
    totals.totalCost += period.totalCost;
  }
  if (unpriced.size > 0) totals.unpricedModels = [...unpriced].sort();
  return { periods, totals };
}

function sumBreakdowns(models: ModelBreakdown[]): Omit<ReportTotals, 'unpricedModels'> {
  const sum = {
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    totalTokens: 0,
    totalCost: 0,
  };
  for (const model of models) {
    sum.inputTokens += model.inputTokens;
    sum.outputTokens += model.outputTokens;
    sum.cacheCreationTokens += model.cacheCreationTokens;
    sum.cacheReadTokens += model.cacheReadTokens;
    sum.totalCost += model.cost;
  }
  sum.totalTokens = sum.inputTokens + sum.outputTokens + sum.cacheCreationTokens + sum.cacheReadTokens;
  return sum;
}
