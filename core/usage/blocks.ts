/**
 * Five-hour blocks, as ccusage 20 computes them (ccusage/ccusage `blocks.rs`): entries sorted by time; a block starts
 * at its first entry's time floored to the UTC hour and lasts 5 hours; an entry more than 5 hours after the block's
 * start or after the previous entry opens a new block, and a gap of more than 5 hours between entries is reported
 * as a gap block `[last + 5 h, next)`. A block is active while `now − last entry < 5 h` and `now < end`.
 *
 * Units: instants epoch ms, tokens counts, costs USD, rates per minute (tokens) and per hour (cost).
 */
import { type UsageItem, entryCost } from './aggregate.js';

const HOUR_MS = 3_600_000;
/** The length of a block, ms. */
export const BLOCK_MS = 5 * HOUR_MS;

/** One five-hour block (or a gap between blocks). */
export interface UsageBlock {
  /** Epoch ms: the block's start (a UTC hour) and end (start + 5 h); for a gap, its bounds. */
  start: number;
  end: number;
  /** Epoch ms of the first and last entry; null for a gap. */
  firstAt: number | null;
  lastAt: number | null;
  isGap: boolean;
  isActive: boolean;
  entries: number;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  /** USD of the priced entries. */
  costUSD: number;
  models: string[];
  /** Active blocks only: tokens per minute and USD per hour from the first to the last entry (null under a minute). */
  burnRate: { tokensPerMinute: number; costPerHour: number } | null;
  /** Active blocks only: the totals at the block's end if the burn rate holds. */
  projection: { totalTokens: number; totalCost: number; remainingMinutes: number } | null;
}

/** Splits entries into five-hour blocks (with gap blocks), oldest first; `now` (epoch ms) marks the active one. */
export function fiveHourBlocks(entries: readonly UsageItem[], now: number): UsageBlock[] {
  const sorted = [...entries].sort((a, b) => a.at - b.at);
  const blocks: UsageBlock[] = [];
  let current: UsageBlock | null = null;
  const models = new Set<string>();
  const close = (): void => {
    if (!current) return;
    current.models = [...models].sort();
    models.clear();
    finish(current, now);
    blocks.push(current);
  };
  for (const entry of sorted) {
    if (current && current.lastAt !== null) {
      const sinceStart = entry.at - current.start;
      const sinceLast = entry.at - current.lastAt;
      if (sinceStart > BLOCK_MS || sinceLast > BLOCK_MS) {
        const last = current.lastAt;
        close();
        if (sinceLast > BLOCK_MS) blocks.push(gap(last + BLOCK_MS, entry.at));
        current = null;
      }
    }
    if (!current) {
      const start = Math.floor(entry.at / HOUR_MS) * HOUR_MS;
      current = emptyBlock(start, start + BLOCK_MS, false);
      current.firstAt = entry.at;
    }
    current.lastAt = entry.at;
    current.entries++;
    current.inputTokens += entry.input;
    current.outputTokens += entry.output;
    current.cacheCreationTokens += entry.cacheWrite5m + entry.cacheWrite1h;
    current.cacheReadTokens += entry.cacheRead;
    current.costUSD += entryCost(entry) ?? 0;
    models.add(entry.model);
  }
  close();
  return blocks;
}

/**
 * Of the requests at `times` (epoch ms, ascending), the time of the last one that opens a block (by the rule of
 * {@link fiveHourBlocks}) at or before `before`; -Infinity when none does. The requests from that one on split into
 * the same blocks as all of them do from there: the index keeps them as its recent entries (index-file.ts), so that
 * the current block a refresh computes from those alone is the block a scan of every entry computes.
 */
export function blockOpeningAtOrBefore(times: ArrayLike<number>, before: number): number {
  let opening = -Infinity;
  let start = 0;
  let last = 0;
  for (let i = 0; i < times.length; i++) {
    const at = times[i]!;
    if (i === 0 || at - start > BLOCK_MS || at - last > BLOCK_MS) {
      if (at > before) break;
      opening = at;
      start = Math.floor(at / HOUR_MS) * HOUR_MS;
    }
    last = at;
  }
  return opening;
}

function emptyBlock(start: number, end: number, isGap: boolean): UsageBlock {
  return {
    start,
    end,
    firstAt: null,
    lastAt: null,
    isGap,
    isActive: false,
    entries: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    totalTokens: 0,
    costUSD: 0,
    models: [],
    burnRate: null,
    projection: null,
  };
}

function gap(start: number, end: number): UsageBlock {
  return emptyBlock(start, end, true);
}

function finish(block: UsageBlock, now: number): void {
  block.totalTokens = block.inputTokens + block.outputTokens + block.cacheCreationTokens + block.cacheReadTokens;
  if (block.lastAt === null || block.firstAt === null) return;
  // A block whose entries lie ahead of the clock (a clock far off) is not the current one.
  block.isActive = now - block.lastAt < BLOCK_MS && now < block.end && block.firstAt <= now;
  if (!block.isActive) return;
  const minutes = (block.lastAt - block.firstAt) / 60_000;
  if (minutes > 0) {
    const tokensPerMinute = block.totalTokens / minutes;
    const costPerHour = (block.costUSD / minutes) * 60;
    block.burnRate = { tokensPerMinute, costPerHour };
    const remainingMinutes = Math.max(0, (block.end - now) / 60_000);
    block.projection = {
      totalTokens: Math.round(block.totalTokens + tokensPerMinute * remainingMinutes),
      totalCost: block.costUSD + (costPerHour / 60) * remainingMinutes,
      remainingMinutes: Math.round(remainingMinutes),
    };
  }
}

/** The active block, or null. */
export function activeBlock(blocks: readonly UsageBlock[]): UsageBlock | null {
  return blocks.find((block) => block.isActive) ?? null;
}
