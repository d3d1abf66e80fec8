/**
 * Headroom's offline price table for the local-log usage report: a dated snapshot of the public per-token list
 * prices of the Claude, OpenAI and Gemini models, in USD per million tokens. Cost is computed offline from it; a
 * model it does not know is reported as unpriced (cost 0, `unpriced: true`), never silently as free.
 *
 * Sources (snapshot of 2026-11-30): Anthropic's pricing page (https://docs.anthropic.com/en/docs/about-claude/pricing),
 * OpenAI's (https://openai.com/api/pricing/), Google's (https://ai.google.dev/gemini-api/docs/pricing), as collected in
 * BerriAI/litellm `model_prices_and_context_window.json`, the table ccusage 20 embeds; each value was checked
 * against `ccusage daily --offline` 20.0.24 on single-line probes so the two tools agree.
 *
 * Two kinds of long-context prices exist:
 * - `perClass` (Claude Sonnet 4 / 4.5, LiteLLM's `*_above_200k_tokens`, as ccusage `cost.rs` applies them): within one
 *   message, each token class is priced `n ≤ T ? n·base : T·base + (n−T)·above` separately;
 * - `request` (Gemini 2.5 Pro, GPT-5.4, GPT-5.5): once a request's context (input + cache read + cache write) exceeds
 *   T, every token of the request is priced at the premium rate of its class (classes without one keep the base).
 */

/** Prices of one model, USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Cache writes with the 5-minute lifetime (default 1.25 × input). */
  cacheWrite5m: number;
  /** Cache writes with the 1-hour lifetime (2 × input, as ccusage computes it). */
  cacheWrite1h: number;
  cacheRead: number;
  /** Long-context prices, if the model has them. */
  tier?: PriceTier;
  /** Price factor of fast mode (`speed: "fast"`, reported as `<model>-fast`); 1 when absent. */
  fastMultiplier?: number;
}

/** A long-context price step (see the module comment for the two kinds). */
export interface PriceTier {
  kind: 'perClass' | 'request';
  /** Tokens: the threshold T. */
  threshold: number;
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheRead: number;
}

/** The day the prices were taken, ISO date. */
export const PRICES_AS_OF = '2026-11-30';

/** Prices of a model given as `[input, output, cacheWrite5m, cacheRead]`; 1 h cache writes are 2 × input. */
function price(input: number, output: number, cacheWrite5m: number, cacheRead: number, tier?: PriceTier): ModelPrice {
  return { input, output, cacheWrite5m, cacheWrite1h: 2 * input, cacheRead, ...(tier ? { tier } : {}) };
}

const SONNET_4_TIER: PriceTier = {
  kind: 'perClass',
  threshold: 200_000,
  input: 6,
  output: 22.5,
  cacheWrite5m: 7.5,
  cacheRead: 0.6,
};

const OPUS_4 = price(15, 75, 18.75, 1.5);
const OPUS_45 = price(5, 25, 6.25, 0.5);
const SONNET_4 = price(3, 15, 3.75, 0.3, SONNET_4_TIER);
const SONNET_46 = price(3, 15, 3.75, 0.3);
const HAIKU_45 = price(1, 5, 1.25, 0.1);
const GPT_5 = price(1.25, 10, 1.5625, 0.125);

/**
 * Known models by exact name. Claude Code writes dated ids (`claude-sonnet-4-5-20250929`) and the short aliases of
 * `/model` (`sonnet`); Codex writes OpenAI ids (`gpt-5-codex`).
 */
export const PRICES: Readonly<Record<string, ModelPrice>> = {
  // Anthropic
  'claude-opus-4-20250514': OPUS_4,
  'claude-opus-4-0': OPUS_4,
  'claude-opus-4-1-20250805': OPUS_4,
  'claude-opus-4-1': OPUS_4,
  'claude-opus-4-5-20251101': OPUS_45,
  'claude-opus-4-5': OPUS_45,
  // Fast mode of Opus 4.6 costs 6 × (Anthropic's pricing page, "fast mode"); other models' fast mode 1 ×.
  'claude-opus-4-6': { ...OPUS_45, fastMultiplier: 6 },
  opus: OPUS_45,
  'claude-sonnet-4-20250514': SONNET_4,
  'claude-sonnet-4-0': SONNET_4,
  'claude-sonnet-4-5-20250929': SONNET_4,
  'claude-sonnet-4-5': SONNET_4,
  sonnet: SONNET_4,
  'claude-sonnet-4-6': SONNET_46,
  'claude-3-7-sonnet-20250219': SONNET_46,
  'claude-haiku-4-5-20251001': HAIKU_45,
  'claude-haiku-4-5': HAIKU_45,
  haiku: HAIKU_45,
  'claude-3-5-haiku-20241022': price(0.8, 4, 1, 0.08),
  // OpenAI
  'gpt-5': GPT_5,
  'gpt-5-codex': GPT_5,
  'gpt-5.1': GPT_5,
  'gpt-5.1-codex': price(1.25, 10, 1.25, 0.125),
  'gpt-5.1-codex-max': GPT_5,
  'gpt-5.1-codex-mini': price(0.25, 2, 0.3125, 0.025),
  'gpt-5-mini': price(0.25, 2, 0.3125, 0.025),
  'gpt-5.2': price(1.75, 14, 1.75, 0.175),
  'gpt-5.2-codex': price(1.75, 14, 1.75, 0.175),
  'gpt-5.3-codex': price(1.75, 14, 2.1875, 0.175),
  'gpt-5.4': price(2.5, 15, 3.125, 0.25, {
    kind: 'request',
    threshold: 272_000,
    input: 5,
    output: 22.5,
    cacheWrite5m: 3.125,
    cacheRead: 0.5,
  }),
  'gpt-5.5': price(5, 30, 6.25, 0.5, {
    kind: 'request',
    threshold: 272_000,
    input: 10,
    output: 45,
    cacheWrite5m: 6.25,
    cacheRead: 1,
  }),
  // Google
  'gemini-2.5-pro': price(1.25, 10, 1.5625, 0.125, {
    kind: 'request',
    threshold: 200_000,
    input: 2.5,
    output: 15,
    cacheWrite5m: 1.5625,
    cacheRead: 0.25,
  }),
  'gemini-2.5-flash': price(0.3, 2.5, 0.375, 0.03),
  'gemini-3-pro-preview': price(2, 12, 2.5, 0.2),
  'gemini-3-flash-preview': price(0.5, 3, 0.625, 0.05),
};

/** Tokens of one request by class, as counted in the logs. */
export interface TokenCounts {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

const lookupCache = new Map<string, ModelPrice | null>();

const KEYS_LONGEST_FIRST = Object.keys(PRICES).sort((a, b) => b.length - a.length);

/**
 * The prices of a model: exact name, else the name without a provider prefix (`anthropic/`, `openai/`) or a date
 * suffix (`-20250929`), else the longest known name it extends at a `-` (`gpt-5-mock` → `gpt-5`, as ccusage's
 * fuzzy lookup does); null when unknown (the model is then reported as unpriced).
 */
export function priceOf(model: string): ModelPrice | null {
  const cached = lookupCache.get(model);
  if (cached !== undefined) return cached;
  let name = model.trim().toLowerCase();
  const slash = name.lastIndexOf('/');
  if (slash >= 0) name = name.slice(slash + 1);
  const found =
    PRICES[name] ??
    PRICES[name.replace(/-\d{8}$/, '')] ??
    PRICES[KEYS_LONGEST_FIRST.find((key) => name.startsWith(`${key}-`)) ?? ''] ??
    null;
  if (lookupCache.size < 10_000) lookupCache.set(model, found);
  return found;
}

/**
 * The cost of one request in USD, or null when the model has no price. A model named `<model>-fast` (Claude's
 * `speed: "fast"`) is priced as `<model>` times its {@link ModelPrice.fastMultiplier}.
 */
export function costOf(model: string, tokens: TokenCounts): number | null {
  const fast = model.endsWith('-fast');
  const p = priceOf(fast ? model.slice(0, -'-fast'.length) : model);
  if (!p) return null;
  const tier = p.tier;
  let cost: number;
  if (
    tier?.kind === 'request' &&
    tokens.input + tokens.cacheRead + tokens.cacheWrite5m + tokens.cacheWrite1h > tier.threshold
  ) {
    cost =
      tokens.input * tier.input +
      tokens.output * tier.output +
      tokens.cacheWrite5m * tier.cacheWrite5m +
      tokens.cacheWrite1h * 2 * tier.input +
      tokens.cacheRead * tier.cacheRead;
  } else if (tier?.kind === 'perClass') {
    const t = tier.threshold;
    const step = (n: number, base: number, above: number): number => (n <= t ? n * base : t * base + (n - t) * above);
    cost =
      step(tokens.input, p.input, tier.input) +
      step(tokens.output, p.output, tier.output) +
      step(tokens.cacheWrite5m, p.cacheWrite5m, tier.cacheWrite5m) +
      step(tokens.cacheWrite1h, p.cacheWrite1h, 2 * tier.input) +
      step(tokens.cacheRead, p.cacheRead, tier.cacheRead);
  } else {
    cost =
      tokens.input * p.input +
      tokens.output * p.output +
      tokens.cacheWrite5m * p.cacheWrite5m +
      tokens.cacheWrite1h * p.cacheWrite1h +
      tokens.cacheRead * p.cacheRead;
  }
  return (cost / 1_000_000) * (fast ? (p.fastMultiplier ?? 1) : 1);
}
