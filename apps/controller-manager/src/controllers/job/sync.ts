import { isNotFound, objectKey, type ResourceClient } from '@ekslab/client';
import type { Clock, Logger } from '@ekslab/runtime';
import {
  compareForDeletion, isPodActive, isPodReady, newControllerRef, rfc3339 as rfc, slowStartBatch,
  type ControllerExpectations, type Pod, type PodControl, type PodTemplateSpec,
} from '../../controller-utils/index.js';
import type { EventRecorder } from '../../framework/recorder.js';
import { remainingBackoff, type BackoffRecord, type BackoffStore } from './backoff.js';
import type { FinalizerExpectations } from './finalizer-expectations.js';
import { completionIndex, duplicatedIndexPods, firstPendingIndexes, formatIndexes, isIndexedJob, parseIndexes, succeededIndexes } from './indexes.js';
import {
  MAX_POD_CREATE_DELETE_PER_SYNC, MAX_UNCOUNTED_PODS, cleanUncounted, completionsReached, countReady, countTerminating, ensureCondition,
  findCondition, hasTrackingFinalizer, isPodFailed, jobSuspended, newCondition, onlyReplaceFailedPods, pastActiveDeadline,
  pastBackoffLimitOnFailure, untilActiveDeadline, wantActive,
} from './status.js';
import { JOB_COMPLETION_INDEX, JOB_COMPLETION_INDEX_ENV, JOB_TRACKING_FINALIZER, type Job, type JobCondition } from './types.js';

/** What one sync of a Job needs from the controller. */
export interface SyncDeps {
  readonly jobClient: Pick<ResourceClient<Job>, 'update'>;
  readonly podClient: Pick<ResourceClient<Pod>, 'patch'>;
  readonly podControl: Pick<PodControl, 'create' | 'delete'>;
  readonly recorder: EventRecorder;
  readonly expectations: ControllerExpectations;
  readonly finalizers: FinalizerExpectations;
  readonly backoff: BackoffStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly podFailureBackoffMs: number;
  readonly maxPodFailureBackoffMs: number;
  /** kube's syncJobBatchPeriod: the shortest delay of a requeue. */
  readonly batchPeriodMs: number;
}

export const COMPLETIONS_REACHED = { reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' } as const;
export const BACKOFF_LIMIT_EXCEEDED = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' } as const;
export const DEADLINE_EXCEEDED = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' } as const;

const removeFinalizerPatch = { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER] } };
const podKey = (p: Pod): string => objectKey(p);

/**
 * One pass of kube's syncJob over one Job (a copy) and its claimed pods: counts finished pods through
 * status.uncountedTerminatedPods and the tracking finalizer, creates or deletes pods toward the wanted
 * parallelism (with the failure backoff), and sets the interim (SuccessCriteriaMet / FailureTarget) and
 * final (Complete / Failed) conditions once no pod is left running or terminating.
 */
export class JobSync {
  private readonly key: string;
  private readonly now: number;
  private readonly indexed: boolean;
  private active: Pod[];
  private activeCount: number;
  private ready: number;
  private terminating: number;
  private succeeded = 0;
  private failed = 0;
  private finished: JobCondition | undefined;
  private record: BackoffRecord;
  private readonly uncountedSucceeded: Set<string>;
  private readonly uncountedFailed: Set<string>;
  private readonly expectedRm: ReadonlySet<string>;
  private prevSucceededIdx = new Set<number>();
  private succeededIdx = new Set<number>();
  /** The soonest this Job must be looked at again (deadline, backoff). */
  requeueAfter: number | undefined;

  constructor(private readonly d: SyncDeps, private job: Job, private readonly pods: Pod[], private readonly satisfied: boolean) {
    this.key = objectKey(job);
    this.now = d.clock.now();
    this.indexed = isIndexedJob(job);
    const status = (job.status ??= {});
    status.uncountedTerminatedPods ??= {};
    this.active = pods.filter(isPodActive);
    this.activeCount = this.active.length;
    this.ready = countReady(this.active);
    this.terminating = countTerminating(pods);
    this.uncountedSucceeded = new Set(status.uncountedTerminatedPods.succeeded ?? []);
    this.uncountedFailed = new Set(status.uncountedTerminatedPods.failed ?? []);
    this.expectedRm = d.finalizers.expected(this.key);
    this.record = d.backoff.get(this.key);
  }

  private requeue(ms: number): void {
    const delay = Math.max(ms, this.d.batchPeriodMs);
    this.requeueAfter = this.requeueAfter === undefined ? delay : Math.min(this.requeueAfter, delay);
  }

  /** Pods carrying the finalizer and not yet counted anywhere that `filter` accepts (getValidPodsWithFilter). */
  private newFinished(uncounted: ReadonlySet<string>, filter: (p: Pod) => boolean): Pod[] {
    const completions = this.job.spec.completions ?? 0;
    return this.pods.filter((p) => {
      const uid = p.metadata.uid ?? '';
      if (!hasTrackingFinalizer(p) || uncounted.has(uid) || this.expectedRm.has(uid)) return false;
      if (this.indexed) {
        const ix = completionIndex(p);
        if (ix === undefined || ix >= completions) return false;
      }
      return filter(p);
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const { job, d } = this;
    const status = job.status!;
    const newSucceeded = this.newFinished(this.uncountedSucceeded, (p) => p.status?.phase === 'Succeeded');
    const newFailed = this.newFinished(this.uncountedFailed, (p) => isPodFailed(p, job));
    this.succeeded = (status.succeeded ?? 0) + newSucceeded.length + this.uncountedSucceeded.size;
    this.failed = (status.failed ?? 0) + newFailed.length + this.uncountedFailed.size;
    if (!status.startTime && !jobSuspended(job)) status.startTime = rfc(this.now);
    this.record = d.backoff.next(this.key, newSucceeded, newFailed);

    const scm = findCondition(status.conditions, 'SuccessCriteriaMet');
    this.finished = scm?.status === 'True' ? scm : undefined;
    if (!this.finished) {
      const target = findCondition(status.conditions, 'FailureTarget');
      if (target?.status === 'True') this.finished = newCondition('Failed', 'True', target.reason ?? '', target.message ?? '', this.now);
    }
    if (!this.finished) {
      if (this.failed > (job.spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, this.pods)) {
        this.finished = newCondition('FailureTarget', 'True', BACKOFF_LIMIT_EXCEEDED.reason, BACKOFF_LIMIT_EXCEEDED.message, this.now);
      } else if (pastActiveDeadline(job, this.now)) {
        this.finished = newCondition('FailureTarget', 'True', DEADLINE_EXCEEDED.reason, DEADLINE_EXCEEDED.message, this.now);
      } else {
        const left = untilActiveDeadline(job, this.now);
        if (left !== undefined) this.requeueAfter = Math.max(left, 0);
      }
    }
    if (this.indexed) {
      this.prevSucceededIdx = parseIndexes(status.completedIndexes, job.spec.completions ?? 0);
      this.succeededIdx = succeededIndexes(job, this.pods);
      this.succeeded = this.succeededIdx.size;
    }

    let manageErr: Error | undefined;
    let suspendChanged = false;
    if (this.finished) {
      const r = await this.deletePods(this.active, false, signal);
      if (r.deleted !== this.activeCount || !this.satisfied) this.finished = undefined;
      this.activeCount -= r.deleted;
      this.terminating += r.deleted;
      this.ready -= r.deletedReady;
      manageErr = r.error;
    } else {
      let managed = false;
      if (this.satisfied && !job.metadata.deletionTimestamp) {
        manageErr = await this.manage(signal).then(() => undefined, toError);
        managed = true;
      }
      if (completionsReached(job, this.succeeded, this.activeCount)) {
        this.finished = newCondition('SuccessCriteriaMet', 'True', COMPLETIONS_REACHED.reason, COMPLETIONS_REACHED.message, this.now);
      } else if (managed) {
        suspendChanged = this.setSuspended(jobSuspended(job));
      }
    }
    if (signal.aborted) return;

    const needsUpdate = suspendChanged || this.activeCount !== status.active || this.ready !== status.ready || this.terminating !== status.terminating;
    status.active = this.activeCount;
    status.ready = this.ready;
    status.terminating = this.terminating;
    await this.track(needsUpdate, signal);
    if (manageErr !== undefined) throw manageErr;
  }

  /** Suspended True (event Suspended) or False (event Resumed, startTime restarts). Returns whether status changed. */
  private setSuspended(suspended: boolean): boolean {
    const status = this.job.status!;
    const changed = suspended
      ? ensureCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', this.now)
      : ensureCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', this.now);
    if (!changed) return false;
    this.d.recorder.event(this.job, 'Normal', suspended ? 'Suspended' : 'Resumed', suspended ? 'Job suspended' : 'Job resumed');
    // A resumed Job's activeDeadlineSeconds counts from the resumption.
    if (!suspended) status.startTime = rfc(this.now);
    return true;
  }

  /** kube's manageJob: deletes surplus (or, suspended, all) active pods, else creates missing ones after the backoff. */
  private async manage(signal: AbortSignal): Promise<void> {
    const { job, d } = this;
    if (jobSuspended(job)) {
      const r = await this.deletePods(this.ranked(this.active), true, signal);
      this.applyDeletions(r);
      if (r.error !== undefined) throw r.error;
      return;
    }
    const want = wantActive(job, this.succeeded, this.activeCount);
    const rmAtLeast = Math.max(0, this.activeCount - want);
    const toDelete = this.podsForRemoval(rmAtLeast).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    if (toDelete.length > 0) {
      const r = await this.deletePods(toDelete, true, signal);
      this.applyDeletions(r);
      if (r.error !== undefined) throw r.error;
      return;
    }
    let diff = want - (onlyReplaceFailedPods(job) ? this.terminating : 0) - this.activeCount;
    if (diff <= 0) return;
    const wait = remainingBackoff(this.record, this.now, d.podFailureBackoffMs, d.maxPodFailureBackoffMs);
    if (wait > 0) {
      this.requeue(wait);
      return;
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    const indexes = this.indexed ? firstPendingIndexes(job, this.active, this.succeededIdx, diff) : undefined;
    if (indexes) diff = indexes.length;
    if (diff === 0) return;
    d.expectations.expectCreations(this.key, diff);
    const ref = newControllerRef(job, 'batch/v1', 'Job');
    const template = this.podTemplate();
    const result = await slowStartBatch(diff, async (i) => {
      await d.podControl.create(template, job, ref, signal, (pod) => this.decorate(pod, indexes?.[i]));
    });
    if (result.successes < diff) d.expectations.lowerCreations(this.key, diff - result.successes);
    this.activeCount += result.successes;
    if (result.error !== undefined) throw toError(result.error);
  }

  /** The template with the tracking finalizer (and, for Indexed Jobs, the index variable). */
  private podTemplate(): PodTemplateSpec {
    const t = structuredClone(this.job.spec.template);
    const meta = (t.metadata ??= {});
    if (!meta.finalizers?.includes(JOB_TRACKING_FINALIZER)) meta.finalizers = [...(meta.finalizers ?? []), JOB_TRACKING_FINALIZER];
    if (this.indexed) {
      const env = { name: JOB_COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX}']` } } };
      for (const c of [...(t.spec.initContainers ?? []), ...t.spec.containers]) {
        const list = (c['env'] as { name: string }[] | undefined) ?? [];
        if (!list.some((e) => e.name === JOB_COMPLETION_INDEX_ENV)) c['env'] = [...list, env];
      }
    }
    return t;
  }

  private decorate(pod: Pod, index: number | undefined): void {
    if (index === undefined) return;
    const name = this.job.metadata.name ?? '';
    pod.metadata.annotations = { ...pod.metadata.annotations, [JOB_COMPLETION_INDEX]: String(index) };
    pod.metadata.labels = { ...pod.metadata.labels, [JOB_COMPLETION_INDEX]: String(index) };
    pod.metadata.generateName = `${name}-${index}-`;
    pod.spec.hostname = `${name}-${index}`;
  }

  private ranked(pods: readonly Pod[]): Pod[] {
    return [...pods].sort((a, b) => compareForDeletion(a, b));
  }

  /** kube's activePodsForRemoval: duplicated or invalid indexes first, then by deletion rank. */
  private podsForRemoval(rmAtLeast: number): Pod[] {
    let rm: Pod[] = [];
    let left: Pod[] = this.active;
    if (this.indexed) ({ remove: rm, keep: left } = duplicatedIndexPods(this.job, this.active));
    if (rm.length < rmAtLeast) rm = [...rm, ...this.ranked(left).slice(0, rmAtLeast - rm.length)];
    return rm;
  }

  private applyDeletions(r: { deleted: number; deletedReady: number }): void {
    this.activeCount -= r.deleted;
    this.terminating += r.deleted;
    this.ready -= r.deletedReady;
  }

  /**
   * Deletes pods. `release` (kube's deleteJobPods, for surplus and suspended pods): the finalizer comes off
   * first and the deletion is an expectation, so the pods are not counted as failed. Otherwise (deleteActivePods,
   * when the Job is finishing) the finalizer stays and the pods are counted as failed.
   */
  private async deletePods(pods: readonly Pod[], release: boolean, signal: AbortSignal): Promise<{ deleted: number; deletedReady: number; error?: Error }> {
    const { d, job } = this;
    if (release) d.expectations.expectDeletions(this.key, pods.map(podKey));
    let deleted = 0;
    let deletedReady = 0;
    let error: Error | undefined;
    await Promise.all(pods.map(async (pod) => {
      try {
        if (release && hasTrackingFinalizer(pod)) await d.podClient.patch(pod.metadata.name ?? '', 'strategic-merge', removeFinalizerPatch, { signal, namespace: pod.metadata.namespace ?? '' });
        await d.podControl.delete(pod, job, signal);
        deleted++;
      } catch (err) {
        if (release) d.expectations.deletionObserved(this.key, podKey(pod));
        if (isNotFound(err)) deleted++;
        else error ??= toError(err);
      }
      if (isPodReady(pod)) deletedReady++;
    }));
    return { deleted, deletedReady, ...(error !== undefined ? { error } : {}) };
  }

  /**
   * kube's trackJobStatusAndRemoveFinalizers: finished pods go into uncountedTerminatedPods (written first),
   * then lose their finalizer, then move into the counters; the final condition is set once nothing is
   * uncounted and no pod is terminating.
   */
  private async track(needsFlush: boolean, signal: AbortSignal): Promise<void> {
    const { d } = this;
    let status = this.job.status!;
    const uncounted = status.uncountedTerminatedPods!;
    const completions = this.job.spec.completions ?? 0;
    const withFinalizer = new Set(this.pods.filter((p) => hasTrackingFinalizer(p) && !this.expectedRm.has(p.metadata.uid ?? '')).map((p) => p.metadata.uid ?? ''));
    if (cleanUncounted(status, withFinalizer)) needsFlush = true;
    const toRelease: Pod[] = [];
    const newIdx: number[] = [];
    let reachedMax = false;
    const interimSuccess = this.finished?.type === 'SuccessCriteriaMet' || this.finished?.type === 'Complete';
    for (const pod of this.pods) {
      const uid = pod.metadata.uid ?? '';
      if (!hasTrackingFinalizer(pod) || this.expectedRm.has(uid)) continue;
      const failed = isPodFailed(pod, this.job);
      if (!(this.job.metadata.deletionTimestamp || this.finished || pod.status?.phase === 'Succeeded' || failed)) continue;
      toRelease.push(pod);
      if (pod.status?.phase === 'Succeeded' && !this.uncountedFailed.has(uid)) {
        if (this.indexed) {
          const ix = completionIndex(pod);
          if (ix !== undefined && ix < completions && !this.prevSucceededIdx.has(ix)) {
            newIdx.push(ix);
            needsFlush = true;
          }
        } else if (!this.uncountedSucceeded.has(uid)) {
          (uncounted.succeeded ??= []).push(uid);
          this.uncountedSucceeded.add(uid);
          needsFlush = true;
        }
      } else if (failed || (this.finished && !interimSuccess)) {
        const ix = completionIndex(pod);
        if (!this.uncountedFailed.has(uid) && (!this.indexed || (ix !== undefined && ix < completions))) {
          (uncounted.failed ??= []).push(uid);
          this.uncountedFailed.add(uid);
          needsFlush = true;
        }
      }
      if (newIdx.length + (uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0) >= MAX_UNCOUNTED_PODS) {
        reachedMax = true;
        break;
      }
    }
    if (this.indexed) {
      const text = formatIndexes([...this.prevSucceededIdx, ...newIdx]);
      if (text !== (status.completedIndexes ?? '')) needsFlush = true;
      status.completedIndexes = text;
      status.succeeded = this.prevSucceededIdx.size + new Set(newIdx).size;
    }
    if (this.finished?.type === 'FailureTarget') {
      (status.conditions ??= []).push(this.finished);
      needsFlush = true;
      this.finished = newCondition('Failed', 'True', this.finished.reason ?? '', this.finished.message ?? '', this.now);
    }
    if (this.finished?.type === 'SuccessCriteriaMet') {
      if (!findCondition(status.conditions, 'SuccessCriteriaMet')) {
        (status.conditions ??= []).push(this.finished);
        needsFlush = true;
      }
      this.finished = newCondition('Complete', 'True', this.finished.reason ?? '', this.finished.message ?? '', this.now);
    }

    // Flush the uncounted pods (and interim conditions) before any finalizer comes off.
    if (needsFlush) {
      await this.updateStatus(signal);
      status = this.job.status!;
      d.backoff.save(this.key, this.record);
      needsFlush = false;
    }
    let rmError: Error | undefined;
    if (toRelease.length > 0) {
      d.finalizers.expectRemoved(this.key, toRelease.map((p) => p.metadata.uid ?? ''));
      await Promise.all(toRelease.map(async (pod) => {
        const uid = pod.metadata.uid ?? '';
        try {
          await d.podClient.patch(pod.metadata.name ?? '', 'strategic-merge', removeFinalizerPatch, { signal, namespace: pod.metadata.namespace ?? '' });
          withFinalizer.delete(uid);
        } catch (err) {
          d.finalizers.observed(this.key, uid);
          if (isNotFound(err)) withFinalizer.delete(uid);
          else rmError ??= toError(err);
        }
      }));
    }
    if (cleanUncounted(status, withFinalizer)) needsFlush = true;
    if (rmError !== undefined) {
      if (needsFlush && !signal.aborted) await this.updateStatus(signal);
      throw rmError;
    }
    const jobFinished = !reachedMax && this.enactFinished();
    if (jobFinished) needsFlush = true;
    if (!needsFlush) return;
    await this.updateStatus(signal);
    if (jobFinished) this.recordFinished();
  }

  /** Sets Complete or Failed once every finished pod is counted and none is terminating (enactJobFinished). */
  private enactFinished(): boolean {
    const fin = this.finished;
    if (!fin) return false;
    const status = this.job.status!;
    const u = status.uncountedTerminatedPods;
    if ((u?.succeeded?.length ?? 0) + (u?.failed?.length ?? 0) > 0) return false;
    if (this.terminating > 0) return false;
    ensureCondition(status, fin.type, fin.status, fin.reason ?? '', fin.message ?? '', this.now);
    if (fin.type === 'Complete') status.completionTime = findCondition(status.conditions, 'Complete')?.lastTransitionTime ?? rfc(this.now);
    return true;
  }

  private recordFinished(): void {
    const { job, d } = this;
    const fin = this.finished!;
    if (fin.type === 'Complete') {
      const completions = job.spec.completions;
      if (completions !== undefined && completions !== null && (job.status?.succeeded ?? 0) > completions) {
        d.recorder.event(job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
      }
      d.recorder.event(job, 'Normal', 'Completed', 'Job completed');
    } else {
      d.recorder.event(job, 'Warning', fin.reason ?? '', fin.message ?? '');
    }
  }

  private async updateStatus(signal: AbortSignal): Promise<void> {
    const status = this.job.status;
    const updated = await this.d.jobClient.update(this.job, { signal, namespace: this.job.metadata.namespace ?? '', subresource: 'status' });
    // Keep working on what was written (the server returns it); fall back to ours if it drops status.
    this.job = { ...updated, status: updated.status ?? status };
    this.job.status!.uncountedTerminatedPods ??= {};
  }
}

const toError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));
