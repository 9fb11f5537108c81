// Pod requests and node snapshots summed the way kube-scheduler's NodeInfo does (k8s.io/component-helpers
// resource.PodRequests): containers add up, init containers take the max with sidecars (restartPolicy Always)
// carried along, pod overhead is added on top.
import { quantityMilliValue, quantityValue } from './quantity.js';
import type { Container, Pod, ResourceList } from './types.js';

/** Resource name → amount; `cpu` in millicores, everything else in whole units (bytes, devices). */
export type Resources = Readonly<Record<string, number>>;

/** Resources the scheduler accounts for besides cpu/memory/ephemeral-storage (kube's IsScalarResourceName). */
export function isScalarResourceName(name: string): boolean {
  return name.includes('/') || name.startsWith('hugepages-') || name.startsWith('attachable-volumes-');
}

function accounted(name: string): boolean {
  return name === 'cpu' || name === 'memory' || name === 'ephemeral-storage' || isScalarResourceName(name);
}

/** A ResourceList converted to numbers: cpu as MilliValue(), the rest as Value(); `pods` kept when asked. */
export function toResources(list: ResourceList | undefined, keepPods = false): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, q] of Object.entries(list ?? {})) {
    if (name === 'cpu') out[name] = quantityMilliValue(q);
    else if (accounted(name) || (keepPods && name === 'pods')) out[name] = quantityValue(q);
  }
  return out;
}

function add(into: Record<string, number>, r: Resources): void {
  for (const [k, v] of Object.entries(r)) into[k] = (into[k] ?? 0) + v;
}

function max(into: Record<string, number>, r: Resources): void {
  for (const [k, v] of Object.entries(r)) into[k] = Math.max(into[k] ?? 0, v);
}

/**
 * A container's requests as the stored object has them. The apiserver defaults a missing request to the limit;
 * this does the same so un-defaulted test objects are read like stored ones.
 */
function containerRequests(c: Container): Resources {
  return toResources({ ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) });
}

/**
 * What a pod asks of a node: Σ containers, then max with each init container's request (plus the sidecars
 * started before it), sidecars also counted in the running sum, then + spec.overhead. Pod-level
 * `spec.resources` (PodLevelResources) is not modelled.
 */
export function podRequests(pod: Pod): Resources {
  let r = requestsMemo.get(pod);
  if (!r) requestsMemo.set(pod, (r = computePodRequests(pod)));
  return r;
}

/** Pods are immutable values here (informer objects are replaced, never edited), so requests are computed once per object. */
const requestsMemo = new WeakMap<Pod, Resources>();
const portsMemo = new WeakMap<Pod, readonly HostPort[]>();

function computePodRequests(pod: Pod): Resources {
  const reqs: Record<string, number> = {};
  for (const c of pod.spec.containers) add(reqs, containerRequests(c));
  const sidecars: Record<string, number> = {};
  const init: Record<string, number> = {};
  for (const c of pod.spec.initContainers ?? []) {
    const r = containerRequests(c);
    if (c.restartPolicy === 'Always') {
      add(reqs, r);
      add(sidecars, r);
      max(init, sidecars);
    } else {
      const withSidecars = { ...sidecars };
      add(withSidecars, r);
      max(init, withSidecars);
    }
  }
  max(reqs, init);
  add(reqs, toResources(pod.spec.overhead));
  return reqs;
}

export interface HostPort {
  readonly ip: string;
  readonly protocol: string;
  readonly port: number;
}

/** The host ports a pod binds (containers' ports with hostPort > 0; hostIP defaults to 0.0.0.0, protocol to TCP). */
export function podHostPorts(pod: Pod): readonly HostPort[] {
  let ports = portsMemo.get(pod);
  if (!ports) portsMemo.set(pod, (ports = computeHostPorts(pod)));
  return ports;
}

function computeHostPorts(pod: Pod): HostPort[] {
  return pod.spec.containers.flatMap((c) =>
    (c.ports ?? [])
      .filter((p) => (p.hostPort ?? 0) > 0)
      .map((p) => ({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol ?? 'TCP', port: p.hostPort ?? 0 })),
  );
}


/** schedutil.DefaultMilliCPURequest / DefaultMemoryRequest: what a container without requests counts as when scoring. */
export const defaultMilliCpuRequest = 100;
export const defaultMemoryRequest = 200 * 1024 * 1024;
const nonZeroMemo = new WeakMap<Pod, Resources>();

/**
 * A pod's cpu/memory request for scoring as NodeInfo's NonZeroRequested counts it: a container asking nothing
 * for cpu (memory) counts as 100m (200Mi). Approximated at pod level: a zero total takes the default.
 */
export function nonZeroRequests(pod: Pod): Resources {
  let r = nonZeroMemo.get(pod);
  if (!r) {
    const req = podRequests(pod);
    nonZeroMemo.set(pod, (r = { ...req, cpu: req['cpu'] || defaultMilliCpuRequest, memory: req['memory'] || defaultMemoryRequest }));
  }
  return r;
}

export function addResources(into: Record<string, number>, r: Resources, sign = 1): void {
  for (const [k, v] of Object.entries(r)) into[k] = (into[k] ?? 0) + sign * v;
}
