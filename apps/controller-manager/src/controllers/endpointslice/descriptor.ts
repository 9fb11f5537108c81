import type { Node, Pod } from '../../controller-utils/index.js';
import type { ControllerDescriptor } from '../../framework/controller.js';
import { GVR } from '../../framework/gvr.js';
import type { Service } from '../endpoints/service-pods.js';
import { registerServiceTriggers } from '../endpoints/triggers.js';
import { SERVICE_NAME_LABEL, syncEndpointSlices, type EndpointSlice } from './controller.js';

export const endpointSliceController: ControllerDescriptor = {
  name: 'endpointslice-controller',
  aliases: ['endpointslice'],
  identity: 'endpointslice-controller',
  eventComponent: 'endpoint-slice-controller',
  enabledByDefault: true,
  init(ctx) {
    const queue = ctx.queue<string>('endpoint_slice');
    const services = ctx.informer<Service>(GVR.services);
    const pods = ctx.informer<Pod>(GVR.pods);
    const nodes = ctx.informer<Node>(GVR.nodes);
    const slices = ctx.informer<EndpointSlice>(GVR.endpointSlices);
    registerServiceTriggers(services, pods, queue);
    const byService = (s: EndpointSlice): void => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc) queue.add(`${s.metadata.namespace ?? ''}/${svc}`);
    };
    slices.addEventHandler({ onUpdate: (_o, s) => byService(s), onDelete: byService });
    const o = { services: services.store, pods, nodes: nodes.store, slices: slices.store, api: ctx.client<EndpointSlice>(GVR.endpointSlices), maxEndpointsPerSlice: ctx.config.maxEndpointsPerSlice };
    return (signal) => ctx.run(queue, ctx.config.concurrentServiceEndpointSyncs, (key, s) => syncEndpointSlices(key, o, s), signal);
  },
};
