import { isNotFound, objectKey, type CacheReader, type ResourceClient } from '@ekslab/client';
import type { Clock, Logger } from '@ekslab/runtime';
import { POD_NODE_INDEX, toleratesTaint, type Node, type Pod, type Taint, type Toleration } from '../../controller-utils/index.js';
import type { EventRecorder } from '../../framework/recorder.js';

/**
 * How long a pod may stay on a node with these NoExecute taints (kube's GetMatchingTolerations — the first
 * toleration of each taint — then getMinTolerationTime): undefined = a taint is not tolerated (evict now);
 * Infinity = tolerated forever; else ms (a tolerationSeconds ≤ 0 means now).
 */
export function tolerationWindowMs(taints: readonly Taint[], tolerations: readonly Toleration[]): number | undefined {
  let min = Infinity;
  for (const taint of taints) {
    const used = tolerations.find((t) => toleratesTaint(t, taint));
    if (!used) return undefined;
    if (used.tolerationSeconds !== undefined && used.tolerationSeconds !== null) min = Math.min(min, Math.max(0, used.tolerationSeconds) * 1000);
  }
  return min;
}

interface Scheduled {
  createdAt: number;
  triggerAt: number;
  abort: AbortController;
}

export interface TaintEvictionOptions {
  readonly pods: CacheReader<Pod>;
  readonly nodes: CacheReader<Node>;
  /** Pods as the controller's identity (delete, pods/status). */
  readonly podsApi: ResourceClient<Pod>;
  readonly recorder: EventRecorder;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * kube's taint-eviction-controller (the former NoExecuteTaintManager): a pod on a node with NoExecute taints it
 * does not tolerate is deleted at once; one that tolerates them for `tolerationSeconds` is deleted when the
 * shortest of those runs out (counted from when the eviction was first scheduled); one that tolerates them
 * forever stays. Taints removed before then cancel the deletion ("Cancelling deletion of Pod …"). Before deleting,
 * the pod gets the DisruptionTarget condition (reason DeletionByTaintManager), as kube 1.26+ does.
 */
export class TaintEviction {
  private readonly scheduled = new Map<string, Scheduled>();

  constructor(private readonly o: TaintEvictionOptions, private readonly signal: AbortSignal) {}

  /** A node's taints may have changed: look at each pod on it. */
  nodeUpdated(nodeName: string): void {
    for (const pod of this.o.pods.byIndex(POD_NODE_INDEX, nodeName)) this.podUpdated(pod);
  }

  podDeleted(pod: Pod): void {
    this.cancel(objectKey(pod), undefined);
  }

  podUpdated(pod: Pod): void {
    const key = objectKey(pod);
    const nodeName = pod.spec.nodeName;
    if (!nodeName || pod.metadata.deletionTimestamp) {
      this.cancel(key, undefined);
      return;
    }
    const node = this.o.nodes.get(nodeName);
    const taints = (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
    if (taints.length === 0) {
      this.cancel(key, pod);
      return;
    }
    const window = tolerationWindowMs(taints, pod.spec.tolerations ?? []);
    const now = this.o.clock.now();
    if (window === undefined) {
      this.schedule(key, now, now);
      return;
    }
    if (window === Infinity) {
      this.cancel(key, pod);
      return;
    }
    const existing = this.scheduled.get(key);
    // kube keeps an eviction already scheduled unless the new window ends it sooner.
    if (existing && existing.createdAt + window >= existing.triggerAt) return;
    this.schedule(key, existing?.createdAt ?? now, (existing?.createdAt ?? now) + window);
  }

  stop(): void {
    for (const s of this.scheduled.values()) s.abort.abort();
    this.scheduled.clear();
  }

  private schedule(key: string, createdAt: number, triggerAt: number): void {
    const existing = this.scheduled.get(key);
    if (existing && existing.triggerAt <= triggerAt) return;
    existing?.abort.abort();
    const abort = new AbortController();
    const entry = { createdAt, triggerAt, abort };
    this.scheduled.set(key, entry);
    const signal = AbortSignal.any([abort.signal, this.signal]);
    this.o.clock.sleep(Math.max(0, triggerAt - this.o.clock.now()), signal).then(
      () => {
        if (this.scheduled.get(key) !== entry) return;
        this.scheduled.delete(key);
        void this.evict(key, signal);
      },
      () => undefined,
    );
  }

  private cancel(key: string, pod: Pod | undefined): void {
    const s = this.scheduled.get(key);
    if (!s) return;
    s.abort.abort();
    this.scheduled.delete(key);
    if (pod) this.o.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  private async evict(key: string, signal: AbortSignal): Promise<void> {
    const pod = this.o.pods.get(key);
    if (!pod) return;
    this.o.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    const namespace = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    for (let attempt = 0; attempt < 5 && !signal.aborted; attempt++) {
      try {
        await this.o.podsApi.patch(name, 'strategic-merge', {
          status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: new Date(this.o.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z') }] },
        }, { signal, namespace, subresource: 'status' });
        await this.o.podsApi.delete(name, { signal, namespace, options: { preconditions: { uid: pod.metadata.uid ?? '', resourceVersion: '' } } });
        this.o.log.info({ pod: key, node: pod.spec.nodeName }, 'evicted pod from a NoExecute-tainted node');
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (signal.aborted) return;
        this.o.log.warn({ pod: key, err: (err as Error).message, attempt }, 'cannot evict pod; retrying');
        try {
          await this.o.clock.sleep(10 * 2 ** attempt, signal);
        } catch {
          return;
        }
      }
    }
  }
}
