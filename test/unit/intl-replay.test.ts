import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  captureDate,
  captureNumber,
  installIntlReplay,
  replayable,
  uninstallIntlReplay,
} from '../../core/intl-replay.js';

// The plugin replays Intl formatters from stored tables (core/intl-replay.ts). What a user would notice if it were
// wrong: a reset time, weekday, percent or amount that reads differently from what Intl (and the GNOME extension)
// shows. So every recipe is compared with Intl itself, in many locales, numbering systems and time zones.

const LOCALES = [
  'en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES', 'pt-BR', 'ru-RU', 'ja-JP', 'zh-CN', 'ko-KR',
  'ar-EG', 'fa-IR', 'hi-IN', 'bn-BD', 'he-IL', 'th-TH', 'sv-SE', 'fi-FI', 'nl-NL', 'pl-PL',
]; // prettier-ignore
const ZONES = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];

// The option sets core/format.ts asks for.
const DATE_OPTIONS: Intl.DateTimeFormatOptions[] = [
  { hour: '2-digit', minute: '2-digit' },
  { hour: 'numeric', minute: '2-digit' },
  { hour: 'numeric', hourCycle: 'h12', minute: '2-digit' },
  { hour: '2-digit', hourCycle: 'h23', minute: '2-digit' },
  { weekday: 'short', hour: 'numeric', minute: '2-digit' },
  { weekday: 'short', hour: '2-digit', hourCycle: 'h23', minute: '2-digit' },
  { day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' },
  { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' },
];

/** Deterministic instants spread over 2024–2027 (DST changes included), minute precision and not. */
function instants(count: number): number[] {
  let seed = 42;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const start = Date.UTC(2024, 0, 1);
  return Array.from({ length: count }, () => start + Math.floor(next() * 4 * 365 * 86_400_000));
}

const savedTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = savedTz;
  vi.resetModules();
});

describe('date recipes replay exactly what Intl formats', () => {
  for (const zone of ZONES) {
    it(`in ${zone}`, () => {
      process.env.TZ = zone; // Node applies a changed TZ to Date and Intl at once
      let replayed = 0;
      for (const locale of LOCALES) {
        for (const options of DATE_OPTIONS) {
          const intl = new Intl.DateTimeFormat(locale, options);
          const recipe = captureDate(intl);
          if (!recipe) continue;
          replayed++;
          const format = replayOf(recipe, intl);
          for (const at of instants(100))
            expect(format(at), `${locale} ${JSON.stringify(options)}`).toBe(intl.format(at));
        }
      }
      // Replay must actually happen, or this test could not fail: nearly every pair is replayable.
      expect(replayed).toBeGreaterThan(LOCALES.length * DATE_OPTIONS.length * 0.8);
    });
  }

  it('refuses what it cannot replay: a year, a time zone name, a non-Gregorian calendar', () => {
    expect(captureDate(new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short' }))).toBeNull();
    expect(captureDate(new Intl.DateTimeFormat('en-US', { hour: 'numeric', timeZoneName: 'short' }))).toBeNull();
    expect(captureDate(new Intl.DateTimeFormat('ja-JP-u-ca-japanese', { era: 'short', month: 'short' }))).toBeNull();
  });
});

describe('number recipes replay exactly what Intl formats', () => {
  const cases: [Intl.NumberFormatOptions, number, number][] = [
    [{ style: 'percent', maximumFractionDigits: 0 }, 100, 0],
    [{ style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }, 1, 2],
    [{ style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 2 }, 1, 2],
    [{ style: 'currency', currency: 'JPY', minimumFractionDigits: 0, maximumFractionDigits: 0 }, 1, 0],
    [{ minimumFractionDigits: 2, maximumFractionDigits: 2 }, 1, 2],
  ];
  for (const [options, scale, fraction] of cases) {
    it(JSON.stringify(options), () => {
      let replayed = 0;
      for (const locale of LOCALES) {
        const intl = new Intl.NumberFormat(locale, options);
        const recipe = captureNumber(intl, scale, fraction);
        if (!recipe) continue;
        replayed++;
        const format = replayOf(recipe, intl);
        // Whole minor units (what Headroom formats), across the range a recipe covers and beyond it.
        for (let minor = 0; minor < 120_000; minor += 97) {
          const value = minor / 10 ** fraction / scale;
          expect(format(value), `${locale} ${value}`).toBe(intl.format(value));
        }
        for (const value of [-1, -0.5, 1e6, 1234.5, 0.005 / scale]) expect(format(value)).toBe(intl.format(value));
      }
      expect(replayed).toBeGreaterThan(LOCALES.length * 0.8);
    });
  }
});

describe('a run with replay on (the plugin) reads like one without (GNOME)', () => {
  const at = Date.UTC(2026, 10, 30, 17, 5);
  const now = Date.UTC(2026, 10, 28, 9, 0);

  async function freshFormat() {
    vi.resetModules();
    return {
      format: await import('../../core/format.js'),
      replay: await import('../../core/intl-replay.js'),
    };
  }

  function sample(format: typeof import('../../core/format.js'), locale: string | undefined) {
    const options = { locale };
    return [
      format.formatPercent(37, options),
      format.formatPercent(100, options),
      format.formatClockTime(at, options),
      format.formatLocalTime(at, now, options),
      format.formatLocalTime(at + 20 * 86_400_000, now, options),
      format.formatLocalTime(at, at - 3_600_000, options),
      format.formatMoney(12345, 'USD', 2, options),
      format.formatMoney(1234, 'EUR', 2, options),
      format.formatMoney(987, 'credits', 2, options),
      format.formatResetCountdown(at, now, { locale, hour12: true }),
    ];
  }

  for (const locale of [undefined, 'en-US', 'de-DE', 'ar-EG', 'hi-IN']) {
    it(`locale ${locale ?? '(default)'}`, async () => {
      process.env.TZ = 'Europe/Berlin';
      const plain = sample((await freshFormat()).format, locale);

      // First run: replay on with nothing stored; it records recipes as it goes, and prints the same.
      const first = await freshFormat();
      first.replay.installIntlReplay(null, 'key-1');
      expect(sample(first.format, locale)).toEqual(plain);
      const stored = JSON.parse(JSON.stringify(first.replay.changedIntlReplay()));
      expect(Object.keys(stored.recipes).length).toBeGreaterThan(3);

      // Next run: replayed from the stored recipes without building any Intl formatter that has a recipe.
      const second = await freshFormat();
      second.replay.installIntlReplay(stored, 'key-1');
      // Intl's formatters are taken away: what has a recipe must not need them.
      const { NumberFormat, DateTimeFormat } = Intl;
      const refuse = (): never => {
        throw new Error('an Intl formatter was built');
      };
      if (locale === undefined || locale === 'en-US' || locale === 'de-DE') {
        Object.assign(Intl, { NumberFormat: refuse, DateTimeFormat: refuse });
      }
      try {
        expect(sample(second.format, locale)).toEqual(plain);
      } finally {
        Object.assign(Intl, { NumberFormat, DateTimeFormat });
      }
      expect(second.replay.changedIntlReplay()).toBeNull();

      // Recipes made under another locale environment are dropped, not replayed.
      const other = await freshFormat();
      other.replay.installIntlReplay(stored, 'key-2');
      expect(sample(other.format, locale)).toEqual(plain);
      expect(other.replay.changedIntlReplay()?.key).toBe('key-2');
    });
  }

  it('stored recipes it cannot read are never used, and kept for the Headroom that wrote them', async () => {
    const { format, replay } = await freshFormat();
    const key = JSON.stringify(['NumberFormat', 'en-US', { style: 'percent', maximumFractionDigits: 0 }]);
    replay.installIntlReplay(
      { key: 'k', recipes: { [key]: { kind: 'number', prefix: '', suffix: '%', digits: ['x'] }, other: 5 } },
      'k',
    );
    expect(format.formatPercent(37, { locale: 'en-US' })).toBe('37%');
    const saved = replay.changedIntlReplay()?.recipes;
    expect(saved?.[key]).toMatchObject({ kind: 'number', digits: '0123456789'.split('') });
    expect(saved?.other).toBe(5);
  });
});

type AnyRecipe = NonNullable<ReturnType<typeof captureDate>>;

/**
 * A recipe replayed through the public path (`replayable` with the recipe stored), falling back to `intl` for values
 * it does not cover, as the plugin does.
 */
function replayOf(recipe: AnyRecipe, intl: { format(value: number): string }): (value: number) => string {
  installIntlReplay({ key: 't', recipes: { r: recipe } }, 't');
  const formatter = replayable(
    'r',
    () => intl,
    () => null,
  );
  uninstallIntlReplay();
  return (value) => formatter.format(value);
}
