import { ApiError, FakeClock, FakeListerWatcher, Informer, WorkQueue, objectKey, type CallOpts } from '@ekslab/client';
import { Status } from '@ekslab/proto';
import { createLogger } from '@ekslab/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeRecorder } from '../../framework/recorder.js';
import type { Job } from '../job/types.js';
import { CronJobController } from './controller.js';
import type { CronJob } from './types.js';

const NOW = Date.parse('2026-11-22T11:05:10Z');
const notFound = (name: string): ApiError => new ApiError(Status.create({ status: 'Failure', code: 404, reason: 'NotFound', message: `jobs.batch "${name}" not found` }));

function cronJob(spec: Partial<CronJob['spec']>, status: CronJob['status'] = {}): CronJob {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'ns', uid: 'cj-uid', resourceVersion: '1', creationTimestamp: '2026-11-22T11:00:30Z' },
    spec: { schedule: '*/1 * * * *', concurrencyPolicy: 'Allow', jobTemplate: { spec: { template: { spec: { containers: [], restartPolicy: 'Never' } } } }, ...spec },
    status,
  };
}

function runningJob(name: string): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name, namespace: 'ns', uid: `${name}-uid`, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-uid', controller: true }] },
    spec: { template: { spec: { containers: [] } } }, status: { active: 1, startTime: '2026-11-22T11:04:00Z' },
  };
}

/** The controller over fake informers and an in-memory API that records writes. */
async function setup(cj: CronJob, jobs: Job[] = []) {
  const ac = new AbortController();
  const clock = new FakeClock(NOW);
  const cjLw = new FakeListerWatcher<CronJob>();
  const jobLw = new FakeListerWatcher<Job>();
  cjLw.add(cj);
  for (const j of jobs) jobLw.add(j);
  const live = new Map(jobs.map((j) => [j.metadata.name ?? '', j]));
  const created: Job[] = [];
  const deleted: string[] = [];
  const statuses: CronJob[] = [];
  const log = createLogger('test', 'fatal');
  const cronJobs = new Informer<CronJob>(cjLw, { clock });
  const jobInformer = new Informer<Job>(jobLw, { clock });
  const recorder = new FakeRecorder();
  const controller = new CronJobController({
    cronJobs, jobs: jobInformer, recorder, clock, log, queue: new WorkQueue<string>({ clock }),
    cronJobClient: {
      get: () => Promise.resolve(structuredClone(cj)),
      update: (obj: CronJob) => {
        statuses.push(structuredClone(obj));
        return Promise.resolve(obj);
      },
    },
    jobClient: {
      get: (name: string) => (live.has(name) ? Promise.resolve(live.get(name)!) : Promise.reject(notFound(name))),
      create: (obj: Job) => {
        const j = { ...obj, metadata: { ...obj.metadata, uid: `${obj.metadata.name ?? ''}-uid`, resourceVersion: '7' } };
        created.push(j);
        live.set(j.metadata.name ?? '', j);
        return Promise.resolve(j);
      },
      delete: (name: string, _opts: CallOpts) => {
        deleted.push(name);
        live.delete(name);
        return Promise.resolve({ object: {} as Job, deleted: true });
      },
    },
  });
  void cronJobs.start(ac.signal);
  void jobInformer.start(ac.signal);
  await Promise.all([cronJobs.waitForSync(ac.signal), jobInformer.waitForSync(ac.signal)]);
  cleanups.push(() => ac.abort());
  const sync = () => controller.sync(objectKey(cj), ac.signal);
  return { sync, created, deleted, statuses, recorder };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const minute = (iso: string): number => Date.parse(iso) / 60_000;

describe('cronjob controller', () => {
  it('Allow — creates <name>-<minutes> for the due time, records it as active and looks again just after the next minute', async () => {
    const t = await setup(cronJob({}, { lastScheduleTime: '2026-11-22T11:04:00Z' }));
    const result = await t.sync();
    expect(t.created.map((j) => j.metadata.name)).toEqual([`tick-${minute('2026-11-22T11:05:00Z')}`]);
    expect(t.statuses.at(-1)?.status).toMatchObject({ lastScheduleTime: '2026-11-22T11:05:00Z', active: [{ kind: 'Job', name: `tick-${minute('2026-11-22T11:05:00Z')}` }] });
    expect(t.recorder.events).toEqual([{ object: 'ns/tick', type: 'Normal', reason: 'SuccessfulCreate', message: `Created job tick-${minute('2026-11-22T11:05:00Z')}` }]);
    expect(result).toEqual({ requeueAfter: 50_100 });
  });

  it('Forbid — a running Job blocks the next one (JobAlreadyActive)', async () => {
    const prior = runningJob('tick-1');
    const t = await setup(cronJob({ concurrencyPolicy: 'Forbid' }, { lastScheduleTime: '2026-11-22T11:04:00Z', active: [{ kind: 'Job', name: 'tick-1', namespace: 'ns', uid: 'tick-1-uid' }] }), [prior]);
    await t.sync();
    expect(t.created).toHaveLength(0);
    expect(t.recorder.events.map((e) => e.reason)).toEqual(['JobAlreadyActive']);
  });

  it('Replace — the running Job is deleted and the new one created', async () => {
    const prior = runningJob('tick-1');
    const t = await setup(cronJob({ concurrencyPolicy: 'Replace' }, { lastScheduleTime: '2026-11-22T11:04:00Z', active: [{ kind: 'Job', name: 'tick-1', namespace: 'ns', uid: 'tick-1-uid' }] }), [prior]);
    await t.sync();
    expect(t.deleted).toEqual(['tick-1']);
    expect(t.created).toHaveLength(1);
    expect(t.recorder.events.map((e) => `${e.reason}: ${e.message}`)).toEqual(['SuccessfulDelete: Deleted job tick-1', `SuccessfulCreate: Created job tick-${minute('2026-11-22T11:05:00Z')}`]);
    expect(t.statuses.at(-1)?.status?.active?.map((r) => r.name)).toEqual([`tick-${minute('2026-11-22T11:05:00Z')}`]);
  });

  it('startingDeadlineSeconds — a start time older than the deadline is skipped, not run late', async () => {
    const late = await setup(cronJob({ schedule: '5 11 * * *', startingDeadlineSeconds: 5 }));
    expect(await late.sync()).toEqual({ requeueAfter: 24 * 3600_000 - 10_000 + 100 });
    expect(late.created).toHaveLength(0);
    const inTime = await setup(cronJob({ schedule: '5 11 * * *', startingDeadlineSeconds: 30 }));
    await inTime.sync();
    expect(inTime.created.map((j) => j.metadata.name)).toEqual([`tick-${minute('2026-11-22T11:05:00Z')}`]);
  });

  it('suspend — nothing starts; a bad schedule is reported, not retried', async () => {
    const suspended = await setup(cronJob({ suspend: true }));
    await suspended.sync();
    expect(suspended.created).toHaveLength(0);
    const bad = await setup(cronJob({ schedule: '61 * * * *' }));
    expect(await bad.sync()).toBeUndefined();
    expect(bad.recorder.events).toEqual([{ object: 'ns/tick', type: 'Warning', reason: 'UnparseableSchedule', message: 'unparseable schedule: "61 * * * *" : end of range (61) above maximum (59): 61' }]);
  });

  it('status — a finished active Job leaves the active list (SawCompletedJob); a gone one too (MissingJob)', async () => {
    const done: Job = { ...runningJob('tick-1'), status: { succeeded: 1, completionTime: '2026-11-22T11:04:30Z', conditions: [{ type: 'Complete', status: 'True' }] } };
    const t = await setup(cronJob({ suspend: true }, {
      lastScheduleTime: '2026-11-22T11:04:00Z',
      active: [{ kind: 'Job', name: 'tick-1', namespace: 'ns', uid: 'tick-1-uid' }, { kind: 'Job', name: 'tick-0', namespace: 'ns', uid: 'tick-0-uid' }],
    }), [done]);
    await t.sync();
    expect(t.recorder.events.map((e) => `${e.reason}: ${e.message}`)).toEqual(['SawCompletedJob: Saw completed job: tick-1, condition: Complete', 'MissingJob: Active job went missing: tick-0']);
    expect(t.statuses.at(-1)?.status?.active).toBeUndefined();
  });
});
