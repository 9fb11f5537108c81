// The scheduling loop: informers on pods and nodes, the scheduling queue, one pod at a time through
// filter → score → assume → bind, as kube-scheduler's scheduleOne (without the async binding cycle).
import { Informer, objectKey, type KubeObject, type ResourceClient } from '@ekslab/client';
import { sleep, type Logger } from '@ekslab/runtime';
import {
  fitError, nodeSnapshot, runFilters, scoreNodes, selectHost, type SchedulingQueue, type FilterStatus, type Node, type NodeSnapshot, type Pod,
} from '@ekslab/scheduler';

export type ApiPod = Pod & KubeObject & {
  readonly metadata: { readonly resourceVersion?: string; readonly deletionTimestamp?: string; readonly labels?: Record<string, string> };
  readonly status?: { readonly phase?: string; readonly conditions?: readonly { type: string; status: string; reason?: string; message?: string }[] };
};
export type ApiNode = Node & KubeObject;

export interface SchedulerOptions {
  readonly pods: ResourceClient<ApiPod>;
  readonly nodes: ResourceClient<ApiNode>;
  readonly events: ResourceClient;
  readonly schedulerName: string;
  /** reportingInstance of the events: `<schedulerName>-<hostname>`. */
  readonly instance: string;
  readonly queue: SchedulingQueue;
  readonly log: Logger;
  readonly now?: () => number;
  readonly random?: () => number;
}

const terminal = (p: ApiPod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** What of a node matters to scheduling; heartbeats that change nothing here do not wake unschedulable pods. */
const nodeShape = (n: ApiNode): string => JSON.stringify([n.metadata.labels, n.spec, n.status?.allocatable]);

export class Scheduler {
  private readonly podInformer: Informer<ApiPod>;
  private readonly nodeInformer: Informer<ApiNode>;
  /** Pods bound (or being bound) by this scheduler that the informer has not yet shown with their nodeName. */
  private readonly assumed = new Map<string, ApiPod>();
  private readonly now: () => number;
  private readonly random: () => number;
  private wake: (() => void) | undefined;

  constructor(private readonly o: SchedulerOptions) {
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
    this.podInformer = new Informer<ApiPod>(o.pods, { logger: o.log });
    this.nodeInformer = new Informer<ApiNode>(o.nodes, { logger: o.log });
    this.podInformer.addEventHandler({
      onAdd: (p) => this.onPod(undefined, p),
      onUpdate: (old, p) => this.onPod(old, p),
      onDelete: (p) => {
        const key = objectKey(p);
        this.o.queue.delete(key);
        this.assumed.delete(key);
        if (p.spec.nodeName) this.moveAll(); // AssignedPodDelete frees room
      },
    });
    this.nodeInformer.addEventHandler({
      onAdd: () => this.moveAll(),
      onUpdate: (old, n) => { if (nodeShape(old) !== nodeShape(n)) this.moveAll(); },
      onDelete: () => undefined,
    });
  }

  private responsible(p: ApiPod): boolean {
    return (p.spec.schedulerName ?? 'default-scheduler') === this.o.schedulerName && !p.spec.nodeName && !terminal(p) && !p.metadata.deletionTimestamp;
  }

  private onPod(old: ApiPod | undefined, p: ApiPod): void {
    const key = objectKey(p);
    if (p.spec.nodeName) {
      this.assumed.delete(key);
      this.o.queue.delete(key);
      return;
    }
    if (!this.responsible(p)) {
      this.o.queue.delete(key);
      return;
    }
    // kube's isPodUpdated: status-only changes (our own condition writes) do not requeue.
    const changed = !old || JSON.stringify([old.spec, old.metadata.labels]) !== JSON.stringify([p.spec, p.metadata.labels]);
    if (changed || !this.o.queue.has(key)) {
      this.o.queue.add(key, this.now());
      this.notify();
    }
  }

  private moveAll(): void {
    this.o.queue.moveAllUnschedulable(this.now());
    this.notify();
  }

  private notify(): void {
    this.wake?.();
  }

  /** Runs the informers and the scheduling loop until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const informers = Promise.all([this.podInformer.start(signal), this.nodeInformer.start(signal)]);
    try {
      await Promise.all([this.podInformer.waitForSync(signal), this.nodeInformer.waitForSync(signal)]);
      this.o.log.info({ schedulerName: this.o.schedulerName }, 'caches synced; scheduling');
      while (!signal.aborted) {
        this.o.queue.flush(this.now());
        const key = this.o.queue.pop();
        if (key === undefined) {
          await this.idle(signal);
          continue;
        }
        await this.scheduleOne(key, signal);
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      await informers.catch(() => undefined);
    }
  }

  /** Sleeps until an informer event or the next backoff expiry (at most 1 s, kube's backoffQ flush period). */
  private async idle(signal: AbortSignal): Promise<void> {
    const next = this.o.queue.nextBackoffExpiry();
    const ms = Math.max(10, Math.min(1_000, next === undefined ? 1_000 : next - this.now()));
    const woken = new AbortController();
    this.wake = () => woken.abort();
    try {
      await sleep(ms, AbortSignal.any([signal, woken.signal]));
    } catch {
      // woken or stopping
    } finally {
      this.wake = undefined;
    }
  }

  private snapshots(): NodeSnapshot[] {
    const byNode = new Map<string, ApiPod[]>();
    const put = (p: ApiPod): void => {
      const n = p.spec.nodeName;
      if (n) byNode.set(n, [...(byNode.get(n) ?? []), p]);
    };
    for (const p of this.podInformer.store.list()) if (!this.assumed.has(objectKey(p))) put(p);
    for (const p of this.assumed.values()) put(p);
    return this.nodeInformer.store.list().map((n) => nodeSnapshot(n, byNode.get(n.metadata.name) ?? []));
  }

  private async scheduleOne(key: string, signal: AbortSignal): Promise<void> {
    const pod = this.podInformer.store.get(key);
    if (!pod || !this.responsible(pod)) {
      this.o.queue.done(key);
      return;
    }
    const snaps = this.snapshots();
    const statuses = new Map<string, FilterStatus>();
    const feasible: NodeSnapshot[] = [];
    for (const s of snaps) {
      const st = runFilters(pod, s);
      if (st) statuses.set(s.node.metadata.name, st);
      else feasible.push(s);
    }
    const host = selectHost(scoreNodes(pod, feasible), this.random);
    if (host === undefined) {
      const message = fitError(pod, snaps.length, statuses);
      this.o.queue.unschedulable(key, this.now());
      this.o.log.info({ pod: key, message }, 'unschedulable');
      await this.recordUnschedulable(pod, message, signal);
      return;
    }
    // Assume: the next pod sees this one on `host` before the informer does.
    this.assumed.set(key, { ...pod, spec: { ...pod.spec, nodeName: host } });
    try {
      await this.o.pods.create({
        apiVersion: 'v1', kind: 'Binding',
        metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace ?? 'default', ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) },
        target: { apiVersion: 'v1', kind: 'Node', name: host },
      } as unknown as ApiPod, { signal, namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name, subresource: 'binding' });
    } catch (err) {
      this.assumed.delete(key);
      if (signal.aborted) return;
      this.o.log.warn({ pod: key, node: host, err: (err as Error).message }, 'binding failed; retrying after backoff');
      this.o.queue.retry(key, this.now());
      return;
    }
    this.o.queue.done(key);
    this.o.log.info({ pod: key, node: host }, 'scheduled');
    await this.event(pod, 'Normal', 'Scheduled', 'Binding', `Successfully assigned ${pod.metadata.namespace ?? 'default'}/${pod.metadata.name} to ${host}`, signal);
  }

  /** The FailedScheduling event and, when it changed, the pod's PodScheduled=False condition (pods/status). */
  private async recordUnschedulable(pod: ApiPod, message: string, signal: AbortSignal): Promise<void> {
    await this.event(pod, 'Warning', 'FailedScheduling', 'Scheduling', message, signal);
    const cur = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (cur?.status === 'False' && cur.reason === 'Unschedulable' && cur.message === message) return;
    try {
      await this.o.pods.patch(pod.metadata.name, 'strategic-merge', {
        status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: rfc3339(this.now()) }] },
      }, { signal, namespace: pod.metadata.namespace ?? 'default', subresource: 'status' });
    } catch (err) {
      if (!signal.aborted) this.o.log.warn({ pod: objectKey(pod), err: (err as Error).message }, 'cannot update the PodScheduled condition');
    }
  }

  private async event(pod: ApiPod, type: 'Normal' | 'Warning', reason: string, action: string, message: string, signal: AbortSignal): Promise<void> {
    const namespace = pod.metadata.namespace ?? 'default';
    const now = this.now();
    const at = rfc3339(now);
    try {
      await this.o.events.create({
        apiVersion: 'v1', kind: 'Event',
        metadata: { name: `${pod.metadata.name}.${(BigInt(now) * 1_000_000n + BigInt(Math.floor(this.random() * 1e6))).toString(16)}`, namespace },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace, name: pod.metadata.name, uid: pod.metadata.uid, resourceVersion: pod.metadata.resourceVersion },
        reason, message, type, action, count: 1, firstTimestamp: at, lastTimestamp: at,
        source: { component: this.o.schedulerName },
        reportingComponent: this.o.schedulerName, reportingInstance: this.o.instance,
      } as KubeObject, { signal, namespace });
    } catch (err) {
      if (!signal.aborted) this.o.log.warn({ pod: objectKey(pod), reason, err: (err as Error).message }, 'cannot record event');
    }
  }
}

const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
