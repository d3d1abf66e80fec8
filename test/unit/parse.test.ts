import { describe, expect, it } from 'vitest';
import { epochSecondsToMs, numberLike } from '../../core/parse.js';

describe('numberLike', () => {
  it.each([
    [37, 37],
    [12.5, 12.5],
    ['37', 37],
    ['12.5', 12.5],
    [' 12.5 ', 12.5],
    ['-3', -3],
    ['.5', 0.5],
    ['1790000000', 1790000000],
  ])('reads %j as %j', (value, expected) => {
    expect(numberLike.safeParse(value)).toMatchObject({ success: true, data: expected });
  });

  it.each([['lots'], [''], ['37%'], ['1e3'], ['0x10'], ['NaN'], ['Infinity'], ['9'.repeat(400)], [NaN], [Infinity]])(
    'rejects %j',
    (value) => {
      expect(numberLike.safeParse(value).success).toBe(false);
    },
  );

  it.each([[null], [undefined], [true], [[1]], [{ value: 1 }]])('rejects %j', (value) => {
    expect(numberLike.safeParse(value).success).toBe(false);
  });
});

describe('epochSecondsToMs', () => {
  it('reads epoch seconds as numbers or numeric strings', () => {
    expect(epochSecondsToMs(1790000000)).toBe(1790000000000);
    expect(epochSecondsToMs('1790000000')).toBe(1790000000000);
    expect(epochSecondsToMs('1790000000.5')).toBe(1790000000500);
  });

  it('gives null for non-numbers, zero, negatives and instants no Date can hold', () => {
    for (const value of ['soon', '', 0, -5, 1e300, null, undefined]) expect(epochSecondsToMs(value)).toBeNull();
  });
});
