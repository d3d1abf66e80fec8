/**
 * Intl formatters replayed from tables, so that a short-lived process (the SwiftBar plugin runs once per refresh)
 * need not start ICU at all.
 *
 * Why: the first `Intl.NumberFormat` or `Intl.DateTimeFormat` a V8 process builds costs about 20 ms, most of it
 * V8 listing the locales ICU has (measured on Node 20: `new Intl.PluralRules` takes 1 ms, the first
 * `Intl.NumberFormat` 20–30 ms, every later one well under 1 ms). For a plugin that otherwise runs in about as long
 * again, that is a third of a run.
 *
 * How: the first time a run asks for a formatter, it is built with Intl as before, and its output is captured as a
 * {@link Recipe}: the literal text between fields and, per field, the exact string Intl gives for every value the
 * field can take (the 24 hours, 60 minutes, 7 weekdays, 12 months, 31 days; the 10 digits of the numbering
 * system). The shell stores the recipes (the plugin: `intl-replay.json` in its state folder) and installs them at the
 * start of the next run; from then on the same formatter is replayed from the tables, local time coming from
 * `Date`'s own getters (the same time zone Intl uses by default). A recipe is only made when replaying it gives
 * Intl's output on every probe value; otherwise that formatter is marked as not replayable and Intl builds it.
 *
 * The stored recipes are keyed by what decides the default locale (the locale environment variables and the ICU
 * version, see the shell): a change of either discards them. The GNOME Shell extension, a long-lived process,
 * installs nothing and always uses Intl.
 */
import * as z from 'zod/mini';

/** The date fields a recipe can replay, each read from the local time of the instant. */
const DATE_FIELDS = ['weekday', 'day', 'month', 'hour', 'minute', 'dayPeriod'] as const;
type DateField = (typeof DATE_FIELDS)[number];

/**
 * A replayable formatter, or a fact Intl resolved:
 * - `fact`: a string such as a locale's hour cycle;
 * - `date`: `parts` are literal strings and `{f: field}` references; `tables[field][i]` is the text for value `i`
 *   (weekday 0–6 from Sunday, day 1–31 at index 1–31, month 0–11, hour 0–23, minute 0–59, dayPeriod by hour 0–23);
 * - `number`: a number shown with no grouping and `fraction` fraction digits (0 for whole numbers), its digits
 *   through `digits` (the numbering system's 0–9), between `prefix` and `suffix`, with `decimal` before the fraction;
 *   only for values from 0 up to `below` (where grouping would start) that need no rounding at that precision;
 *   `scale` multiplies first (100 for percent style).
 */
export type Recipe =
  | { kind: 'fact'; value: string }
  | { kind: 'date'; parts: (string | { f: DateField })[]; tables: Partial<Record<DateField, string[]>> }
  | {
      kind: 'number';
      prefix: string;
      suffix: string;
      digits: string[];
      decimal: string;
      fraction: number;
      scale: number;
      below: number;
    };

/** What the shell stores between runs: the environment key and one recipe (or null: not replayable) per formatter. */
export interface StoredRecipes {
  key: string;
  recipes: Record<string, unknown>;
}

const recipeSchema = z.union([
  z.object({ kind: z.literal('fact'), value: z.string() }),
  z.object({
    kind: z.literal('date'),
    parts: z.array(z.union([z.string(), z.object({ f: z.enum(DATE_FIELDS) })])),
    tables: z.partialRecord(z.enum(DATE_FIELDS), z.array(z.string())),
  }),
  z.object({
    kind: z.literal('number'),
    prefix: z.string(),
    suffix: z.string(),
    digits: z.array(z.string()).check(z.length(10)),
    decimal: z.string(),
    fraction: z.number().check(z.int(), z.gte(0), z.lte(20)),
    scale: z.number().check(z.positive()),
    below: z.number().check(z.positive()),
  }),
]);

const storedSchema = z.object({ key: z.string(), recipes: z.record(z.string(), z.unknown()) });

/** The installed recipes (null: replay is off, as in the GNOME Shell extension), and whether they changed. */
let installed: {
  key: string;
  recipes: Map<string, Recipe | null>;
  /** Entries this Headroom cannot read (a newer one's kinds): written back as they were. */
  foreign: Record<string, unknown>;
  changed: boolean;
} | null = null;

/**
 * Turns replay on for this process with the recipes a shell stored (`stored`: the parsed JSON of its file, or null),
 * kept only when they were made under the same `key` (e.g. the locale variables and ICU version). Malformed
 * recipes are not used (and kept as they were, in case a newer Headroom wrote them).
 */
export function installIntlReplay(stored: unknown, key: string): void {
  const recipes = new Map<string, Recipe | null>();
  const foreign: Record<string, unknown> = {};
  const parsed = storedSchema.safeParse(stored);
  if (parsed.success && parsed.data.key === key) {
    for (const [name, value] of Object.entries(parsed.data.recipes)) {
      const recipe = value === null ? null : recipeSchema.safeParse(value);
      if (recipe === null) recipes.set(name, null);
      else if (recipe.success) recipes.set(name, recipe.data as Recipe);
      else foreign[name] = value;
    }
  }
  installed = { key, recipes, foreign, changed: false };
}

/** The recipes to store when this run made new ones; null when nothing changed or replay is off. */
export function changedIntlReplay(): StoredRecipes | null {
  if (!installed?.changed) return null;
  return { key: installed.key, recipes: { ...installed.foreign, ...Object.fromEntries(installed.recipes) } };
}

/** Turns replay off again (tests). */
export function uninstallIntlReplay(): void {
  installed = null;
}

/** Formats like an Intl formatter's `format`. */
export interface Formatter<T> {
  format(value: T): string;
}

/**
 * A formatter for `name` (a key naming the Intl constructor, locale and options): replayed from its recipe when
 * replay is on and one exists; otherwise `build()` makes the Intl formatter, and with replay on its recipe is
 * captured (`capture`) for the next run. Where a value falls outside what a recipe covers, the Intl formatter is
 * built after all.
 */
export function replayable<T extends number | Date>(
  name: string,
  build: () => Formatter<T>,
  capture: (intl: Formatter<T>) => Recipe | null,
): Formatter<T> {
  let intl: Formatter<T> | null = null;
  const real = (): Formatter<T> => (intl ??= build());
  if (!installed) return real();
  let recipe = installed.recipes.get(name);
  if (recipe === undefined) {
    recipe = capture(real());
    installed.recipes.set(name, recipe);
    installed.changed = true;
  }
  if (recipe === null) return real();
  const replay = recipe;
  return { format: (value) => replayRecipe(replay, value) ?? real().format(value) };
}

/** Facts resolved by this process (the GNOME extension asks for a locale's hour cycle at every clock time). */
const resolvedFacts = new Map<string, string>();

/**
 * A string Intl resolves for `name` (e.g. a locale's hour cycle): from the installed recipes when replay is on and
 * one is stored, else `resolve()` (stored for the next run when replay is on).
 */
export function replayedFact(name: string, resolve: () => string): string {
  const stored = installed?.recipes.get(name);
  if (stored?.kind === 'fact') return stored.value;
  let value = resolvedFacts.get(name);
  if (value === undefined) resolvedFacts.set(name, (value = resolve()));
  if (installed) {
    installed.recipes.set(name, { kind: 'fact', value });
    installed.changed = true;
  }
  return value;
}

/** The recipe's text for a value, or null when the recipe does not cover it. */
function replayRecipe(recipe: Recipe, value: number | Date): string | null {
  if (recipe.kind === 'fact') return null;
  if (recipe.kind === 'date') {
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) return null;
    let out = '';
    for (const part of recipe.parts) {
      if (typeof part === 'string') out += part;
      else {
        const text = recipe.tables[part.f]?.[fieldValue(date, part.f)];
        if (text === undefined) return null;
        out += text;
      }
    }
    return out;
  }
  const number = typeof value === 'number' ? value * recipe.scale : NaN;
  const scaled = Math.round(number * 10 ** recipe.fraction);
  // Only values that are exact at the shown precision: rounding of halves is Intl's business.
  if (!(number >= 0 && number < recipe.below) || Math.abs(scaled - number * 10 ** recipe.fraction) > 1e-6) return null;
  const text = String(scaled).padStart(recipe.fraction + 1, '0');
  const whole = text.slice(0, text.length - recipe.fraction);
  const fraction = text.slice(text.length - recipe.fraction);
  const digits = (s: string): string => s.replace(/\d/g, (d) => recipe.digits[Number(d)]!);
  return `${recipe.prefix}${digits(whole)}${recipe.fraction > 0 ? recipe.decimal + digits(fraction) : ''}${recipe.suffix}`;
}

/** A date field's value in local time: the index into its table. */
function fieldValue(date: Date, field: DateField): number {
  switch (field) {
    case 'weekday':
      return date.getDay();
    case 'day':
      return date.getDate();
    case 'month':
      return date.getMonth();
    case 'minute':
      return date.getMinutes();
    default:
      return date.getHours();
  }
}

type PartsFormatter<T> = { formatToParts(value: T): { type: string; value: string }[] };

/** Local instants for the probes: 2025 (no DST change on any of these days anywhere), at noon unless given. */
const local = (month: number, day: number, hour = 12, minute = 0): Date => new Date(2025, month, day, hour, minute);

/**
 * The recipe of an `Intl.DateTimeFormat` in local time, or null when it shows anything but the fields above or a
 * replay differs from Intl on any probe. Probes: every hour, minute, weekday, day and month.
 */
export function captureDate(intl: PartsFormatter<Date> & Formatter<Date>): Recipe | null {
  const layout = (parts: { type: string; value: string }[]): string =>
    parts.map((part) => (part.type === 'literal' ? `'${part.value}'` : part.type)).join('|');
  const reference = intl.formatToParts(local(0, 15, 13, 7));
  const fields = new Set<DateField>();
  for (const part of reference) {
    if (part.type === 'literal') continue;
    if (!(DATE_FIELDS as readonly string[]).includes(part.type)) return null;
    fields.add(part.type as DateField);
  }
  const probes: Record<DateField, Date[]> = {
    hour: Array.from({ length: 24 }, (_, h) => local(0, 15, h, 7)),
    dayPeriod: Array.from({ length: 24 }, (_, h) => local(0, 15, h, 7)),
    minute: Array.from({ length: 60 }, (_, m) => local(0, 15, 13, m)),
    weekday: Array.from({ length: 7 }, (_, d) => local(5, 1 + d)), // 1 June 2025 is a Sunday
    day: [local(0, 1), ...Array.from({ length: 31 }, (_, d) => local(0, 1 + d))],
    month: Array.from({ length: 12 }, (_, m) => local(m, 15)),
  };
  const tables: Partial<Record<DateField, string[]>> = {};
  for (const field of fields) {
    tables[field] = probes[field].map((date) => intl.formatToParts(date).find((p) => p.type === field)?.value ?? '');
  }
  const parts = reference.map((part) => (part.type === 'literal' ? part.value : { f: part.type as DateField }));
  let recipe: Recipe = { kind: 'date', parts, tables };
  // V8's `format` writes plain spaces where `formatToParts` (as ICU 72+) has a narrow no-break or thin space, e.g.
  // before "PM" (https://github.com/nodejs/node/issues/49222): the literals follow `format`.
  if (replayRecipe(recipe, local(0, 15, 13, 7)) !== intl.format(local(0, 15, 13, 7))) {
    const spaced = parts.map((part) => (typeof part === 'string' ? part.replace(/[\u202f\u2009]/g, ' ') : part));
    recipe = { kind: 'date', parts: spaced, tables };
  }
  // Every probe must give the same layout and the same text as Intl.
  const want = layout(reference);
  for (const date of Object.values(probes).flat()) {
    if (layout(intl.formatToParts(date)) !== want || replayRecipe(recipe, date) !== intl.format(date)) return null;
  }
  return recipe;
}

/**
 * The recipe of an `Intl.NumberFormat` for non-negative numbers below its grouping threshold, or null when its
 * output has any part but the number, a percent or currency sign and literals around it, or a replay differs from
 * Intl on a probe. `scale` is 100 for percent style, else 1; `fraction` the fixed number of fraction digits.
 */
export function captureNumber(
  intl: PartsFormatter<number> & Formatter<number>,
  scale: number,
  fraction: number,
): Recipe | null {
  const step = 10 ** -fraction;
  const sample = (1 + 2 * step) / scale; // e.g. 1.02 with two fraction digits, 1 whole
  const parts = intl.formatToParts(sample);
  const at = parts.findIndex((part) => part.type === 'integer');
  if (at < 0) return null;
  const number = new Set(['integer', 'decimal', 'fraction']);
  let end = at;
  while (end < parts.length && number.has(parts[end]!.type)) end++;
  const around = [...parts.slice(0, at), ...parts.slice(end)];
  if (around.some((part) => !['literal', 'percentSign', 'currency'].includes(part.type))) return null;
  const text = (list: typeof parts): string => list.map((part) => part.value).join('');
  const digits = Array.from(
    { length: 10 },
    (_, d) => intl.formatToParts(d / scale).find((p) => p.type === 'integer')?.value ?? '',
  );
  const recipe: Recipe = {
    kind: 'number',
    prefix: text(parts.slice(0, at)),
    suffix: text(parts.slice(end)),
    digits,
    decimal: parts.find((part) => part.type === 'decimal')?.value ?? '',
    fraction,
    scale,
    below: 1000,
  };
  if (digits.some((d) => d.length === 0) || (fraction > 0 && recipe.decimal === '')) return null;
  for (const probe of [0, 1, 7, 19, 42, 99, 100, 250, 999]) {
    for (const extra of fraction > 0 ? [0, step, 37 * step] : [0]) {
      const value = (probe + extra) / scale;
      if (replayRecipe(recipe, value) !== intl.format(value)) return null;
    }
  }
  return recipe;
}
