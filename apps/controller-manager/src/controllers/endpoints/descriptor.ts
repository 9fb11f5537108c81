import { objectKey } from '@ekslab/client';
import type { Pod } from '../../controller-utils/index.js';
import type { ControllerDescriptor } from '../../framework/controller.js';
import { GVR } from '../../framework/gvr.js';
import { syncEndpoints, type Endpoints } from './controller.js';
import type { Service } from './service-pods.js';
import { registerServiceTriggers } from './triggers.js';

export const endpointsController: ControllerDescriptor = {
  name: 'endpoints-controller',
  aliases: ['endpoint'],
  identity: 'endpoint-controller',
  eventComponent: 'endpoint-controller',
  enabledByDefault: true,
  init(ctx) {
    const queue = ctx.queue<string>('endpoint');
    const services = ctx.informer<Service>(GVR.services);
    const pods = ctx.informer<Pod>(GVR.pods);
    const endpoints = ctx.informer<Endpoints>(GVR.endpoints);
    registerServiceTriggers(services, pods, queue);
    // An Endpoints object changed or deleted by someone else is put right again.
    endpoints.addEventHandler({ onUpdate: (_o, e) => queue.add(objectKey(e)), onDelete: (e) => queue.add(objectKey(e)) });
    const o = { services: services.store, pods, endpoints: endpoints.store, api: ctx.client<Endpoints>(GVR.endpoints), now: () => ctx.clock.now() };
    return (signal) => ctx.run(queue, ctx.config.concurrentEndpointSyncs, (key, s) => syncEndpoints(key, o, s), signal);
  },
};
