import { setMaxListeners } from 'node:events';
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

/**
 * The apiserver calls of one node, made as that node. Failures reject; `get*` resolve undefined on NotFound,
 * `create*` on AlreadyExists.
 */
export interface NodeApi {
  getNode(signal: AbortSignal): Promise<StoredNode | undefined>;
  createNode(node: Node, signal: AbortSignal): Promise<StoredNode | undefined>;
  patchStatusConditions(conditions: readonly NodeCondition[], signal: AbortSignal): Promise<void>;
  getLease(signal: AbortSignal): Promise<StoredLease | undefined>;
  createLease(lease: ReturnType<typeof leaseFor>, signal: AbortSignal): Promise<StoredLease | undefined>;
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

/** A node the agent has registered (or adopted) and now hosts, as hooks see it. */
export interface HostedNode {
  readonly name: string;
  readonly internalIp: string;
  /** The Node as the apiserver returned it at registration. */
  readonly stored: StoredNode;
}

/** Called as nodes start and stop being hosted (e.g. the pods module starts and drops their pods). */
export interface NodeHooks {
  nodeStarted?(node: HostedNode): void;
  nodeStopped?(name: string): void;
}

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
  readonly hooks?: NodeHooks | undefined;
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
  /** When the Lease was last renewed successfully (ms). */
  lastLeaseMs: number | undefined;
  /** The resourceVersion of the node's Lease as last written or read (the update precondition); undefined: not known. */
  leaseVersion: string | undefined;
  readonly failures: Record<TaskKind, number>;
  /** Set by removeNode: its tasks are dropped instead of run or rescheduled. */
  removed: boolean;
}

type Task =
  | { readonly node: NodeState; readonly kind: TaskKind }
  /** Work of other modules (pod syncs) on the same timer heap and concurrency cap. */
  | { readonly kind: 'external'; readonly run: () => Promise<number | undefined> };

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
  /** The run's signal: every call takes it (deadlines are the API client's), so stopping cancels calls in flight. */
  private signal: AbortSignal = new AbortController().signal;

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
    // Every call in flight listens on this one signal (up to `concurrency` of them): not a leak.
    const calls = new AbortController();
    setMaxListeners(0, calls.signal);
    const stop = (): void => calls.abort(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    this.signal = calls.signal;
    try {
      await this.scheduler.run(signal);
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  /** Starts hosting a node: registers it at once, then heartbeats. A name already hosted is left as it is. */
  addNode(spec: NodeSpec): void {
    if (this.nodes.has(spec.name)) return;
    const node: NodeState = { spec, uid: undefined, conditions: [], lastReportMs: undefined, lastLeaseMs: undefined, leaseVersion: undefined, failures: { register: 0, lease: 0, status: 0 }, removed: false };
    this.nodes.set(spec.name, node);
    this.options.metrics.hostedNodes(this.nodes.size);
    this.scheduler.schedule(this.options.clock.now(), { node, kind: 'register' });
  }

  /**
   * Stops hosting a node: no further lease renewal or status sync starts (a call already in flight
   * finishes), its pods are dropped (hooks.nodeStopped). The Node and its Lease stay. Returns whether it was hosted.
   */
  removeNode(name: string): boolean {
    const node = this.nodes.get(name);
    if (node === undefined) return false;
    node.removed = true;
    this.nodes.delete(name);
    this.options.metrics.hostedNodes(this.nodes.size);
    // Its pods are dropped without writes (the instance is gone; the Node is the cloud controller's).
    this.options.hooks?.nodeStopped?.(name);
    return true;
  }

  /** The names of the nodes hosted now. */
  hostedNodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  /**
   * Runs `run` at `at` on the agent's timer heap, within its concurrency cap. `run` must not reject; it
   * resolves to when it is due again (or undefined).
   */
  scheduleTask(at: number, run: () => Promise<number | undefined>): void {
    this.scheduler.schedule(at, { kind: 'external', run });
  }

  private async runTask(task: Task): Promise<number | undefined> {
    if (task.kind === 'external') return task.run();
    const { clock, log } = this.options;
    const signal = this.signal;
    if (task.node.removed || signal.aborted) return undefined;
    try {
      const next = await this[task.kind](task.node, signal);
      task.node.failures[task.kind] = 0;
      return task.node.removed ? undefined : next;
    } catch (err) {
      if (signal.aborted) return undefined;
      const failures = ++task.node.failures[task.kind];
      this.options.metrics.apiError(task.kind);
      const delay = Math.min(this.options.initialBackoffMs * 2 ** (failures - 1), this.options.maxBackoffMs);
      log.warn({ node: task.node.spec.name, task: task.kind, failures, retryInMs: delay, err: (err as Error).message }, 'node task failed; backing off');
      if (task.kind === 'lease') task.node.leaseVersion = undefined; // re-read it (a conflict means someone else wrote)
      return task.node.removed ? undefined : clock.now() + delay;
    }
  }

  private async register(node: NodeState, signal: AbortSignal): Promise<number | undefined> {
    const { clock, random, timing, metrics, log } = this.options;
    // Create first, as the kubelet's registerWithAPIServer: one call for a new node; AlreadyExists → adopt.
    const obj = this.nodeAt(node, clock.now());
    let stored = await node.spec.api.createNode(obj, signal);
    const adopted = stored === undefined;
    if (stored !== undefined) {
      node.conditions = obj.status.conditions;
      node.lastReportMs = clock.now();
    } else {
      stored = await node.spec.api.getNode(signal);
      if (stored === undefined) throw new Error(`node ${node.spec.name} exists and then does not (deleted meanwhile); retrying`);
      // Adopted: keep its transition times; the first status sync reports at once.
      node.conditions = stored.status?.conditions ?? [];
    }
    node.uid = stored.metadata.uid;
    metrics.nodeRegistered(node.spec.name, adopted);
    log.info({ node: node.spec.name, adopted }, adopted ? 'adopted existing node' : 'registered node');
    this.options.hooks?.nodeStarted?.({ name: node.spec.name, internalIp: node.spec.input.privateIp, stored });
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
    // Only the resourceVersion is kept between renewals (not the Lease: thousands of nodes).
    if (node.leaseVersion === undefined) {
      // Create first (one call for a new node); AlreadyExists → read its version, then update.
      const created = await api.createLease(desired, signal);
      if (created !== undefined) {
        node.leaseVersion = created.metadata.resourceVersion;
        this.leaseRenewed(node);
        return nextLeaseRenewal(clock.now(), random, timing);
      }
      node.leaseVersion = (await api.getLease(signal))?.metadata.resourceVersion;
      if (node.leaseVersion === undefined) throw new Error(`lease ${node.spec.name} exists and then does not; retrying`);
    }
    node.leaseVersion = (await api.updateLease(desired, node.leaseVersion, signal)).metadata.resourceVersion;
    this.leaseRenewed(node);
    return nextLeaseRenewal(clock.now(), random, timing);
  }

  /**
   * After a gap of more than half the Lease duration (the agent was frozen, or the apiserver unreachable) the
   * node lifecycle controller may have marked the node Unknown: the next status sync patches the status even if
   * it did not change here, as the kubelet does when the API's node differs from what it computed.
   */
  private leaseRenewed(node: NodeState): void {
    const now = this.options.clock.now();
    if (node.lastLeaseMs !== undefined && now - node.lastLeaseMs > (this.options.timing.leaseDurationSeconds * 1000) / 2) node.lastReportMs = undefined;
    node.lastLeaseMs = now;
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
