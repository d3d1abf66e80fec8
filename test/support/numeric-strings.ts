/**
 * Rewrites a captured payload the way a provider might send it tomorrow: every number under one of `keys` (at any
 * depth) becomes its decimal string, e.g. `{"utilization": 37}` → `{"utilization": "37"}`.
 */
export function numbersAsStrings(value: unknown, keys: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => numbersAsStrings(item, keys));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      typeof item === 'number' && keys.includes(key) ? String(item) : numbersAsStrings(item, keys),
    ]),
  );
}
