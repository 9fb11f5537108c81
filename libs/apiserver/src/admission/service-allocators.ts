import type { EtcdStore } from '@ekslab/storage';
import { addressAt, indexOf, ipRangeOffset, parseCidr, parsePortRange, portRangeOffset, usableCount, type Ipv4Cidr, type PortRange } from './cidr.js';
import { EtcdAllocator, NotInRangeError } from './allocator.js';

/**
 * Where allocations live, relative to the store prefix (so `/registry/ekslab/…` by default). One key per
 * value: `/ekslab/ipallocations/10.100.0.10`, `/ekslab/nodeportallocations/30080`.
 */
export const IP_ALLOCATION_PREFIX = '/ekslab/ipallocations/';
export const NODEPORT_ALLOCATION_PREFIX = '/ekslab/nodeportallocations/';

export interface ServiceAllocatorOptions {
  /** --service-cluster-ip-range; EKS default 10.100.0.0/16. IPv4 only. */
  readonly serviceClusterIpRange: string;
  /** --service-node-port-range; default 30000-32767. */
  readonly serviceNodePortRange: string;
  readonly now?: () => number;
}

/** The ClusterIP and NodePort allocators of one apiserver, over the shared etcd. */
export interface ServiceAllocators {
  readonly cidr: Ipv4Cidr;
  readonly ports: PortRange;
  readonly ips: EtcdAllocator;
  readonly nodePorts: EtcdAllocator;
}

/**
 * Builds both allocators. Dynamic ClusterIPs never take the first usable address (10.100.0.1), which
 * belongs to the `kubernetes` Service; Kubernetes itself relies on its bootstrap controller taking it first,
 * which a replica that serves before the reconciler runs could lose, so we keep it out of the dynamic pool.
 */
export function serviceAllocators(store: EtcdStore, opts: ServiceAllocatorOptions): ServiceAllocators {
  const cidr = parseCidr(opts.serviceClusterIpRange);
  const ports = parsePortRange(opts.serviceNodePortRange);
  const now = opts.now ?? Date.now;
  const ips = new EtcdAllocator({
    store, prefix: IP_ALLOCATION_PREFIX, kind: 'IPAddress', size: usableCount(cidr), now,
    valueAt: (i) => addressAt(cidr, i),
    indexOf: (v) => indexOf(cidr, v),
    notInRange: (v) => new NotInRangeError(`the provided IP (${v}) is not in the valid range. The range of valid IPs is ${cidr.text}`),
    offset: ipRangeOffset(cidr),
    reserved: new Set([0]),
  });
  const nodePorts = new EtcdAllocator({
    store, prefix: NODEPORT_ALLOCATION_PREFIX, kind: 'NodePort', size: ports.size, now,
    valueAt: (i) => String(ports.base + i),
    indexOf: (v) => (/^\d+$/.test(v) && Number(v) >= ports.base && Number(v) < ports.base + ports.size ? Number(v) - ports.base : undefined),
    notInRange: () => new NotInRangeError(`provided port is not in the valid range. The range of valid ports is ${ports.text}`),
    offset: portRangeOffset(ports),
  });
  return { cidr, ports, ips, nodePorts };
}
