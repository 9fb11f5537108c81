import { DeletionPropagation } from '@ekslab/proto';
import { isNotFound, objectKey, splitKey, type Informer, type ReconcileResult, type ResourceClient, type WorkQueue } from '@ekslab/client';
import type { Clock, Logger } from '@ekslab/runtime';
import type { Job } from '../job/types.js';
import { needsCleanup, timeLeft } from './ttl.js';

export interface TtlAfterFinishedOptions {
  readonly jobs: Informer<Job>;
  /** Jobs, as the controller's identity (ttl-after-finished-controller). */
  readonly jobClient: ResourceClient<Job>;
  readonly queue: WorkQueue<string>;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * kube's TTL-after-finished controller: a finished Job with `ttlSecondsAfterFinished` is deleted (propagation
 * Foreground, so its pods go first; precondition on its uid) once that many seconds have passed since its
 * Complete or Failed condition. Before deleting it re-reads the Job from the API, so a TTL that was raised
 * meanwhile is honoured. Records no events (as kube's).
 */
export class TtlAfterFinishedController {
  constructor(private readonly o: TtlAfterFinishedOptions) {
    const enqueue = (job: Job): void => {
      if (!job.metadata.deletionTimestamp && needsCleanup(job)) o.queue.add(objectKey(job));
    };
    o.jobs.addEventHandler({ onAdd: enqueue, onUpdate: (_old, cur) => enqueue(cur) });
  }

  get queue(): WorkQueue<string> {
    return this.o.queue;
  }

  async sync(key: string, signal: AbortSignal): Promise<ReconcileResult | undefined> {
    const cached = this.o.jobs.store.get(key);
    if (!cached) return undefined;
    const wait = this.expiredIn(cached);
    if (wait !== 0) return wait === undefined ? undefined : { requeueAfter: wait };
    const { namespace, name } = splitKey(key);
    let fresh: Job;
    try {
      fresh = await this.o.jobClient.get(name, { signal, namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const freshWait = this.expiredIn(fresh);
    if (freshWait !== 0) return freshWait === undefined ? undefined : { requeueAfter: freshWait };
    this.o.log.debug({ job: key }, 'cleaning up Job');
    try {
      await this.o.jobClient.delete(name, {
        signal, namespace,
        options: { propagationPolicy: DeletionPropagation.FOREGROUND, preconditions: { uid: fresh.metadata.uid ?? '', resourceVersion: '' } },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return undefined;
  }

  /** 0 when the Job has expired, ms to wait when not yet, undefined when it is not up for cleanup. */
  private expiredIn(job: Job): number | undefined {
    if (job.metadata.deletionTimestamp) return undefined;
    const left = timeLeft(job, this.o.clock.now());
    if (!left) return undefined;
    if (left.skewed) this.o.log.info({ job: objectKey(job) }, 'Found Job finished in the future. This is likely due to time skew in the cluster. Job cleanup will be deferred.');
    return left.leftMs <= 0 ? 0 : left.leftMs;
  }
}
