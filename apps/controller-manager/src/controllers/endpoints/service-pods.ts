// What the Endpoints and EndpointSlice controllers share (kube's pkg/controller/util/endpoint and podutil).
import type { KubeObject } from '@ekslab/client';
import { LabelSelector } from '@ekslab/apimachinery';
import type { Meta, Pod } from '../../controller-utils/index.js';

export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
  appProtocol?: string;
}

export interface Service extends KubeObject {
  metadata: Meta;
  spec?: {
    selector?: Record<string, string>;
    ports?: ServicePort[];
    clusterIP?: string;
    type?: string;
    publishNotReadyAddresses?: boolean;
  };
}

/** The pods a Service selects; undefined for a Service without a selector (its endpoints are managed by hand). */
export function serviceSelector(svc: Service): LabelSelector | undefined {
  const sel = svc.spec?.selector;
  if (!sel || Object.keys(sel).length === 0) return undefined;
  return LabelSelector.fromSet(sel);
}

/**
 * podutil.FindPort: a numeric targetPort is used as is (the service port when unset); a named one is looked up
 * among the pod's container ports with the same protocol. Undefined when the name matches no port.
 */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = port.protocol ?? 'TCP';
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** The pod's IPv4 address, if it has one. */
export function podIPv4(pod: Pod): string | undefined {
  const ips = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)].filter((ip): ip is string => !!ip);
  return ips.find((ip) => !ip.includes(':'));
}

/**
 * endpointutil.ShouldPodBeInEndpoints: a pod with an address that is not finished (restartPolicy Never and
 * Failed/Succeeded, or OnFailure and Succeeded) — and, unless `includeTerminating`, not being deleted.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (!podIPv4(pod)) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  const restart = pod.spec.restartPolicy ?? 'Always';
  if (restart === 'Never') return phase !== 'Failed' && phase !== 'Succeeded';
  if (restart === 'OnFailure') return phase !== 'Succeeded';
  return true;
}

/** endpointutil.ShouldSetHostname: the pod's hostname, when its subdomain names this service in the same namespace. */
export function hostnameFor(pod: Pod, svc: Service): string | undefined {
  const h = pod.spec.hostname;
  return h && pod.spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace ? h : undefined;
}
