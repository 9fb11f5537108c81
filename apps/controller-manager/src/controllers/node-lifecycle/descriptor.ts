import type { Lease } from '@ekslab/client';
import { POD_NODE_INDEX, podNodeIndexFunc, type Node, type Pod } from '../../controller-utils/index.js';
import type { ControllerDescriptor } from '../../framework/controller.js';
import { GVR } from '../../framework/gvr.js';
import { NodeLifecycleController } from './controller.js';
import { TaintEviction } from './taint-eviction.js';

export const nodeLifecycleController: ControllerDescriptor = {
  name: 'node-lifecycle-controller',
  aliases: ['nodelifecycle'],
  identity: 'node-controller',
  eventComponent: 'node-controller',
  enabledByDefault: true,
  init(ctx) {
    const c = ctx.config;
    const controller = new NodeLifecycleController({
      nodes: ctx.informer<Node>(GVR.nodes).store,
      pods: ctx.informer<Pod>(GVR.pods, { [POD_NODE_INDEX]: podNodeIndexFunc }).store,
      leases: ctx.informer<Lease>(GVR.leases).store,
      nodesApi: ctx.client<Node>(GVR.nodes),
      podsApi: ctx.client<Pod>(GVR.pods),
      recorder: ctx.recorder, clock: ctx.clock, log: ctx.log, metrics: ctx.metrics.nodeCollector(),
      monitorPeriodMs: c.nodeMonitorPeriod, monitorGraceMs: c.nodeMonitorGracePeriod, startupGraceMs: c.nodeStartupGracePeriod,
      evictionRate: c.nodeEvictionRate, secondaryEvictionRate: c.secondaryNodeEvictionRate,
      largeClusterThreshold: c.largeClusterSizeThreshold, unhealthyZoneThreshold: c.unhealthyZoneThreshold,
    });
    return async (signal) => {
      await ctx.waitForSync(signal).catch((err: unknown) => {
        if (!signal.aborted) throw err;
      });
      if (!signal.aborted) await controller.run(signal);
    };
  },
};

/**
 * kube 1.29+'s taint-eviction-controller: deletes pods from nodes with NoExecute taints they do not tolerate
 * (tolerationSeconds counted). It acts with the node-controller identity, whose role has the pod writes it needs.
 */
export const taintEvictionController: ControllerDescriptor = {
  name: 'taint-eviction-controller',
  aliases: [],
  identity: 'node-controller',
  eventComponent: 'taint-eviction-controller',
  enabledByDefault: true,
  init(ctx) {
    const pods = ctx.informer<Pod>(GVR.pods, { [POD_NODE_INDEX]: podNodeIndexFunc });
    const nodes = ctx.informer<Node>(GVR.nodes);
    let eviction: TaintEviction | undefined;
    pods.addEventHandler({
      onAdd: (p) => eviction?.podUpdated(p),
      onUpdate: (_o, p) => eviction?.podUpdated(p),
      onDelete: (p) => eviction?.podDeleted(p),
    });
    nodes.addEventHandler({
      onAdd: (n) => eviction?.nodeUpdated(n.metadata.name ?? ''),
      onUpdate: (o, n) => {
        if (JSON.stringify(o.spec?.taints ?? []) !== JSON.stringify(n.spec?.taints ?? [])) eviction?.nodeUpdated(n.metadata.name ?? '');
      },
    });
    return async (signal) => {
      try {
        await ctx.waitForSync(signal);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      eviction = new TaintEviction({ pods: pods.store, nodes: nodes.store, podsApi: ctx.client<Pod>(GVR.pods), recorder: ctx.recorder, clock: ctx.clock, log: ctx.log }, signal);
      for (const n of nodes.store.list()) eviction.nodeUpdated(n.metadata.name ?? '');
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      eviction.stop();
    };
  },
};
