import { ApiError, FakeClock, type CacheReader, type ResourceClient } from '@ekslab/client';
import { Status } from '@ekslab/proto';
import { createLogger } from '@ekslab/runtime';
import { describe, expect, it } from 'vitest';
import { FakeRecorder } from '../../framework/recorder.js';
import type { ReplicaSet } from '../replicaset/types.js';
import type { DeploymentDeps } from './deps.js';
import { computeHash } from './hash.js';
import { rolloutRecreate } from './recreate.js';
import { rollback } from './rollback.js';
import { rolloutRolling } from './rolling.js';
import { isScalingEvent, sync } from './sync.js';
import type { Deployment } from './types.js';

// Rollouts driven step by step against an in-memory API whose "ReplicaSet controller and kubelets" act at
// once: a scaled-down set loses its pods (and their availability) on the write, a scaled-up set gets its
// pods at once but they become available only at the next step. After every write the invariants of the
// strategy are checked on that state.
const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } });

function world(strategy: Deployment['spec']['strategy'], replicas = 10) {
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const sets = new Map<string, ReplicaSet>();
  const writes: { total: number; available: number; images: Set<string> }[] = [];
  let uid = 0;
  const observe = (): void => {
    const all = [...sets.values()];
    writes.push({
      total: all.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0),
      available: all.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0),
      images: new Set(all.filter((rs) => (rs.spec.replicas ?? 0) > 0).map((rs) => rs.spec.template.spec.containers[0]!.image ?? '')),
    });
  };
  const store = (rs: ReplicaSet): ReplicaSet => {
    const want = rs.spec.replicas ?? 0;
    const available = Math.min(rs.status?.availableReplicas ?? 0, want);
    const next = structuredClone({ ...rs, metadata: { ...rs.metadata, generation: 1 }, status: { replicas: want, availableReplicas: available, readyReplicas: available, observedGeneration: 1 } });
    sets.set(rs.metadata.name ?? '', next);
    observe();
    return structuredClone(next);
  };
  const replicaSets = {
    create: (rs: ReplicaSet) => sets.has(rs.metadata.name ?? '')
      ? Promise.reject(new ApiError(Status.create({ code: 409, reason: 'AlreadyExists', message: `replicasets.apps "${rs.metadata.name ?? ''}" already exists` })))
      : Promise.resolve(store({ ...rs, metadata: { ...rs.metadata, uid: `rs-${++uid}`, creationTimestamp: new Date(clock.now() + uid * 1000).toISOString() } })),
    update: (rs: ReplicaSet) => Promise.resolve(store(rs)),
    delete: (name: string) => Promise.resolve(void sets.delete(name)),
  };
  const d: Deployment = {
    metadata: { name: 'web', namespace: 'ns', uid: 'd-uid', generation: 2 },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template('nginx:1.28'), strategy, progressDeadlineSeconds: 600, revisionHistoryLimit: 10 },
    status: { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas },
  };
  store({
    metadata: { name: 'web-old', namespace: 'ns', uid: 'rs-old', creationTimestamp: '2025-12-31T00:00:00Z', annotations: { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + 3) }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true }] },
    spec: { replicas, selector: { matchLabels: { app: 'web', 'pod-template-hash': 'old' } }, template: { ...template('nginx:1.27'), metadata: { labels: { app: 'web', 'pod-template-hash': 'old' } } } },
    status: { replicas, availableReplicas: replicas },
  });
  writes.length = 0;
  const recorder = new FakeRecorder();
  const deps: DeploymentDeps = {
    deployments: { update: (x: Deployment) => Promise.resolve(structuredClone(x)) } as unknown as ResourceClient<Deployment>,
    replicaSets: replicaSets as unknown as ResourceClient<ReplicaSet>,
    rsCache: { get: (key: string) => sets.get(key.split('/')[1] ?? '') } as CacheReader<ReplicaSet>,
    recorder, clock, log: createLogger('test', 'fatal'), enqueueAfter: () => undefined,
  };
  /** Pods started at the previous step become available. */
  const tick = (): void => {
    for (const rs of sets.values()) rs.status = { ...rs.status!, availableReplicas: rs.spec.replicas ?? 0, readyReplicas: rs.spec.replicas ?? 0 };
  };
  return { d, sets, writes, deps, tick, recorder, signal: AbortSignal.timeout(5000) };
}

describe('rolloutRolling (simulated)', () => {
  it.each([
    ['25%', '25%', 13, 8],
    [1, 0, 11, 10],
    [0, 1, 10, 9],
    ['50%', '50%', 15, 5],
  ] as const)('maxSurge %s / maxUnavailable %s: never more than %i pods nor fewer than %i available, and it completes', async (surge, unavailable, maxTotal, minAvailable) => {
    const w = world({ type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } });
    for (let step = 0; step < 40; step++) {
      await rolloutRolling(w.deps, w.d, [...w.sets.values()], w.signal);
      w.tick();
    }
    expect(w.writes.length).toBeGreaterThan(2);
    for (const s of w.writes) {
      expect(s.total).toBeLessThanOrEqual(maxTotal);
      expect(s.available).toBeGreaterThanOrEqual(minAvailable);
    }
    const sets = [...w.sets.values()];
    expect(sets.find((rs) => rs.metadata.name === 'web-old')?.spec.replicas).toBe(0);
    const next = sets.find((rs) => rs.metadata.name !== 'web-old')!;
    expect(next.spec.replicas).toBe(10);
    expect(next.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(w.d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(w.d.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
  });

  it('records kube\'s ScalingReplicaSet events in order: new set up by the surge, then old set down by what availability allows', async () => {
    const w = world({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    for (let step = 0; step < 4; step++) {
      await rolloutRolling(w.deps, w.d, [...w.sets.values()], w.signal);
      w.tick();
    }
    const next = [...w.sets.keys()].find((n) => n !== 'web-old')!;
    expect(w.recorder.events.slice(0, 3).map((e) => e.message)).toEqual([
      `Scaled up replica set ${next} from 0 to 3`,
      'Scaled down replica set web-old from 10 to 8',
      `Scaled up replica set ${next} from 3 to 5`,
    ]);
  });
});

describe('scaling during a rollout (simulated)', () => {
  it('spreads added replicas over the active sets in proportion to their share of the old max-replicas', async () => {
    const w = world({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    await rolloutRolling(w.deps, w.d, [...w.sets.values()], w.signal);
    w.tick();
    const next = [...w.sets.keys()].find((n) => n !== 'web-old')!;
    const size = (name: string): number | undefined => w.sets.get(name)?.spec.replicas;
    expect([size('web-old'), size(next)]).toEqual([8, 3]); // mid-rollout: created at 3, old down by 2
    w.d.spec.replicas = 20;
    expect(await isScalingEvent(w.deps, w.d, [...w.sets.values()], w.signal)).toBe(true);
    await sync(w.deps, w.d, [...w.sets.values()], w.signal);
    // 25 = 20 + maxSurge 5, so 14 to add: old round(8 × 25 / 13) − 8 = +7, new round(3 × 25 / 13) − 3 = +3,
    // and the 4 left over go to the largest set.
    expect([size('web-old'), size(next)]).toEqual([19, 6]);
    expect(w.sets.get(next)?.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/desired-replicas': '20', 'deployment.kubernetes.io/max-replicas': '25' });
    expect(w.recorder.events.map((e) => e.message)).toContain('Scaled up replica set web-old from 8 to 19');
  });
});

describe('rolloutRecreate (simulated)', () => {
  it('scales every old set to 0, creates the new set only once no old pod runs, then completes', async () => {
    const w = world({ type: 'Recreate' }, 4);
    const pods = new Map<string, { status: { phase: string } }[]>();
    for (let step = 0; step < 6; step++) {
      // The old set's pods are gone one step after it was scaled down.
      const old = w.sets.get('web-old')!;
      pods.set('rs-old', Array.from({ length: old.status?.replicas ?? 0 }, () => ({ status: { phase: 'Running' } })));
      await rolloutRecreate(w.deps, w.d, [...w.sets.values()], pods as never, w.signal);
      w.tick();
    }
    for (const s of w.writes) expect(s.images.size).toBeLessThanOrEqual(1);
    expect(w.sets.get('web-old')?.spec.replicas).toBe(0);
    expect([...w.sets.values()].find((rs) => rs.metadata.name !== 'web-old')?.spec.replicas).toBe(4);
  });
});

describe('rollback through deprecated.deployment.rollback.to (simulated)', () => {
  it('0 means the previous revision: the template and its annotations come back, the request is cleared', async () => {
    const w = world({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    for (let step = 0; step < 20; step++) {
      await rolloutRolling(w.deps, w.d, [...w.sets.values()], w.signal);
      w.tick();
    }
    w.sets.get('web-old')!.metadata.annotations!['kubernetes.io/change-cause'] = 'first';
    w.d.metadata.annotations = { ...w.d.metadata.annotations, 'deprecated.deployment.rollback.to': '0', 'kubernetes.io/change-cause': 'second' };
    await rollback(w.deps, w.d, [...w.sets.values()], w.signal);
    expect(w.d.spec.template.spec.containers[0]!.image).toBe('nginx:1.27');
    expect(w.d.spec.template.metadata?.labels).toEqual({ app: 'web' });
    expect(w.d.metadata.annotations).toEqual({ 'deployment.kubernetes.io/revision': '2', 'kubernetes.io/change-cause': 'first' });
    expect(w.recorder.events.at(-1)).toMatchObject({ type: 'Normal', reason: 'DeploymentRollback', message: 'Rolled back deployment "web" to revision 1' });

    w.d.metadata.annotations = { ...w.d.metadata.annotations, 'deprecated.deployment.rollback.to': '9' };
    await rollback(w.deps, w.d, [...w.sets.values()], w.signal);
    expect(w.recorder.events.at(-1)).toMatchObject({ type: 'Warning', reason: 'DeploymentRollbackRevisionNotFound', message: 'Unable to find the revision to rollback to.' });
    expect(w.d.metadata.annotations['deprecated.deployment.rollback.to']).toBeUndefined();
  });
});

describe('hash collisions (simulated)', () => {
  it('a foreign set holding the new name bumps status.collisionCount; the next sync creates under the next hash', async () => {
    const w = world({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    const taken = `web-${computeHash(w.d.spec.template)}`;
    w.sets.set(taken, { metadata: { name: taken, namespace: 'ns', uid: 'foreign' }, spec: { replicas: 0, selector: { matchLabels: { app: 'other' } }, template: { spec: { containers: [{ name: 'x' }] } } } });
    const mine = [...w.sets.values()].filter((rs) => rs.metadata.uid !== 'foreign');
    await expect(rolloutRolling(w.deps, w.d, mine, w.signal)).rejects.toThrow('already exists');
    expect(w.d.status?.collisionCount).toBe(1);
    await rolloutRolling(w.deps, w.d, mine, w.signal);
    const second = `web-${computeHash(w.d.spec.template, 1)}`;
    expect(second).not.toBe(taken);
    expect(w.sets.get(second)?.spec.template.metadata?.labels).toEqual({ app: 'web', 'pod-template-hash': computeHash(w.d.spec.template, 1) });
  });
});
