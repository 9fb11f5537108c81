import { isNotFound, splitKey, type KubeObject, type ResourceClient, type CacheReader } from '@ekslab/client';
import type { Informer } from '@ekslab/client';
import type { Meta, Pod } from '../../controller-utils/index.js';
import { endpointSubsets, type EndpointSubset } from './subsets.js';
import type { Service } from './service-pods.js';
import { selectedPods } from './triggers.js';

export interface Endpoints extends KubeObject {
  metadata: Meta;
  subsets?: EndpointSubset[];
}

export interface EndpointsControllerOptions {
  readonly services: CacheReader<Service>;
  readonly pods: Informer<Pod>;
  readonly endpoints: CacheReader<Endpoints>;
  readonly api: ResourceClient<Endpoints>;
  readonly now: () => number;
}

const HEADLESS_LABEL = 'service.kubernetes.io/headless';
const TRIGGER_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';
const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

/**
 * kube's endpoints controller syncService: the Endpoints object of a Service with a selector mirrors its pods
 * (see endpointSubsets); it carries the Service's labels (plus service.kubernetes.io/headless for clusterIP None)
 * and is written only when it changed. A deleted Service's Endpoints are deleted; selector-less Services and
 * ExternalName Services are left alone.
 */
export async function syncEndpoints(key: string, o: EndpointsControllerOptions, signal: AbortSignal): Promise<void> {
  const { namespace, name } = splitKey(key);
  const svc = o.services.get(key);
  if (!svc) {
    try {
      await o.api.delete(name, { signal, namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return;
  }
  if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0 || svc.spec.type === 'ExternalName') return;
  const { subsets, truncated } = endpointSubsets(svc, selectedPods(svc, o.pods));
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  if (svc.spec.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  const current = o.endpoints.get(key);
  const sameSubsets = JSON.stringify(current?.subsets ?? []) === JSON.stringify(subsets);
  const sameLabels = JSON.stringify(current?.metadata.labels ?? {}) === JSON.stringify(labels);
  const overCapacity = current?.metadata.annotations?.[OVER_CAPACITY_ANNOTATION] === 'truncated';
  if (current && sameSubsets && sameLabels && overCapacity === truncated) return;
  const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}), [TRIGGER_ANNOTATION]: new Date(o.now()).toISOString() };
  if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
  else delete annotations[OVER_CAPACITY_ANNOTATION];
  const desired: Endpoints = {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { ...(current?.metadata ?? {}), name, namespace, labels, annotations },
    ...(subsets.length > 0 ? { subsets } : {}),
  };
  // A stale cache fails with Conflict or AlreadyExists: the key is retried once the informer caught up.
  if (current) await o.api.update(desired, { signal, namespace });
  else await o.api.create(desired, { signal, namespace });
}
