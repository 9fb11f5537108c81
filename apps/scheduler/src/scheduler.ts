// The scheduling loop: informers feed the cache and the queue; one pod at a time goes through scheduleCycle
// (filter → score), is assumed on its node at once, and is bound asynchronously (kube's binding cycle), so the next
// pod never waits for a binding's round trip. A pod no node fits may preempt lower-priority pods (DefaultPreemption).
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { Informer, isConflict, isNotFound, objectKey, type KubeObject, type ResourceClient } from '@ekslab/client';
import { sleep, type Logger } from '@ekslab/runtime';
import {
  fitError, podPriority, preempt, preemptionMessage, scheduleCycle, selectorOf, type DisruptionBudget, type LabelSelectorJson, type Node, type Pod, type SchedulingQueue,
} from '@ekslab/scheduler';
import { defaultSelector, SchedulerCache } from './cache.js';

export type ApiPod = Pod & KubeObject & {
  readonly metadata: { readonly resourceVersion?: string; readonly deletionTimestamp?: string; readonly labels?: Record<string, string> };
  readonly status?: { readonly phase?: string; readonly nominatedNodeName?: string; readonly conditions?: readonly { type: string; status: string; reason?: string; message?: string }[] };
};
export type ApiNode = Node & KubeObject;
type Selecting = KubeObject & { spec?: { selector?: LabelSelectorJson & Record<string, unknown> } };
type Pdb = KubeObject & { spec?: { selector?: LabelSelectorJson }; status?: { disruptionsAllowed?: number } };

export interface SchedulerClients {
  readonly pods: ResourceClient<ApiPod>;
  readonly nodes: ResourceClient<ApiNode>;
  readonly events: ResourceClient;
  readonly namespaces: ResourceClient;
  readonly services: ResourceClient<Selecting>;
  readonly replicaSets: ResourceClient<Selecting>;
  /** StatefulSets select pods too; optional because the lab's apiserver does not serve them yet. */
  readonly statefulSets?: ResourceClient<Selecting>;
  readonly pdbs: ResourceClient<Pdb>;
}

export interface SchedulerOptions extends SchedulerClients {
  readonly schedulerName: string;
  /** reportingInstance of the events: `<schedulerName>-<hostname>`. */
  readonly instance: string;
  readonly queue: SchedulingQueue;
  readonly log: Logger;
  /** percentageOfNodesToScore; 0 = adaptive (kube's default). */
  readonly percentageOfNodesToScore?: number;
  /** Bindings (and their events) in flight at once; the loop waits for a slot beyond this. Default 64. */
  readonly parallelBindings?: number;
  readonly now?: () => number;
  readonly random?: () => number;
}

const terminal = (p: ApiPod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const ns = (p: Pod): string => p.metadata.namespace ?? 'default';

/** What of a node matters to scheduling; heartbeats that change nothing here do not wake unschedulable pods. */
const nodeShape = (n: ApiNode): string => JSON.stringify([n.metadata.labels, n.spec, n.status?.allocatable]);

export class Scheduler {
  private readonly podInformer: Informer<ApiPod>;
  private readonly nodeInformer: Informer<ApiNode>;
  private readonly nsInformer: Informer<KubeObject>;
  private readonly selecting: Informer<Selecting>[];
  private readonly serviceInformer: Informer<Selecting>;
  private readonly pdbInformer: Informer<Pdb>;
  readonly cache: SchedulerCache;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly parallel: number;
  private wake: (() => void) | undefined;
  private nextStartNodeIndex = 0;
  private inflight = 0;
  private slotFreed: (() => void) | undefined;

  constructor(private readonly o: SchedulerOptions) {
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
    this.parallel = o.parallelBindings ?? 64;
    const opts = { logger: o.log };
    this.podInformer = new Informer<ApiPod>(o.pods, opts);
    this.nodeInformer = new Informer<ApiNode>(o.nodes, opts);
    this.nsInformer = new Informer<KubeObject>(o.namespaces, opts);
    this.serviceInformer = new Informer<Selecting>(o.services, opts);
    this.selecting = [o.replicaSets, ...(o.statefulSets ? [o.statefulSets] : [])].map((c) => new Informer<Selecting>(c, opts));
    this.pdbInformer = new Informer<Pdb>(o.pdbs, opts);
    this.cache = new SchedulerCache(
      (name) => this.nsInformer.store.get(name)?.metadata.labels,
      (pod) => defaultSelector(
        pod,
        this.serviceInformer.store.byIndex('namespace', ns(pod)) as { spec?: { selector?: Record<string, string> } }[],
        this.selecting.flatMap((i) => i.store.byIndex('namespace', ns(pod))),
      ),
    );
    this.podInformer.addEventHandler({
      onAdd: (p) => this.onPod(undefined, p),
      onUpdate: (old, p) => this.onPod(old, p),
      onDelete: (p) => {
        const key = objectKey(p);
        this.o.queue.delete(key);
        this.cache.removePod(key);
        if (p.spec.nodeName) this.moveAll(); // AssignedPodDelete frees room
      },
    });
    this.nodeInformer.addEventHandler({
      onAdd: (n) => { this.cache.upsertNode(n); this.moveAll(); },
      onUpdate: (old, n) => {
        this.cache.upsertNode(n);
        if (nodeShape(old) !== nodeShape(n)) this.moveAll();
      },
      onDelete: (n) => this.cache.removeNode(n.metadata.name),
    });
  }

  private responsible(p: ApiPod): boolean {
    return (p.spec.schedulerName ?? 'default-scheduler') === this.o.schedulerName && !p.spec.nodeName && !terminal(p) && !p.metadata.deletionTimestamp;
  }

  private onPod(old: ApiPod | undefined, p: ApiPod): void {
    const key = objectKey(p);
    if (p.spec.nodeName) {
      const seenBefore = !!old?.spec.nodeName || this.cache.isAssumed(key);
      this.cache.addBoundPod(p);
      this.o.queue.delete(key);
      // AssignedPodAdd (a pod bound by someone else; our own were counted when assumed): pods waiting on affinity may fit now.
      if (!seenBefore) this.o.queue.moveAllUnschedulable(this.now());
      if (terminal(p)) this.moveAll();
      return;
    }
    if (!this.responsible(p)) {
      this.o.queue.delete(key);
      this.cache.removePod(key);
      return;
    }
    if (this.cache.isAssumed(key)) return; // our binding is on its way; the informer has not seen it yet
    this.cache.nominate(p, p.status?.nominatedNodeName);
    // kube's isPodUpdated: status-only changes (our own condition writes) do not requeue.
    const changed = !old || JSON.stringify([old.spec, old.metadata.labels]) !== JSON.stringify([p.spec, p.metadata.labels]);
    if (changed || !this.o.queue.has(key)) {
      this.o.queue.add(key, this.now(), podPriority(p));
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
    const all: Informer<KubeObject>[] = [this.nsInformer, this.serviceInformer, ...this.selecting, this.pdbInformer, this.nodeInformer, this.podInformer] as Informer<KubeObject>[];
    const informers = Promise.all(all.map((i) => i.start(signal)));
    try {
      // Nodes (and the selector sources) first, so pods already bound land on known nodes.
      await Promise.all(all.slice(0, -1).map((i) => i.waitForSync(signal)));
      await this.podInformer.waitForSync(signal);
      this.o.log.info({ schedulerName: this.o.schedulerName, nodes: this.cache.nodes.length, pods: this.cache.podCount }, 'caches synced; scheduling');
      let sinceYield = 0;
      let flushedAt = 0;
      while (!signal.aborted) {
        // kube flushes backoffQ every second; here at most every 50 ms, and before idling.
        if (this.now() - flushedAt >= 50) {
          flushedAt = this.now();
          this.o.queue.flush(flushedAt);
        }
        const key = this.o.queue.pop();
        if (key === undefined) {
          flushedAt = 0;
          await this.idle(signal);
          continue;
        }
        await this.scheduleOne(key, signal);
        // Let bindings, their replies and informer events through between pods.
        if (++sinceYield >= 8) {
          sinceYield = 0;
          await yieldToIo();
        }
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

  private async slot(signal: AbortSignal): Promise<void> {
    while (this.inflight >= this.parallel && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.slotFreed = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  private release(): void {
    this.inflight--;
    const f = this.slotFreed;
    this.slotFreed = undefined;
    f?.();
  }

  private async scheduleOne(key: string, signal: AbortSignal): Promise<void> {
    const pod = this.podInformer.store.get(key);
    if (!pod || !this.responsible(pod) || this.cache.isAssumed(key)) {
      this.o.queue.done(key);
      return;
    }
    const result = scheduleCycle(pod, this.cache, {
      percentageOfNodesToScore: this.o.percentageOfNodesToScore ?? 0,
      startIndex: this.nextStartNodeIndex,
      random: this.random,
      ...(this.cache.hasNominations() ? { nominatedPods: (node: string, p: Pod) => this.cache.nominatedPods(node, p) } : {}),
    });
    const total = this.cache.nodes.length;
    if (total > 0) this.nextStartNodeIndex = (this.nextStartNodeIndex + result.processed) % total;
    if (result.host === undefined) {
      await this.failed(pod, result.statuses, signal);
      return;
    }
    // Assume: the next pod sees this one on `host` before the informer does; bind in the background.
    this.cache.assume(pod, result.host);
    this.o.queue.done(key);
    await this.slot(signal);
    this.inflight++;
    void this.bind(pod, result.host, signal).finally(() => this.release());
  }

  private async bind(pod: ApiPod, host: string, signal: AbortSignal): Promise<void> {
    const key = objectKey(pod);
    const namespace = ns(pod);
    try {
      await this.o.pods.create({
        apiVersion: 'v1', kind: 'Binding',
        metadata: { name: pod.metadata.name, namespace, ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) },
        target: { apiVersion: 'v1', kind: 'Node', name: host },
      } as unknown as ApiPod, { signal, namespace, name: pod.metadata.name, subresource: 'binding' });
    } catch (err) {
      this.cache.forget(key);
      if (signal.aborted) return;
      if (isNotFound(err) || (isConflict(err) && /already assigned/.test((err as Error).message))) {
        // Deleted meanwhile, or bound by someone else (a previous leader): nothing left to do for this pod.
        this.o.log.info({ pod: key, err: (err as Error).message }, 'binding not needed');
        return;
      }
      this.o.log.warn({ pod: key, node: host, err: (err as Error).message }, 'binding failed; retrying after backoff');
      this.o.queue.requeueAfterError(key, this.now(), podPriority(pod));
      this.moveAll();
      return;
    }
    this.o.log.debug({ pod: key, node: host }, 'scheduled');
    await this.event(pod, 'Normal', 'Scheduled', 'Binding', `Successfully assigned ${namespace}/${pod.metadata.name} to ${host}`, signal);
  }

  /** No node fits: try preemption (PostFilter), then record FailedScheduling and park the pod. */
  private async failed(pod: ApiPod, statuses: Parameters<typeof fitError>[2], signal: AbortSignal): Promise<void> {
    const key = objectKey(pod);
    const pdbs: DisruptionBudget[] = this.pdbInformer.store.list().map((b) => ({
      namespace: b.metadata.namespace ?? 'default', selector: selectorOf(b.spec?.selector), disruptionsAllowed: b.status?.disruptionsAllowed ?? 0,
    }));
    const outcome = this.cache.nodes.length === 0 ? undefined : preempt(pod, this.cache, statuses, preemptionMessage, pdbs);
    const message = fitError(pod, this.cache.nodes.length, statuses, outcome ? { postFilterMessage: outcome.kind === 'none' ? outcome.message : '' } : {});
    this.o.queue.unschedulable(key, this.now());
    this.o.log.info({ pod: key, message }, 'unschedulable');
    if (outcome?.kind === 'preempt') await this.preemptVictims(pod, outcome.victims.node, outcome.victims.pods, signal);
    await this.recordUnschedulable(pod, message, signal);
  }

  /** Nominates the preemptor, then marks and deletes each victim with kube's Preempted event. */
  private async preemptVictims(pod: ApiPod, node: string, victims: readonly Pod[], signal: AbortSignal): Promise<void> {
    this.cache.nominate(pod, node);
    this.o.log.info({ pod: objectKey(pod), node, victims: victims.map((v) => `${ns(v)}/${v.metadata.name}`) }, 'preempting');
    try {
      await this.o.pods.patch(pod.metadata.name, 'merge', { status: { nominatedNodeName: node } }, { signal, namespace: ns(pod), subresource: 'status' });
    } catch (err) {
      if (!signal.aborted) this.o.log.warn({ pod: objectKey(pod), err: (err as Error).message }, 'cannot set nominatedNodeName');
    }
    await Promise.all(victims.map(async (v) => {
      const vns = ns(v);
      try {
        await this.o.pods.patch(v.metadata.name, 'strategic-merge', {
          status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: `${this.o.schedulerName}: preempting to accommodate a higher priority pod`, lastTransitionTime: rfc3339(this.now()) }] },
        }, { signal, namespace: vns, subresource: 'status' }).catch((err: unknown) => {
          if (!signal.aborted) this.o.log.warn({ victim: v.metadata.name, err: (err as Error).message }, 'cannot set DisruptionTarget');
        });
        await this.o.pods.delete(v.metadata.name, { signal, namespace: vns, options: { preconditions: { uid: v.metadata.uid ?? '', resourceVersion: '' } } });
      } catch (err) {
        if (signal.aborted || isNotFound(err)) return;
        this.o.log.warn({ victim: v.metadata.name, err: (err as Error).message }, 'cannot delete victim');
        return;
      }
      await this.event(v, 'Normal', 'Preempted', 'Preempting', `Preempted by pod ${pod.metadata.uid ?? ''} on node ${node}`, signal, pod);
    }));
  }

  /** The FailedScheduling event and, when it changed, the pod's PodScheduled=False condition (pods/status). */
  private async recordUnschedulable(pod: ApiPod, message: string, signal: AbortSignal): Promise<void> {
    await this.event(pod, 'Warning', 'FailedScheduling', 'Scheduling', message, signal);
    const cur = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (cur?.status === 'False' && cur.reason === 'Unschedulable' && cur.message === message) return;
    try {
      await this.o.pods.patch(pod.metadata.name, 'strategic-merge', {
        status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: rfc3339(this.now()) }] },
      }, { signal, namespace: ns(pod), subresource: 'status' });
    } catch (err) {
      if (!signal.aborted) this.o.log.warn({ pod: objectKey(pod), err: (err as Error).message }, 'cannot update the PodScheduled condition');
    }
  }

  private async event(pod: ApiPod, type: 'Normal' | 'Warning', reason: string, action: string, message: string, signal: AbortSignal, related?: ApiPod): Promise<void> {
    const namespace = ns(pod);
    const now = this.now();
    const at = rfc3339(now);
    const ref = (p: ApiPod) => ({ apiVersion: 'v1', kind: 'Pod', namespace: ns(p), name: p.metadata.name, uid: p.metadata.uid, resourceVersion: p.metadata.resourceVersion });
    try {
      await this.o.events.create({
        apiVersion: 'v1', kind: 'Event',
        metadata: { name: `${pod.metadata.name}.${(BigInt(now) * 1_000_000n + BigInt(Math.floor(this.random() * 1e6))).toString(16)}`, namespace },
        involvedObject: ref(pod), ...(related ? { related: ref(related) } : {}),
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
