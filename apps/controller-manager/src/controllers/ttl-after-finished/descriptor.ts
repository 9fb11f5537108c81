import type { ControllerDescriptor } from '../../framework/controller.js';
import { GVR } from '../../framework/gvr.js';
import type { Job } from '../job/types.js';
import { TtlAfterFinishedController } from './controller.js';

/** kube's ttl-after-finished controller (`--concurrent-ttl-after-finished-syncs` workers). */
export const ttlAfterFinishedController: ControllerDescriptor = {
  name: 'ttl-after-finished-controller',
  aliases: ['ttl-after-finished'],
  identity: 'ttl-after-finished-controller',
  eventComponent: 'ttlafterfinished-controller',
  enabledByDefault: true,
  init(ctx) {
    const controller = new TtlAfterFinishedController({
      jobs: ctx.informer<Job>(GVR.jobs),
      jobClient: ctx.client<Job>(GVR.jobs),
      queue: ctx.queue('ttl_jobs_to_delete'),
      clock: ctx.clock,
      log: ctx.log,
    });
    return (signal) => ctx.run(controller.queue, ctx.config.concurrentTtlAfterFinishedSyncs, (key, s) => controller.sync(key, s), signal);
  },
};
