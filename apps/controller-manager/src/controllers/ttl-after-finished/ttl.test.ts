import { describe, expect, it } from 'vitest';
import type { Job } from '../job/types.js';
import { needsCleanup, timeLeft } from './ttl.js';

const job = (ttl: number | undefined, finished?: { type: 'Complete' | 'Failed'; at: string }): Job => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'ns' },
  spec: { ...(ttl !== undefined ? { ttlSecondsAfterFinished: ttl } : {}), template: { spec: { containers: [] } } },
  status: finished ? { conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: finished.type, status: 'True', lastTransitionTime: finished.at }] } : {},
});

describe('ttl after finished', () => {
  it('needsCleanup — finished (Complete or Failed) with a TTL', () => {
    expect(needsCleanup(job(10, { type: 'Complete', at: '2026-01-01T00:00:00Z' }))).toBe(true);
    expect(needsCleanup(job(0, { type: 'Failed', at: '2026-01-01T00:00:00Z' }))).toBe(true);
    expect(needsCleanup(job(undefined, { type: 'Complete', at: '2026-01-01T00:00:00Z' }))).toBe(false);
    expect(needsCleanup(job(10))).toBe(false);
  });

  it('timeLeft — from the finish condition\'s transition, flagging a finish in the future', () => {
    const j = job(10, { type: 'Complete', at: '2026-01-01T00:00:00Z' });
    expect(timeLeft(j, Date.parse('2026-01-01T00:00:04Z'))).toEqual({ leftMs: 6000, skewed: false });
    expect(timeLeft(j, Date.parse('2026-01-01T00:00:12Z'))).toEqual({ leftMs: -2000, skewed: false });
    expect(timeLeft(j, Date.parse('2025-12-31T23:59:59Z'))?.skewed).toBe(true);
  });
});
