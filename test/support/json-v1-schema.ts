/**
 * The `--format json` document, schema version 1, as README.md documents it, written as a zod schema: the fuzz
 * suite (test/fuzz) checks that every document Headroom prints, whatever the inputs, stays inside it.
 */
import * as z from 'zod/mini';
import { MAX_PERCENT } from '../../core/ranges.js';

/** ISO 8601 UTC as `Date.prototype.toISOString` writes it, years 2000–2100 (core/ranges.ts). */
const iso = z.string().check(z.regex(/^(20\d\d|2100)-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/));
const finite = z.number().check(z.refine(Number.isFinite));
const minor = z.nullable(finite.check(z.refine((value) => Number.isInteger(value) && Math.abs(value) <= 1e15)));

/** One `windows[]` entry. */
export const jsonWindowV1 = z.strictObject({
  id: z.string().check(z.minLength(1)),
  label: z.string(),
  usedPercent: finite.check(z.gte(0), z.lte(MAX_PERCENT)),
  resetsAt: z.nullable(iso),
  windowMinutes: z.nullable(finite.check(z.gt(0), z.lte(366 * 1440))),
});

/** One `money[]` entry. */
export const jsonMoneyV1 = z.strictObject({
  id: z.string().check(z.minLength(1)),
  label: z.string(),
  usedMinor: minor,
  limitMinor: minor,
  balanceMinor: minor,
  currency: z.string().check(z.regex(/^(?:[A-Z]{3}|credits)$/)),
  exponent: z.int().check(z.gte(0), z.lte(20)),
  unlimited: z.boolean(),
  unknown: z.optional(z.literal(true)),
});

const count = finite.check(z.gte(0));
const usd = finite.check(z.gte(0));
const totals = z.strictObject({
  inputTokens: count,
  outputTokens: count,
  cacheCreationTokens: count,
  cacheReadTokens: count,
  totalTokens: count,
  costUSD: usd,
});

/** `providers[].usage`: tokens and cost from the account's local logs (core/usage/summary.ts). */
export const jsonUsageV1 = z.strictObject({
  day: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
  timeZone: z.string().check(z.minLength(1)),
  today: totals,
  last30Days: totals,
  topModels: z.array(z.strictObject({ model: z.string(), totalTokens: count, costUSD: usd })).check(z.maxLength(3)),
  dailyCostUSD: z.array(usd).check(z.minLength(29), z.maxLength(30)),
  block: z.nullable(
    z.strictObject({
      startsAt: iso,
      endsAt: iso,
      totalTokens: count,
      costUSD: usd,
      costPerHour: z.nullable(usd),
      tokensPerMinute: z.nullable(count),
      projectedCostUSD: z.nullable(usd),
    }),
  ),
  unpricedModels: z.array(z.string()),
});

/** One `providers[]` entry. */
export const jsonProviderV1 = z.strictObject({
  id: z.string().check(z.minLength(1)),
  account: z.strictObject({ id: z.string().check(z.minLength(1)), label: z.string() }),
  source: z.nullable(z.string()),
  status: z.enum(['ok', 'stale', 'signed-out', 'unauthorized', 'rate-limited', 'offline', 'error']),
  message: z.string(),
  fix: z.string(),
  stale: z.boolean(),
  plan: z.nullable(z.string()),
  fetchedAt: z.nullable(iso),
  retryAt: z.nullable(iso),
  windows: z
    .array(jsonWindowV1)
    .check(z.refine((windows) => new Set(windows.map((w) => w.id)).size === windows.length, 'window ids are unique')),
  money: z.array(jsonMoneyV1),
  /** Present when the run read the local logs (the CLI's default command); null when the account's logs are empty. */
  usage: z.optional(z.nullable(jsonUsageV1)),
});

/** One `alerts[]` entry. */
export const jsonAlertV1 = z.strictObject({
  id: z.string().check(z.minLength(1)),
  provider: z.string(),
  account: z.string(),
  windowId: z.nullable(z.string()),
  kind: z.enum(['threshold', 'depleted', 'restored', 'reset', 'predictive', 'sign-in']),
  title: z.string(),
  body: z.string(),
  url: z.string(),
  urgency: z.enum(['normal', 'high']),
});

/** The whole document. */
export const jsonDocumentV1 = z.strictObject({
  version: z.literal(1),
  generatedAt: z.string(),
  providers: z.array(jsonProviderV1),
  alerts: z.array(jsonAlertV1),
  /** Team telemetry (core/telemetry/json.ts): its own tests check its fields; here only its presence and shape. */
  telemetry: z.nullable(z.looseObject({ from: z.string(), to: z.string() })),
  /** Problems of the run itself (an unwritable state folder), only when there are some. */
  notices: z.optional(z.array(z.string())),
});
