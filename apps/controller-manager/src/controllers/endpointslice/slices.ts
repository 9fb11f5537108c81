import { isPodReady, type Node, type Pod } from '../../controller-utils/index.js';
import { findPort, hostnameFor, podIPv4, shouldPodBeInEndpoints, type Service } from '../endpoints/service-pods.js';

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  nodeName?: string;
  zone?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

export interface SlicePort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** The endpoints of one port set: what one or more slices hold. */
export interface EndpointGroup {
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

export const portsKey = (ports: readonly SlicePort[]): string => ports.map((p) => `${p.name}/${p.port}/${p.protocol}`).sort().join(',');

/**
 * kube 1.33's podToEndpoint for each selected pod (terminating ones included): serving = Ready; terminating =
 * being deleted; ready = publishNotReadyAddresses or (serving and not terminating); zone from the node's
 * topology.kubernetes.io/zone label. Endpoints are grouped by the set of service ports their pod resolves.
 */
export function desiredGroups(svc: Service, pods: readonly Pod[], nodeOf: (name: string) => Node | undefined): EndpointGroup[] {
  const groups = new Map<string, EndpointGroup>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports: SlicePort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      ports.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
    const serving = isPodReady(pod);
    const terminating = !!pod.metadata.deletionTimestamp;
    const zone = pod.spec.nodeName ? nodeOf(pod.spec.nodeName)?.metadata.labels?.['topology.kubernetes.io/zone'] : undefined;
    const hostname = hostnameFor(pod, svc);
    const endpoint: SliceEndpoint = {
      addresses: [podIPv4(pod)!],
      conditions: { ready: svc.spec?.publishNotReadyAddresses === true || (serving && !terminating), serving, terminating },
      ...(hostname ? { hostname } : {}),
      ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      ...(zone ? { zone } : {}),
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' },
    };
    const key = portsKey(ports);
    const g = groups.get(key) ?? (groups.set(key, { ports, endpoints: [] }), groups.get(key)!);
    g.endpoints.push(endpoint);
  }
  for (const g of groups.values()) g.endpoints.sort((a, b) => a.addresses[0]!.localeCompare(b.addresses[0]!, 'en', { numeric: true }));
  return [...groups.values()];
}

/** Splits a group's endpoints into chunks of at most `max` (--max-endpoints-per-slice); an empty group is one empty slice. */
export function chunk<T>(items: readonly T[], max: number): T[][] {
  if (items.length === 0) return [[]];
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += max) out.push(items.slice(i, i + max));
  return out;
}
