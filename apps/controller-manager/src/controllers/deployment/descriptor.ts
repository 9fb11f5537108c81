import type { ControllerDescriptor } from '../../framework/controller.js';
import { GVR } from '../../framework/gvr.js';
import type { Pod } from '../../controller-utils/index.js';
import type { ReplicaSet } from '../replicaset/types.js';
import { DeploymentController } from './controller.js';
import type { Deployment } from './types.js';

/** kube's deployment controller (`--concurrent-deployment-syncs` workers). */
export const deploymentController: ControllerDescriptor = {
  name: 'deployment-controller',
  aliases: ['deployment'],
  identity: 'deployment-controller',
  enabledByDefault: true,
  init(ctx) {
    const controller = new DeploymentController({
      deployments: ctx.informer<Deployment>(GVR.deployments),
      replicaSets: ctx.informer<ReplicaSet>(GVR.replicaSets),
      pods: ctx.informer<Pod>(GVR.pods),
      deploymentClient: ctx.client<Deployment>(GVR.deployments),
      rsClient: ctx.client<ReplicaSet>(GVR.replicaSets),
      recorder: ctx.recorder,
      queue: ctx.queue(),
      clock: ctx.clock,
      log: ctx.log,
    });
    return (signal) => ctx.run(controller.queue, ctx.config.concurrentDeploymentSyncs, (key, s) => controller.sync(key, s), signal);
  },
};
