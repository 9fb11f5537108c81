import type { ControllerDescriptor } from '../../framework/controller.js';
import { GVR } from '../../framework/gvr.js';
import type { Pod } from '../../controller-utils/index.js';
import { RS_BY_CONTROLLER_UID, ReplicaSetController, rsByControllerUid } from './controller.js';
import type { ReplicaSet } from './types.js';

/** kube's replicaset controller (`--concurrent-replicaset-syncs` workers, burst 500). */
export const replicaSetController: ControllerDescriptor = {
  name: 'replicaset-controller',
  aliases: ['replicaset'],
  identity: 'replicaset-controller',
  enabledByDefault: true,
  init(ctx) {
    const controller = new ReplicaSetController({
      replicaSets: ctx.informer<ReplicaSet>(GVR.replicaSets, { [RS_BY_CONTROLLER_UID]: rsByControllerUid }),
      pods: ctx.informer<Pod>(GVR.pods),
      rsClient: ctx.client<ReplicaSet>(GVR.replicaSets),
      podClient: ctx.client<Pod>(GVR.pods),
      recorder: ctx.recorder,
      queue: ctx.queue(),
      clock: ctx.clock,
      log: ctx.log,
    });
    return (signal) => ctx.run(controller.queue, ctx.config.concurrentReplicasetSyncs, (key, s) => controller.sync(key, s), signal);
  },
};
