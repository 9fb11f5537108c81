// The agent's pods: one pod informer for the whole agent (pods with a nodeName, kept when the node is one
// this agent hosts — as many kubelets each watching `spec.nodeName=<self>` would see them), one worker per
// pod, and the hook side of node start/stop.
import { Informer, ResourceClient, objectKey, type KubeObject } from '@ekslab/client';
import { ImageCache, podUsage, type PodUsage, type RuntimeTiming } from '@ekslab/kubelet';
import type { ResourceServiceClient } from '@ekslab/proto';
import type { Clock, Logger } from '@ekslab/runtime';
import type { HostedNode } from '../agent.js';
import type { CniPort } from './cni.js';
import { endpointPatches } from './endpoint.js';
import { grpcPodApi, type PodApi } from './pod-api.js';
import type { PodMetrics } from './pod-metrics.js';
import { PodWorker, type ApiPod, type PodNode } from './pod-worker.js';

const PODS = { group: '', version: 'v1', resource: 'pods' } as const;
const NODES = { group: '', version: 'v1', resource: 'nodes' } as const;

export interface PodManagerOptions {
  readonly service: ResourceServiceClient;
  /** The bearer token of system:node:<name>. */
  readonly tokenFor: (node: string) => string;
  readonly cni: CniPort;
  readonly clock: Clock;
  readonly timing: RuntimeTiming;
  readonly log: Logger;
  /** `host:port` of this agent's LogsService, published on every hosted Node. */
  readonly agentEndpoint: { readonly host: string; readonly port: number };
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly metrics?: PodMetrics | undefined;
  /** Replaces the gRPC PodApi (tests). */
  readonly podApi?: (node: string) => PodApi;
}

/** A hosted node's simulated usage at one moment (see resource-metrics.ts). */
export interface NodeUsageSnapshot {
  readonly node: string;
  /** When the agent began hosting it (ms). */
  readonly since: number;
  /** CPU seconds of pods it no longer runs. */
  readonly retiredCpuSeconds: number;
  readonly pods: ReadonlyArray<{ readonly namespace: string; readonly name: string; readonly usage: PodUsage }>;
}

type Schedule = (at: number, run: () => Promise<number | undefined>) => void;
type Obj = KubeObject & Record<string, unknown>;

export class PodManager {
  private readonly nodes = new Map<string, PodNode>();
  private readonly workers = new Map<string, PodWorker>();
  private readonly byKey = new Map<string, PodWorker>();
  private informer: Informer<ApiPod & KubeObject> | undefined;
  private schedule: Schedule | undefined;
  private signal: AbortSignal | undefined;
  private firstNode: (() => void) | undefined;
  private readonly firstNodeHosted = new Promise<void>((resolve) => { this.firstNode = resolve; });
  private lastToken = '';
  private readonly usage = new Map<string, { since: number; retiredCpuSeconds: number }>();

  constructor(private readonly o: PodManagerOptions) {}

  /** Pod workers alive (for metrics and tests). */
  get size(): number {
    return this.workers.size;
  }

  /** The worker of `namespace/name`, if a hosted node runs it. */
  worker(namespace: string, name: string): PodWorker | undefined {
    return this.byKey.get(`${namespace}/${name}`);
  }

  /**
   * Runs the pod informer until `signal` aborts, once the first node is hosted (its identity lists and
   * watches pods). Pod syncs go through `schedule` (the agent's timer heap).
   */
  async run(schedule: Schedule, signal: AbortSignal): Promise<void> {
    this.schedule = schedule;
    this.signal = signal;
    const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([this.firstNodeHosted, aborted]);
    if (signal.aborted) return;
    const pods = new ResourceClient<ApiPod & KubeObject>({ service: this.o.service, gvr: PODS, token: () => this.anyToken() });
    const informer = new Informer<ApiPod & KubeObject>(pods, { fieldSelector: 'spec.nodeName!=', logger: this.o.log });
    informer.addEventHandler({
      onAdd: (p) => this.observe(p),
      onUpdate: (_old, p) => this.observe(p),
      onDelete: (p) => this.forget(p),
    });
    this.informer = informer;
    this.o.log.info('watching pods bound to hosted nodes');
    await informer.start(signal);
  }

  private anyToken(): string {
    const first = this.nodes.keys().next();
    if (!first.done) this.lastToken = this.o.tokenFor(first.value);
    return this.lastToken;
  }

  /** Hook: `node` is now hosted; its pods get workers and its Node publishes the agent endpoint. */
  nodeStarted(node: HostedNode): void {
    const api = this.o.podApi?.(node.name) ?? grpcPodApi(this.o.service, this.o.tokenFor(node.name));
    this.nodes.set(node.name, { name: node.name, ip: node.internalIp, api, images: new ImageCache() });
    if (!this.usage.has(node.name)) this.usage.set(node.name, { since: this.o.clock.now(), retiredCpuSeconds: 0 });
    this.publishEndpoint(node);
    this.firstNode?.();
    for (const p of this.informer?.store.list() ?? []) if (p.spec.nodeName === node.name) this.observe(p);
  }

  /** Hook: `name` is no longer hosted; its pods are dropped without any write. */
  nodeStopped(name: string): void {
    this.nodes.delete(name);
    this.usage.delete(name);
    for (const w of [...this.workers.values()]) if (w.node.name === name) this.remove(w, false);
  }

  private observe(pod: ApiPod & KubeObject): void {
    const node = this.nodes.get(pod.spec.nodeName ?? '');
    if (node === undefined || this.schedule === undefined) return;
    const existing = this.workers.get(pod.metadata.uid);
    if (existing !== undefined) {
      existing.update(pod);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return; // nothing runs for a terminal pod
    const key = objectKey(pod);
    const old = this.byKey.get(key);
    if (old !== undefined) this.remove(old, true);
    const w = new PodWorker(pod, node, {
      cni: this.o.cni, clock: this.o.clock, timing: this.o.timing, log: this.o.log, schedule: this.schedule, signal: this.signal!,
      initialBackoffMs: this.o.initialBackoffMs, maxBackoffMs: this.o.maxBackoffMs, metrics: this.o.metrics,
    });
    this.workers.set(pod.metadata.uid, w);
    this.byKey.set(key, w);
    w.wake(this.o.clock.now());
  }

  private forget(pod: ApiPod & KubeObject): void {
    const w = this.workers.get(pod.metadata.uid);
    if (w !== undefined) this.remove(w, true);
  }

  /** Every hosted node's usage at `now`, computed from the pods' runtimes (a scrape, no per-pod timers). */
  usageSnapshot(now: number): NodeUsageSnapshot[] {
    const out = new Map<string, NodeUsageSnapshot & { pods: Array<NodeUsageSnapshot['pods'][number]> }>();
    for (const [node, u] of this.usage) out.set(node, { node, since: u.since, retiredCpuSeconds: u.retiredCpuSeconds, pods: [] });
    for (const w of this.workers.values()) {
      const m = w.rt.current.metadata;
      out.get(w.node.name)?.pods.push({ namespace: m.namespace, name: m.name, usage: podUsage(w.rt, now) });
    }
    return [...out.values()];
  }

  private remove(w: PodWorker, releaseNetwork: boolean): void {
    const u = this.usage.get(w.node.name);
    if (u !== undefined) u.retiredCpuSeconds += podUsage(w.rt, this.o.clock.now()).cpuSeconds;
    w.drop(releaseNetwork);
    this.workers.delete(w.rt.uid);
    if (this.byKey.get(w.key) === w) this.byKey.delete(w.key);
  }

  /** Patches the Node's agent-endpoint annotation and kubelet port when they differ (adopted nodes). */
  private publishEndpoint(node: HostedNode): void {
    const patches = endpointPatches(node.stored, this.o.agentEndpoint);
    if (patches.length === 0 || this.schedule === undefined) return;
    const nodes = new ResourceClient<Obj>({ service: this.o.service, gvr: NODES, token: this.o.tokenFor(node.name) });
    let failures = 0;
    this.schedule(this.o.clock.now(), async () => {
      try {
        for (const p of patches) {
          await nodes.patch(node.name, 'strategic-merge', p.patch, { signal: this.signal!, ...(p.subresource ? { subresource: p.subresource } : {}) });
        }
        return undefined;
      } catch (err) {
        if (this.signal!.aborted || !this.nodes.has(node.name)) return undefined;
        failures++;
        this.o.log.warn({ node: node.name, err: (err as Error).message }, 'cannot publish the agent endpoint; retrying');
        return this.o.clock.now() + Math.min(this.o.initialBackoffMs * 2 ** (failures - 1), this.o.maxBackoffMs);
      }
    });
  }
}
