/**
 * fast-check arbitraries for outside data with hostile numbers: out-of-range percents, instants and exponents,
 * decimal strings, huge digit strings, wrong types. Shapes follow the parsers' documented inputs (core/providers).
 */
import fc from 'fast-check';

/** Runs per parser: a few hundred in `npm test`; `HEADROOM_FUZZ_RUNS=100000` (`npm run fuzz`) for the long run. */
export const RUNS = Number(process.env.HEADROOM_FUZZ_RUNS ?? 300);

/** Numbers an API may send, including the absurd ones issue #13 found. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.integer({ min: -10, max: 1100 }),
  fc.integer({ min: 1_700_000_000, max: 1_900_000_000 }),
  fc.constantFrom(-1, 0, -0, 1, 50, 100, 101, 21, 1e13, 1e16, 1e17, 1e300, -1e300, 18000, 604800, 300, 10080, 8.64e15),
);

/** A number or a string standing for one (decimal, exponent, huge digit string) or not. */
export const numberish: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileNumber },
  fc.constantFrom('37', '12.5', '-3', '1e307', '', 'lots', ' 7 ', '1'.repeat(400), '0x10', '1790000000'),
  fc.constant(null),
  fc.boolean(),
);

/** An ISO instant, possibly absurd, or anything else a `resets_at` string field may hold. */
export const instantText: fc.Arbitrary<unknown> = fc.oneof(
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.constantFrom(
    '2026-11-22T10:00:00Z',
    '9999-12-31T23:59:59Z',
    '0000-01-01T00:00:00Z',
    'soon',
    '',
    '2026-13-45T99:99',
  ),
  numberish,
);

/** Any small JSON value. */
export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2 });

const maybe = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | unknown> =>
  fc.oneof({ weight: 5, arbitrary }, anyJson, fc.constant(undefined));

/** Short names, including symbol-only and dash names that slug to nothing. */
export const name: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('GPT-5.3-Codex-Spark', '—', '', '  ', 'Opus', 'a|b', '-x', 'codex_bengalfox', '🙂'),
  fc.string({ maxLength: 12 }),
  fc.constant(null),
);

const claudeWindow = fc.record({ utilization: numberish, resets_at: instantText }, { requiredKeys: [] });
const claudeAmount = fc.record(
  {
    amount_minor: numberish,
    currency: fc.constantFrom('USD', 'EUR', '', 'usd', 'XX', 'credits', 'ABCD'),
    exponent: numberish,
  },
  { requiredKeys: [] },
);

/** A `GET /api/oauth/usage` body (Anthropic). */
export const claudeUsageBody: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      five_hour: maybe(claudeWindow),
      seven_day: maybe(claudeWindow),
      seven_day_opus: maybe(claudeWindow),
      seven_day_sonnet: maybe(claudeWindow),
      limits: maybe(
        fc.array(
          fc.record(
            {
              kind: fc.constantFrom('session', 'weekly_all', 'weekly_scoped', 'other'),
              group: fc.constantFrom('weekly', 'x', null),
              percent: numberish,
              resets_at: instantText,
              scope: fc.record({ model: fc.record({ id: name, display_name: name }, { requiredKeys: [] }) }),
            },
            { requiredKeys: ['kind'] },
          ),
          { maxLength: 4 },
        ),
      ),
      extra_usage: maybe(
        fc.record(
          {
            is_enabled: fc.boolean(),
            monthly_limit: numberish,
            used_credits: numberish,
            currency: fc.constantFrom('USD', '', 'eur', 'ABCD', null),
            decimal_places: numberish,
          },
          { requiredKeys: [] },
        ),
      ),
      spend: maybe(fc.record({ enabled: fc.boolean(), used: claudeAmount, limit: claudeAmount }, { requiredKeys: [] })),
    },
    { requiredKeys: [] },
  ),
  anyJson,
);

const codexWindow = fc.record(
  { used_percent: numberish, limit_window_seconds: numberish, reset_at: numberish, reset_after_seconds: numberish },
  { requiredKeys: [] },
);
const codexRateLimit = fc.record(
  { primary_window: maybe(codexWindow), secondary_window: maybe(codexWindow) },
  { requiredKeys: [] },
);
/** Codex `credits` (API and rollouts alike). */
export const codexCredits: fc.Arbitrary<unknown> = maybe(
  fc.record({ has_credits: fc.boolean(), unlimited: fc.boolean(), balance: numberish }, { requiredKeys: [] }),
);

/** A `GET /backend-api/wham/usage` body (ChatGPT). */
export const codexUsageBody: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      plan_type: fc.constantFrom('pro', 'plus', '', null, 'free_workspace'),
      rate_limit: maybe(codexRateLimit),
      additional_rate_limits: maybe(
        fc.array(
          fc.record(
            { limit_name: name, metered_feature: name, rate_limit: maybe(codexRateLimit) },
            { requiredKeys: [] },
          ),
          { maxLength: 4 },
        ),
      ),
      credits: codexCredits,
    },
    { requiredKeys: [] },
  ),
  anyJson,
);

const rolloutWindow = fc.record(
  { used_percent: numberish, window_minutes: numberish, resets_at: numberish, resets_in_seconds: numberish },
  { requiredKeys: [] },
);

/** One rollout line: a `token_count` event with hostile `rate_limits`, or garbage. */
export const rolloutLine: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .record({
        timestamp: instantText,
        limit_id: name,
        limit_name: name,
        primary: maybe(rolloutWindow),
        secondary: maybe(rolloutWindow),
        credits: codexCredits,
        plan_type: fc.constantFrom('pro', null, ''),
      })
      .map(({ timestamp, ...rate_limits }) =>
        JSON.stringify({ timestamp, type: 'event_msg', payload: { type: 'token_count', rate_limits } }),
      ),
  },
  fc.string({ maxLength: 40 }).map((text) => `"token_count"${text}`),
);

/** A credentials file's text: a JSON object of roughly the right shape, any JSON, or any text (with a BOM maybe). */
export const credentialsText = (shape: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.oneof({ weight: 3, arbitrary: shape.map((value) => JSON.stringify(value) ?? '') }, fc.string()),
      fc.boolean(),
    )
    .map(([text, bom]) => (bom ? `\uFEFF${text}` : text));

/** A stored window, as the state file may hold it after any version or a hand edit. */
export const storedWindow = fc.record({
  id: fc.constantFrom('session', 'weekly', '', 'weekly-opus'),
  label: fc.string({ maxLength: 8 }),
  usedPercent: hostileNumber,
  resetsAt: fc.oneof(hostileNumber, fc.constant(null)),
  windowMinutes: fc.oneof(hostileNumber, fc.constant(null)),
});

/** A stored money entry. */
export const storedMoney = fc.record({
  id: fc.constantFrom('extra-usage', 'credits'),
  label: fc.string({ maxLength: 8 }),
  usedMinor: fc.oneof(hostileNumber, fc.constant(null)),
  limitMinor: fc.oneof(hostileNumber, fc.constant(null)),
  balanceMinor: fc.oneof(hostileNumber, fc.constant(null)),
  currency: fc.constantFrom('USD', '', 'credits', 'usd', 'ABCD'),
  exponent: hostileNumber,
  unlimited: fc.boolean(),
});

const storedSource = fc.record({
  lastAttemptAt: fc.oneof(hostileNumber, fc.constant(null)),
  lastGood: fc.oneof(
    fc.constant(null),
    fc.record({
      source: fc.constantFrom('api', 'logs'),
      capturedAt: hostileNumber,
      plan: fc.constantFrom('Pro', null),
      windows: fc.array(maybe(storedWindow), { maxLength: 3 }),
      money: fc.array(maybe(storedMoney), { maxLength: 2 }),
    }),
  ),
  lastFailure: fc.oneof(
    fc.constant(null),
    fc.record(
      {
        status: fc.constantFrom('signed-out', 'unauthorized', 'rate-limited', 'offline', 'error', 'bogus'),
        message: fc.string({ maxLength: 8 }),
        fix: fc.string({ maxLength: 8 }),
        retryAt: hostileNumber,
      },
      { requiredKeys: ['status', 'message', 'fix'] },
    ),
  ),
  failures: hostileNumber,
  nextAllowedAt: fc.oneof(hostileNumber, fc.constant(null)),
});

/** A state document's text. */
export const stateText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .record({
        version: fc.constantFrom(1, 2, 0, '1'),
        claude: fc.record({ api: maybe(storedSource) }, { requiredKeys: [] }),
        codex: fc.record({ api: maybe(storedSource), logs: maybe(storedSource) }, { requiredKeys: [] }),
        alerts: anyJson,
      })
      .map(({ version, claude, codex, alerts }) =>
        JSON.stringify({ version, memory: { claude: { sources: claude }, codex: { sources: codex } }, alerts }),
      ),
  },
  fc.string(),
  anyJson.map((value) => JSON.stringify(value) ?? ''),
);

/** A history line: a sample tuple with hostile numbers, or garbage. */
export const historyLine: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      hostileNumber,
      fc.constantFrom('claude', 'codex', ''),
      fc.constantFrom('session', 'weekly', ''),
      hostileNumber,
      fc.oneof(hostileNumber, fc.constant(null)),
      fc.oneof(hostileNumber, fc.constant(null)),
    )
    .map((tuple) => JSON.stringify(tuple)),
  fc.string(),
);

/** A config.json value. */
export const configValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      display: fc.constantFrom('used', 'remaining', 'x', 3),
      title: maybe(fc.array(fc.constantFrom('claude.session', 'codex.max', '', 'x.y'), { maxLength: 3 })),
      minFetchIntervalSeconds: numberish,
      locale: fc.constantFrom('en-GB', 'xx-invalid-', '', 'de-DE', 'en-US-u-nu-arab'),
      providers: anyJson,
      alerts: maybe(
        fc.record(
          {
            enabled: fc.boolean(),
            thresholds: fc.array(numberish, { maxLength: 4 }),
            quietHours: fc.record({ start: fc.string({ maxLength: 6 }), end: fc.constantFrom('07:00', '25:61', '') }),
          },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  ),
  anyJson,
);
