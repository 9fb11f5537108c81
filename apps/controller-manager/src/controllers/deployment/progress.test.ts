import { describe, expect, it } from 'vitest';
import type { ReplicaSet } from '../replicaset/types.js';
import { rolloutStatus, stuckRequeueAfter } from './progress.js';
import type { Deployment } from './types.js';

const t0 = Date.parse('2026-01-01T00:00:00Z');
const at = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web' }] } };
const set = (name: string, replicas: number, available: number, conditions?: NonNullable<ReplicaSet['status']>['conditions']): ReplicaSet => ({
  metadata: { name, namespace: 'ns' }, spec: { replicas, selector: {}, template },
  status: { replicas, availableReplicas: available, readyReplicas: available, ...(conditions ? { conditions } : {}) },
});
const dep = (status: Deployment['status']): Deployment => ({
  metadata: { name: 'web', namespace: 'ns', generation: 3 },
  spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } }, progressDeadlineSeconds: 60 },
  status,
});
const progressing = (reason: string, updated: number) => ({ type: 'Progressing', status: 'True' as const, reason, lastUpdateTime: at(updated), lastTransitionTime: at(t0 - 100_000) });

describe('Progressing condition', () => {
  it('NewReplicaSetAvailable once every replica is updated and available', () => {
    const d = dep({ replicas: 5, updatedReplicas: 4, availableReplicas: 3, conditions: [progressing('ReplicaSetUpdated', t0)] });
    const s = rolloutStatus([set('old', 0, 0), set('new', 4, 4)], set('new', 4, 4), d, t0 + 1000);
    expect(s.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "new" has successfully progressed.' });
  });
  it('ReplicaSetUpdated with a new lastUpdateTime (same lastTransitionTime) on progress', () => {
    const d = dep({ replicas: 5, updatedReplicas: 2, availableReplicas: 3, conditions: [progressing('ReplicaSetUpdated', t0)] });
    const s = rolloutStatus([set('old', 2, 2), set('new', 3, 2)], set('new', 3, 2), d, t0 + 5000);
    expect(s.conditions?.find((c) => c.type === 'Progressing')).toEqual({
      type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "new" is progressing.', lastUpdateTime: at(t0 + 5000), lastTransitionTime: at(t0 - 100_000),
    });
  });
  it('ProgressDeadlineExceeded when nothing moved for progressDeadlineSeconds; the next check is scheduled until then', () => {
    const d = dep({ replicas: 5, updatedReplicas: 1, readyReplicas: 4, availableReplicas: 4, conditions: [progressing('ReplicaSetUpdated', t0)] });
    const sets = [set('old', 4, 4), set('new', 1, 0)];
    const early = rolloutStatus(sets, sets[1], d, t0 + 30_000);
    expect(early.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe('ReplicaSetUpdated');
    expect(stuckRequeueAfter(d, early, t0 + 30_000)).toBe(31_000);
    const late = rolloutStatus(sets, sets[1], d, t0 + 60_001);
    expect(late.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "new" has timed out progressing.' });
  });
  it('copies the new set\'s ReplicaFailure condition', () => {
    const failure = { type: 'ReplicaFailure', status: 'True' as const, reason: 'FailedCreate', message: 'quota', lastTransitionTime: at(t0) };
    const d = dep({ conditions: [progressing('ReplicaSetUpdated', t0)] });
    const s = rolloutStatus([set('new', 4, 0, [failure])], set('new', 4, 0, [failure]), d, t0);
    expect(s.conditions?.find((c) => c.type === 'ReplicaFailure')).toMatchObject({ reason: 'FailedCreate', message: 'quota', lastUpdateTime: at(t0) });
  });
});
