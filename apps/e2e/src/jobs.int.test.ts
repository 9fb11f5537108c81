import type { KubeObject } from '@ekslab/client';
import { waitFor } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControllerCluster, type ControllerCluster } from './controller-fixture.js';

// Issue 6's Job, CronJob and TTL-after-finished controllers, run by the built controller-manager on the built
// apiserver, scheduler and a kubelet agent: pods really run in the simulated runtime and exit as their
// ekslab.io/* annotations say. The failure backoff is shortened by flag (--job-pod-failure-backoff); the
// CronJob runs on the real clock: it is created first, and its test (last) waits for the minute boundary
// that passes while the other tests run.
const PODS = { group: '', version: 'v1', resource: 'pods' };
const JOBS = { group: 'batch', version: 'v1', resource: 'jobs' };
const CRONJOBS = { group: 'batch', version: 'v1', resource: 'cronjobs' };
const ns = 'batch';

interface Condition { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }
interface Pod extends KubeObject { metadata: KubeObject['metadata'] & { finalizers?: string[]; annotations?: Record<string, string> }; status?: { phase?: string } }
interface Job extends KubeObject {
  metadata: KubeObject['metadata'] & { creationTimestamp?: string; finalizers?: string[]; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
  spec: { selector?: { matchLabels?: Record<string, string> } };
  status?: { completedIndexes?: string; active?: number; succeeded?: number; failed?: number; ready?: number; terminating?: number; completionTime?: string; startTime?: string; conditions?: Condition[]; uncountedTerminatedPods?: unknown };
}
interface CronJob extends KubeObject { status?: { active?: unknown[]; lastScheduleTime?: string; lastSuccessfulTime?: string } }

let c: ControllerCluster;
const s = (): AbortSignal => AbortSignal.timeout(10_000);

function job(name: string, spec: Record<string, unknown>, annotations: Record<string, string>): string {
  return JSON.stringify({
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: ns },
    spec: {
      ...spec,
      template: {
        metadata: { annotations },
        spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'work', image: 'busybox:1.36', resources: { requests: { cpu: '10m' } } }] },
      },
    },
  });
}

const getJob = (name: string): Promise<Job> => c.client<Job>(JOBS, ns).get(name, { signal: s() });
const condition = (j: Job, type: string): Condition | undefined => j.status?.conditions?.find((x) => x.type === type);

async function events(name: string): Promise<{ reason: string; message: string; source?: { component?: string } }[]> {
  const r = await c.kubectl(['get', 'events', '-n', ns, '--field-selector', `involvedObject.name=${name}`, '-o', 'json']);
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { items: { reason: string; message: string; source?: { component?: string } }[] }).items;
}

beforeAll(async () => {
  c = await startControllerCluster();
  c.startScheduler();
  c.startAgent({ nodes: 2, prefix: 'batch-node-', zone: 'us-east-1a' });
  c.startControllerManager(['job-controller', 'cronjob-controller', 'ttl-after-finished-controller'], ['--job-pod-failure-backoff', '200ms', '--job-pod-failure-max-backoff', '1s']);
  expect((await c.kubectl(['create', 'namespace', ns])).code).toBe(0);
  const cron = {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick', namespace: ns },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: { spec: { template: { metadata: { annotations: { 'ekslab.io/run-for': '500ms' } }, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'tick', image: 'busybox:1.36' }] } } } },
    },
  };
  expect((await c.kubectl(['apply', '-f', '-'], JSON.stringify(cron))).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await c?.dispose();
});

describe('Job', () => {
  it('completions 5 / parallelism 2 completes with never more than 2 pods active', async () => {
    // Sample every pod change of the Job from a watch started before it exists.
    const watch = new AbortController();
    const pods = new Map<string, Pod>();
    let maxActive = 0;
    const sampling = (async () => {
      try {
        for await (const ev of c.client<Pod>(PODS, ns).watch({ labelSelector: 'batch.kubernetes.io/job-name=five' }, watch.signal)) {
          if (ev.type === 'DELETED') pods.delete(ev.object.metadata.uid ?? '');
          else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') pods.set(ev.object.metadata.uid ?? '', ev.object);
          const active = [...pods.values()].filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
          maxActive = Math.max(maxActive, active);
        }
      } catch (err) {
        if (!watch.signal.aborted) throw err;
      }
    })();
    try {
      expect((await c.kubectl(['apply', '-f', '-'], job('five', { completions: 5, parallelism: 2 }, { 'ekslab.io/run-for': '1s' }))).code).toBe(0);
      const wait = await c.kubectl(['wait', '-n', ns, '--for=condition=complete', 'job/five', '--timeout=90s']);
      expect(wait.stdout).toContain('job.batch/five condition met');
    } finally {
      watch.abort();
      await sampling;
    }
    expect(maxActive).toBe(2);
    const j = await getJob('five');
    expect(j.status).toMatchObject({ succeeded: 5, active: 0, ready: 0, terminating: 0 });
    expect(j.status?.failed ?? 0).toBe(0);
    expect(j.status?.completionTime).toBeDefined();
    expect(condition(j, 'SuccessCriteriaMet')).toMatchObject({ status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' });
    expect(condition(j, 'Complete')).toMatchObject({ status: 'True', reason: 'CompletionsReached' });
    // The apiserver generated the selector; the pods carry its labels and, once counted, no finalizer.
    const uid = j.metadata.uid ?? '';
    expect(j.spec.selector?.matchLabels).toEqual({ 'batch.kubernetes.io/controller-uid': uid });
    await waitFor(async () => {
      const list = (await c.client<Pod>(PODS, ns).listAll({ labelSelector: `batch.kubernetes.io/controller-uid=${uid},job-name=five` }, s())).items;
      return list.length === 5 && list.every((p) => p.status?.phase === 'Succeeded' && !(p.metadata.finalizers ?? []).includes('batch.kubernetes.io/job-tracking'));
    }, { timeoutMs: 10_000, intervalMs: 250, description: '5 succeeded pods without the tracking finalizer' });
    const ev = await events('five');
    expect(ev.filter((e) => e.reason === 'SuccessfulCreate')).toHaveLength(5);
    expect(ev.find((e) => e.reason === 'Completed')).toMatchObject({ message: 'Job completed', source: { component: 'job-controller' } });
    const table = await c.kubectl(['get', 'job', 'five', '-n', ns]);
    expect(table.stdout).toMatch(/five\s+Complete\s+5\/5/);
  }, 120_000);

  it('a failing Job stops at backoffLimit with Failed / BackoffLimitExceeded', async () => {
    expect((await c.kubectl(['apply', '-f', '-'], job('crash', { backoffLimit: 2 }, { 'ekslab.io/crash-after': '300ms' }))).code).toBe(0);
    const wait = await c.kubectl(['wait', '-n', ns, '--for=condition=failed', 'job/crash', '--timeout=60s']);
    expect(wait.stdout).toContain('job.batch/crash condition met');
    const j = await getJob('crash');
    expect(condition(j, 'FailureTarget')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(condition(j, 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(j.status).toMatchObject({ failed: 3, active: 0 });
    expect(j.status?.succeeded ?? 0).toBe(0);
    // backoffLimit 2: the first pod and two replacements, then no more.
    const pods = (await c.client<Pod>(PODS, ns).listAll({ labelSelector: 'job-name=crash' }, s())).items;
    expect(pods).toHaveLength(3);
    expect(pods.every((p) => p.status?.phase === 'Failed')).toBe(true);
    expect((await events('crash')).find((e) => e.reason === 'BackoffLimitExceeded')).toMatchObject({ message: 'Job has reached the specified backoff limit' });
  }, 90_000);

  it('activeDeadlineSeconds fails a Job with DeadlineExceeded and stops its pods', async () => {
    expect((await c.kubectl(['apply', '-f', '-'], job('slow', { activeDeadlineSeconds: 3, parallelism: 2, completions: 2 }, {}))).code).toBe(0);
    const wait = await c.kubectl(['wait', '-n', ns, '--for=condition=failed', 'job/slow', '--timeout=60s']);
    expect(wait.stdout).toContain('job.batch/slow condition met');
    const j = await getJob('slow');
    expect(condition(j, 'Failed')).toMatchObject({ status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    expect(Date.parse(condition(j, 'Failed')?.lastTransitionTime ?? '') - Date.parse(j.status?.startTime ?? '')).toBeGreaterThanOrEqual(3000);
    // The running pods were deleted (and counted as failed) before the Job was declared Failed.
    expect(j.status).toMatchObject({ active: 0, failed: 2, terminating: 0 });
    const live = (await c.client<Pod>(PODS, ns).listAll({ labelSelector: 'job-name=slow' }, s())).items.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running');
    expect(live).toHaveLength(0);
    expect((await events('slow')).map((e) => e.reason)).toEqual(expect.arrayContaining(['SuccessfulCreate', 'SuccessfulDelete', 'DeadlineExceeded']));
  }, 90_000);

  it('a suspended Job runs no pods until resumed', async () => {
    expect((await c.kubectl(['apply', '-f', '-'], job('held', { suspend: true }, { 'ekslab.io/run-for': '300ms' }))).code).toBe(0);
    await waitFor(async () => condition(await getJob('held'), 'Suspended')?.status === 'True', { timeoutMs: 15_000, intervalMs: 250, description: 'held Suspended' });
    expect((await c.client<Pod>(PODS, ns).listAll({ labelSelector: 'job-name=held' }, s())).items).toHaveLength(0);
    expect(condition(await getJob('held'), 'Suspended')).toMatchObject({ reason: 'JobSuspended', message: 'Job suspended' });
    expect((await c.kubectl(['patch', 'job', 'held', '-n', ns, '--type=merge', '-p', '{"spec":{"suspend":false}}'])).code).toBe(0);
    expect((await c.kubectl(['wait', '-n', ns, '--for=condition=complete', 'job/held', '--timeout=60s'])).code).toBe(0);
    expect(condition(await getJob('held'), 'Suspended')).toMatchObject({ status: 'False', reason: 'JobResumed' });
  }, 90_000);

  it('Indexed: one pod per completion index, completedIndexes in status', async () => {
    expect((await c.kubectl(['apply', '-f', '-'], job('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }, { 'ekslab.io/run-for': '300ms' }))).code).toBe(0);
    expect((await c.kubectl(['wait', '-n', ns, '--for=condition=complete', 'job/idx', '--timeout=60s'])).code).toBe(0);
    const j = await getJob('idx');
    expect(j.status).toMatchObject({ succeeded: 3, completedIndexes: '0-2' });
    const pods = (await c.client<Pod & { spec: { hostname?: string } }>(PODS, ns).listAll({ labelSelector: 'job-name=idx' }, s())).items;
    const byIndex = pods.map((p) => [p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'], p.metadata.labels?.['batch.kubernetes.io/job-completion-index'], p.spec.hostname]).sort();
    expect(byIndex).toEqual([['0', '0', 'idx-0'], ['1', '1', 'idx-1'], ['2', '2', 'idx-2']]);
  }, 60_000);

  it('deleting a running Job takes the tracking finalizer off its pods', async () => {
    expect((await c.kubectl(['apply', '-f', '-'], job('gone', {}, {}))).code).toBe(0);
    const podsOf = async (): Promise<Pod[]> => (await c.client<Pod>(PODS, ns).listAll({ labelSelector: 'job-name=gone' }, s())).items;
    await waitFor(async () => (await podsOf()).some((p) => p.status?.phase === 'Running'), { timeoutMs: 30_000, intervalMs: 250, description: 'gone pod running' });
    expect((await podsOf())[0]?.metadata.finalizers).toContain('batch.kubernetes.io/job-tracking');
    expect((await c.kubectl(['delete', 'job', 'gone', '-n', ns, '--wait=false'])).code).toBe(0);
    // No garbage collector runs here: the pod stays, orphaned, and must not be held by the Job's finalizer.
    await waitFor(async () => (await podsOf()).every((p) => !(p.metadata.finalizers ?? []).includes('batch.kubernetes.io/job-tracking')),
      { timeoutMs: 15_000, intervalMs: 250, description: 'finalizer removed from the orphaned pod' });
    expect(await podsOf()).toHaveLength(1);
  }, 60_000);

  it('ttlSecondsAfterFinished deletes a finished Job (0 at once, 2 after two seconds) with foreground propagation', async () => {
    expect((await c.kubectl(['apply', '-f', '-'], job('ttl0', { ttlSecondsAfterFinished: 0 }, { 'ekslab.io/run-for': '300ms' }))).code).toBe(0);
    expect((await c.kubectl(['apply', '-f', '-'], job('ttl2', { ttlSecondsAfterFinished: 2 }, { 'ekslab.io/run-for': '300ms' }))).code).toBe(0);
    // Deleted: gone, or (with no garbage collector running here) held by the foregroundDeletion finalizer.
    const deletedAt = async (name: string): Promise<number> => {
      let at = 0;
      let completion: string | undefined;
      await waitFor(async () => {
        try {
          const j = await getJob(name);
          completion ??= j.status?.completionTime;
          if (!j.metadata.deletionTimestamp) return false;
          expect(j.metadata.finalizers).toContain('foregroundDeletion');
          completion = j.status?.completionTime;
        } catch (err) {
          if ((err as { code?: number }).code !== 404 && !/not found/i.test(String(err))) throw err;
        }
        at = Date.now();
        return true;
      }, { timeoutMs: 30_000, intervalMs: 200, description: `${name} deleted` });
      expect(completion).toBeDefined();
      return at - Date.parse(completion ?? '');
    };
    const [after0, after2] = await Promise.all([deletedAt('ttl0'), deletedAt('ttl2')]);
    expect(after0).toBeLessThan(5_000);
    // completionTime has second precision: the deletion comes at least 1 s after it, and soon after 2 s.
    expect(after2).toBeGreaterThanOrEqual(1_000);
    expect(after2).toBeLessThan(8_000);
  }, 60_000);
});

describe('CronJob', () => {
  it('kubectl create job --from=cronjob makes a Job from the template, owned by the CronJob', async () => {
    const r = await c.kubectl(['create', 'job', '--from=cronjob/tick', 'tick-manual', '-n', ns]);
    expect(r.stdout).toContain('job.batch/tick-manual created');
    const j = await getJob('tick-manual');
    expect(j.metadata.annotations?.['cronjob.kubernetes.io/instantiate']).toBe('manual');
    expect(j.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'tick', controller: true });
    expect((await c.kubectl(['wait', '-n', ns, '--for=condition=complete', 'job/tick-manual', '--timeout=60s'])).code).toBe(0);
  }, 90_000);

  it('finished Jobs beyond successfulJobsHistoryLimit are deleted, oldest first', async () => {
    const cron = {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'hist', namespace: ns },
      spec: {
        schedule: '0 0 1 1 *', suspend: true, successfulJobsHistoryLimit: 1,
        jobTemplate: { spec: { template: { metadata: { annotations: { 'ekslab.io/run-for': '200ms' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'h', image: 'busybox:1.36' }] } } } },
      },
    };
    expect((await c.kubectl(['apply', '-f', '-'], JSON.stringify(cron))).code).toBe(0);
    for (const name of ['hist-a', 'hist-b']) {
      expect((await c.kubectl(['create', 'job', '--from=cronjob/hist', name, '-n', ns])).code).toBe(0);
      expect((await c.kubectl(['wait', '-n', ns, '--for=condition=complete', `job/${name}`, '--timeout=60s'])).code).toBe(0);
    }
    await waitFor(async () => {
      const names = (await c.client<Job>(JOBS, ns).listAll({}, s())).items.filter((j) => j.metadata.name?.startsWith('hist-') && !j.metadata.deletionTimestamp).map((j) => j.metadata.name);
      return names.length === 1 && names[0] === 'hist-b';
    }, { timeoutMs: 15_000, intervalMs: 250, description: 'only hist-b kept' });
    expect((await events('hist')).find((e) => e.reason === 'SuccessfulDelete')).toMatchObject({ message: 'Deleted job hist-a' });
  }, 90_000);

  it('*/1 * * * * creates <name>-<minutes> at the minute, then records it and its success', async () => {
    // The first activation is the first minute after the CronJob's creation.
    const created = Date.parse(String((await c.client<CronJob>(CRONJOBS, ns).get('tick', { signal: s() })).metadata.creationTimestamp));
    const scheduled = Math.floor(created / 60_000) * 60_000 + 60_000;
    const name = `tick-${scheduled / 60_000}`;
    await waitFor(async () => {
      try {
        return condition(await getJob(name), 'Complete')?.status === 'True';
      } catch {
        return false;
      }
    }, { timeoutMs: Math.max(scheduled - Date.now(), 0) + 45_000, intervalMs: 500, description: `${name} complete` });
    const j = await getJob(name);
    expect(Date.parse(j.metadata.creationTimestamp ?? '')).toBeGreaterThanOrEqual(scheduled);
    expect(j.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe(new Date(scheduled).toISOString().replace('.000Z', 'Z'));
    expect(j.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'tick', controller: true });
    await waitFor(async () => {
      const cj = await c.client<CronJob>(CRONJOBS, ns).get('tick', { signal: s() });
      return cj.status?.lastSuccessfulTime !== undefined && Date.parse(cj.status.lastScheduleTime ?? '') >= scheduled;
    }, { timeoutMs: 15_000, intervalMs: 250, description: 'tick status records the run' });
    const ev = await events('tick');
    expect(ev.find((e) => e.reason === 'SuccessfulCreate' && e.message === `Created job ${name}`)).toMatchObject({ source: { component: 'cronjob-controller' } });
    expect(ev.find((e) => e.reason === 'SawCompletedJob')?.message).toMatch(/^Saw completed job: tick-\d+, condition: Complete$/);
    const table = await c.kubectl(['get', 'cronjob', 'tick', '-n', ns]);
    expect(table.stdout).toMatch(/tick\s+\*\/1 \* \* \* \*/);
  }, 120_000);
});
