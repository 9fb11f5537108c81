import { FakeClock, type KubeObject } from '@ekslab/client';
import { createLogger } from '@ekslab/runtime';
import { describe, expect, it } from 'vitest';
import { ControllerExpectations, type Pod, type PodTemplateSpec } from '../../controller-utils/index.js';
import { FakeRecorder } from '../../framework/recorder.js';
import { BackoffStore } from './backoff.js';
import { FinalizerExpectations } from './finalizer-expectations.js';
import { JobSync } from './sync.js';
import { JOB_TRACKING_FINALIZER, type Job } from './types.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');

const job = (spec: Partial<Job['spec']> = {}, status: Job['status'] = {}): Job => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'ns', uid: 'job-uid', resourceVersion: '5' },
  spec: { parallelism: 2, completions: 2, backoffLimit: 6, template: { spec: { containers: [{ name: 'c' }], restartPolicy: 'Never' } }, ...spec },
  status: { startTime: '2026-11-22T11:59:00Z', ...status },
});

const pod = (name: string, phase: string, finishedAt = '2026-11-22T11:59:58Z'): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: name, finalizers: [JOB_TRACKING_FINALIZER], ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'job-uid', controller: true }] },
  spec: { containers: [{ name: 'c' }], nodeName: 'n1' },
  status: {
    phase: phase as 'Running',
    ...(phase === 'Running' ? {} : { containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: phase === 'Failed' ? 1 : 0, finishedAt } } }] }),
  },
});

/** One JobSync over fakes that record what it writes. */
async function sync(j: Job, pods: Pod[], o: { backoff?: BackoffStore } = {}) {
  const statuses: Job[] = [];
  const patched: string[] = [];
  const deleted: string[] = [];
  const created: Pod[] = [];
  const recorder = new FakeRecorder();
  const clock = new FakeClock(NOW);
  const run = new JobSync({
    jobClient: { update: (obj: Job) => { statuses.push(structuredClone(obj)); return Promise.resolve(structuredClone(obj)); } },
    podClient: { patch: (name: string) => { patched.push(name); return Promise.resolve({} as Pod); } },
    podControl: {
      create: (t: PodTemplateSpec, _owner: KubeObject) => {
        const p = { apiVersion: 'v1', kind: 'Pod', metadata: { ...t.metadata, name: `j-${created.length}` }, spec: t.spec } as Pod;
        created.push(p);
        return Promise.resolve(p);
      },
      delete: (p: Pod) => { deleted.push(p.metadata.name ?? ''); return Promise.resolve(true); },
    },
    recorder, expectations: new ControllerExpectations(clock), finalizers: new FinalizerExpectations(), backoff: o.backoff ?? new BackoffStore(),
    clock, log: createLogger('test', 'fatal'), podFailureBackoffMs: 10_000, maxPodFailureBackoffMs: 360_000, batchPeriodMs: 1000,
  }, structuredClone(j), pods, true);
  await run.run(AbortSignal.timeout(5000));
  return { statuses, patched, deleted, created, events: recorder.events.map((e) => `${e.reason}: ${e.message}`), requeueAfter: run.requeueAfter };
}

const types = (j: Job | undefined): string[] => (j?.status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type);

describe('job sync', () => {
  it('success — pods are recorded as uncounted, lose the finalizer, then count; SuccessCriteriaMet then Complete', async () => {
    const r = await sync(job(), [pod('a', 'Succeeded'), pod('b', 'Succeeded')]);
    expect(r.statuses).toHaveLength(2);
    expect(r.statuses[0]!.status).toMatchObject({ uncountedTerminatedPods: { succeeded: ['a', 'b'] }, active: 0 });
    expect(types(r.statuses[0])).toEqual(['SuccessCriteriaMet']);
    expect(r.patched.sort()).toEqual(['a', 'b']);
    expect(r.statuses[1]!.status).toMatchObject({ succeeded: 2, uncountedTerminatedPods: {}, completionTime: '2026-11-22T12:00:00Z' });
    expect(types(r.statuses[1])).toEqual(['SuccessCriteriaMet', 'Complete']);
    expect(r.events).toEqual(['Completed: Job completed']);
  });

  it('backoffLimit — the running pod is deleted and counted failed; FailureTarget now, Failed once nothing terminates', async () => {
    const r = await sync(job({ backoffLimit: 0 }), [pod('a', 'Failed'), pod('b', 'Running')]);
    expect(r.deleted).toEqual(['b']);
    expect(r.created).toHaveLength(0);
    const first = r.statuses[0]!;
    expect(types(first)).toEqual(['FailureTarget']);
    expect(first.status?.conditions?.[0]).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(first.status).toMatchObject({ uncountedTerminatedPods: { failed: ['a', 'b'] }, terminating: 1, active: 0 });
    expect(types(r.statuses.at(-1))).toEqual(['FailureTarget']); // b is still terminating
    // Next round: b is gone, both are counted; Failed is set.
    const after = await sync(r.statuses.at(-1)!, []);
    expect(types(after.statuses.at(-1))).toEqual(['FailureTarget', 'Failed']);
    expect(after.statuses.at(-1)?.status).toMatchObject({ failed: 2 });
    expect(after.events).toEqual(['BackoffLimitExceeded: Job has reached the specified backoff limit']);
  });

  it('backoff — a failed pod is replaced only after the backoff since its failure', async () => {
    const store = new BackoffStore();
    const r = await sync(job({ completions: 1, parallelism: 1 }), [pod('a', 'Failed', '2026-11-22T11:59:57Z')], { backoff: store });
    expect(r.created).toHaveLength(0);
    expect(r.requeueAfter).toBe(7000);
    expect(store.get('ns/j')).toEqual({ failuresAfterLastSuccess: 1, lastFailureTime: Date.parse('2026-11-22T11:59:57Z') });
  });

  it('parallelism — creates the missing pods with the tracking finalizer, never beyond the completions left', async () => {
    const r = await sync(job({ completions: 5, parallelism: 3 }, { succeeded: 3 }), [pod('a', 'Running')]);
    expect(r.created).toHaveLength(1);
    expect(r.created[0]!.metadata.finalizers).toEqual([JOB_TRACKING_FINALIZER]);
    expect(r.statuses.at(-1)?.status).toMatchObject({ active: 2 });
  });

  it('suspend — active pods lose the finalizer and are deleted; Suspended is set', async () => {
    const r = await sync(job({ suspend: true }), [pod('a', 'Running'), pod('b', 'Running')]);
    expect(r.patched.sort()).toEqual(['a', 'b']);
    expect(r.deleted.sort()).toEqual(['a', 'b']);
    expect(types(r.statuses.at(-1))).toEqual(['Suspended']);
    expect(r.statuses.at(-1)?.status).toMatchObject({ active: 0, terminating: 2 });
    expect(r.events).toEqual(['Suspended: Job suspended']);
  });
});
