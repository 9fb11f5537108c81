import { systemClock } from '@ekslab/runtime';
import type { ControllerDescriptor } from '../../framework/controller.js';
import { RestDiscovery } from '../../kube/discovery.js';
import { NamespaceController } from './controller.js';
import { NamespacedResourcesDeleter } from './deleter.js';
import { grpcContentApi, grpcNamespaceApi, namespacesClient } from './grpc-api.js';

/**
 * kube's namespace controller. It keeps its own namespace informer (it predates the shared factory here)
 * and discovers resources over REST (the gRPC API has no discovery).
 */
export const namespaceController: ControllerDescriptor = {
  name: 'namespace-controller',
  aliases: ['namespace'],
  identity: NamespaceController.controllerName,
  enabledByDefault: true,
  init(ctx) {
    const discovery = new RestDiscovery({ server: ctx.config.master, ca: ctx.ca, token: ctx.token });
    const api = { service: ctx.service, token: ctx.token };
    const deleter = new NamespacedResourcesDeleter(grpcNamespaceApi(api), grpcContentApi(api, (s) => discovery.serverPreferredNamespacedResources(s)), systemClock);
    const controller = new NamespaceController({
      namespaces: namespacesClient(api), deleter, workers: ctx.config.concurrentNamespaceSyncs, resyncPeriodMs: ctx.config.namespaceSyncPeriod,
      log: ctx.log, onQueue: (q) => ctx.metrics.setQueue('namespace', q),
    });
    return (signal) => controller.start(signal);
  },
};
