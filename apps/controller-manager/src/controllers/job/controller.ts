import { labelSelectorAsSelector } from '@ekslab/apimachinery';
import { NAMESPACE_INDEX, isNotFound, objectKey, type Informer, type ReconcileResult, type ResourceClient, type WorkQueue } from '@ekslab/client';
import type { Clock, Logger } from '@ekslab/runtime';
import { ControllerExpectations, PodControl, claim, controllerOf, newControllerRef, type OwnerReference, type Pod } from '../../controller-utils/index.js';
import type { EventRecorder } from '../../framework/recorder.js';
import { BackoffStore, DEFAULT_POD_FAILURE_BACKOFF_MS, MAX_POD_FAILURE_BACKOFF_MS } from './backoff.js';
import { FinalizerExpectations } from './finalizer-expectations.js';
import { hasTrackingFinalizer } from './status.js';
import { JobSync } from './sync.js';
import { JOB_TRACKING_FINALIZER, isJobFinished, type Job } from './types.js';

/** kube's syncJobBatchPeriod: pod events for a Job are folded into one sync this long after the first. */
export const SYNC_JOB_BATCH_PERIOD_MS = 1000;
/** The value of spec.managedBy that means this controller (batchv1.JobControllerName). */
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';

export interface JobControllerOptions {
  readonly jobs: Informer<Job>;
  readonly pods: Informer<Pod>;
  /** Written as the controller's identity (job-controller). */
  readonly jobClient: ResourceClient<Job>;
  readonly podClient: ResourceClient<Pod>;
  readonly recorder: EventRecorder;
  readonly queue: WorkQueue<string>;
  /** Pods whose tracking finalizer must come off because their Job is gone or finished (kube's orphanQueue). */
  readonly orphanQueue: WorkQueue<string>;
  readonly clock: Clock;
  readonly log: Logger;
  /** Delay before replacing a failed pod, doubled per consecutive failure (kube: 10 s, fixed). */
  readonly podFailureBackoffMs?: number;
  /** Cap of that delay (kube: 6 min). */
  readonly maxPodFailureBackoffMs?: number;
  readonly batchPeriodMs?: number;
}

const ownerKind = { apiVersion: 'batch/v1', kind: 'Job' } as const;

/**
 * kube's Job controller: runs each Job's pods to `completions` successes with at most `parallelism` active,
 * replaces failed pods after an exponential backoff until `backoffLimit` failures, fails the Job at
 * `activeDeadlineSeconds`, deletes the pods of a suspended Job. Pods carry the `batch.kubernetes.io/job-tracking`
 * finalizer until they are counted (status.uncountedTerminatedPods, then the counters), so a pod deleted
 * right after it finished is still counted; the finalizer comes off pods whose Job is gone or finished.
 *
 * Handlers only enqueue keys and count observations; `sync` (one Job) and `syncOrphanPod` do the work.
 */
export class JobController {
  readonly expectations: ControllerExpectations;
  private readonly finalizers = new FinalizerExpectations();
  private readonly backoff = new BackoffStore();
  private readonly podControl: PodControl;
  private readonly batchMs: number;

  constructor(private readonly o: JobControllerOptions) {
    this.expectations = new ControllerExpectations(o.clock);
    this.podControl = new PodControl({ pods: o.podClient, recorder: o.recorder });
    this.batchMs = o.batchPeriodMs ?? SYNC_JOB_BATCH_PERIOD_MS;
    o.jobs.addEventHandler({
      onAdd: (job) => this.enqueueJob(job),
      onUpdate: (old, cur) => {
        if (old.metadata.uid !== cur.metadata.uid) this.deleteJob(old);
        this.enqueueJob(cur);
      },
      onDelete: (job) => this.deleteJob(job),
    });
    o.pods.addEventHandler({
      onAdd: (pod) => this.addPod(pod),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (pod) => this.deletePod(pod, true),
    });
  }

  get queue(): WorkQueue<string> {
    return this.o.queue;
  }

  get orphanQueue(): WorkQueue<string> {
    return this.o.orphanQueue;
  }

  private enqueueJob(job: Job): void {
    if (job.spec.managedBy !== undefined && job.spec.managedBy !== JOB_CONTROLLER_NAME) return;
    this.o.queue.add(objectKey(job));
  }

  private enqueueBatched(job: Job): void {
    this.o.queue.addAfter(objectKey(job), this.batchMs);
  }

  private enqueueOrphan(pod: Pod): void {
    this.o.orphanQueue.add(objectKey(pod));
  }

  private deleteJob(job: Job): void {
    this.o.queue.add(objectKey(job));
    // Its pods lose the finalizer here: the sync will not see them again.
    for (const pod of this.o.pods.store.byIndex(NAMESPACE_INDEX, job.metadata.namespace ?? '')) {
      if (controllerOf(pod)?.uid === job.metadata.uid && hasTrackingFinalizer(pod)) this.enqueueOrphan(pod);
    }
  }

  /** The Job a controller reference points to, if cached with that uid. */
  private resolve(namespace: string, ref: OwnerReference): Job | undefined {
    if (ref.kind !== ownerKind.kind || ref.apiVersion !== ownerKind.apiVersion) return undefined;
    const job = this.o.jobs.store.get(`${namespace}/${ref.name}`);
    return job?.metadata.uid === ref.uid ? job : undefined;
  }

  /** Jobs whose selector matches an orphan pod (kube's getPodJobs). */
  private podJobs(pod: Pod): Job[] {
    return this.o.jobs.store.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? '').filter((job) => {
      if (!job.spec.selector) return false;
      const selector = labelSelectorAsSelector(job.spec.selector);
      return !selector.isEmpty() && selector.matches(pod.metadata.labels);
    });
  }

  private addPod(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      // Seen first while being deleted (after a restart): not a creation to count.
      this.deletePod(pod, false);
      return;
    }
    const ref = controllerOf(pod);
    if (ref) {
      const job = this.resolve(pod.metadata.namespace ?? '', ref);
      if (!job) {
        if (hasTrackingFinalizer(pod)) this.enqueueOrphan(pod);
        return;
      }
      this.expectations.creationObserved(objectKey(job));
      this.enqueueBatched(job);
      return;
    }
    if (hasTrackingFinalizer(pod)) this.enqueueOrphan(pod);
    for (const job of this.podJobs(pod)) this.enqueueBatched(job);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      this.deletePod(cur, false);
      if (labelChanged) this.deletePod(old, false);
      return;
    }
    const ns = cur.metadata.namespace ?? '';
    const finalizerRemoved = !hasTrackingFinalizer(cur);
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = JSON.stringify(curRef ?? null) !== JSON.stringify(oldRef ?? null);
    if (refChanged && oldRef) {
      const job = this.resolve(ns, oldRef);
      if (job) {
        if (finalizerRemoved) this.finalizers.observed(objectKey(job), cur.metadata.uid ?? '');
        this.enqueueBatched(job);
      }
    }
    if (curRef) {
      const job = this.resolve(ns, curRef);
      if (!job) {
        if (hasTrackingFinalizer(cur)) this.enqueueOrphan(cur);
        return;
      }
      if (finalizerRemoved) this.finalizers.observed(objectKey(job), cur.metadata.uid ?? '');
      this.enqueueBatched(job);
      return;
    }
    if (hasTrackingFinalizer(cur)) this.enqueueOrphan(cur);
    if (labelChanged || refChanged) for (const job of this.podJobs(cur)) this.enqueueBatched(job);
  }

  /** `final`: the pod is gone (a watch DELETED), not just marked for deletion. */
  private deletePod(pod: Pod, final: boolean): void {
    const ref = controllerOf(pod);
    const hasFinalizer = hasTrackingFinalizer(pod);
    if (!ref) {
      if (hasFinalizer) this.enqueueOrphan(pod);
      return;
    }
    const job = this.resolve(pod.metadata.namespace ?? '', ref);
    if (!job || isJobFinished(job)) {
      if (hasFinalizer) this.enqueueOrphan(pod);
      return;
    }
    const key = objectKey(job);
    this.expectations.deletionObserved(key, objectKey(pod));
    if (final || !hasFinalizer) this.finalizers.observed(key, pod.metadata.uid ?? '');
    this.enqueueBatched(job);
  }

  /** kube's syncJob for one `namespace/name`. */
  async sync(key: string, signal: AbortSignal): Promise<ReconcileResult | undefined> {
    const cached = this.o.jobs.store.get(key);
    if (!cached) {
      this.expectations.delete(key);
      this.finalizers.delete(key);
      this.backoff.remove(key);
      return undefined;
    }
    if (cached.spec.managedBy !== undefined && cached.spec.managedBy !== JOB_CONTROLLER_NAME) return undefined;
    if (isJobFinished(cached)) {
      this.backoff.remove(key);
      return undefined;
    }
    const job = structuredClone(cached);
    const mode = job.spec.completionMode;
    if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
      this.o.recorder.event(job, 'Warning', 'UnknownCompletionMode', 'Skipped Job sync because completion mode is unknown');
      return undefined;
    }
    const satisfied = this.expectations.satisfied(key);
    const pods = await this.podsForJob(job, signal);
    const run = new JobSync({
      jobClient: this.o.jobClient, podClient: this.o.podClient, podControl: this.podControl, recorder: this.o.recorder,
      expectations: this.expectations, finalizers: this.finalizers, backoff: this.backoff, clock: this.o.clock, log: this.o.log,
      podFailureBackoffMs: this.o.podFailureBackoffMs ?? DEFAULT_POD_FAILURE_BACKOFF_MS,
      maxPodFailureBackoffMs: this.o.maxPodFailureBackoffMs ?? MAX_POD_FAILURE_BACKOFF_MS,
      batchPeriodMs: this.batchMs,
    }, job, pods, satisfied);
    await run.run(signal);
    return run.requeueAfter === undefined ? undefined : { requeueAfter: run.requeueAfter };
  }

  /**
   * kube's getPodsForJob: the namespace's pods the Job controls, adopting matching orphans (with the
   * tracking finalizer) and releasing owned pods that stopped matching.
   */
  private async podsForJob(job: Job, signal: AbortSignal): Promise<Pod[]> {
    const ns = job.metadata.namespace ?? '';
    const candidates = this.o.pods.store.byIndex(NAMESPACE_INDEX, ns);
    // Without a selector (the apiserver always sets one) nothing is adopted: only owned pods count.
    const selector = labelSelectorAsSelector(job.spec.selector ?? { matchExpressions: [{ key: 'batch.kubernetes.io/controller-uid', operator: 'In', values: [job.metadata.uid ?? ''] }] });
    const ref = newControllerRef(job, ownerKind.apiVersion, ownerKind.kind);
    const claimed = await claim<Pod>(candidates, {
      owner: job, controllerRef: ref, selector,
      patch: async (pod, patch, s) => {
        const meta = (patch as { metadata: Record<string, unknown> }).metadata;
        // Adoption (not release) also puts the tracking finalizer on the pod, as kube's ClaimPods does.
        const adopting = (meta['ownerReferences'] as Record<string, unknown>[]).every((r) => r['$patch'] === undefined);
        const body = adopting ? { metadata: { ...meta, finalizers: [JOB_TRACKING_FINALIZER] } } : patch;
        await this.o.podClient.patch(pod.metadata.name ?? '', 'strategic-merge', body, { signal: s, namespace: ns });
      },
      canAdopt: async (s) => {
        const fresh = await this.o.jobClient.get(job.metadata.name ?? '', { signal: s, namespace: ns });
        if (fresh.metadata.uid !== job.metadata.uid) throw new Error(`original Job ${ns}/${job.metadata.name ?? ''} is gone: got uid ${fresh.metadata.uid ?? ''}, wanted ${job.metadata.uid ?? ''}`);
        if (fresh.metadata.deletionTimestamp) throw new Error(`${ns}/${job.metadata.name ?? ''} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
      },
    }, signal);
    return claimed.map((p) => {
      const adopted = !p.metadata.ownerReferences?.some((r) => r.uid === job.metadata.uid);
      if (!adopted || hasTrackingFinalizer(p)) return p;
      return { ...p, metadata: { ...p.metadata, finalizers: [...(p.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER] } };
    });
  }

  /** kube's syncOrphanPod: takes the tracking finalizer off a pod whose Job is gone or finished. */
  async syncOrphanPod(key: string, signal: AbortSignal): Promise<void> {
    const pod = this.o.pods.store.get(key);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = controllerOf(pod);
    if (ref) {
      if (ref.kind !== ownerKind.kind || ref.apiVersion !== ownerKind.apiVersion) return;
      const job = this.resolve(pod.metadata.namespace ?? '', ref);
      if (job && job.spec.managedBy !== undefined && job.spec.managedBy !== JOB_CONTROLLER_NAME) return;
      if (job && !isJobFinished(job)) return; // adopted, or still running: its sync handles the finalizer
    }
    try {
      await this.o.podClient.patch(pod.metadata.name ?? '', 'strategic-merge', { metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] } }, { signal, namespace: pod.metadata.namespace ?? '' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
