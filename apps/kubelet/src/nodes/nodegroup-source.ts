// Where a node group's nodes come from: the InService instances of its Auto Scaling group in this agent's AZ.
import { architectureOf, eniMaxPods, type CapacityType } from '@ekslab/kubelet';
import type { Clock, Logger } from '@ekslab/runtime';
import type { NodeApi, NodeSpec } from '../agent.js';
import type { CloudApi, Instance, InstanceTypeInfo } from '../cloud/cloud-api.js';
import { ensureNodegroupAsg, type NodegroupSpec } from './nodegroup.js';

/** The AZ's ipamd as the agent uses it (NodeService): start and stop one node's IPAM. */
export interface IpamdNodes {
  /** Idempotent; resolves with the node's max pods under ipamd's settings. */
  ensureNode(nodeName: string, instanceId: string, signal: AbortSignal): Promise<{ readonly maxPods: number; readonly primaryIp: string }>;
  /** Idempotent (an unknown node succeeds). */
  removeNode(nodeName: string, signal: AbortSignal): Promise<void>;
}

/** What hosts the nodes (the KubeletAgent). */
export interface NodeHost {
  addNode(spec: NodeSpec): void;
  removeNode(name: string): boolean;
}

export interface NodegroupSourceOptions {
  readonly cloud: CloudApi;
  /** Unset: no ipamd; max pods from the instance type (the VPC CNI formula). */
  readonly ipamd?: IpamdNodes | undefined;
  readonly host: NodeHost;
  readonly nodegroup: NodegroupSpec;
  readonly availabilityZone: string;
  readonly region: string;
  readonly amiId: string;
  readonly kubernetesVersion: string;
  /** How often the group is described again (launches and terminations are seen within this). */
  readonly syncPeriodMs: number;
  /** EnsureNode calls in flight at once while many instances appear together. */
  readonly concurrency: number;
  /** The node's apiserver calls, made as the node. */
  readonly nodeApi: (nodeName: string) => NodeApi;
  readonly clock: Clock;
  readonly log: Logger;
}

const capacityTypeOf = (lifecycle: string): CapacityType => (lifecycle === 'spot' ? 'SPOT' : 'ON_DEMAND');

/**
 * Keeps the host's nodes equal to the node group's InService instances in `availabilityZone` (several
 * agents share one group, each hosting its AZ's share): finds or creates the group, then every
 * `syncPeriodMs` describes it; a new instance gets its ipamd started (EnsureNode) and then its node
 * registered, one that left InService (terminating, detached, gone) stops being hosted and its ipamd is
 * stopped (RemoveNode). Its Node and Lease stay for the cloud controller manager. Level-based: a failed
 * step is retried on the next sync. Not done: watching the cloud's NATS events (polling is enough at a
 * 10 s period; EC2 takes longer than that to boot an instance).
 */
export class NodegroupSource {
  private asgName: string | undefined;
  /** instance id → node name, of the nodes hosted. */
  private readonly hosted = new Map<string, string>();
  /** Nodes no longer hosted whose RemoveNode has not succeeded yet. */
  private readonly ipamdRemovals = new Set<string>();
  private readonly types = new Map<string, InstanceTypeInfo>();

  constructor(private readonly o: NodegroupSourceOptions) {}

  /** Syncs every `syncPeriodMs` until `signal` aborts; failures are logged and retried on the next sync. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.sync(signal);
      } catch (err) {
        if (signal.aborted) break;
        this.o.log.warn({ err: (err as Error).message, asg: this.asgName }, 'node group sync failed; retrying');
      }
      try {
        await this.o.clock.sleep(this.o.syncPeriodMs, signal);
      } catch {
        break;
      }
    }
  }

  /** Instance ids hosted now. */
  hostedInstances(): string[] {
    return [...this.hosted.keys()];
  }

  /** One pass: converge the hosted nodes on the group's InService instances in this AZ. */
  async sync(signal: AbortSignal): Promise<void> {
    const { cloud, log } = this.o;
    this.asgName ??= (await ensureNodegroupAsg(cloud, this.o.nodegroup, log, signal)).autoScalingGroupName;
    const [group] = await cloud.describeAutoScalingGroups([this.asgName], signal);
    if (group === undefined) {
      // Deleted under us: stop hosting; the next sync adopts or creates the node group's group again.
      log.warn({ asg: this.asgName }, 'the node group\'s Auto Scaling group is gone');
      this.asgName = undefined;
    }
    const wanted = new Set(
      (group?.instances ?? []).filter((i) => i.availabilityZone === this.o.availabilityZone && i.lifecycleState === 'InService').map((i) => i.instanceId),
    );
    for (const [instanceId, name] of this.hosted) {
      if (wanted.has(instanceId)) continue;
      this.o.host.removeNode(name);
      this.hosted.delete(instanceId);
      this.ipamdRemovals.add(name);
      log.info({ node: name, instanceId }, 'instance left the node group; stopped hosting its node');
    }
    await this.removeFromIpamd(signal);
    const fresh = [...wanted].filter((id) => !this.hosted.has(id));
    if (fresh.length === 0) return;
    const instances = (await cloud.describeInstances(fresh, signal)).filter((i) => i.state === 'running' && i.privateIpAddress !== '');
    await this.loadTypes(instances.map((i) => i.instanceType), signal);
    await forEachLimit(instances, this.o.concurrency, async (instance) => {
      try {
        await this.host(instance, signal);
      } catch (err) {
        if (signal.aborted) throw err;
        log.warn({ instanceId: instance.instanceId, err: (err as Error).message }, 'cannot host the instance yet; retrying on the next sync');
      }
    });
  }

  private async host(instance: Instance, signal: AbortSignal): Promise<void> {
    const name = instance.privateDnsName;
    const type = this.types.get(instance.instanceType);
    if (type === undefined) throw new Error(`the cloud does not describe instance type ${instance.instanceType}`);
    let maxPods = eniMaxPods(type.maximumNetworkInterfaces, type.ipv4AddressesPerInterface);
    if (this.o.ipamd !== undefined) maxPods = (await this.o.ipamd.ensureNode(name, instance.instanceId, signal)).maxPods;
    if (signal.aborted) return;
    this.ipamdRemovals.delete(name);
    this.o.host.addNode({
      name,
      input: {
        instanceId: instance.instanceId,
        instanceType: { name: type.instanceType, vcpus: type.vcpus, memoryMiB: Number(type.memoryMib) },
        maxPods,
        architecture: architectureOf(type.instanceType),
        region: this.o.region,
        availabilityZone: instance.availabilityZone,
        privateIp: instance.privateIpAddress,
        nodegroup: this.o.nodegroup.nodegroup,
        amiId: this.o.amiId,
        capacityType: capacityTypeOf(instance.lifecycle),
        clusterName: this.o.nodegroup.clusterName,
        kubernetesVersion: this.o.kubernetesVersion,
      },
      api: this.o.nodeApi(name),
    });
    this.hosted.set(instance.instanceId, name);
    this.o.log.info({ node: name, instanceId: instance.instanceId, instanceType: type.instanceType, maxPods }, 'hosting the node of an InService instance');
  }

  private async loadTypes(names: readonly string[], signal: AbortSignal): Promise<void> {
    const missing = [...new Set(names)].filter((n) => !this.types.has(n));
    if (missing.length === 0) return;
    for (const t of await this.o.cloud.describeInstanceTypes(missing, signal)) this.types.set(t.instanceType, t);
  }

  private async removeFromIpamd(signal: AbortSignal): Promise<void> {
    const ipamd = this.o.ipamd;
    if (ipamd === undefined) {
      this.ipamdRemovals.clear();
      return;
    }
    for (const name of [...this.ipamdRemovals]) {
      try {
        await ipamd.removeNode(name, signal);
        this.ipamdRemovals.delete(name);
      } catch (err) {
        if (signal.aborted) throw err;
        this.o.log.warn({ node: name, err: (err as Error).message }, 'ipamd RemoveNode failed; retrying on the next sync');
      }
    }
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; rejects with the first rejection. */
async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
