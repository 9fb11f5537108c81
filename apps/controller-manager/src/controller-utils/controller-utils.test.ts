import { FakeClock } from '@ekslab/client';
import { labelSelectorAsSelector } from '@ekslab/apimachinery';
import { describe, expect, it } from 'vitest';
import { ControllerExpectations, EXPECTATIONS_TIMEOUT_MS } from './expectations.js';
import { claim } from './pod-control.js';
import { isPodAvailable } from './pods.js';
import { podsToDelete } from './ranking.js';
import { slowStartBatch } from './slow-start.js';
import type { Pod } from './types.js';

const pod = (name: string, o: { node?: string; phase?: Pod['status'] extends infer S ? S extends { phase?: infer P } ? P : never : never; ready?: string; created?: string; restarts?: number; labels?: Record<string, string>; owner?: string } = {}): Pod => ({
  metadata: {
    name, namespace: 'ns', uid: `uid-${name}`, creationTimestamp: o.created ?? '2026-01-01T00:00:00Z', labels: o.labels ?? { app: 'web' },
    ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: o.owner, controller: true }] } : {}),
  },
  spec: { containers: [{ name: 'c' }], ...(o.node ? { nodeName: o.node } : {}) },
  status: {
    phase: o.phase ?? 'Running',
    conditions: o.ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: o.ready }] : [{ type: 'Ready', status: 'False' }],
    containerStatuses: [{ name: 'c', ready: !!o.ready, restartCount: o.restarts ?? 0 }],
  },
});

describe('ControllerExpectations', () => {
  it('is unsatisfied until every expected creation is observed', () => {
    const e = new ControllerExpectations(new FakeClock(0));
    expect(e.satisfied('ns/rs')).toBe(true);
    e.expectCreations('ns/rs', 2);
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(false);
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(true);
  });
  it('counts each expected deletion once, by pod key', () => {
    const e = new ControllerExpectations(new FakeClock(0));
    e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/a');
    expect(e.pending('ns/rs')).toEqual({ add: 0, del: 1 });
    e.deletionObserved('ns/rs', 'ns/b');
    expect(e.satisfied('ns/rs')).toBe(true);
  });
  it('treats a record older than five minutes as satisfied', async () => {
    const clock = new FakeClock(0);
    const e = new ControllerExpectations(clock);
    e.expectCreations('ns/rs', 1);
    await clock.advance(EXPECTATIONS_TIMEOUT_MS);
    expect(e.satisfied('ns/rs')).toBe(false);
    await clock.advance(1);
    expect(e.satisfied('ns/rs')).toBe(true);
  });
});

describe('slowStartBatch', () => {
  it('runs batches of 1, 2, 4, … and stops after the first batch with a failure', async () => {
    const batches: number[] = [];
    let inFlight = 0;
    const r = await slowStartBatch(20, async (i) => {
      inFlight += 1;
      batches.push(inFlight);
      await Promise.resolve();
      inFlight -= 1;
      if (i === 5) throw new Error('quota');
    });
    // 1 + 2 + 4 = 7 calls: the batch of 4 (indexes 3..6) holds the failure, so no batch of 8 follows.
    expect(batches).toHaveLength(7);
    expect(r.successes).toBe(6);
    expect((r.error as Error).message).toBe('quota');
  });
  it('makes exactly count calls when all succeed', async () => {
    let calls = 0;
    const r = await slowStartBatch(10, () => Promise.resolve(void (calls += 1)));
    expect([calls, r.successes, r.error]).toEqual([10, 10, undefined]);
  });
});

describe('podsToDelete (ActivePodsWithRanks)', () => {
  it('deletes unassigned, then pending, then not-ready, then recently ready pods first', () => {
    const pods = [
      pod('ready-old', { node: 'n1', ready: '2026-01-01T00:00:00Z' }),
      pod('ready-new', { node: 'n2', ready: '2026-01-01T01:00:00Z' }),
      pod('not-ready', { node: 'n3' }),
      pod('pending', { node: 'n4', phase: 'Pending' }),
      pod('unassigned', { phase: 'Pending' }),
    ];
    expect(podsToDelete(pods, 5).map((p) => p.metadata.name)).toEqual(['unassigned', 'pending', 'not-ready', 'ready-new', 'ready-old']);
  });
  it('prefers pods sharing a node with more of the set, then more restarts, then newer', () => {
    const t = '2026-01-01T00:00:00Z';
    const pods = [
      pod('alone', { node: 'n1', ready: t }),
      pod('crowded-1', { node: 'n2', ready: t }),
      pod('crowded-2', { node: 'n2', ready: t, restarts: 3 }),
    ];
    expect(podsToDelete(pods, 2).map((p) => p.metadata.name)).toEqual(['crowded-2', 'crowded-1']);
  });
  it('ranks by the related pods (sibling ReplicaSets of one Deployment) on the node when given', () => {
    const t = '2026-01-01T00:00:00Z';
    const pods = [pod('on-n1', { node: 'n1', ready: t }), pod('on-n2', { node: 'n2', ready: t })];
    // Alone, the two tie (on-n1 stays first); two active sibling pods on n2 send the n2 pod first.
    const siblings = [pod('sib-1', { node: 'n2', ready: t }), pod('sib-2', { node: 'n2', ready: t }), pod('gone', { node: 'n1', ready: t, phase: 'Succeeded' })];
    expect(podsToDelete(pods, 1, [...pods, ...siblings]).map((p) => p.metadata.name)).toEqual(['on-n2']);
  });
});

describe('isPodAvailable', () => {
  it('needs the Ready condition to be minReadySeconds old', () => {
    const p = pod('a', { ready: '2026-01-01T00:00:00Z' });
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    expect(isPodAvailable(p, 0, t0)).toBe(true);
    expect(isPodAvailable(p, 10, t0 + 9_999)).toBe(false);
    expect(isPodAvailable(p, 10, t0 + 10_000)).toBe(true);
  });
});

describe('claim (ControllerRefManager)', () => {
  const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'ns', uid: 'rs-uid' } };
  const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true, blockOwnerDeletion: true };
  it('adopts matching orphans, releases owned pods that stopped matching, ignores pods of other owners', async () => {
    const patches: [string, unknown][] = [];
    const pods = [
      pod('orphan'),
      pod('owned', { owner: 'rs-uid' }),
      pod('stray', { owner: 'rs-uid', labels: { app: 'other' } }),
      pod('foreign', { owner: 'other-uid' }),
      pod('unrelated', { labels: { app: 'other' } }),
    ];
    const claimed = await claim(pods, {
      owner, controllerRef: ref, selector: labelSelectorAsSelector({ matchLabels: { app: 'web' } }),
      patch: (p, patch) => Promise.resolve(void patches.push([p.metadata.name ?? '', patch])),
      canAdopt: () => Promise.resolve(),
    }, AbortSignal.timeout(1000));
    expect(claimed.map((p) => p.metadata.name)).toEqual(['orphan', 'owned']);
    expect(patches).toEqual([
      ['orphan', { metadata: { ownerReferences: [ref], uid: 'uid-orphan' } }],
      ['stray', { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'rs-uid' }], uid: 'uid-stray' } }],
    ]);
  });
  it('adopts nothing when the owner may not adopt (being deleted or replaced)', async () => {
    const claimed = await claim([pod('orphan')], {
      owner, controllerRef: ref, selector: labelSelectorAsSelector({ matchLabels: { app: 'web' } }),
      patch: () => Promise.reject(new Error('must not patch')),
      canAdopt: () => Promise.reject(new Error('rs-uid is being deleted')),
    }, AbortSignal.timeout(1000));
    expect(claimed).toEqual([]);
  });
});
