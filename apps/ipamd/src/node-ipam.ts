// One node's IPAM, as one aws-node pod runs it: adopt the instance's ENIs from EC2, restore the
// checkpointed allocations onto them, serve AddNetwork/DelNetwork from the datastore (no EC2 call on that
// path), and keep the warm pool with planPool passes applied through EC2.
import {
  IpamDatastore,
  NoAvailableAddressError,
  planPool,
  poolStats,
  prefixIps,
  type EniState,
  type NodePoolState,
  type PodAssignment,
  type PoolAction,
  type PoolConfig,
} from '@ekslab/ipamd';
import type { Ec2Instance, Ec2NetworkInterface } from '@ekslab/proto';
import type { Logger } from '@ekslab/runtime';
import { keyString, type CheckpointEntry, type CheckpointFile, type IpamKey } from './checkpoint.js';
import { isInsufficientAddresses, type Ec2Port } from './ec2.js';
import { maxPods } from './max-pods.js';
import type { IpamdMetrics } from './metrics.js';

/** What shapes every node's IPAM (aws-node's environment). */
export interface IpamSettings {
  readonly pool: PoolConfig;
  /** MAX_ENI; -1 = the instance type's limit. */
  readonly maxEni: number;
  /** AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG with the per-AZ ENIConfig subnets. */
  readonly customNetwork: boolean;
  readonly eniConfig: ReadonlyMap<string, string>;
  readonly externalSnat: boolean;
  readonly excludeSnatCidrs: readonly string[];
  readonly insufficientCidrCooldownMs: number;
  readonly clusterName: string;
}

/** EnsureNode named an instance the cloud does not have running. */
export class InstanceNotFoundError extends Error {
  override readonly name = 'InstanceNotFoundError';
  readonly retryable = false;
}

/** Custom networking is on but no ENIConfig covers the node's AZ (aws-node: "eniconfig: eniconfig is not available"). */
export class EniConfigMissingError extends Error {
  override readonly name = 'EniConfigMissingError';
  readonly retryable = false;
}

/** ipamd's ErrNoAvailableIPInDataStore wording; the CNI then reports "failed to assign an IP address to container". */
export const NO_AVAILABLE_IP_MESSAGE = 'AssignPodIPAddress: no available IP/Prefix addresses';

export interface PodRequest extends IpamKey {
  readonly namespace: string;
  readonly name: string;
}

export interface AssignedAddress {
  readonly ip: string;
  readonly eniId: string;
  readonly deviceNumber: number;
  readonly prefix?: string;
}

interface Allocation {
  readonly key: IpamKey;
  readonly namespace: string;
  readonly name: string;
  readonly assignedAt: number;
}

export interface NodeIpamDeps {
  readonly ec2: Ec2Port;
  readonly settings: IpamSettings;
  readonly checkpoint: CheckpointFile;
  readonly log: Logger;
  readonly metrics?: IpamdMetrics;
  readonly now?: () => number;
}

const ENI_NODE_TAG = 'node.k8s.amazonaws.com/instance_id';
const ENI_CREATED_AT_TAG = 'node.k8s.amazonaws.com/createdAt';
const ENI_CLUSTER_TAG = 'cluster.k8s.amazonaws.com/name';
const ENI_DESCRIPTION_PREFIX = 'aws-K8S-';

export class NodeIpam {
  readonly nodeName: string;
  readonly instance: Ec2Instance;
  readonly primaryEniId: string;
  readonly maxPods: number;
  /** The VPC's IPv4 CIDRs (AddNetworkReply.vpc_v4_cidrs, before the SNAT exclusions). */
  readonly vpcCidrs: readonly string[];
  /** The subnet secondary ENIs are created in: the instance's, or the ENIConfig's with custom networking. */
  readonly podSubnetId: string;
  readonly ds: IpamDatastore;
  private readonly deps: NodeIpamDeps;
  private readonly now: () => number;
  /** ENI id → device index and subnet, the primary included (also with custom networking, where it is not in the datastore). */
  readonly devices = new Map<string, { deviceIndex: number; subnetId: string }>();
  private readonly allocations = new Map<string, Allocation>();
  private lastInsufficientCidrError = Number.NEGATIVE_INFINITY;
  private wake: (() => void) | undefined;
  private kicked = false;

  private constructor(init: {
    deps: NodeIpamDeps; nodeName: string; instance: Ec2Instance; primaryEniId: string; maxPods: number; vpcCidrs: string[];
    podSubnetId: string; ds: IpamDatastore;
  }) {
    this.deps = init.deps;
    this.now = init.deps.now ?? Date.now;
    this.nodeName = init.nodeName;
    this.instance = init.instance;
    this.primaryEniId = init.primaryEniId;
    this.maxPods = init.maxPods;
    this.vpcCidrs = init.vpcCidrs;
    this.podSubnetId = init.podSubnetId;
    this.ds = init.ds;
  }

  /**
   * Adopts a node: reads the instance, its type and its attached ENIs from EC2, deletes ENIs this ipamd
   * created for the instance but never attached (a crash between Create and Attach), and restores the
   * checkpointed allocations whose address is still on one of the ENIs (others are dropped and logged).
   */
  static async adopt(deps: NodeIpamDeps, nodeName: string, instanceId: string, signal: AbortSignal): Promise<NodeIpam> {
    const { ec2, settings, log } = deps;
    const now = (deps.now ?? Date.now)();
    const instance = await ec2.describeInstance(instanceId, signal);
    if (!instance || (instance.state !== 'running' && instance.state !== 'pending')) {
      throw new InstanceNotFoundError(`instance ${instanceId} is not running${instance ? ` (state ${instance.state})` : ''}`);
    }
    const type = await ec2.describeInstanceType(instance.instanceType, signal);
    if (!type) throw new InstanceNotFoundError(`instance type ${instance.instanceType} of ${instanceId} is unknown`);
    const subnet = await ec2.describeSubnet(instance.subnetId, signal);
    const vpc = subnet ? await ec2.describeVpc(subnet.vpcId, signal) : undefined;
    const vpcCidrs = vpc ? [...new Set([vpc.cidrBlock, ...vpc.cidrBlocks].filter((c) => c))] : [];
    let podSubnetId = instance.subnetId;
    if (settings.customNetwork) {
      const configured = settings.eniConfig.get(instance.availabilityZone);
      if (!configured) throw new EniConfigMissingError(`eniconfig: eniconfig is not available for ${instance.availabilityZone} (node ${nodeName})`);
      podSubnetId = configured;
    }

    const all = await ec2.describeNetworkInterfaces({}, signal);
    for (const leaked of all.filter((e) => !e.attachment && e.tags[ENI_NODE_TAG] === instanceId)) {
      log.info({ node: nodeName, eni: leaked.networkInterfaceId }, 'deleting a leaked ENI this instance\'s ipamd created but never attached');
      await ec2.deleteNetworkInterface(leaked.networkInterfaceId, signal).catch((err: unknown) => log.warn({ err, eni: leaked.networkInterfaceId }, 'cannot delete leaked ENI'));
    }
    const attached = all.filter((e) => e.attachment?.instanceId === instanceId).sort((a, b) => a.attachment!.deviceIndex - b.attachment!.deviceIndex);
    const primary = attached.find((e) => e.attachment!.deviceIndex === 0);
    if (!primary) throw new InstanceNotFoundError(`instance ${instanceId} has no primary network interface`);

    const typeMaxEnis = settings.maxEni > 0 ? Math.min(settings.maxEni, type.maximumNetworkInterfaces) : type.maximumNetworkInterfaces;
    const prefixMode = settings.pool.enablePrefixDelegation;
    const pods = maxPods({ maxEnis: typeMaxEnis, ipv4PerEni: type.ipv4AddressesPerInterface, vcpus: type.vcpus, prefixDelegation: prefixMode, customNetworking: settings.customNetwork });
    // Custom networking: the primary ENI holds no pod addresses, so the datastore never sees it.
    const poolEnis = settings.customNetwork ? attached.filter((e) => e !== primary) : attached;
    const enis: EniState[] = poolEnis.map((e) => ({
      id: e.networkInterfaceId,
      primary: e === primary,
      attachedAt: now,
      ips: prefixMode ? [] : e.privateIpAddresses.filter((ip) => ip !== e.privateIpAddress),
      prefixes: prefixMode ? [...e.ipv4Prefixes] : [],
    }));
    const limits = { maxEnis: settings.customNetwork ? typeMaxEnis - 1 : typeMaxEnis, ipv4PerEni: type.ipv4AddressesPerInterface, maxPods: pods };

    const owner = new Map<string, { eni: string; prefix?: string }>();
    for (const eni of enis) {
      for (const ip of eni.ips) owner.set(ip, { eni: eni.id });
      for (const prefix of eni.prefixes) for (const ip of prefixIps(prefix)) owner.set(ip, { eni: eni.id, prefix });
    }
    const assignments: PodAssignment[] = [];
    const allocations = new Map<string, Allocation>();
    for (const entry of deps.checkpoint.read().allocations) {
      const key = keyString(entry);
      const where = entry.ipv4 ? owner.get(entry.ipv4) : undefined;
      if (!where || !entry.ipv4 || allocations.has(key) || assignments.some((a) => a.ip === entry.ipv4)) {
        log.warn({ node: nodeName, key, ip: entry.ipv4 }, 'checkpointed allocation is not on any attached ENI; dropping it');
        continue;
      }
      assignments.push({ podKey: key, eni: where.eni, ip: entry.ipv4, ...(where.prefix ? { prefix: where.prefix } : {}) });
      allocations.set(key, {
        key: { networkName: entry.networkName, containerID: entry.containerID, ifName: entry.ifName },
        namespace: entry.metadata.k8sPodNamespace ?? '', name: entry.metadata.k8sPodName ?? '',
        assignedAt: Math.floor(entry.allocationTimestamp / 1e6),
      });
    }
    const state: NodePoolState = { enis, assignments, cooling: [], limits };
    const node = new NodeIpam({
      deps, nodeName, instance, primaryEniId: primary.networkInterfaceId, maxPods: pods, vpcCidrs, podSubnetId,
      ds: IpamDatastore.restore(state, settings.pool),
    });
    for (const e of attached) node.devices.set(e.networkInterfaceId, { deviceIndex: e.attachment!.deviceIndex, subnetId: e.subnetId });
    for (const [k, v] of allocations) node.allocations.set(k, v);
    node.writeCheckpoint();
    log.info({ node: nodeName, instanceId, instanceType: instance.instanceType, enis: attached.length, restored: assignments.length, maxPods: pods, podSubnetId }, 'adopted node');
    return node;
  }

  /** The pod's address, from the warm pool only (never an EC2 call); the same one again for a retried request. */
  assign(pod: PodRequest): AssignedAddress {
    const key = keyString(pod);
    const existing = this.ds.get(key);
    if (existing) return this.describe(existing);
    let a: PodAssignment;
    try {
      a = this.ds.assign(key, this.now());
    } catch (err) {
      if (err instanceof NoAvailableAddressError) {
        this.deps.metrics?.noAvailableIps.inc({ node: this.nodeName });
        this.kick();
      }
      throw err;
    }
    const alloc: Allocation = { key: { networkName: pod.networkName, containerID: pod.containerID, ifName: pod.ifName }, namespace: pod.namespace, name: pod.name, assignedAt: this.now() };
    this.allocations.set(key, alloc);
    try {
      this.deps.checkpoint.append({ op: 'add', entry: entryOf(alloc, a.ip) });
      this.compactIfLong();
    } catch (err) {
      // As aws-node: unwind the assignment rather than hand out an address a restart would forget.
      this.allocations.delete(key);
      this.ds.unassign(key, Number.NEGATIVE_INFINITY);
      throw err;
    }
    this.kick();
    return this.describe(a);
  }

  /** Releases the pod's address into its cooldown; `undefined` when it held none (DelNetwork is idempotent). */
  unassign(key: IpamKey): AssignedAddress | undefined {
    const k = keyString(key);
    const a = this.ds.unassign(k, this.now());
    if (!a) return undefined;
    const alloc = this.allocations.get(k);
    this.allocations.delete(k);
    this.deps.checkpoint.append({ op: 'del', key: alloc?.key ?? key });
    this.compactIfLong();
    this.kick();
    return this.describe(a);
  }

  private describe(a: PodAssignment): AssignedAddress {
    return { ip: a.ip, eniId: a.eni, deviceNumber: this.devices.get(a.eni)?.deviceIndex ?? 0, ...(a.prefix ? { prefix: a.prefix } : {}) };
  }

  allocation(key: string): Allocation | undefined {
    return this.allocations.get(key);
  }

  /** Whether a grow is held back after InsufficientFreeAddressesInSubnet / InsufficientCidrBlocks. */
  inInsufficientCidrCooldown(): boolean {
    return this.now() - this.lastInsufficientCidrError <= this.deps.settings.insufficientCidrCooldownMs;
  }

  /** Folds the journal into ipam.json (all current allocations). */
  private writeCheckpoint(): void {
    const entries: CheckpointEntry[] = [];
    for (const a of this.ds.snapshot().assignments) {
      const alloc = this.allocations.get(a.podKey);
      if (alloc) entries.push(entryOf(alloc, a.ip));
    }
    this.deps.checkpoint.compact(entries);
  }

  private compactIfLong(): void {
    if (this.deps.checkpoint.journalLength >= JOURNAL_COMPACT_AFTER) this.writeCheckpoint();
  }

  /** Closes the checkpoint journal (the node's IPAM stops). */
  close(): void {
    this.deps.checkpoint.closeJournal();
  }

  /** Wakes the reconcile loop now (an assignment may have left the pool too low). */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Reconciles the warm pool every `intervalMs` (and whenever kicked) until `signal` aborts. */
  async run(intervalMs: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.kicked = false;
      let ok = false;
      try {
        ok = await this.reconcile(signal);
      } catch (err) {
        if (signal.aborted) return;
        this.deps.metrics?.ipamdErrors.inc({ fn: 'nodeIPPoolReconcile', node: this.nodeName });
        this.deps.log.warn({ err, node: this.nodeName }, 'warm pool reconcile failed; retrying on the next pass');
      }
      // A kick during a clean pass runs the next one at once; after a failed step, wait the interval
      // (a stream of AddNetwork calls must not turn into a stream of failing EC2 calls).
      if (this.kicked && ok) continue;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          this.wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, intervalMs);
        signal.addEventListener('abort', done, { once: true });
        this.wake = done;
      });
    }
  }

  /** Plan-and-apply until planPool has nothing more to do; false when a step failed (the next pass retries). */
  async reconcile(signal: AbortSignal): Promise<boolean> {
    for (let pass = 0; pass < 50; pass++) {
      const now = this.now();
      const cooling = this.inInsufficientCidrCooldown();
      const actions = planPool(this.ds.snapshot(), this.deps.settings.pool, now).filter((a) => !(cooling && isGrow(a)));
      if (actions.length === 0) return true;
      this.deps.metrics?.reconcileCount.inc({ fn: 'updateIPPoolIfRequired', node: this.nodeName });
      for (const action of actions) {
        const applied = await this.apply(action, signal);
        if (!applied) return false;
      }
    }
    return true;
  }

  /** Applies one action through EC2; false when it could not (the next pass tries again). */
  private async apply(action: PoolAction, signal: AbortSignal): Promise<boolean> {
    const m = this.deps.metrics;
    const fn = isGrow(action) ? 'increaseDatastorePool' : 'decreaseDatastorePool';
    const run = (): Promise<boolean> => this.applyUnmetered(action, signal);
    try {
      return m ? await m.inProgress(fn, this.nodeName, run) : await run();
    } catch (err) {
      if (signal.aborted) throw err;
      if (isInsufficientAddresses(err)) {
        this.lastInsufficientCidrError = this.now();
        this.deps.log.error({ err, node: this.nodeName }, 'Unable to attach IPs/Prefixes for the ENI, subnet doesn\'t seem to have enough IPs/Prefixes. Consider using new subnet or carve a reserved range using create-subnet-cidr-reservation');
        return false;
      }
      m?.ipamdErrors.inc({ fn, node: this.nodeName });
      this.deps.log.warn({ err, node: this.nodeName, action }, 'warm pool action failed');
      return false;
    }
  }

  private async applyUnmetered(action: PoolAction, signal: AbortSignal): Promise<boolean> {
    const { ec2 } = this.deps;
    const prefixMode = this.deps.settings.pool.enablePrefixDelegation;
    switch (action.kind) {
      case 'attach-eni': {
        const eniId = await this.attachEni(action.count, signal);
        this.deps.log.info({ node: this.nodeName, eni: eniId, count: action.count }, 'attached a new ENI to the warm pool');
        return true;
      }
      case 'assign-ips':
        this.ds.addIps(action.eni, await ec2.assignPrivateIpAddresses(action.eni, action.count, signal));
        return true;
      case 'assign-prefixes':
        this.ds.addPrefixes(action.eni, await ec2.assignIpv4Prefixes(action.eni, action.count, signal));
        return true;
      case 'release-ips': {
        // An address may have been assigned since the plan: release only what is still free.
        const ips = action.ips.filter((ip) => this.ds.snapshot().assignments.every((a) => a.ip !== ip));
        if (ips.length === 0) return true;
        this.ds.removeIps(action.eni, ips);
        try {
          await ec2.unassignPrivateIpAddresses(action.eni, ips, signal);
        } catch (err) {
          this.ds.addIps(action.eni, ips);
          throw err;
        }
        return true;
      }
      case 'release-prefixes': {
        const held = new Set(this.ds.snapshot().assignments.map((a) => a.prefix));
        const prefixes = action.prefixes.filter((p) => !held.has(p));
        if (prefixes.length === 0) return true;
        this.ds.removePrefixes(action.eni, prefixes);
        try {
          await ec2.unassignIpv4Prefixes(action.eni, prefixes, signal);
        } catch (err) {
          this.ds.addPrefixes(action.eni, prefixes);
          throw err;
        }
        return true;
      }
      case 'detach-eni': {
        const eni = this.ds.snapshot().enis.find((e) => e.id === action.eni);
        if (!eni || this.ds.snapshot().assignments.some((a) => a.eni === action.eni)) return true;
        this.ds.removeEni(action.eni);
        try {
          await ec2.detachNetworkInterface(action.eni, signal);
        } catch (err) {
          this.ds.addEni({ id: eni.id, primary: false, attachedAt: eni.attachedAt });
          if (prefixMode) this.ds.addPrefixes(eni.id, eni.prefixes);
          else this.ds.addIps(eni.id, eni.ips);
          throw err;
        }
        this.devices.delete(action.eni);
        await ec2.deleteNetworkInterface(action.eni, signal).catch((err: unknown) => this.deps.log.warn({ err, eni: action.eni }, 'cannot delete a detached ENI'));
        this.deps.log.info({ node: this.nodeName, eni: action.eni }, 'freed a surplus ENI');
        return true;
      }
    }
  }

  /** tryAllocateENI: create in the pod subnet, attach at the lowest free device index, then fill it. */
  private async attachEni(count: number, signal: AbortSignal): Promise<string> {
    const { ec2, settings } = this.deps;
    const instanceId = this.instance.instanceId;
    const tags: Record<string, string> = { [ENI_NODE_TAG]: instanceId, [ENI_CREATED_AT_TAG]: new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z') };
    if (settings.clusterName) tags[ENI_CLUSTER_TAG] = settings.clusterName;
    const eni: Ec2NetworkInterface = await ec2.createNetworkInterface({ subnetId: this.podSubnetId, description: `${ENI_DESCRIPTION_PREFIX}${instanceId}`, tags }, signal);
    const id = eni.networkInterfaceId;
    const used = new Set([...this.devices.values()].map((d) => d.deviceIndex));
    let deviceIndex = 1;
    while (used.has(deviceIndex)) deviceIndex++;
    let attached = false;
    try {
      await ec2.attachNetworkInterface({ eniId: id, instanceId, deviceIndex }, signal);
      attached = true;
      const prefixMode = settings.pool.enablePrefixDelegation;
      const got = prefixMode ? await ec2.assignIpv4Prefixes(id, count, signal) : await ec2.assignPrivateIpAddresses(id, count, signal);
      this.devices.set(id, { deviceIndex, subnetId: eni.subnetId });
      this.ds.addEni({ id, primary: false, attachedAt: this.now() });
      if (prefixMode) this.ds.addPrefixes(id, got);
      else this.ds.addIps(id, got);
      return id;
    } catch (err) {
      // As aws-node's AllocENI: an ENI that could not be filled is given back.
      const cleanup = AbortSignal.timeout(10_000);
      if (attached) await ec2.detachNetworkInterface(id, cleanup).catch(() => undefined);
      await ec2.deleteNetworkInterface(id, cleanup).catch((e: unknown) => this.deps.log.warn({ err: e, eni: id }, 'cannot delete an ENI that failed to attach; the next adopt sweeps it'));
      throw err;
    }
  }

  /** For the pool gauges. */
  gauges(): { enis: number; maxEnis: number; maxIps: number; totalIps: number; assignedIps: number; totalPrefixes: number } {
    const s = this.ds.snapshot();
    const stats = poolStats(s, this.deps.settings.pool);
    const slots = s.limits.ipv4PerEni - 1;
    const perSlot = this.deps.settings.pool.enablePrefixDelegation ? 16 : 1;
    return {
      enis: this.devices.size,
      maxEnis: s.limits.maxEnis,
      maxIps: Math.min(s.limits.maxEnis * slots * perSlot, this.maxPods),
      totalIps: stats.totalIps,
      assignedIps: stats.assignedIps,
      totalPrefixes: stats.totalPrefixes,
    };
  }
}

/** Journal lines after which ipam.json is rewritten (one file rewrite per this many CNI calls). */
const JOURNAL_COMPACT_AFTER = 500;

function entryOf(alloc: Allocation, ip: string): CheckpointEntry {
  return {
    ...alloc.key, ipv4: ip, allocationTimestamp: alloc.assignedAt * 1e6,
    metadata: { k8sPodNamespace: alloc.namespace, k8sPodName: alloc.name, interfacesCount: 1 },
  };
}

function isGrow(a: PoolAction): boolean {
  return a.kind === 'attach-eni' || a.kind === 'assign-ips' || a.kind === 'assign-prefixes';
}
