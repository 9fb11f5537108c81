import type { KubeObject } from '../rest/objects.js';
import { AlreadyAllocatedError, NotInRangeError, RangeFullError, type AllocationOwner } from './allocator.js';
import { internal, invalid, type FieldInvalid } from './errors.js';
import { serviceAllocators, type ServiceAllocatorOptions, type ServiceAllocators } from './service-allocators.js';
import type { AdmissionOutcome, AdmissionPlugin, AdmissionRequest } from './types.js';

interface ServicePort {
  name?: string;
  port?: number;
  protocol?: string;
  nodePort?: number;
}

interface ServiceSpec {
  type?: string;
  selector?: Record<string, string>;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  ports?: ServicePort[];
  externalIPs?: string[];
  externalTrafficPolicy?: string;
  internalTrafficPolicy?: string;
  healthCheckNodePort?: number;
  allocateLoadBalancerNodePorts?: boolean;
  loadBalancerClass?: string;
}

const needsClusterIP = (s: ServiceSpec): boolean => s.type !== 'ExternalName';
const needsNodePort = (s: ServiceSpec): boolean => s.type === 'NodePort' || s.type === 'LoadBalancer';
const needsHealthCheck = (s: ServiceSpec): boolean => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
const shouldAllocateNodePorts = (s: ServiceSpec): boolean => s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false);
const isHeadless = (s: ServiceSpec): boolean => s.clusterIP === 'None' || s.clusterIPs?.[0] === 'None';
const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const nodePortsOf = (s: ServiceSpec): Set<number> => new Set((s.ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n > 0));
const validIp = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$|^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$/;

/**
 * The allocations of one Service write, settled by the registry (see AdmissionOutcome): values taken for
 * the new object are released on revert, values the old object held and the new one dropped on commit.
 */
class ServiceTxn implements AdmissionOutcome {
  readonly allocated = { ips: [] as string[], ports: [] as string[] };
  readonly toRelease = { ips: [] as string[], ports: [] as string[] };
  constructor(private readonly al: ServiceAllocators, private readonly owner: AllocationOwner, private readonly dryRun: boolean) {}

  commit(): Promise<void> {
    return this.free(this.toRelease);
  }

  revert(): Promise<void> {
    return this.free(this.allocated);
  }

  private async free(set: { ips: string[]; ports: string[] }): Promise<void> {
    const ips = set.ips.splice(0);
    const ports = set.ports.splice(0);
    if (this.dryRun) return;
    const signal = AbortSignal.timeout(10_000);
    // Best effort: what cannot be freed now is reclaimed by repairServiceAllocations.
    for (const ip of ips) await this.al.ips.release(ip, this.owner, signal).catch(() => undefined);
    for (const port of ports) await this.al.nodePorts.release(port, this.owner, signal).catch(() => undefined);
  }
}

/** SetDefaults_Service's traffic-policy fields, which depend on the type. */
function defaultTrafficFields(spec: ServiceSpec): void {
  if (needsNodePort(spec)) spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
}

/** Keeps `clusterIP` and `clusterIPs[0]` in step (normalizeClusterIPs and the v1 conversion). */
function normalizeClusterIPs(spec: ServiceSpec, old?: ServiceSpec): void {
  if (spec.type === 'ExternalName') return;
  if (old && spec.clusterIP !== old.clusterIP && sameJson(spec.clusterIPs, old.clusterIPs)) {
    if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP, ...(spec.clusterIPs ?? []).slice(1)];
    else delete spec.clusterIPs;
  }
  if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
  if (spec.clusterIPs?.length) spec.clusterIP = spec.clusterIPs[0]!;
}

/** alloc.go initIPFamilyFields for a single-stack IPv4 cluster. */
function initIPFamilyFields(name: string, spec: ServiceSpec, old?: ServiceSpec): void {
  if (spec.type === 'ExternalName') return;
  const headlessSelectorless = isHeadless(spec) && Object.keys(spec.selector ?? {}).length === 0;
  spec.ipFamilyPolicy ??= old?.ipFamilyPolicy ?? (headlessSelectorless ? 'RequireDualStack' : 'SingleStack');
  const errs: FieldInvalid[] = [];
  (spec.clusterIPs ?? []).forEach((ip, i) => {
    if (ip !== 'None' && !validIp.test(ip)) errs.push({ field: `spec.clusterIPs[${i}]`, value: ip, detail: 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)' });
  });
  if (errs.length) throw invalid('Service', '', name, errs);
  const families = (spec.ipFamilies ??= []);
  for (const [i, ip] of (spec.clusterIPs ?? []).entries()) {
    if (ip === 'None') break;
    if (i < families.length) continue;
    if (ip.includes(':')) errs.push({ field: `spec.clusterIPs[${i}]`, value: spec.clusterIPs, detail: 'IPv6 is not configured on this cluster' });
    else families.push('IPv4');
  }
  if (errs.length) throw invalid('Service', '', name, errs);
  if (headlessSelectorless) {
    if (families.length === 0) families.push('IPv4');
    if (families.length < 2 && spec.ipFamilyPolicy !== 'SingleStack') families.push(families[0] === 'IPv4' ? 'IPv6' : 'IPv4');
    return;
  }
  if (spec.ipFamilyPolicy === 'RequireDualStack') errs.push({ field: 'spec.ipFamilyPolicy', value: spec.ipFamilyPolicy, detail: 'this cluster is not configured for dual-stack services' });
  families.forEach((f, i) => {
    if (f !== 'IPv4') errs.push({ field: `spec.ipFamilies[${i}]`, value: f, detail: 'not configured on this cluster' });
  });
  if (errs.length) throw invalid('Service', '', name, errs);
  if (families.length === 0) families.push('IPv4');
}

async function allocClusterIP(req: AdmissionRequest, al: ServiceAllocators, txn: ServiceTxn, owner: AllocationOwner): Promise<void> {
  const spec = req.object.spec as ServiceSpec;
  if (!needsClusterIP(spec) || isHeadless(spec)) return;
  const requested = spec.clusterIPs?.[0] ?? '';
  let ip: string;
  if (!requested) {
    try {
      ip = await al.ips.allocateNext(owner, { dryRun: req.dryRun, signal: req.signal });
    } catch (err) {
      if (err instanceof RangeFullError) throw internal(`failed to allocate a serviceIP: ${err.message}`);
      throw err;
    }
  } else {
    try {
      await al.ips.allocate(requested, owner, { dryRun: req.dryRun, signal: req.signal });
    } catch (err) {
      if (err instanceof AlreadyAllocatedError || err instanceof NotInRangeError) {
        throw invalid('Service', '', req.name, [{ field: 'spec.clusterIPs', value: spec.clusterIPs, detail: `failed to allocate IP ${requested}: ${err.message}` }]);
      }
      throw err;
    }
    ip = requested;
  }
  txn.allocated.ips.push(ip);
  spec.clusterIP = ip;
  spec.clusterIPs = [ip];
}

/** Takes a requested NodePort; 422 on `spec.ports[i].nodePort` when it is taken or out of range. */
async function takePort(req: AdmissionRequest, al: ServiceAllocators, txn: ServiceTxn, owner: AllocationOwner, port: number, i: number): Promise<void> {
  try {
    await al.nodePorts.allocate(String(port), owner, { dryRun: req.dryRun, signal: req.signal });
  } catch (err) {
    if (err instanceof AlreadyAllocatedError || err instanceof NotInRangeError) {
      throw invalid('Service', '', req.name, [{ field: `spec.ports[${i}].nodePort`, value: port, detail: err.message }]);
    }
    throw err;
  }
  txn.allocated.ports.push(String(port));
}

async function nextPort(req: AdmissionRequest, al: ServiceAllocators, txn: ServiceTxn, owner: AllocationOwner, what: string): Promise<number> {
  try {
    const port = await al.nodePorts.allocateNext(owner, { dryRun: req.dryRun, signal: req.signal });
    txn.allocated.ports.push(port);
    return Number(port);
  } catch (err) {
    if (err instanceof RangeFullError) throw internal(`${what}: ${err.message}`);
    throw err;
  }
}

/** alloc.go initNodePorts: ports with the same port number share one NodePort (TCP and UDP of DNS). */
async function initNodePorts(req: AdmissionRequest, al: ServiceAllocators, txn: ServiceTxn, owner: AllocationOwner): Promise<void> {
  const spec = req.object.spec as ServiceSpec;
  const ports = spec.ports ?? [];
  const byPort = new Map<number, number>();
  for (const [i, p] of ports.entries()) {
    if (!p.nodePort && !shouldAllocateNodePorts(spec)) continue;
    const shared = byPort.get(p.port ?? 0);
    if (shared === undefined) {
      const requested = ports.find((q) => q.port === p.port && q.nodePort)?.nodePort;
      if (requested) await takePort(req, al, txn, owner, requested, i);
      p.nodePort = requested ?? (await nextPort(req, al, txn, owner, 'failed to allocate a nodePort'));
      byPort.set(p.port ?? 0, p.nodePort);
    } else if (p.nodePort !== shared) {
      if (!p.nodePort) p.nodePort = shared;
      else await takePort(req, al, txn, owner, p.nodePort, i);
    }
  }
}

/** alloc.go updateNodePorts: new numbers are taken, numbers the old object held and the new one dropped are freed on commit. */
async function updateNodePorts(req: AdmissionRequest, old: ServiceSpec, al: ServiceAllocators, txn: ServiceTxn, owner: AllocationOwner): Promise<void> {
  const spec = req.object.spec as ServiceSpec;
  const held = nodePortsOf(old);
  const taken = new Set<number>();
  for (const [i, p] of (spec.ports ?? []).entries()) {
    if (!p.nodePort && !shouldAllocateNodePorts(spec)) continue;
    if (p.nodePort) {
      if (!held.has(p.nodePort) && !taken.has(p.nodePort)) {
        await takePort(req, al, txn, owner, p.nodePort, i);
        taken.add(p.nodePort);
      }
    } else {
      p.nodePort = await nextPort(req, al, txn, owner, 'failed to allocate a nodePort');
    }
  }
  const kept = nodePortsOf(spec);
  for (const port of held) if (!kept.has(port)) txn.toRelease.ports.push(String(port));
}

async function allocHealthCheckNodePort(req: AdmissionRequest, al: ServiceAllocators, txn: ServiceTxn, owner: AllocationOwner): Promise<void> {
  const spec = req.object.spec as ServiceSpec;
  const requested = spec.healthCheckNodePort ?? 0;
  if (requested) {
    try {
      await al.nodePorts.allocate(String(requested), owner, { dryRun: req.dryRun, signal: req.signal });
      txn.allocated.ports.push(String(requested));
    } catch (err) {
      if (err instanceof AlreadyAllocatedError || err instanceof NotInRangeError) throw internal(`failed to allocate requested HealthCheck NodePort ${requested}: ${err.message}`);
      throw err;
    }
    return;
  }
  spec.healthCheckNodePort = await nextPort(req, al, txn, owner, 'failed to allocate a HealthCheck NodePort 0');
}

/**
 * storage.go patchAllocatedValues: an update that leaves out what was allocated (kubectl replace of a
 * manifest without clusterIP or nodePort) keeps the allocated values instead of asking for new ones.
 */
function patchAllocatedValues(spec: ServiceSpec, old: ServiceSpec): void {
  if (needsClusterIP(old) && needsClusterIP(spec)) {
    if (!spec.clusterIP && old.clusterIP) spec.clusterIP = old.clusterIP;
    if (!spec.clusterIPs?.length && old.clusterIPs?.length) spec.clusterIPs = [...old.clusterIPs];
  }
  if (needsNodePort(old) && needsNodePort(spec)) {
    const newNumbers = nodePortsOf(spec);
    const used = new Set([...nodePortsOf(old)].filter((n) => newNumbers.has(n)));
    const byName = new Map((old.ports ?? []).map((p) => [p.name ?? '', p.nodePort ?? 0]));
    for (const p of spec.ports ?? []) {
      const was = byName.get(p.name ?? '') ?? 0;
      if (!p.nodePort && was && !used.has(was)) p.nodePort = was;
    }
  }
  if (needsHealthCheck(old) && needsHealthCheck(spec) && !spec.healthCheckNodePort) spec.healthCheckNodePort = old.healthCheckNodePort!;
}

/** strategy.go dropTypeDependentFields: fields the old type needed and the new one does not are cleared if left unchanged. */
function dropTypeDependentFields(spec: ServiceSpec, old: ServiceSpec): void {
  if (needsClusterIP(old) && !needsClusterIP(spec)) {
    if (sameJson(spec.clusterIPs, old.clusterIPs) || (spec.clusterIP === old.clusterIP && !spec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (sameJson(spec.ipFamilies, old.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === old.ipFamilyPolicy) delete spec.ipFamilyPolicy;
  }
  if (needsNodePort(old) && !needsNodePort(spec)) {
    const same = (spec.ports ?? []).every((p, i) => !p.nodePort || p.nodePort === old.ports?.[i]?.nodePort);
    if (same) for (const p of spec.ports ?? []) delete p.nodePort;
  }
  if (needsHealthCheck(old) && !needsHealthCheck(spec) && spec.healthCheckNodePort === old.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (old.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === old.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (spec.loadBalancerClass === old.loadBalancerClass) delete spec.loadBalancerClass;
  }
  if (!needsNodePort(spec) && !(spec.externalIPs?.length) && spec.externalTrafficPolicy === old.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  if (spec.type === 'ExternalName' && spec.internalTrafficPolicy === old.internalTrafficPolicy) delete spec.internalTrafficPolicy;
}

/** validateUpgradeDowngradeClusterIPs for single stack: the ClusterIP cannot change once set. */
function checkClusterIPImmutable(name: string, spec: ServiceSpec, old: ServiceSpec): void {
  if (spec.type === 'ExternalName' || old.type === 'ExternalName' || (isHeadless(spec) && isHeadless(old))) return;
  const before = old.clusterIPs ?? [];
  const after = spec.clusterIPs ?? [];
  if (before.length !== after.length) return;
  const errs = before.flatMap((ip, i) => (ip !== after[i] ? [{ field: `spec.clusterIPs[${i}]`, value: after, detail: 'may not change once set' }] : []));
  if (errs.length) throw invalid('Service', '', name, errs);
}

async function admitCreate(req: AdmissionRequest, al: ServiceAllocators): Promise<AdmissionOutcome> {
  const spec = (req.object.spec ??= {}) as ServiceSpec;
  normalizeClusterIPs(spec);
  defaultTrafficFields(spec);
  initIPFamilyFields(req.name, spec);
  const owner = ownerOf(req);
  const txn = new ServiceTxn(al, owner, req.dryRun);
  try {
    await allocClusterIP(req, al, txn, owner);
    if (needsNodePort(spec)) await initNodePorts(req, al, txn, owner);
    if (needsHealthCheck(spec)) await allocHealthCheckNodePort(req, al, txn, owner);
  } catch (err) {
    await txn.revert();
    throw err;
  }
  return txn;
}

async function admitUpdate(req: AdmissionRequest, al: ServiceAllocators): Promise<AdmissionOutcome> {
  const spec = (req.object.spec ??= {}) as ServiceSpec;
  const old = (req.oldObject?.spec ?? {}) as ServiceSpec;
  patchAllocatedValues(spec, old);
  dropTypeDependentFields(spec, old);
  normalizeClusterIPs(spec, old);
  defaultTrafficFields(spec);
  checkClusterIPImmutable(req.name, spec, old);
  initIPFamilyFields(req.name, spec, old);
  const owner = ownerOf(req);
  const txn = new ServiceTxn(al, owner, req.dryRun);
  try {
    if (!needsClusterIP(old) && needsClusterIP(spec)) await allocClusterIP(req, al, txn, owner);
    else if (needsClusterIP(old) && !needsClusterIP(spec) && !isHeadless(old)) txn.toRelease.ips.push(...(old.clusterIPs ?? []));
    if (needsNodePort(old) && !needsNodePort(spec)) txn.toRelease.ports.push(...[...nodePortsOf(old)].map(String));
    if (needsNodePort(spec)) await updateNodePorts(req, old, al, txn, owner);
    if (!needsHealthCheck(old) && needsHealthCheck(spec)) await allocHealthCheckNodePort(req, al, txn, owner);
    else if (needsHealthCheck(old) && !needsHealthCheck(spec) && old.healthCheckNodePort) txn.toRelease.ports.push(String(old.healthCheckNodePort));
    else if (needsHealthCheck(old) && needsHealthCheck(spec) && spec.healthCheckNodePort !== old.healthCheckNodePort) {
      throw invalid('Service', '', req.name, [{ field: 'spec.healthCheckNodePort', value: spec.healthCheckNodePort ?? 0, detail: 'field is immutable' }]);
    }
  } catch (err) {
    await txn.revert();
    throw err;
  }
  return txn;
}

const ownerOf = (req: AdmissionRequest): AllocationOwner => ({ namespace: req.namespace ?? '', name: req.name, uid: String(req.object.metadata.uid ?? req.oldObject?.metadata.uid ?? '') });

/** Every value a stored Service holds: its ClusterIPs and NodePorts (health check included). */
export function heldBy(svc: KubeObject): { ips: string[]; ports: string[] } {
  const spec = (svc.spec ?? {}) as ServiceSpec;
  const ips = needsClusterIP(spec) && !isHeadless(spec) ? (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])) : [];
  const ports = [...nodePortsOf(spec)];
  if (spec.healthCheckNodePort) ports.push(spec.healthCheckNodePort);
  return { ips: ips.filter((ip) => ip && ip !== 'None'), ports: [...new Set(ports)].map(String) };
}

/**
 * Service ClusterIP and NodePort allocation (pkg/registry/core/service/storage) as an admission plugin,
 * with the allocator state in etcd (see EtcdAllocator). CREATE: IP families, ClusterIP (requested,
 * dynamic or `None`), NodePorts for NodePort/LoadBalancer, the health-check NodePort for
 * LoadBalancer + externalTrafficPolicy Local. UPDATE: keeps omitted values, allocates and releases on type
 * changes. DELETE: frees everything the Service held. `/status` writes are left alone.
 */
export function serviceAllocation(opts: ServiceAllocatorOptions & { readonly allocators?: ServiceAllocators }): AdmissionPlugin & { allocatorsFor(req: Pick<AdmissionRequest, 'store'>): ServiceAllocators } {
  const cache = new WeakMap<object, ServiceAllocators>();
  const allocatorsFor = (req: Pick<AdmissionRequest, 'store'>): ServiceAllocators => {
    if (opts.allocators) return opts.allocators;
    let al = cache.get(req.store);
    if (!al) cache.set(req.store, (al = serviceAllocators(req.store, opts)));
    return al;
  };
  return {
    name: 'ServiceAllocation',
    allocatorsFor,
    async admit(req) {
      if (req.info.resource !== 'services' || req.info.group !== '' || req.subresource) return;
      return req.operation === 'CREATE' ? admitCreate(req, allocatorsFor(req)) : admitUpdate(req, allocatorsFor(req));
    },
    async deleted(req) {
      if (req.info.resource !== 'services' || req.info.group !== '' || req.dryRun) return;
      const al = allocatorsFor(req);
      const owner = ownerOf(req);
      const held = heldBy(req.object);
      const signal = AbortSignal.timeout(10_000);
      for (const ip of held.ips) await al.ips.release(ip, owner, signal).catch(() => undefined);
      for (const port of held.ports) await al.nodePorts.release(port, owner, signal).catch(() => undefined);
    },
  };
}
