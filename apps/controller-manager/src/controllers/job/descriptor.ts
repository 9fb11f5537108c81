import { ItemExponentialRateLimiter } from '@ekslab/client';
import type { Pod } from '../../controller-utils/index.js';
import type { ControllerDescriptor } from '../../framework/controller.js';
import { GVR } from '../../framework/gvr.js';
import { JobController } from './controller.js';
import type { Job } from './types.js';

/** kube's DefaultJobApiBackOff / MaxJobApiBackOff: a failing sync is retried after 1 s, doubling up to 60 s. */
const API_BACKOFF_MS = 1000;
const MAX_API_BACKOFF_MS = 60_000;

/** kube's job controller (`--concurrent-job-syncs` workers, one orphan-pod worker). */
export const jobController: ControllerDescriptor = {
  name: 'job-controller',
  aliases: ['job'],
  identity: 'job-controller',
  enabledByDefault: true,
  init(ctx) {
    const controller = new JobController({
      jobs: ctx.informer<Job>(GVR.jobs),
      pods: ctx.informer<Pod>(GVR.pods),
      jobClient: ctx.client<Job>(GVR.jobs),
      podClient: ctx.client<Pod>(GVR.pods),
      recorder: ctx.recorder,
      queue: ctx.queue('job', new ItemExponentialRateLimiter<string>(API_BACKOFF_MS, MAX_API_BACKOFF_MS)),
      orphanQueue: ctx.queue('job_orphan_pod', new ItemExponentialRateLimiter<string>(API_BACKOFF_MS, MAX_API_BACKOFF_MS)),
      clock: ctx.clock,
      log: ctx.log,
      podFailureBackoffMs: ctx.config.jobPodFailureBackoff,
      maxPodFailureBackoffMs: ctx.config.jobPodFailureMaxBackoff,
    });
    return async (signal) => {
      await Promise.all([
        ctx.run(controller.queue, ctx.config.concurrentJobSyncs, (key, s) => controller.sync(key, s), signal),
        ctx.run(controller.orphanQueue, 1, (key, s) => controller.syncOrphanPod(key, s), signal),
      ]);
    };
  },
};
