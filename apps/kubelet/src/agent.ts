import {
  type HeartbeatTiming, type Node, type NodeCondition, type NodeInput, type Random,
  conditionsChanged, healthyNode, leaseFor, nextLeaseRenewal, nextStatusSync, nodeConditions, nodeObject, rfc3339,
  statusPatchDue,
} from '@ekslab/kubelet';
import type { Clock, Logger } from '@ekslab/runtime';
import { Scheduler } from './scheduler.js';

/** A Node as read back from the apiserver (what the agent needs of it). */
export interface StoredNode {
  readonly metadata: { readonly name: string; readonly uid?: string | undefined };
  readonly status?: { readonly conditions?: readonly NodeCondition[] | undefined } | undefined;
}

/** A Lease as read back (its resourceVersion is the update precondition). */
export interface StoredLease {
  readonly metadata: { readonly name: string; readonly resourceVersion?: string | undefined };
  readonly spec?: { readonly renewTime?: string | undefined } | undefined;
}

/** The apiserver calls of one node, made as that node. Failures reject; `get*` resolve undefined on NotFound. */
export interface NodeApi {
  getNode(signal: AbortSignal): Promise<StoredNode | undefined>;
  createNode(node: Node, signal: AbortSignal): Promise<StoredNode>;
  patchStatusConditions(conditions: readonly NodeCondition[], signal: AbortSignal): Promise<void>;
  getLease(signal: AbortSignal): Promise<StoredLease | undefined>;
  createLease(lease: ReturnType<typeof leaseFor>, signal: AbortSignal): Promise<StoredLease>;
  /** Update with the resourceVersion as precondition (a Conflict rejects). */
  updateLease(lease: ReturnType<typeof leaseFor>, resourceVersion: string, signal: AbortSignal): Promise<StoredLease>;
}

export interface AgentMetrics {
  nodeRegistered(name: string, adopted: boolean): void;
  /** A lease renewal started `lateMs` after it was due; `onTime` when within the renew jitter. */
  leaseRenewal(lateMs: number): void;
  apiError(kind: TaskKind): void;
  /** A status sync patched the Node (an apiserver write, as each lease renewal is). */
  statusPatched(): void;
  /** How many nodes the agent hosts now. */
  hostedNodes(count: number): void;
}

export type TaskKind = 'register' | 'lease' | 'status';

export interface AgentOptions {
  readonly clock: Clock;
  readonly random: Random;
  readonly timing: HeartbeatTiming;
  readonly concurrency: number;
  /** Per node and task: the first retry after an error waits this long, doubling up to `maxBackoffMs`. */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly log: Logger;
  readonly metrics: AgentMetrics;
}

/** One simulated node: how to build its Node (minus the clock), and its API as itself. */
export interface NodeSpec {
  readonly name: string;
  readonly input: Omit<NodeInput, 'now' | 'previousConditions'>;
  readonly api: NodeApi;
}

interface NodeState {
  readonly spec: NodeSpec;
  uid: string | undefined;
  conditions: readonly NodeCondition[];
  lastReportMs: number | undefined;
  lease: StoredLease | undefined;
  readonly failures: Record<TaskKind, number>;
  /** Set by removeNode: its tasks are dropped instead of run or rescheduled. */
  removed: boolean;
}

interface Task {
  readonly node: NodeState;
  readonly kind: TaskKind;
}

/**
 * Hosts many simulated nodes in one process, as many kubelets would: registers each Node (creating it, or
 * adopting one that exists), then renews its Lease in kube-node-lease and syncs its NodeStatus on the
 * kubelet's jittered sliding schedules. All timers share one Scheduler; API calls are bounded by
 * `concurrency`; a failing node backs off on its own. Nodes come with the constructor (a static set) or
 * later through `addNode`/`removeNode` (a node group's instances). Stopping or removing stops renewals and
 * leaves the Nodes (deleting the Node of a gone instance is the cloud controller manager's job).
 */
export class KubeletAgent {
  private readonly scheduler: Scheduler<Task>;
  private readonly nodes = new Map<string, NodeState>();

  constructor(specs: readonly NodeSpec[], private readonly options: AgentOptions) {
    this.scheduler = new Scheduler<Task>({
      clock: options.clock,
      concurrency: options.concurrency,
      run: (task) => this.runTask(task),
      onStart: (task, lateMs) => {
        if (task.kind === 'lease' && !task.node.removed) options.metrics.leaseRenewal(lateMs);
      },
    });
    for (const spec of specs) this.addNode(spec);
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.scheduler.run(signal);
  }

  /** Starts hosting a node: registers it at once, then heartbeats. A name already hosted is left as it is. */
  addNode(spec: NodeSpec): void {
    if (this.nodes.has(spec.name)) return;
    const node: NodeState = { spec, uid: undefined, conditions: [], lastReportMs: undefined, lease: undefined, failures: { register: 0, lease: 0, status: 0 }, removed: false };
    this.nodes.set(spec.name, node);
    this.options.metrics.hostedNodes(this.nodes.size);
    this.scheduler.schedule(this.options.clock.now(), { node, kind: 'register' });
  }

  /**
   * Stops hosting a node: no further lease renewal or status sync starts (a call already in flight
   * finishes). The Node and its Lease stay. Returns whether it was hosted.
   */
  removeNode(name: string): boolean {
    const node = this.nodes.get(name);
    if (node === undefined) return false;
    node.removed = true;
    this.nodes.delete(name);
    this.options.metrics.hostedNodes(this.nodes.size);
    return true;
  }

  /** The names of the nodes hosted now. */
  hostedNodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  private async runTask(task: Task): Promise<number | undefined> {
    const { clock, log } = this.options;
    if (task.node.removed) return undefined;
    const signal = AbortSignal.timeout(60_000);
    try {
      const next = await this[task.kind](task.node, signal);
      task.node.failures[task.kind] = 0;
      return task.node.removed ? undefined : next;
    } catch (err) {
      const failures = ++task.node.failures[task.kind];
      this.options.metrics.apiError(task.kind);
      const delay = Math.min(this.options.initialBackoffMs * 2 ** (failures - 1), this.options.maxBackoffMs);
      log.warn({ node: task.node.spec.name, task: task.kind, failures, retryInMs: delay, err: (err as Error).message }, 'node task failed; backing off');
      if (task.kind === 'lease') task.node.lease = undefined; // re-read it (a conflict means someone else wrote)
      return task.node.removed ? undefined : clock.now() + delay;
    }
  }

  private async register(node: NodeState, signal: AbortSignal): Promise<number | undefined> {
    const { clock, random, timing, metrics, log } = this.options;
    let stored = await node.spec.api.getNode(signal);
    const adopted = stored !== undefined;
    if (stored === undefined) {
      const obj = this.nodeAt(node, clock.now());
      stored = await node.spec.api.createNode(obj, signal);
      node.conditions = obj.status.conditions;
      node.lastReportMs = clock.now();
    } else {
      // Adopted: keep its transition times; the first status sync reports at once.
      node.conditions = stored.status?.conditions ?? [];
    }
    node.uid = stored.metadata.uid;
    metrics.nodeRegistered(node.spec.name, adopted);
    log.info({ node: node.spec.name, adopted }, adopted ? 'adopted existing node' : 'registered node');
    const now = clock.now();
    // Both loops start at once after registration, as the kubelet's do.
    this.scheduler.schedule(now, { node, kind: 'lease' });
    this.scheduler.schedule(adopted ? now : nextStatusSync(now, random, timing), { node, kind: 'status' });
    return undefined;
  }

  private async lease(node: NodeState, signal: AbortSignal): Promise<number> {
    const { clock, random, timing } = this.options;
    const api = node.spec.api;
    const desired = leaseFor({ name: node.spec.name, uid: node.uid }, new Date(clock.now()), node.spec.name, timing.leaseDurationSeconds);
    if (node.lease === undefined) node.lease = await api.getLease(signal);
    node.lease = node.lease?.metadata.resourceVersion === undefined
      ? await api.createLease(desired, signal)
      : await api.updateLease(desired, node.lease.metadata.resourceVersion, signal);
    return nextLeaseRenewal(clock.now(), random, timing);
  }

  private async status(node: NodeState, signal: AbortSignal): Promise<number> {
    const { clock, random, timing } = this.options;
    const now = clock.now();
    const conditions = nodeConditions(node.spec.input.health ?? healthyNode, rfc3339(new Date(now)), node.conditions);
    const changed = conditionsChanged(conditions, node.conditions);
    if (statusPatchDue(now, node.lastReportMs, changed, timing)) {
      await node.spec.api.patchStatusConditions(conditions, signal);
      this.options.metrics.statusPatched();
      node.conditions = conditions;
      node.lastReportMs = now;
    }
    return nextStatusSync(clock.now(), random, timing);
  }

  private nodeAt(node: NodeState, nowMs: number): Node {
    const obj = nodeObject({ ...node.spec.input, now: rfc3339(new Date(nowMs)) });
    if (obj.metadata.name === node.spec.name) return obj;
    // A custom name (--node-name-prefix): the hostname label and addresses follow it.
    return {
      ...obj,
      metadata: { ...obj.metadata, name: node.spec.name, labels: { ...obj.metadata.labels, 'kubernetes.io/hostname': node.spec.name } },
      status: { ...obj.status, addresses: obj.status.addresses.map((a) => (a.type === 'Hostname' ? { ...a, address: node.spec.name } : a)) },
    };
  }
}
