import type { Node, Pod } from '../../controller-utils/index.js';
import type { ControllerDescriptor } from '../../framework/controller.js';
import { GVR } from '../../framework/gvr.js';
import { PodGc } from './podgc.js';

export const podGcController: ControllerDescriptor = {
  name: 'pod-garbage-collector-controller',
  aliases: ['podgc'],
  identity: 'pod-garbage-collector',
  eventComponent: 'pod-garbage-collector',
  enabledByDefault: true,
  init(ctx) {
    const gc = new PodGc({
      pods: ctx.informer<Pod>(GVR.pods).store, nodes: ctx.informer<Node>(GVR.nodes).store,
      podsApi: ctx.client<Pod>(GVR.pods), nodesApi: ctx.client<Node>(GVR.nodes), clock: ctx.clock, log: ctx.log,
      terminatedPodThreshold: ctx.config.terminatedPodGcThreshold, quarantineMs: ctx.config.podGcQuarantine,
    });
    return async (signal) => {
      try {
        await ctx.waitForSync(signal);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      while (!signal.aborted) {
        try {
          await gc.pass(signal);
        } catch (err) {
          if (!signal.aborted) ctx.log.error({ err }, 'pod GC pass failed');
        }
        try {
          await ctx.clock.sleep(ctx.config.podGcPeriod, signal);
        } catch {
          return;
        }
      }
    };
  },
};
