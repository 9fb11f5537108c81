import { describe, expect, it } from 'vitest';
import type { ReplicaSet } from '../replicaset/types.js';
import { computeHash, equalIgnoreHash, fnv32a, safeEncodeString } from './hash.js';
import type { Deployment } from './types.js';
import {
  calculateStatus, deploymentProgressing, deploymentTimedOut, getProportion, isSaturated, maxSurge, maxUnavailable, newRSNewReplicas,
  resolveFenceposts, scaledValue, setCondition, setNewReplicaSetAnnotations,
} from './util.js';

const t0 = Date.parse('2026-01-01T00:00:00Z');
const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } };
const dep = (replicas: number, o: Partial<Deployment['spec']> = {}, status: Deployment['status'] = {}): Deployment => ({
  metadata: { name: 'web', namespace: 'ns', uid: 'd-uid', generation: 1 },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, progressDeadlineSeconds: 600, ...o },
  status,
});
const rs = (name: string, replicas: number, o: { available?: number; annotations?: Record<string, string>; created?: string } = {}): ReplicaSet => ({
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, creationTimestamp: o.created ?? '2026-01-01T00:00:00Z', ...(o.annotations ? { annotations: o.annotations } : {}) },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template },
  status: { replicas, availableReplicas: o.available ?? replicas, readyReplicas: o.available ?? replicas },
});

describe('fenceposts', () => {
  it.each([
    // [maxSurge, maxUnavailable, replicas] → [surge, unavailable]: surge rounds up, unavailable down
    ['25%', '25%', 10, 3, 2],
    ['25%', '25%', 1, 1, 0],
    ['25%', '25%', 4, 1, 1],
    [0, '10%', 5, 0, 1], // both 0 after rounding: unavailable becomes 1
    [2, 0, 10, 2, 0],
    ['100%', '0%', 3, 3, 0],
  ] as const)('resolveFenceposts(%s, %s, %i) → surge %i, unavailable %i', (s, u, n, surge, unavailable) => {
    expect(resolveFenceposts(s, u, n)).toEqual({ surge, unavailable });
  });
  it('rejects strings that are not percentages with kube\'s message', () => {
    expect(() => scaledValue('5', 10, true)).toThrow('invalid value for IntOrString: invalid type: string is not a percentage');
    expect(() => scaledValue('x%', 10, true)).toThrow('invalid value for IntOrString: invalid value "x%"');
  });
  it('maxUnavailable never exceeds replicas and is 0 for Recreate or 0 replicas; maxSurge 0 for Recreate', () => {
    expect(maxUnavailable(dep(2, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 5 } } }))).toBe(2);
    expect(maxUnavailable(dep(0))).toBe(0);
    expect(maxUnavailable(dep(10, { strategy: { type: 'Recreate' } }))).toBe(0);
    expect(maxSurge(dep(10, { strategy: { type: 'Recreate' } }))).toBe(0);
    expect(maxSurge(dep(10))).toBe(3);
  });
});

describe('newRSNewReplicas', () => {
  it('grows the new set up to replicas + maxSurge over all sets, never past replicas', () => {
    const d = dep(10);
    const fresh = rs('new', 0);
    expect(newRSNewReplicas(d, [rs('old', 10), fresh], fresh)).toBe(3);
    const half = rs('new', 5);
    expect(newRSNewReplicas(d, [rs('old', 8), half], half)).toBe(5); // 13 already
    expect(newRSNewReplicas(d, [rs('old', 2), half], half)).toBe(10); // room for 6, capped at replicas
    expect(newRSNewReplicas(dep(10, { strategy: { type: 'Recreate' } }), [rs('old', 10), fresh], fresh)).toBe(10);
  });
});

describe('proportional scaling', () => {
  it('getProportion scales each set by its share of the old max-replicas', () => {
    // 10 → 20 replicas (max 13 → 25): a set of 6 of 13 gets round(6*25/13) - 6 = 6 more.
    const d = dep(20);
    const a = rs('a', 6, { annotations: { 'deployment.kubernetes.io/max-replicas': '13' } });
    expect(getProportion(a, d, 12, 0)).toBe(6);
    expect(getProportion(a, d, 12, 10)).toBe(2); // never more than what is left
    expect(getProportion(a, dep(0), -6, 0)).toBe(-6); // to zero: the whole set
    expect(getProportion(rs('z', 0), d, 12, 0)).toBe(0);
  });
  it('isSaturated needs size, desired-replicas annotation and availability', () => {
    const d = dep(3);
    expect(isSaturated(d, rs('n', 3, { annotations: { 'deployment.kubernetes.io/desired-replicas': '3' } }))).toBe(true);
    expect(isSaturated(d, rs('n', 3, { available: 2, annotations: { 'deployment.kubernetes.io/desired-replicas': '3' } }))).toBe(false);
    expect(isSaturated(d, rs('n', 3))).toBe(false);
  });
});

describe('revision annotations', () => {
  it('a new set copies the Deployment\'s annotations (not kubectl\'s nor the revision ones) and gets desired/max replicas', () => {
    const d = dep(10);
    d.metadata.annotations = { 'kubernetes.io/change-cause': 'v2', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'deployment.kubernetes.io/revision': '7' };
    const n = rs('n', 3);
    expect(setNewReplicaSetAnnotations(d, n, 2, false)).toBe(true);
    expect(n.metadata.annotations).toEqual({
      'kubernetes.io/change-cause': 'v2', 'deployment.kubernetes.io/revision': '2',
      'deployment.kubernetes.io/desired-replicas': '10', 'deployment.kubernetes.io/max-replicas': '13',
    });
    expect(setNewReplicaSetAnnotations(d, n, 2, true)).toBe(false);
  });
  it('a set rolled back to keeps its old revisions in revision-history, within the length limit', () => {
    const back = rs('b', 0, { annotations: { 'deployment.kubernetes.io/revision': '1' } });
    expect(setNewReplicaSetAnnotations(dep(1), back, 3, true)).toBe(true);
    expect(back.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
    setNewReplicaSetAnnotations(dep(1), back, 5, true);
    expect(back.metadata.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1,3');
    setNewReplicaSetAnnotations(dep(1), back, 7, true, 4);
    expect(back.metadata.annotations?.['deployment.kubernetes.io/revision-history']).toBe('3,5'); // oldest dropped to fit
    // A higher revision than the new one is never lowered.
    expect(setNewReplicaSetAnnotations(dep(1), back, 6, true)).toBe(false);
  });
});

describe('pod-template-hash', () => {
  it('fnv32a matches FNV-1a test vectors; SafeEncodeString maps digits onto rand\'s alphabet', () => {
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(fnv32a(enc(''))).toBe(0x811c9dc5);
    expect(fnv32a(enc('a'))).toBe(0xe40c292c);
    expect(fnv32a(enc('foobar'))).toBe(0xbf9cf968);
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
  });
  it('is stable under key order and empty fields, changes with the template or the collision count', () => {
    const h = computeHash(template);
    expect(h).toMatch(/^[456789bcdf]{1,10}$/);
    const reordered = { spec: { containers: [{ image: 'nginx:1.27', name: 'web', resources: {} }] }, metadata: { labels: { app: 'web' }, creationTimestamp: null } };
    expect(computeHash(reordered as never)).toBe(h);
    expect(computeHash({ ...template, spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } })).not.toBe(h);
    expect(computeHash(template, 1)).not.toBe(h);
    expect(computeHash(template, 1)).not.toBe(computeHash(template, 2));
  });
  it('equalIgnoreHash ignores only the pod-template-hash label', () => {
    const labelled = { ...template, metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } } };
    expect(equalIgnoreHash(labelled, template)).toBe(true);
    expect(equalIgnoreHash({ ...template, metadata: { labels: { app: 'api' } } }, template)).toBe(false);
  });
});

describe('status and progress', () => {
  it('calculateStatus counts over the sets and sets Available by replicas − maxUnavailable', () => {
    const d = dep(10);
    const s = calculateStatus([rs('old', 2, { available: 2 }), rs('new', 10, { available: 6 })], rs('new', 10, { available: 6 }), d, t0);
    expect(s).toMatchObject({ observedGeneration: 1, replicas: 12, updatedReplicas: 10, readyReplicas: 8, availableReplicas: 8, unavailableReplicas: 4 });
    expect(s.conditions).toEqual([{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' }]);
    const low = calculateStatus([rs('new', 10, { available: 7 })], undefined, d, t0);
    expect(low.conditions?.[0]).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });
  });
  it('setCondition keeps lastTransitionTime while the status stays, and ignores a same-reason update', () => {
    const status = { conditions: [{ type: 'Progressing', status: 'True' as const, reason: 'A', lastTransitionTime: 'then', lastUpdateTime: 'then' }] };
    setCondition(status, { type: 'Progressing', status: 'True', reason: 'A', lastTransitionTime: 'now', lastUpdateTime: 'now' });
    expect(status.conditions[0]!.lastUpdateTime).toBe('then');
    setCondition(status, { type: 'Progressing', status: 'True', reason: 'B', lastTransitionTime: 'now', lastUpdateTime: 'now' });
    expect(status.conditions[0]).toMatchObject({ reason: 'B', lastTransitionTime: 'then', lastUpdateTime: 'now' });
  });
  it('progress: more updated, ready or available, or fewer old replicas; time out after progressDeadlineSeconds without it', () => {
    const d = dep(10, {}, { replicas: 12, updatedReplicas: 5, readyReplicas: 9, availableReplicas: 9 });
    expect(deploymentProgressing(d, { replicas: 12, updatedReplicas: 6, readyReplicas: 9, availableReplicas: 9 })).toBe(true);
    expect(deploymentProgressing(d, { replicas: 11, updatedReplicas: 5, readyReplicas: 9, availableReplicas: 9 })).toBe(true);
    expect(deploymentProgressing(d, { replicas: 12, updatedReplicas: 5, readyReplicas: 9, availableReplicas: 9 })).toBe(false);
    const cond = { type: 'Progressing', status: 'True' as const, reason: 'ReplicaSetUpdated', lastUpdateTime: '2026-01-01T00:00:00Z' };
    expect(deploymentTimedOut(d, { conditions: [cond] }, t0 + 600_000)).toBe(false);
    expect(deploymentTimedOut(d, { conditions: [cond] }, t0 + 600_001)).toBe(true);
    expect(deploymentTimedOut(d, { conditions: [{ ...cond, reason: 'NewReplicaSetAvailable' }] }, t0 + 10 ** 9)).toBe(false);
  });
});
