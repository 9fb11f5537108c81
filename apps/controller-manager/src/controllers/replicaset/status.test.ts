import { describe, expect, it } from 'vitest';
import type { Pod } from '../../controller-utils/index.js';
import { calculateStatus, statusUpToDate } from './status.js';
import type { ReplicaSet } from './types.js';

const t0 = Date.parse('2026-01-01T00:00:00Z');
const rs = (o: Partial<ReplicaSet['spec']> = {}, status?: ReplicaSet['status']): ReplicaSet => ({
  metadata: { name: 'rs', namespace: 'ns', uid: 'rs-uid', generation: 2 },
  spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'c' }] } }, ...o },
  ...(status ? { status } : {}),
});
const pod = (name: string, labels: Record<string, string>, readySince?: number): Pod => ({
  metadata: { name, namespace: 'ns', labels },
  spec: { containers: [{ name: 'c' }] },
  status: { phase: 'Running', conditions: [readySince === undefined ? { type: 'Ready', status: 'False' } : { type: 'Ready', status: 'True', lastTransitionTime: new Date(readySince).toISOString() }] },
});

describe('ReplicaSet calculateStatus', () => {
  it('counts fully labeled, ready and available (minReadySeconds) pods', () => {
    const pods = [
      pod('a', { app: 'web', tier: 'front' }, t0 - 20_000),
      pod('b', { app: 'web', tier: 'front', extra: 'x' }, t0 - 5_000),
      pod('c', { app: 'web' }),
    ];
    expect(calculateStatus(rs({ minReadySeconds: 10 }), pods, undefined, t0)).toEqual({ replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1 });
    expect(calculateStatus(rs(), pods, undefined, t0)).toMatchObject({ readyReplicas: 2, availableReplicas: 2 });
  });
  it('sets ReplicaFailure (FailedCreate / FailedDelete) on a failed sync and clears it on a good one', () => {
    const failed = calculateStatus(rs(), [pod('a', { app: 'web' })], new Error('pods "x" is forbidden: exceeded quota'), t0);
    expect(failed.conditions).toEqual([{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "x" is forbidden: exceeded quota', lastTransitionTime: '2026-01-01T00:00:00Z' }]);
    const tooMany = calculateStatus(rs({ replicas: 0 }), [pod('a', { app: 'web' })], new Error('boom'), t0);
    expect(tooMany.conditions?.[0]?.reason).toBe('FailedDelete');
    expect(calculateStatus(rs({}, failed), [], undefined, t0).conditions).toBeUndefined();
    // An existing failure is not rewritten by the next failure.
    expect(calculateStatus(rs({}, failed), [], new Error('other'), t0 + 60_000).conditions).toEqual(failed.conditions);
  });
  it('statusUpToDate: equal counts, conditions and observed generation need no write', () => {
    const next = { replicas: 3, readyReplicas: 3 };
    expect(statusUpToDate(rs({}, { replicas: 3, readyReplicas: 3, observedGeneration: 2 }), next)).toBe(true);
    expect(statusUpToDate(rs({}, { replicas: 3, readyReplicas: 3, observedGeneration: 1 }), next)).toBe(false);
    expect(statusUpToDate(rs({}, { replicas: 3, readyReplicas: 2, observedGeneration: 2 }), next)).toBe(false);
  });
});
