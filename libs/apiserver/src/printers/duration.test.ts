import { describe, expect, it } from 'vitest';
import { humanDuration, since } from './duration.js';
import { ago, now, units } from './testing.fixture.js';

const { second: s, minute: m, hour: h, day: d } = units;

describe('humanDuration', () => {
  it.each([
    ['far future is invalid', -2 * s, '<invalid>'],
    ['up to a second of skew is 0s', -1999, '0s'],
    ['zero', 0, '0s'],
    ['sub-second truncates', 999, '0s'],
    ['seconds', 45 * s, '45s'],
    ['seconds up to two minutes', 119 * s + 999, '119s'],
    ['two minutes', 2 * m, '2m'],
    ['minutes and seconds under ten minutes', 2 * m + 30 * s, '2m30s'],
    ['last minute-second value', 9 * m + 59 * s, '9m59s'],
    ['ten minutes drops seconds', 10 * m + 30 * s, '10m'],
    ['minutes up to three hours', 179 * m + 59 * s, '179m'],
    ['three hours', 3 * h, '3h'],
    ['hours and minutes under eight hours', 3 * h + 30 * m, '3h30m'],
    ['last hour-minute value', 7 * h + 59 * m, '7h59m'],
    ['eight hours drops minutes', 8 * h + 30 * m, '8h'],
    ['hours up to two days', 47 * h + 59 * m, '47h'],
    ['two days', 2 * d, '2d'],
    ['days and hours under eight days', 2 * d + 3 * h, '2d3h'],
    ['last day-hour value', 7 * d + 23 * h, '7d23h'],
    ['eight days drops hours', 8 * d + 5 * h, '8d'],
    ['days up to two years', 729 * d, '729d'],
    ['two years', 730 * d, '2y'],
    ['years and days under eight years', 760 * d, '2y30d'],
    ['eight years', 8 * 365 * d, '8y'],
    ['beyond eight years drops days', 10 * 365 * d + 100 * d, '10y'],
  ])('humanDuration — %s', (_name, ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe('since', () => {
  it.each([
    ['unset is unknown', undefined, '<unknown>'],
    ['empty is unknown', '', '<unknown>'],
    ['garbage is unknown', 'yesterday-ish', '<unknown>'],
    ['RFC 3339 age', ago(5 * m), '5m'],
    ['micro time age', '2024-06-01T11:59:30.123456Z', '29s'],
  ])('since — %s', (_name, ts, want) => {
    expect(since(ts, now)).toBe(want);
  });
});
