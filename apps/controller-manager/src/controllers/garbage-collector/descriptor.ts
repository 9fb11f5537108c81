import type { KubeObject } from '@ekslab/client';
import type { ControllerDescriptor } from '../../framework/controller.js';
import { GVR } from '../../framework/gvr.js';
import { GarbageCollector, type MonitoredResource } from './collector.js';

/**
 * The resources the collector builds its graph from (kube discovers every resource with list, watch and delete;
 * this is the lab's set of owners and dependents: workloads and their pods, revisions, services and their
 * endpoints, config, service accounts, node Leases owned by their Nodes, ingresses and PDBs).
 */
export const monitoredResources: readonly MonitoredResource[] = [
  { gvr: GVR.pods, kind: 'Pod', namespaced: true },
  { gvr: GVR.nodes, kind: 'Node', namespaced: false },
  { gvr: GVR.services, kind: 'Service', namespaced: true },
  { gvr: GVR.endpoints, kind: 'Endpoints', namespaced: true },
  { gvr: GVR.configMaps, kind: 'ConfigMap', namespaced: true },
  { gvr: GVR.secrets, kind: 'Secret', namespaced: true },
  { gvr: GVR.serviceAccounts, kind: 'ServiceAccount', namespaced: true },
  { gvr: GVR.deployments, kind: 'Deployment', namespaced: true },
  { gvr: GVR.replicaSets, kind: 'ReplicaSet', namespaced: true },
  { gvr: GVR.daemonSets, kind: 'DaemonSet', namespaced: true },
  { gvr: GVR.controllerRevisions, kind: 'ControllerRevision', namespaced: true },
  { gvr: GVR.jobs, kind: 'Job', namespaced: true },
  { gvr: GVR.cronJobs, kind: 'CronJob', namespaced: true },
  { gvr: GVR.endpointSlices, kind: 'EndpointSlice', namespaced: true },
  { gvr: GVR.leases, kind: 'Lease', namespaced: true },
  { gvr: GVR.podDisruptionBudgets, kind: 'PodDisruptionBudget', namespaced: true },
  { gvr: { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses' }, kind: 'Ingress', namespaced: true },
];

export const garbageCollectorController: ControllerDescriptor = {
  name: 'garbage-collector-controller',
  aliases: ['garbagecollector'],
  identity: 'generic-garbage-collector',
  eventComponent: 'garbage-collector-controller',
  enabledByDefault: true,
  init(ctx) {
    const attemptToDelete = ctx.queue<string>('garbage_collector_attempt_to_delete');
    const attemptToOrphan = ctx.queue<string>('garbage_collector_attempt_to_orphan');
    const gc = new GarbageCollector({ resources: monitoredResources, client: (gvr) => ctx.client<KubeObject>(gvr), attemptToDelete, attemptToOrphan, log: ctx.log });
    for (const resource of monitoredResources) {
      ctx.informer<KubeObject>(resource.gvr).addEventHandler({
        onAdd: (obj) => gc.process({ type: 'upsert', obj, resource }),
        onUpdate: (old, obj) => {
          if (old !== obj) gc.process({ type: 'upsert', obj, resource });
        },
        onDelete: (obj) => gc.process({ type: 'delete', obj, resource }),
      });
    }
    const workers = ctx.config.concurrentGcSyncs;
    return async (signal) => {
      await Promise.all([
        ctx.run(attemptToDelete, workers, (uid, s) => gc.attemptToDelete(uid, s), signal),
        ctx.run(attemptToOrphan, workers, (uid, s) => gc.attemptToOrphan(uid, s), signal),
      ]);
    };
  },
};
