import { NAMESPACE_INDEX, isAlreadyExists, isNotFound, objectKey, type Informer, type ReconcileResult, type ResourceClient, type WorkQueue } from '@ekslab/client';
import type { Clock, Logger } from '@ekslab/runtime';
import { DeletionPropagation } from '@ekslab/proto';
import { controllerOf } from '../../controller-utils/index.js';
import type { EventRecorder } from '../../framework/recorder.js';
import { finishedCondition, isJobFinished, type Job } from '../job/types.js';
import { CronParseError, isValidTimeZone, parseSchedule, type Schedule } from '@ekslab/apimachinery';
import { jobFromTemplate, jobName, mostRecentScheduleTime, nextScheduleDelay, rfc1123z } from './schedule.js';
import type { CronJob, ObjectReference } from './types.js';

export interface CronJobControllerOptions {
  readonly cronJobs: Informer<CronJob>;
  readonly jobs: Informer<Job>;
  /** Written as the controller's identity (cronjob-controller). */
  readonly cronJobClient: Pick<ResourceClient<CronJob>, 'get' | 'update'>;
  readonly jobClient: Pick<ResourceClient<Job>, 'get' | 'create' | 'delete'>;
  readonly recorder: EventRecorder;
  readonly queue: WorkQueue<string>;
  readonly clock: Clock;
  readonly log: Logger;
}

/** `schedule` as kube's formatSchedule hands it to the parser: prefixed with `TZ=<timeZone>` when one is set. */
export function formatSchedule(cj: CronJob, recorder?: EventRecorder): string {
  const { schedule, timeZone } = cj.spec;
  if (schedule.includes('TZ')) {
    recorder?.event(cj, 'Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule ${JSON.stringify(schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
    return schedule;
  }
  if (timeZone !== undefined && timeZone !== null) return isValidTimeZone(timeZone) || timeZone === 'UTC' ? `TZ=${timeZone} ${schedule}` : schedule;
  return schedule;
}

const isControlledBy = (job: Job, cj: CronJob): boolean => {
  const ref = controllerOf(job);
  return ref !== undefined && ref.kind === 'CronJob' && ref.name === cj.metadata.name;
};

/**
 * kube's CronJob controller (v2): at each activation of a CronJob's schedule it creates the Job
 * `<name>-<minutes since the epoch>` from the jobTemplate (the name is the lock: a repeat finds it
 * AlreadyExists), honours concurrencyPolicy (Allow / Forbid / Replace), startingDeadlineSeconds and suspend,
 * keeps status.active / lastScheduleTime / lastSuccessfulTime, and deletes finished Jobs beyond the history
 * limits. It looks at each CronJob again just after its next activation (`requeueAfter`), not by polling.
 */
export class CronJobController {
  constructor(private readonly o: CronJobControllerOptions) {
    o.cronJobs.addEventHandler({
      onAdd: (cj) => o.queue.add(objectKey(cj)),
      onUpdate: (old, cur) => this.updateCronJob(old, cur),
      onDelete: (cj) => o.queue.add(objectKey(cj)),
    });
    const onJob = (job: Job): void => {
      const cj = this.resolve(job);
      if (cj) o.queue.add(objectKey(cj));
    };
    o.jobs.addEventHandler({
      onAdd: onJob,
      onUpdate: (old, cur) => {
        if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
        if (JSON.stringify(controllerOf(old) ?? null) !== JSON.stringify(controllerOf(cur) ?? null)) onJob(old);
        onJob(cur);
      },
      onDelete: onJob,
    });
  }

  get queue(): WorkQueue<string> {
    return this.o.queue;
  }

  private resolve(job: Job): CronJob | undefined {
    const ref = controllerOf(job);
    if (ref?.kind !== 'CronJob') return undefined;
    const cj = this.o.cronJobs.store.get(`${job.metadata.namespace ?? ''}/${ref.name}`);
    return cj?.metadata.uid === ref.uid ? cj : undefined;
  }

  /** A changed schedule or zone: look again just after the new next activation; anything else: now. */
  private updateCronJob(old: CronJob, cur: CronJob): void {
    const key = objectKey(cur);
    if (old.spec.schedule === cur.spec.schedule && old.spec.timeZone === cur.spec.timeZone) {
      this.o.queue.add(key);
      return;
    }
    let schedule: Schedule;
    try {
      schedule = parseSchedule(formatSchedule(cur));
    } catch {
      return; // the sync reports it when it next runs
    }
    const delay = nextScheduleDelay(cur, this.o.clock.now(), schedule);
    if (delay !== undefined) this.o.queue.addAfter(key, delay);
  }

  async sync(key: string, signal: AbortSignal): Promise<ReconcileResult | undefined> {
    const cached = this.o.cronJobs.store.get(key);
    if (!cached) return undefined;
    const holder = { cj: structuredClone(cached) };
    const { cj } = holder;
    const jobs = this.o.jobs.store.byIndex(NAMESPACE_INDEX, cj.metadata.namespace ?? '').filter((j) => isControlledBy(j, cj));
    const cleaned = await this.cleanupFinishedJobs(cj, jobs, signal);
    let result: { requeueAfter?: number; updateStatus: boolean };
    let syncError: Error | undefined;
    try {
      result = await this.syncCronJob(holder, jobs, signal);
    } catch (err) {
      syncError = err instanceof Error ? err : new Error(String(err));
      result = { updateStatus: (err as { updateStatus?: boolean }).updateStatus ?? false };
    }
    if (cleaned || result.updateStatus) {
      await this.o.cronJobClient.update(holder.cj, { signal, namespace: cj.metadata.namespace ?? '', subresource: 'status' });
    }
    if (result.requeueAfter !== undefined) return { requeueAfter: Math.max(0, result.requeueAfter) };
    if (syncError !== undefined) throw syncError;
    return undefined;
  }

  /**
   * kube's syncCronJob over `holder.cj` (a copy it changes); when the cache turns out to be behind, it carries
   * on with a fresh read from the API and leaves that in `holder.cj`, the object whose status is then written.
   */
  private async syncCronJob(holder: { cj: CronJob }, jobs: readonly Job[], signal: AbortSignal): Promise<{ requeueAfter?: number; updateStatus: boolean }> {
    const { recorder, clock } = this.o;
    let cj = holder.cj;
    const now = clock.now();
    let updateStatus = false;
    const children = new Set<string>();
    for (const j of jobs) {
      const uid = j.metadata.uid ?? '';
      children.add(uid);
      const found = inActiveList(cj, uid);
      if (!found && !isJobFinished(j)) {
        const fresh = await this.o.cronJobClient.get(cj.metadata.name ?? '', { signal, namespace: cj.metadata.namespace ?? '' });
        if (inActiveList(fresh, uid)) {
          // Our cache was behind: carry on with what the API has (and what we changed so far).
          fresh.status = { ...fresh.status, ...(cj.status?.lastSuccessfulTime ? { lastSuccessfulTime: cj.status.lastSuccessfulTime } : {}) };
          cj = fresh;
          holder.cj = fresh;
          continue;
        }
        recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name ?? ''}`);
      } else if (found && isJobFinished(j)) {
        removeFromActive(cj, uid);
        recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name ?? ''}, condition: ${finishedCondition(j)?.type ?? ''}`);
        updateStatus = true;
      } else if (finishedCondition(j)?.type === 'Complete') {
        const completed = j.status?.completionTime;
        const last = cj.status?.lastSuccessfulTime;
        if (completed && (!last || Date.parse(completed) > Date.parse(last))) {
          (cj.status ??= {}).lastSuccessfulTime = completed;
          updateStatus = true;
        }
      }
    }
    // Drop active entries whose Job is gone (asking the API, not a possibly slow cache).
    for (const ref of [...(cj.status?.active ?? [])]) {
      if (children.has(ref.uid ?? '')) continue;
      try {
        await this.o.jobClient.get(ref.name ?? '', { signal, namespace: ref.namespace ?? cj.metadata.namespace ?? '' });
      } catch (err) {
        if (!isNotFound(err)) throw Object.assign(err as Error, { updateStatus });
        recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name ?? ''}`);
        removeFromActive(cj, ref.uid ?? '');
        updateStatus = true;
      }
    }
    if (cj.metadata.deletionTimestamp) return { updateStatus };
    const zone = cj.spec.timeZone;
    if (zone !== undefined && zone !== null && zone !== 'UTC' && !isValidTimeZone(zone)) {
      recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(zone)}: unknown time zone ${zone}`);
      return { updateStatus };
    }
    if (cj.spec.suspend === true) return { updateStatus };
    let schedule: Schedule;
    try {
      schedule = parseSchedule(formatSchedule(cj, recorder));
    } catch (err) {
      if (!(err instanceof CronParseError)) throw err;
      recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${err.message}`);
      return { updateStatus };
    }
    const next = (): { requeueAfter?: number; updateStatus: boolean } => {
      const delay = nextScheduleDelay(cj, now, schedule);
      return delay === undefined ? { updateStatus } : { requeueAfter: delay, updateStatus };
    };
    const recent = mostRecentScheduleTime(cj, now, schedule, true);
    const scheduled = recent.mostRecent;
    if (scheduled === undefined) return next();
    if (recent.missed === 'many') {
      recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    const deadline = cj.spec.startingDeadlineSeconds;
    if (deadline !== undefined && deadline !== null && scheduled + deadline * 1000 < now) {
      recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
      return next();
    }
    const name = jobName(cj, scheduled);
    if ((cj.status?.active ?? []).some((r) => r.name === name) || (cj.status?.lastScheduleTime && Date.parse(cj.status.lastScheduleTime) === scheduled)) {
      return next();
    }
    if (cj.spec.concurrencyPolicy === 'Forbid' && (cj.status?.active?.length ?? 0) > 0) {
      recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return next();
    }
    if (cj.spec.concurrencyPolicy === 'Replace') {
      for (const ref of [...(cj.status?.active ?? [])]) {
        let job: Job;
        try {
          job = await this.o.jobClient.get(ref.name ?? '', { signal, namespace: ref.namespace ?? cj.metadata.namespace ?? '' });
        } catch (err) {
          recorder.event(cj, 'Warning', 'FailedGet', `Get job: ${(err as Error).message}`);
          throw Object.assign(err as Error, { updateStatus });
        }
        if (!(await this.deleteJob(cj, job, signal))) throw Object.assign(new Error(`could not replace job ${job.metadata.namespace ?? ''}/${job.metadata.name ?? ''}`), { updateStatus });
        updateStatus = true;
      }
    }
    const request = jobFromTemplate(cj, scheduled);
    let created: Job;
    try {
      created = await this.o.jobClient.create(request, { signal, namespace: cj.metadata.namespace ?? '' });
      recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name ?? ''}`);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        if (!signal.aborted) recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
        throw Object.assign(err as Error, { updateStatus });
      }
      // Created before (by us, before a restart): take it as ours if it is.
      created = await this.o.jobClient.get(request.metadata.name ?? '', { signal, namespace: cj.metadata.namespace ?? '' });
      if (controllerOf(created)?.uid !== cj.metadata.uid) return next();
      if (isJobFinished(created)) {
        (cj.status ??= {}).lastScheduleTime = new Date(scheduled).toISOString().replace('.000Z', 'Z');
        return { ...next(), updateStatus: true };
      }
    }
    const status = (cj.status ??= {});
    if (!inActiveList(cj, created.metadata.uid ?? '')) status.active = [...(status.active ?? []), jobRef(created)];
    status.lastScheduleTime = new Date(scheduled).toISOString().replace('.000Z', 'Z');
    updateStatus = true;
    return next();
  }

  /** kube's cleanupFinishedJobs: finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit, oldest first. */
  private async cleanupFinishedJobs(cj: CronJob, jobs: readonly Job[], signal: AbortSignal): Promise<boolean> {
    const { successfulJobsHistoryLimit: okLimit, failedJobsHistoryLimit: failLimit } = cj.spec;
    if ((okLimit === undefined || okLimit === null) && (failLimit === undefined || failLimit === null)) return false;
    const succeeded = jobs.filter((j) => finishedCondition(j)?.type === 'Complete');
    const failed = jobs.filter((j) => finishedCondition(j)?.type === 'Failed');
    let updated = false;
    for (const [list, limit] of [[succeeded, okLimit], [failed, failLimit]] as const) {
      if (limit === undefined || limit === null || list.length <= limit) continue;
      const oldest = [...list].sort(byStartTime).slice(0, list.length - limit);
      for (const job of oldest) if (await this.deleteJob(cj, job, signal)) updated = true;
    }
    return updated;
  }

  /** Deletes a Job (background propagation) and its active entry; false (with a FailedDelete event) on failure. */
  private async deleteJob(cj: CronJob, job: Job, signal: AbortSignal): Promise<boolean> {
    try {
      await this.o.jobClient.delete(job.metadata.name ?? '', { signal, namespace: job.metadata.namespace ?? '', options: { propagationPolicy: DeletionPropagation.BACKGROUND } });
    } catch (err) {
      if (signal.aborted) throw err;
      this.o.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${(err as Error).message}`);
      this.o.log.warn({ job: objectKey(job), err: (err as Error).message }, 'cannot delete job of cronjob');
      return false;
    }
    removeFromActive(cj, job.metadata.uid ?? '');
    this.o.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name ?? ''}`);
    return true;
  }
}

function inActiveList(cj: CronJob, uid: string): boolean {
  return (cj.status?.active ?? []).some((r) => r.uid === uid);
}

function removeFromActive(cj: CronJob, uid: string): void {
  if (!cj.status?.active) return;
  cj.status.active = cj.status.active.filter((r) => r.uid !== uid);
  if (cj.status.active.length === 0) delete cj.status.active;
}

function jobRef(job: Job): ObjectReference {
  return { kind: 'Job', namespace: job.metadata.namespace, name: job.metadata.name, uid: job.metadata.uid, apiVersion: 'batch/v1', resourceVersion: job.metadata.resourceVersion };
}

/** kube's byJobStartTime: by status.startTime (Jobs without one last), then by name. */
function byStartTime(a: Job, b: Job): number {
  const ta = a.status?.startTime;
  const tb = b.status?.startTime;
  if (ta === undefined && tb !== undefined) return 1;
  if (ta !== undefined && tb === undefined) return -1;
  if (ta !== undefined && tb !== undefined && ta !== tb) return Date.parse(ta) - Date.parse(tb);
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}
