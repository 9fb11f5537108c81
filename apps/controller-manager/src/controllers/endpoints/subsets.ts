import type { Pod } from '../../controller-utils/index.js';
import { isPodReady } from '../../controller-utils/index.js';
import { findPort, hostnameFor, podIPv4, shouldPodBeInEndpoints, type Service } from './service-pods.js';

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

/** kube's maxCapacity: addresses an Endpoints object holds before it is truncated (over-capacity annotation). */
export const MAX_ENDPOINT_ADDRESSES = 1000;

/**
 * The Endpoints subsets of a Service (kube's endpoints controller syncService): each selected pod with an address,
 * per service port whose targetPort resolves on it, as a ready address (Ready, or publishNotReadyAddresses) or a
 * not-ready one (unless finished); terminating pods are left out unless publishNotReadyAddresses. A headless
 * service without ports lists addresses without ports. The result is repacked as kube's RepackSubsets does.
 */
export function endpointSubsets(svc: Service, pods: readonly Pod[]): { subsets: EndpointSubset[]; truncated: boolean } {
  const tolerateUnready = svc.spec?.publishNotReadyAddresses === true;
  const raw: { address: EndpointAddress; ready: boolean; port?: EndpointPort }[] = [];
  for (const pod of pods) {
    const ip = podIPv4(pod);
    if (!ip) continue;
    if (!tolerateUnready && pod.metadata.deletionTimestamp) continue;
    const hostname = hostnameFor(pod, svc);
    const address: EndpointAddress = {
      ip, ...(hostname ? { hostname } : {}), ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' },
    };
    const ready = tolerateUnready || isPodReady(pod);
    if (!ready && !shouldPodBeInEndpoints(pod, false)) continue;
    const ports = svc.spec?.ports ?? [];
    if (ports.length === 0) {
      if (svc.spec?.clusterIP === 'None') raw.push({ address, ready });
      continue;
    }
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      raw.push({ address, ready, port: { ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) } });
    }
  }
  return repack(raw);
}

const portKey = (p: EndpointPort): string => `${p.name ?? ''}/${p.port}/${p.protocol}`;
const addressKey = (a: EndpointAddress): string => `${a.ip}/${a.targetRef?.uid ?? ''}`;
const byIp = (a: EndpointAddress, b: EndpointAddress): number => a.ip.localeCompare(b.ip, 'en', { numeric: true }) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');

/** RepackSubsets: addresses with the same set of ports share one subset; addresses and ports sorted. */
function repack(raw: readonly { address: EndpointAddress; ready: boolean; port?: EndpointPort }[]): { subsets: EndpointSubset[]; truncated: boolean } {
  const perAddress = new Map<string, { address: EndpointAddress; ready: boolean; ports: Map<string, EndpointPort> }>();
  for (const r of raw) {
    const key = addressKey(r.address);
    const entry = perAddress.get(key) ?? (perAddress.set(key, { address: r.address, ready: r.ready, ports: new Map() }), perAddress.get(key)!);
    if (r.port) entry.ports.set(portKey(r.port), r.port);
  }
  const groups = new Map<string, EndpointSubset>();
  let total = 0;
  let truncated = false;
  for (const e of perAddress.values()) {
    if (total >= MAX_ENDPOINT_ADDRESSES) {
      truncated = true;
      break;
    }
    total += 1;
    const ports = [...e.ports.values()].sort((a, b) => portKey(a).localeCompare(portKey(b)));
    const key = ports.map(portKey).join(',');
    const g = groups.get(key) ?? (groups.set(key, ports.length > 0 ? { ports } : {}), groups.get(key)!);
    (e.ready ? (g.addresses ??= []) : (g.notReadyAddresses ??= [])).push(e.address);
  }
  const subsets = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => {
    g.addresses?.sort(byIp);
    g.notReadyAddresses?.sort(byIp);
    return g;
  });
  return { subsets, truncated };
}
