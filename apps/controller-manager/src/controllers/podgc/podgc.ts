import { isNotFound, objectKey, type CacheReader, type ResourceClient } from '@ekslab/client';
import type { Clock, Logger } from '@ekslab/runtime';
import { rfc3339, type Node, type Pod } from '../../controller-utils/index.js';

export interface PodGcOptions {
  readonly pods: CacheReader<Pod>;
  readonly nodes: CacheReader<Node>;
  /** Pods and nodes as the pod-garbage-collector identity. */
  readonly podsApi: ResourceClient<Pod>;
  readonly nodesApi: ResourceClient<Node>;
  readonly clock: Clock;
  readonly log: Logger;
  /** --terminated-pod-gc-threshold (12500); 0 disables the terminated-pod pass. */
  readonly terminatedPodThreshold: number;
  /** How long a node missing from the cache must stay missing before its pods count as orphaned (kube: 40 s). */
  readonly quarantineMs: number;
}

const terminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const created = (p: Pod): number => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
const OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

/**
 * kube's pod garbage collector (pkg/controller/podgc), one pass every 20 s:
 * - terminated (Succeeded/Failed) pods above --terminated-pod-gc-threshold, oldest first;
 * - orphaned pods, bound to a node that has been missing for the quarantine and is confirmed gone by a live GET:
 *   marked Failed with the DisruptionTarget condition (DeletionByPodGC, "PodGC: node no longer exists");
 * - terminating pods that were never scheduled;
 * - terminating pods on a not-Ready node with the node.kubernetes.io/out-of-service taint.
 * All are deleted with grace period 0, as kube force-deletes them.
 */
export class PodGc {
  /** Node names first seen missing, with when. */
  private readonly missingSince = new Map<string, number>();

  constructor(private readonly o: PodGcOptions) {}

  async pass(signal: AbortSignal): Promise<void> {
    const pods = this.o.pods.list();
    if (this.o.terminatedPodThreshold > 0) await this.gcTerminated(pods, signal);
    await this.gcTerminatingOutOfService(pods, signal);
    await this.gcOrphaned(pods, signal);
    for (const p of pods) if (p.metadata.deletionTimestamp && !p.spec.nodeName) await this.forceDelete(p, undefined, signal, 'unscheduled terminating pod');
  }

  private async gcTerminated(pods: readonly Pod[], signal: AbortSignal): Promise<void> {
    const terminated = pods.filter(terminal);
    const excess = terminated.length - this.o.terminatedPodThreshold;
    if (excess <= 0) return;
    this.o.log.info({ terminated: terminated.length, threshold: this.o.terminatedPodThreshold, deleting: excess }, 'garbage collecting terminated pods');
    for (const p of [...terminated].sort((a, b) => created(a) - created(b)).slice(0, excess)) await this.forceDelete(p, undefined, signal, 'terminated pod over the threshold');
  }

  private async gcTerminatingOutOfService(pods: readonly Pod[], signal: AbortSignal): Promise<void> {
    for (const p of pods) {
      if (!p.metadata.deletionTimestamp || !p.spec.nodeName) continue;
      const node = this.o.nodes.get(p.spec.nodeName);
      const ready = node?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      if (node && !ready && node.spec?.taints?.some((t) => t.key === OUT_OF_SERVICE)) await this.forceDelete(p, undefined, signal, 'terminating pod on an out-of-service node');
    }
  }

  private async gcOrphaned(pods: readonly Pod[], signal: AbortSignal): Promise<void> {
    const now = this.o.clock.now();
    const missing = new Set<string>();
    for (const p of pods) if (p.spec.nodeName && !this.o.nodes.get(p.spec.nodeName)) missing.add(p.spec.nodeName);
    for (const name of this.missingSince.keys()) if (!missing.has(name)) this.missingSince.delete(name);
    for (const name of missing) {
      const since = this.missingSince.get(name) ?? (this.missingSince.set(name, now), now);
      if (now - since < this.o.quarantineMs) continue;
      if (await this.nodeExists(name, signal)) {
        this.missingSince.delete(name);
        continue;
      }
      for (const p of pods) {
        if (p.spec.nodeName !== name) continue;
        await this.forceDelete(p, { reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' }, signal, 'orphaned pod');
      }
    }
  }

  private async nodeExists(name: string, signal: AbortSignal): Promise<boolean> {
    try {
      await this.o.nodesApi.get(name, { signal });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** kube's markFailedAndDeletePodWithCondition: a running pod is first marked Failed (with the condition), then deleted with grace 0. */
  private async forceDelete(pod: Pod, condition: { reason: string; message: string } | undefined, signal: AbortSignal, why: string): Promise<void> {
    const namespace = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    try {
      if (!terminal(pod) && condition) {
        const at = rfc3339(this.o.clock.now());
        await this.o.podsApi.patch(name, 'strategic-merge', {
          status: { phase: 'Failed', conditions: [{ type: 'DisruptionTarget', status: 'True', ...condition, lastTransitionTime: at }] },
        }, { signal, namespace, subresource: 'status' });
      }
      await this.o.podsApi.delete(name, { signal, namespace, options: { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid ?? '', resourceVersion: '' } } });
      this.o.log.info({ pod: objectKey(pod), node: pod.spec.nodeName, why }, 'forced deletion of pod');
    } catch (err) {
      if (!isNotFound(err)) this.o.log.warn({ pod: objectKey(pod), err: (err as Error).message }, 'cannot garbage collect pod');
    }
  }
}
