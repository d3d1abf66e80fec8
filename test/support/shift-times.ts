/**
 * Moves every reset time in a captured usage payload by the same amount, so a real capture can be replayed as if
 * it had been taken now: `resets_at` (ISO 8601, Claude) and `reset_at` (epoch seconds, Codex).
 */
export function shiftResetTimes(value: unknown, offsetMs: number): unknown {
  if (Array.isArray(value)) return value.map((item) => shiftResetTimes(item, offsetMs));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      if (key === 'resets_at' && typeof item === 'string') {
        return [key, new Date(Date.parse(item) + offsetMs).toISOString()];
      }
      if (key === 'reset_at' && typeof item === 'number') return [key, item + Math.round(offsetMs / 1000)];
      return [key, shiftResetTimes(item, offsetMs)];
    }),
  );
}
