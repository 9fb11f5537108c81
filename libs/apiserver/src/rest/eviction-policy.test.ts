import { StatusError } from '@ekslab/apimachinery';
import { describe, expect, it } from 'vitest';
import { canIgnorePdb, checkAndDecrement, isPodReady, matchingPdbs, shouldEnforceResourceVersion, unhealthyPodBypassesBudget, type PdbStatus } from './eviction-policy.js';
import type { KubeObject } from './objects.js';

const T = Date.parse('2026-11-22T05:00:00Z');
const pod = (phase: string, extra: { ready?: boolean; deleting?: boolean; labels?: Record<string, string>; ns?: string } = {}): KubeObject => ({
  metadata: { name: 'p', namespace: extra.ns ?? 'ns', labels: extra.labels ?? { app: 'web' }, ...(extra.deleting ? { deletionTimestamp: '2026-11-22T04:00:00Z' } : {}) },
  status: { phase, conditions: extra.ready === undefined ? [] : [{ type: 'Ready', status: extra.ready ? 'True' : 'False' }] },
});
const pdb = (status: PdbStatus, extra: { generation?: number; selector?: unknown; policy?: string; ns?: string; name?: string } = {}): KubeObject => ({
  metadata: { name: extra.name ?? 'budget', namespace: extra.ns ?? 'ns', generation: extra.generation ?? 1 },
  spec: { selector: 'selector' in extra ? extra.selector : { matchLabels: { app: 'web' } }, ...(extra.policy ? { unhealthyPodEvictionPolicy: extra.policy } : {}) },
  status,
});

function statusOfThrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    if (err instanceof StatusError) return err.status;
    throw err;
  }
  throw new Error('did not throw');
}

describe('eviction — pods that need no budget', () => {
  it.each([
    ['Succeeded', pod('Succeeded'), true, false],
    ['Failed', pod('Failed'), true, false],
    ['Pending', pod('Pending'), true, true],
    ['being deleted', pod('Running', { deleting: true }), true, false],
    ['Running', pod('Running', { ready: true }), false, true],
    ['Unknown phase', pod('Unknown'), false, true],
  ])('%s — ignore budget %s, pin resourceVersion %s', (_name, p, ignore, pin) => {
    expect(canIgnorePdb(p)).toBe(ignore);
    expect(shouldEnforceResourceVersion(p)).toBe(pin);
  });

  it('readiness — only a Ready=True condition counts', () => {
    expect(isPodReady(pod('Running', { ready: true }))).toBe(true);
    expect(isPodReady(pod('Running', { ready: false }))).toBe(false);
    expect(isPodReady(pod('Running'))).toBe(false);
  });
});

describe('eviction — which budgets cover a pod', () => {
  it.each([
    ['matching labels', pdb({}), 1],
    ['other namespace', pdb({}, { ns: 'other' }), 0],
    ['labels differ', pdb({}, { selector: { matchLabels: { app: 'db' } } }), 0],
    ['empty selector matches nothing', pdb({}, { selector: {} }), 0],
    ['nil selector matches nothing', pdb({}, { selector: undefined }), 0],
    ['invalid selector matches nothing', pdb({}, { selector: { matchExpressions: [{ key: 'app', operator: 'Bogus' }] } }), 0],
    ['expression selector', pdb({}, { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] } }), 1],
  ])('%s', (_name, budget, n) => {
    expect(matchingPdbs(pod('Running'), [budget])).toHaveLength(n);
  });
});

describe('eviction — unhealthy pods', () => {
  const healthy = { currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 0 };
  it.each([
    ['ready pod always uses the budget', pod('Running', { ready: true }), pdb(healthy, { policy: 'AlwaysAllow' }), false],
    ['AlwaysAllow lets an unready pod go', pod('Running', { ready: false }), pdb({ currentHealthy: 0, desiredHealthy: 2 }, { policy: 'AlwaysAllow' }), true],
    ['IfHealthyBudget: application healthy enough', pod('Running', { ready: false }), pdb(healthy, { policy: 'IfHealthyBudget' }), true],
    ['default policy is IfHealthyBudget', pod('Running', { ready: false }), pdb(healthy), true],
    ['IfHealthyBudget: application already disrupted', pod('Running', { ready: false }), pdb({ currentHealthy: 1, desiredHealthy: 2 }), false],
    ['desiredHealthy 0 never bypasses', pod('Running', { ready: false }), pdb({ currentHealthy: 0, desiredHealthy: 0 }), false],
  ])('%s', (_name, p, budget, bypass) => {
    expect(unhealthyPodBypassesBudget(p, budget)).toBe(bypass);
  });
});

describe('eviction — checkAndDecrement', () => {
  it('spends one disruption and records the pod', () => {
    const next = checkAndDecrement(pdb({ observedGeneration: 1, disruptionsAllowed: 2, currentHealthy: 3, desiredHealthy: 1 }), 'p', T, false);
    expect(next.status).toMatchObject({ disruptionsAllowed: 1, disruptedPods: { p: '2026-11-22T05:00:00Z' } });
    expect((next.status as PdbStatus).conditions).toBeUndefined();
  });

  it('the last disruption sets DisruptionAllowed=False (InsufficientPods)', () => {
    const next = checkAndDecrement(pdb({ observedGeneration: 1, disruptionsAllowed: 1, conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 1, lastTransitionTime: 'x' }] }), 'p', T, false);
    expect((next.status as PdbStatus).conditions).toEqual([{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: 1, lastTransitionTime: '2026-11-22T05:00:00Z' }]);
  });

  it('dry run decrements but does not record the pod', () => {
    const next = checkAndDecrement(pdb({ observedGeneration: 1, disruptionsAllowed: 2 }), 'p', T, true);
    expect(next.status).toMatchObject({ disruptionsAllowed: 1 });
    expect((next.status as PdbStatus).disruptedPods).toBeUndefined();
  });

  it.each([
    ['no disruption allowed', pdb({ observedGeneration: 1, disruptionsAllowed: 0, desiredHealthy: 2, currentHealthy: 2 }), {
      code: 429, reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget budget needs 2 healthy pods and has 2 currently' }] },
    }],
    ['status older than the spec', pdb({ observedGeneration: 1, disruptionsAllowed: 5 }, { generation: 2 }), {
      code: 429, reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { retryAfterSeconds: 10, causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget budget is still being processed by the server.' }] },
    }],
    ['no status at all (never processed)', pdb({}, { generation: 1 }), { code: 429 }],
    ['negative budget', pdb({ observedGeneration: 1, disruptionsAllowed: -1 }), {
      code: 403, reason: 'Forbidden', message: 'poddisruptionbudget.policy "budget" is forbidden: pdb disruptions allowed is negative',
      details: { name: 'budget', group: 'policy', kind: 'poddisruptionbudget' },
    }],
    ['too many unconfirmed evictions', pdb({ observedGeneration: 1, disruptionsAllowed: 1, disruptedPods: Object.fromEntries(Array.from({ length: 2001 }, (_, i) => [`p${i}`, 'x'])) }), {
      code: 403, message: 'poddisruptionbudget.policy "budget" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller',
    }],
  ])('refuse — %s', (_name, budget, want) => {
    expect(statusOfThrown(() => checkAndDecrement(budget, 'p', T, false))).toMatchObject(want);
  });
});
