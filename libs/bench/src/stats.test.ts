import { describe, expect, it } from 'vitest';
import { knee, percentile, runLevel, type LevelResult } from './stats.js';

const level = (concurrency: number, perSecond: number, p99Ms: number, errors = 0): LevelResult =>
  ({ concurrency, ops: 100, errors, seconds: 1, perSecond, p50Ms: p99Ms / 2, p99Ms });

describe('bench stats', () => {
  it.each([
    [[], 99, 0],
    [[5], 99, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99, 10],
    [[10, 1, 9, 2], 25, 1],
  ])('percentile — %j p%d is %d', (sample, p, want) => {
    expect(percentile(sample, p)).toBe(want);
  });

  it('knee — the fastest level within the SLO, ignoring levels with errors', () => {
    expect(knee([level(1, 100, 20), level(8, 400, 300), level(32, 500, 1_500), level(16, 450, 800, 2)])?.concurrency).toBe(8);
  });

  it('knee — the first level when none meets the SLO', () => {
    expect(knee([level(1, 10, 2_000), level(4, 30, 5_000)])?.concurrency).toBe(1);
  });

  it('runLevel — runs exactly count operations across workers and counts failures apart', async () => {
    const seen = new Set<number>();
    const res = await runLevel(4, 20, (i) => {
      seen.add(i);
      return i % 5 === 0 ? Promise.reject(new Error('boom')) : Promise.resolve();
    });
    expect(seen.size).toBe(20);
    expect(res).toMatchObject({ concurrency: 4, ops: 16, errors: 4 });
  });
});
