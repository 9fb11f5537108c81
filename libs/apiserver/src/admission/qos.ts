import { parseQuantity } from './quantity.js';

/** v1.PodQOSClass. */
export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

type Obj = Record<string, unknown>;
const supported = new Set(['cpu', 'memory']);

interface ContainerLike {
  resources?: { requests?: Obj; limits?: Obj };
}

/**
 * The pod's QoS class as pkg/apis/core/helper/qos.ComputePodQOS computes it over containers and init
 * containers (only cpu and memory count, only values > 0): no requests and no limits → BestEffort; every
 * container limits both cpu and memory and the summed requests equal the summed limits → Guaranteed;
 * anything else → Burstable. Requests are expected to be defaulted from limits already.
 */
export function computeQosClass(spec: { containers?: ContainerLike[]; initContainers?: ContainerLike[] }): QosClass {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const [name, q] of Object.entries(c.resources?.requests ?? {})) {
      const v = parseQuantity(q);
      if (supported.has(name) && v !== undefined && v > 0n) requests.set(name, (requests.get(name) ?? 0n) + v);
    }
    const limited = new Set<string>();
    for (const [name, q] of Object.entries(c.resources?.limits ?? {})) {
      const v = parseQuantity(q);
      if (supported.has(name) && v !== undefined && v > 0n) {
        limited.add(name);
        limits.set(name, (limits.get(name) ?? 0n) + v);
      }
    }
    if (!limited.has('cpu') || !limited.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      if (limits.get(name) !== req) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
