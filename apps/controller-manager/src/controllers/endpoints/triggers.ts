import { NAMESPACE_INDEX, objectKey, type Informer, type WorkQueue } from '@ekslab/client';
import type { Pod } from '../../controller-utils/index.js';
import { serviceSelector, type Service } from './service-pods.js';

/**
 * The handlers both endpoint controllers register: a Service change queues the Service; a pod change queues
 * every Service of its namespace whose selector matches the pod before or after the change.
 */
export function registerServiceTriggers(services: Informer<Service>, pods: Informer<Pod>, queue: WorkQueue<string>): void {
  const enqueueService = (s: Service): void => queue.add(objectKey(s));
  services.addEventHandler({ onAdd: enqueueService, onUpdate: (_o, s) => enqueueService(s), onDelete: enqueueService });
  const enqueueForPod = (...versions: Pod[]): void => {
    const ns = versions[0]?.metadata.namespace ?? '';
    for (const svc of services.store.byIndex(NAMESPACE_INDEX, ns)) {
      const sel = serviceSelector(svc);
      if (sel && versions.some((p) => sel.matches(p.metadata.labels))) queue.add(objectKey(svc));
    }
  };
  pods.addEventHandler({
    onAdd: (p) => enqueueForPod(p),
    onUpdate: (o, p) => {
      if (o !== p) enqueueForPod(o, p);
    },
    onDelete: (p) => enqueueForPod(p),
  });
}

/** The pods of the service's namespace its selector matches (none for a selector-less service). */
export function selectedPods(svc: Service, pods: Informer<Pod>): Pod[] {
  const sel = serviceSelector(svc);
  if (!sel) return [];
  return pods.store.byIndex(NAMESPACE_INDEX, svc.metadata.namespace ?? '').filter((p) => sel.matches(p.metadata.labels));
}
