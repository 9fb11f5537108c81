// One pod's worker (the kubelet's pod worker + status manager for it): drives its PodRuntime on the agent's
// timer heap, performs what the runtime needs (CNI ADD/DEL, the final delete) and writes what it reports
// (events, then pods/status) as the node. Syncs of one pod never overlap; a failing call backs off.
import { isNotFound, isConflict } from '@ekslab/client';
import type { ImageCache} from '@ekslab/kubelet';
import { PodRuntime, podStatus, type RuntimePod, type RuntimePodCondition, type RuntimeTiming } from '@ekslab/kubelet';
import type { Clock, Logger } from '@ekslab/runtime';
import type { CniPort } from './cni.js';
import { PodEventRecorder, type PodApi, type PodRef } from './pod-api.js';
import type { PodMetrics } from './pod-metrics.js';

/** A hosted node as the pods module knows it. */
export interface PodNode {
  readonly name: string;
  readonly ip: string;
  readonly api: PodApi;
  readonly images: ImageCache;
}

export interface PodWorkerDeps {
  readonly cni: CniPort;
  readonly clock: Clock;
  readonly timing: RuntimeTiming;
  readonly log: Logger;
  /** Runs `run` at `at` on the agent's timer heap (within its concurrency cap). */
  readonly schedule: (at: number, run: () => Promise<number | undefined>) => void;
  readonly signal: AbortSignal;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly metrics?: PodMetrics | undefined;
}

export type ApiPod = RuntimePod & { readonly metadata: RuntimePod['metadata'] & { readonly resourceVersion?: string }; readonly status?: { readonly phase?: string; readonly qosClass?: string } };

export class PodWorker {
  readonly rt: PodRuntime;
  private readonly recorder: PodEventRecorder;
  private wakeAt = Number.POSITIVE_INFINITY;
  private syncing = false;
  private again = false;
  private dropped = false;
  private written: string | undefined;
  private conditions: RuntimePodCondition[] = [];
  private failures = 0;
  private resourceVersion: string | undefined;
  private wasReady = false;

  constructor(pod: ApiPod, readonly node: PodNode, private readonly deps: PodWorkerDeps) {
    this.rt = new PodRuntime(pod, { nodeName: node.name, nodeIp: node.ip, images: node.images, timing: deps.timing }, deps.clock.now());
    this.recorder = new PodEventRecorder(node.name);
    this.resourceVersion = pod.metadata.resourceVersion;
  }

  get key(): string {
    const m = this.rt.current.metadata;
    return `${m.namespace}/${m.name}`;
  }

  private get ref(): PodRef {
    const m = this.rt.current.metadata;
    return { namespace: m.namespace, name: m.name, uid: m.uid, resourceVersion: this.resourceVersion };
  }

  /** A newer version of the pod from the informer. */
  update(pod: ApiPod): void {
    if (this.dropped || this.rt.finished) return;
    this.resourceVersion = pod.metadata.resourceVersion;
    // Someone else changed the pod's readiness (the node lifecycle controller's MarkPodsNotReady while this node
    // was silent): write ours again, as the kubelet's status manager does when the API's status differs from its own.
    const apiReady = (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.find((c) => c.type === 'Ready')?.status;
    const ownReady = this.conditions?.find((c) => c.type === 'Ready')?.status;
    if (apiReady !== undefined && ownReady !== undefined && apiReady !== ownReady) this.written = undefined;
    this.rt.update(pod, this.deps.clock.now());
    this.wake(this.deps.clock.now());
  }

  /**
   * Stops the worker without any API write. `releaseNetwork`: the pod is gone from the API, so the sandbox
   * is torn down (CNI DEL) as the kubelet's cleanup would; not when the node itself stopped being hosted.
   */
  drop(releaseNetwork: boolean): void {
    if (this.dropped) return;
    this.dropped = true;
    const holds = this.rt.sandbox.state === 'ready' && !this.rt.hostNetwork && !this.rt.finished;
    if (!releaseNetwork || !holds) return;
    const sandboxId = this.rt.sandbox.id;
    this.deps.schedule(this.deps.clock.now(), async () => {
      try {
        await this.deps.cni.del(this.sandbox(sandboxId), 'PodDeleted', this.deps.signal);
      } catch (err) {
        this.deps.log.warn({ pod: this.key, err: (err as Error).message }, 'cannot release the network of a removed pod');
      }
      return undefined;
    });
  }

  /** Schedules a sync at `at` unless one is already due earlier. */
  wake(at: number): void {
    if (this.dropped || this.rt.finished || at >= this.wakeAt) return;
    this.wakeAt = at;
    this.deps.schedule(at, () => this.run(at));
  }

  private async run(at: number): Promise<undefined> {
    if (this.dropped || at !== this.wakeAt) return undefined; // superseded by an earlier wake
    this.wakeAt = Number.POSITIVE_INFINITY;
    if (this.syncing) {
      this.again = true;
      return undefined;
    }
    this.syncing = true;
    let retryAt: number | undefined;
    try {
      retryAt = await this.sync();
    } finally {
      this.syncing = false;
    }
    if (this.again) {
      this.again = false;
      this.wake(this.deps.clock.now());
    }
    const next = retryAt ?? this.rt.nextWake();
    if (next !== undefined) this.wake(next);
    return undefined;
  }

  private sandbox(sandboxId: string) {
    const m = this.rt.current.metadata;
    return { node: this.node.name, namespace: m.namespace, pod: m.name, sandboxId };
  }

  /** One sync; resolves to a retry time after a failure. */
  private async sync(): Promise<number | undefined> {
    const { clock, cni, signal, log } = this.deps;
    try {
      this.rt.advance(clock.now());
      for (let i = 0; i < 16 && !this.dropped; i++) {
        await this.flush();
        const need = this.rt.need();
        if (need === undefined || this.dropped) break;
        if (need.kind === 'addNetwork') {
          let ip: string | undefined;
          try {
            ip = await cni.add(this.sandbox(need.sandboxId), signal);
          } catch (err) {
            if (signal.aborted) throw err;
            this.rt.networkFailed((err as { details?: string }).details || (err as Error).message, clock.now());
            this.deps.metrics?.sandboxFailed();
            continue;
          }
          if (ip === undefined) {
            this.rt.networkFailed(undefined, clock.now());
            this.deps.metrics?.sandboxFailed();
          } else {
            this.rt.networkAdded(ip, clock.now());
          }
        } else if (need.kind === 'delNetwork') {
          await cni.del(this.sandbox(need.sandboxId), 'PodDeleted', signal);
          this.rt.networkDeleted(clock.now());
        } else {
          await this.node.api.deletePod(this.ref, signal);
          this.rt.deleted();
          log.info({ pod: this.key, node: this.node.name }, 'pod terminated and deleted');
        }
        this.rt.advance(clock.now());
      }
      this.failures = 0;
      return undefined;
    } catch (err) {
      if (signal.aborted) return undefined;
      if (isNotFound(err) || isConflict(err)) {
        // The pod is gone or was replaced (uid precondition): nothing more to report for this one.
        this.rt.deleted();
        return undefined;
      }
      this.failures++;
      this.deps.metrics?.syncFailed();
      const delay = Math.min(this.deps.initialBackoffMs * 2 ** (this.failures - 1), this.deps.maxBackoffMs);
      log.warn({ pod: this.key, node: this.node.name, failures: this.failures, retryInMs: delay, err: (err as Error).message }, 'pod sync failed; backing off');
      return clock.now() + delay;
    }
  }

  /** Writes the recorded events (best effort) and the status when it changed. */
  private async flush(): Promise<void> {
    if (this.rt.finished || this.dropped) return;
    const { signal, log, clock } = this.deps;
    for (const e of this.rt.takeEvents()) {
      try {
        await this.recorder.record(this.node.api, this.ref, e, signal);
      } catch (err) {
        if (signal.aborted) throw err;
        log.warn({ pod: this.key, reason: e.reason, err: (err as Error).message }, 'cannot record event');
      }
    }
    const status = podStatus(this.rt, { ip: this.node.ip }, this.conditions, clock.now());
    const json = JSON.stringify(status);
    if (json === this.written) return;
    await this.node.api.patchStatus(this.ref, status, signal);
    this.written = json;
    this.conditions = status.conditions;
    if (!this.wasReady && status.conditions.some((c) => c.type === 'Ready' && c.status === 'True')) {
      this.wasReady = true;
      this.deps.metrics?.podReady(clock.now() - this.rt.startTime);
    }
  }
}
