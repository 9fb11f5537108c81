import { describe, expect, it } from 'vitest';
import { QuantityParseError, quantityMilliValue, quantityValue } from './quantity.js';

describe('scheduler — quantity Value() rounds up', () => {
  it.each([
    ['1', 1], ['1.5', 2], ['100m', 1], ['1Ki', 1024], ['1.5Gi', 1610612736], ['2M', 2000000], ['1e3', 1000],
    ['0', 0], [29, 29], ['-1.5', -2],
  ] as const)('%j → %d', (q, v) => expect(quantityValue(q)).toBe(v));
});

describe('scheduler — quantity MilliValue()', () => {
  it.each([
    ['1', 1000], ['0.5', 500], ['250m', 250], ['1n', 1], ['2.0005', 2001], ['1Ki', 1024000], ['100u', 1],
  ] as const)('%j → %d', (q, v) => expect(quantityMilliValue(q)).toBe(v));
});

describe('scheduler — quantity rejects malformed input', () => {
  it.each(['', 'abc', '1Qi', '1.2.3', 'm'])('%j', (q) => expect(() => quantityValue(q)).toThrow(QuantityParseError));
});
