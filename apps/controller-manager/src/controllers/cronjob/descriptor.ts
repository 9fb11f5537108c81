import type { ControllerDescriptor } from '../../framework/controller.js';
import { GVR } from '../../framework/gvr.js';
import type { Job } from '../job/types.js';
import { CronJobController } from './controller.js';
import type { CronJob } from './types.js';

/** kube's cronjob controller (v2; `--concurrent-cron-job-syncs` workers). */
export const cronJobController: ControllerDescriptor = {
  name: 'cronjob-controller',
  aliases: ['cronjob'],
  identity: 'cronjob-controller',
  enabledByDefault: true,
  init(ctx) {
    const controller = new CronJobController({
      cronJobs: ctx.informer<CronJob>(GVR.cronJobs),
      jobs: ctx.informer<Job>(GVR.jobs),
      cronJobClient: ctx.client<CronJob>(GVR.cronJobs),
      jobClient: ctx.client<Job>(GVR.jobs),
      recorder: ctx.recorder,
      queue: ctx.queue('cronjob'),
      clock: ctx.clock,
      log: ctx.log,
    });
    return (signal) => ctx.run(controller.queue, ctx.config.concurrentCronJobSyncs, (key, s) => controller.sync(key, s), signal);
  },
};
