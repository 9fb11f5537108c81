import { describe, expect, it } from 'vitest';
import { CronParseError, fromWall, parseSchedule, toWall } from './schedule.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('cron', () => {
  it.each([
    ['*/1 * * * *', '2026-11-22T11:12:45Z', '2026-11-22T11:13:00.000Z'],
    ['* * * * *', '2026-11-22T11:13:00Z', '2026-11-22T11:14:00.000Z'],
    ['*/15 * * * *', '2026-11-22T11:14:00Z', '2026-11-22T11:15:00.000Z'],
    ['5-10/2 * * * *', '2026-11-22T11:07:30Z', '2026-11-22T11:09:00.000Z'],
    ['0 9 * * MON-FRI', '2026-11-21T10:00:00Z', '2026-11-23T09:00:00.000Z'], // Saturday → Monday
    ['0 0 1 jan *', '2026-11-22T00:00:00Z', '2027-01-01T00:00:00.000Z'],
    ['0 0 13 * 5', '2026-11-01T00:00:00Z', '2026-11-06T00:00:00.000Z'], // day-of-month OR day-of-week (a Friday)
    ['0 0 31 * *', '2026-11-22T00:00:00Z', '2026-12-31T00:00:00.000Z'],
    ['30 2 * * ?', '2026-11-22T03:00:00Z', '2026-11-23T02:30:00.000Z'],
    ['@hourly', '2026-11-22T11:12:45Z', '2026-11-22T12:00:00.000Z'],
    ['@daily', '2026-11-22T11:12:45Z', '2026-11-23T00:00:00.000Z'],
    ['@weekly', '2026-11-22T11:12:45Z', '2026-11-29T00:00:00.000Z'],
    ['@monthly', '2026-11-22T11:12:45Z', '2026-12-01T00:00:00.000Z'],
    ['@yearly', '2026-11-22T11:12:45Z', '2027-01-01T00:00:00.000Z'],
    ['@every 90s', '2026-11-22T11:12:45.500Z', '2026-11-22T11:14:15.000Z'],
    ['TZ=Europe/Paris 0 9 * * *', '2026-11-22T07:00:00Z', '2026-11-22T08:00:00.000Z'], // CET = UTC+1
    ['CRON_TZ=Asia/Tokyo 0 0 * * *', '2026-11-22T12:00:00Z', '2026-11-22T15:00:00.000Z'],
  ])('next — %s after %s is %s', (spec, after, want) => {
    expect(iso(parseSchedule(spec).next(at(after)))).toBe(want);
  });

  it('next — a day that never comes gives up after five years', () => {
    expect(parseSchedule('0 0 30 2 *').next(at('2026-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('next — a wall time skipped by DST runs an hour later; zones follow their offset through the year', () => {
    // America/New_York springs forward on 2026-03-08 at 02:00.
    expect(iso(parseSchedule('TZ=America/New_York 30 2 * * *').next(at('2026-03-08T05:00:00Z')))).toBe('2026-03-08T07:30:00.000Z');
    expect(iso(parseSchedule('TZ=America/New_York 0 12 * * *').next(at('2026-07-01T00:00:00Z')))).toBe('2026-07-01T16:00:00.000Z');
    expect(iso(parseSchedule('TZ=America/New_York 0 12 * * *').next(at('2026-12-01T00:00:00Z')))).toBe('2026-12-01T17:00:00.000Z');
  });

  it.each([
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['*/2/3 * * * *', 'too many slashes: */2/3'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['* * * * 7', 'end of range (7) above maximum (6): 7'],
  ])('parse — %j fails with robfig/cron\'s message', (spec, message) => {
    expect(() => parseSchedule(spec)).toThrow(CronParseError);
    expect(() => parseSchedule(spec)).toThrow(message);
  });

  it('zones — wall time and back', () => {
    const t = at('2026-06-01T10:00:00Z');
    expect(new Date(toWall(t, 'Europe/Berlin')).toISOString()).toBe('2026-06-01T12:00:00.000Z');
    expect(fromWall(toWall(t, 'Europe/Berlin'), 'Europe/Berlin')).toBe(t);
  });
});
