import { describe, expect, it } from 'vitest';
import type { Pod } from '../../controller-utils/index.js';
import { nextBackoffRecord, remainingBackoff } from './backoff.js';
import { duplicatedIndexPods, firstPendingIndexes, formatIndexes, parseIndexes, succeededIndexes } from './indexes.js';
import { cleanUncounted, completionsReached, ensureCondition, isPodFailed, pastActiveDeadline, untilActiveDeadline, wantActive } from './status.js';
import { JOB_COMPLETION_INDEX, type Job, type JobStatus } from './types.js';

const job = (spec: Partial<Job['spec']> = {}, status: JobStatus = {}): Job => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'ns', uid: 'u' },
  spec: { parallelism: 2, completions: 5, backoffLimit: 6, template: { spec: { containers: [], restartPolicy: 'Never' } }, ...spec },
  status,
});
const pod = (name: string, phase: string, extra: { finishedAt?: string; deleting?: boolean; index?: number } = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name, namespace: 'ns', uid: name, creationTimestamp: '2026-01-01T00:00:00Z',
    ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:30Z' } : {}),
    ...(extra.index !== undefined ? { annotations: { [JOB_COMPLETION_INDEX]: String(extra.index) } } : {}),
  },
  spec: { containers: [{ name: 'c' }] },
  status: {
    phase: phase as 'Running',
    ...(extra.finishedAt ? { containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, finishedAt: extra.finishedAt } } }] } : {}),
  },
});

describe('job status math', () => {
  it.each([
    [{ parallelism: 2, completions: 5 }, 0, 0, 2],
    [{ parallelism: 2, completions: 5 }, 4, 1, 1],
    [{ parallelism: 2, completions: 5 }, 5, 0, 0],
    [{ parallelism: 3, completions: null }, 0, 0, 3],
    [{ parallelism: 3, completions: null }, 1, 2, 2], // a work queue keeps what runs once one succeeded
  ])('wantActive — %j with %d succeeded, %d active → %d', (spec, succeeded, active, want) => {
    expect(wantActive(job(spec), succeeded, active)).toBe(want);
  });

  it('completionsReached — needs the completions and nothing active; a work queue needs one success', () => {
    expect(completionsReached(job(), 5, 0)).toBe(true);
    expect(completionsReached(job(), 5, 1)).toBe(false);
    expect(completionsReached(job(), 4, 0)).toBe(false);
    expect(completionsReached(job({ completions: null }), 1, 0)).toBe(true);
  });

  it('cleanUncounted — uids whose pods lost the finalizer move into the counters', () => {
    const status: JobStatus = { succeeded: 1, failed: 0, uncountedTerminatedPods: { succeeded: ['a', 'b'], failed: ['c'] } };
    expect(cleanUncounted(status, new Set(['b']))).toBe(true);
    expect(status).toMatchObject({ succeeded: 2, failed: 1, uncountedTerminatedPods: { succeeded: ['b'] } });
    expect(cleanUncounted(status, new Set(['b']))).toBe(false);
  });

  it('ensureCondition — adds True, never adds False, replaces on change', () => {
    const status: JobStatus = {};
    expect(ensureCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', 0)).toBe(false);
    expect(ensureCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', 0)).toBe(true);
    expect(ensureCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', 5000)).toBe(false);
    expect(ensureCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', 5000)).toBe(true);
    expect(status.conditions).toEqual([{ type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed', lastProbeTime: '1970-01-01T00:00:05Z', lastTransitionTime: '1970-01-01T00:00:05Z' }]);
  });

  it('activeDeadlineSeconds — counts from startTime, never while suspended', () => {
    const j = job({ activeDeadlineSeconds: 10 }, { startTime: '2026-01-01T00:00:00Z' });
    expect(pastActiveDeadline(j, Date.parse('2026-01-01T00:00:09Z'))).toBe(false);
    expect(untilActiveDeadline(j, Date.parse('2026-01-01T00:00:09Z'))).toBe(1000);
    expect(pastActiveDeadline(j, Date.parse('2026-01-01T00:00:10Z'))).toBe(true);
    expect(pastActiveDeadline({ ...j, spec: { ...j.spec, suspend: true } }, Date.parse('2026-01-01T00:01:00Z'))).toBe(false);
  });

  it('isPodFailed — Failed, or deleted before succeeding unless only failed pods are replaced', () => {
    expect(isPodFailed(pod('a', 'Failed'), job())).toBe(true);
    expect(isPodFailed(pod('a', 'Running', { deleting: true }), job())).toBe(true);
    expect(isPodFailed(pod('a', 'Running', { deleting: true }), job({ podReplacementPolicy: 'Failed' }))).toBe(false);
    expect(isPodFailed(pod('a', 'Succeeded', { deleting: true }), job())).toBe(false);
  });
});

describe('job failure backoff', () => {
  const failedAt = (name: string, t: string): Pod => pod(name, 'Failed', { finishedAt: t });
  it('backoff — 10 s after the first failure, doubling, capped at 6 min', () => {
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const rec = (n: number) => ({ failuresAfterLastSuccess: n, lastFailureTime: t0 });
    expect(remainingBackoff(rec(0), t0)).toBe(0);
    expect(remainingBackoff(rec(1), t0)).toBe(10_000);
    expect(remainingBackoff(rec(1), t0 + 4000)).toBe(6000);
    expect(remainingBackoff(rec(1), t0 + 11_000)).toBe(0);
    expect(remainingBackoff(rec(3), t0)).toBe(40_000);
    expect(remainingBackoff(rec(10), t0)).toBe(360_000);
    expect(remainingBackoff(rec(2), t0, 200, 1000)).toBe(400);
  });

  it('records — failures add up; a success keeps only the failures after it', () => {
    const none = { failuresAfterLastSuccess: 0, lastFailureTime: undefined };
    const two = nextBackoffRecord(none, [], [failedAt('a', '2026-01-01T00:00:05Z'), failedAt('b', '2026-01-01T00:00:03Z')]);
    expect(two).toEqual({ failuresAfterLastSuccess: 2, lastFailureTime: Date.parse('2026-01-01T00:00:05Z') });
    const ok = { ...pod('s', 'Succeeded'), status: { phase: 'Succeeded' as const, containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, finishedAt: '2026-01-01T00:00:10Z' } } }] } };
    expect(nextBackoffRecord(two, [ok], [failedAt('c', '2026-01-01T00:00:12Z'), failedAt('d', '2026-01-01T00:00:08Z')]))
      .toEqual({ failuresAfterLastSuccess: 1, lastFailureTime: Date.parse('2026-01-01T00:00:12Z') });
    expect(nextBackoffRecord(two, [ok], [])).toEqual({ failuresAfterLastSuccess: 0, lastFailureTime: undefined });
  });
});

describe('indexed jobs', () => {
  it.each([
    [[0, 1, 2, 4], '0-2,4'],
    [[3, 1, 0], '0-1,3'],
    [[], ''],
    [[5], '5'],
  ])('completedIndexes — %j is %j and parses back', (list, text) => {
    expect(formatIndexes(list)).toBe(text);
    expect([...parseIndexes(text, 10)].sort()).toEqual([...new Set(list)].sort());
  });

  it('indexes — pending ones skip succeeded and running indexes; duplicates and strays are removed', () => {
    const j = job({ completionMode: 'Indexed', completions: 4 }, { completedIndexes: '0' });
    const pods = [pod('a', 'Succeeded', { index: 1 }), pod('b', 'Running', { index: 2 }), pod('c', 'Running', { index: 2 }), pod('d', 'Running', { index: 9 })];
    const done = succeededIndexes(j, pods);
    expect([...done].sort()).toEqual([0, 1]);
    expect(firstPendingIndexes(j, pods.slice(1), done, 5)).toEqual([3]);
    expect(duplicatedIndexPods(j, pods.slice(1)).remove.map((p) => p.metadata.name)).toEqual(['c', 'd']);
  });
});
