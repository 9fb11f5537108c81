import type { ControllerDescriptor } from '../../framework/controller.js';
import { GVR } from '../../framework/gvr.js';
import type { Node, Pod } from '../../controller-utils/index.js';
import { DaemonSetsController } from './controller.js';
import type { ControllerRevision, DaemonSet } from './types.js';

/** kube's DaemonSet controller (`daemonset-controller`, formerly `daemonset`), acting as daemon-set-controller. */
export const daemonSetController: ControllerDescriptor = {
  name: 'daemonset-controller',
  aliases: ['daemonset'],
  identity: 'daemon-set-controller',
  eventComponent: 'daemonset-controller',
  enabledByDefault: true,
  init(ctx) {
    const queue = ctx.queue();
    const controller = new DaemonSetsController({
      daemonSets: ctx.informer<DaemonSet>(GVR.daemonSets),
      pods: ctx.informer<Pod>(GVR.pods),
      nodes: ctx.informer<Node>(GVR.nodes),
      revisions: ctx.informer<ControllerRevision>(GVR.controllerRevisions),
      clients: {
        daemonSets: ctx.client<DaemonSet>(GVR.daemonSets),
        pods: ctx.client<Pod>(GVR.pods),
        revisions: ctx.client<ControllerRevision>(GVR.controllerRevisions),
      },
      queue, recorder: ctx.recorder, clock: ctx.clock, log: ctx.log,
      failedPodBackoff: { initialMs: ctx.config.daemonsetFailedPodBackoff, maxMs: ctx.config.daemonsetFailedPodMaxBackoff },
    });
    return (signal) => ctx.run(queue, ctx.config.concurrentDaemonsetSyncs, (key, s) => controller.reconcile(key, s), signal);
  },
};
