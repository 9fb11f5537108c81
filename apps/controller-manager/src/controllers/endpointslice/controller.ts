import { NAMESPACE_INDEX, isNotFound, splitKey, type CacheReader, type Informer, type KubeObject, type ResourceClient } from '@ekslab/client';
import type { Meta, Node, Pod } from '../../controller-utils/index.js';
import type { Service } from '../endpoints/service-pods.js';
import { selectedPods } from '../endpoints/triggers.js';
import { chunk, desiredGroups, portsKey, type SliceEndpoint, type SlicePort } from './slices.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';

export interface EndpointSlice extends KubeObject {
  metadata: Meta;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints: SliceEndpoint[] | null;
  ports: SlicePort[] | null;
}

export interface EndpointSliceOptions {
  readonly services: CacheReader<Service>;
  readonly pods: Informer<Pod>;
  readonly nodes: CacheReader<Node>;
  readonly slices: CacheReader<EndpointSlice>;
  readonly api: ResourceClient<EndpointSlice>;
  readonly maxEndpointsPerSlice: number;
}

/**
 * kube's endpointslice controller for one Service: the slices it manages (labelled with the service name and
 * managed-by endpointslice-controller.k8s.io, owned by the Service) hold its endpoints, one port set per slice
 * and at most --max-endpoints-per-slice each. Existing slices are updated in place when their content changed,
 * missing ones created, surplus ones deleted. A Service without a selector gets none.
 */
export async function syncEndpointSlices(key: string, o: EndpointSliceOptions, signal: AbortSignal): Promise<void> {
  const { namespace, name } = splitKey(key);
  const svc = o.services.get(key);
  const existing = o.slices.byIndex(NAMESPACE_INDEX, namespace)
    .filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === name && s.metadata.labels[MANAGED_BY_LABEL] === MANAGED_BY);
  const selector = svc?.spec?.selector;
  if (!svc || !selector || Object.keys(selector).length === 0 || svc.spec?.type === 'ExternalName') {
    for (const s of existing) await deleteSlice(o, s, signal);
    return;
  }
  const groups = desiredGroups(svc, selectedPods(svc, o.pods), (n) => o.nodes.get(n));
  const unused = new Set(existing);
  const labels = { ...(svc.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: MANAGED_BY };
  const ownerReferences = [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }];
  // No endpoints at all: kube keeps one empty slice with the service's ports, as a placeholder.
  const wanted = groups.length > 0 ? groups : [{ ports: [], endpoints: [] }];
  for (const group of wanted) {
    const key = portsKey(group.ports);
    const candidates = existing.filter((s) => unused.has(s) && portsKey(s.ports ?? []) === key);
    for (const endpoints of chunk(group.endpoints, o.maxEndpointsPerSlice)) {
      const slice = candidates.shift();
      const body = { addressType: 'IPv4' as const, endpoints, ports: group.ports };
      if (slice) {
        unused.delete(slice);
        const same = JSON.stringify({ e: slice.endpoints ?? [], p: slice.ports ?? [], l: slice.metadata.labels }) === JSON.stringify({ e: endpoints, p: group.ports, l: labels });
        if (!same) await o.api.update({ ...slice, metadata: { ...slice.metadata, labels }, ...body }, { signal, namespace });
      } else {
        await o.api.create({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { generateName: `${name}-`, namespace, labels, ownerReferences }, ...body }, { signal, namespace });
      }
    }
  }
  for (const s of unused) await deleteSlice(o, s, signal);
}

async function deleteSlice(o: EndpointSliceOptions, s: EndpointSlice, signal: AbortSignal): Promise<void> {
  try {
    await o.api.delete(s.metadata.name ?? '', { signal, namespace: s.metadata.namespace ?? '' });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
