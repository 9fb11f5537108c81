import { collectionKeyFor, type EtcdStore } from '@ekslab/storage';
import type { KubeObject } from '../rest/objects.js';
import type { AllocationOwner } from './allocator.js';
import { heldBy } from './service.js';
import type { ServiceAllocators } from './service-allocators.js';

export interface RepairResult {
  /** Records whose Service is gone (or no longer holds the value), deleted. */
  readonly released: string[];
  /** Values a Service holds with no record, recorded now. */
  readonly adopted: string[];
  /** Values two Services claim; the first keeps the record (kube-apiserver emits ClusterIPAlreadyAllocated). */
  readonly conflicts: string[];
}

/**
 * One pass of the repair controllers (pkg/registry/core/service/ipallocator/controller and
 * portallocator/controller) over the etcd allocation records: leaked records (owner gone, or no longer
 * holding the value) older than `graceMs` are deleted — the grace keeps a create that allocated but has
 * not written its Service yet from losing its value — and values Services hold without a record are
 * recorded. Level-based and safe to run on every replica at once: every delete is at the revision read.
 */
export async function repairServiceAllocations(store: EtcdStore, al: ServiceAllocators, opts: { now?: () => number; graceMs?: number }, signal: AbortSignal): Promise<RepairResult> {
  const now = (opts.now ?? Date.now)();
  const grace = opts.graceMs ?? 60_000;
  const services = (await store.list<KubeObject>(collectionKeyFor({ group: '', resource: 'services' }), { signal })).items;
  const holders = { ips: new Map<string, AllocationOwner>(), ports: new Map<string, AllocationOwner>() };
  const result: RepairResult = { released: [], adopted: [], conflicts: [] };
  for (const svc of services) {
    const owner = { namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '', uid: String(svc.metadata.uid) };
    const held = heldBy(svc);
    for (const [kind, values] of [['ips', held.ips], ['ports', held.ports]] as const) {
      for (const v of values) {
        if (holders[kind].has(v)) result.conflicts.push(v);
        else holders[kind].set(v, owner);
      }
    }
  }
  for (const [kind, allocator] of [['ips', al.ips], ['ports', al.nodePorts]] as const) {
    const records = await allocator.list(signal);
    const recorded = new Set<string>();
    for (const rec of records) {
      recorded.add(rec.metadata.name);
      const holder = holders[kind].get(rec.metadata.name);
      if (holder?.uid === rec.spec.parentRef.uid) continue;
      if (now - Date.parse(rec.metadata.creationTimestamp) < grace) continue;
      if (await allocator.remove(rec, signal)) result.released.push(rec.metadata.name);
    }
    for (const [value, owner] of holders[kind]) {
      if (recorded.has(value) || !allocator.inRange(value)) continue;
      if (await allocator.adopt(value, owner, signal)) result.adopted.push(value);
    }
  }
  return result;
}
