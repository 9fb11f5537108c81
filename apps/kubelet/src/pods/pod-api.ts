// The pod-side API calls of one node, made as that node (system:node:<name>): pods/status patches, events,
// the final delete. Events are aggregated as client-go's recorder does (a repeat bumps count).
import { ResourceClient, isNotFound, type KubeObject } from '@ekslab/client';
import type { ResourceServiceClient } from '@ekslab/proto';
import type { RuntimeEvent } from '@ekslab/kubelet';

const PODS = { group: '', version: 'v1', resource: 'pods' } as const;
const EVENTS = { group: '', version: 'v1', resource: 'events' } as const;

export interface PodRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly resourceVersion?: string | undefined;
}

/** Calls of one node. Failures reject (ApiError); the caller retries. */
export interface PodApi {
  /** Strategic-merge patch of pods/status with the uid as precondition (as the kubelet's status manager). */
  patchStatus(pod: PodRef, status: object, signal: AbortSignal): Promise<void>;
  /** Deletes with gracePeriodSeconds 0 and a uid precondition; resolves false when the pod is already gone. */
  deletePod(pod: PodRef, signal: AbortSignal): Promise<boolean>;
  createEvent(event: KubeObject, signal: AbortSignal): Promise<void>;
  /** Bumps count/lastTimestamp of an event this node created. */
  patchEvent(namespace: string, name: string, patch: object, signal: AbortSignal): Promise<void>;
}

type Obj = KubeObject & Record<string, unknown>;

export function grpcPodApi(service: ResourceServiceClient, token: string): PodApi {
  const pods = new ResourceClient<Obj>({ service, gvr: PODS, token });
  const events = new ResourceClient<Obj>({ service, gvr: EVENTS, token });
  return {
    patchStatus: async (pod, status, signal) => {
      await pods.patch(pod.name, 'strategic-merge', { metadata: { uid: pod.uid }, status }, { signal, namespace: pod.namespace, subresource: 'status' });
    },
    deletePod: async (pod, signal) => {
      try {
        await pods.delete(pod.name, { signal, namespace: pod.namespace, options: { gracePeriodSeconds: 0, preconditions: { uid: pod.uid, resourceVersion: '' } } });
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },
    createEvent: async (event, signal) => {
      await events.create(event as Obj, { signal, namespace: event.metadata.namespace ?? 'default' });
    },
    patchEvent: async (namespace, name, patch, signal) => {
      await events.patch(name, 'merge', patch, { signal, namespace });
    },
  };
}

const MAX_DISTINCT_EVENTS = 32;

const time = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Per-pod event recorder: core/v1 Events from the kubelet (source kubelet/<node>), repeats aggregated by count. */
export class PodEventRecorder {
  /** Recent distinct events (insertion order); bounded so a pod retrying with new messages stays small. */
  private readonly seen = new Map<string, { name: string; count: number; first: number }>();
  private created = 0;

  constructor(private readonly node: string) {}

  async record(api: PodApi, pod: PodRef, e: RuntimeEvent, signal: AbortSignal): Promise<void> {
    const key = `${e.fieldPath ?? ''}\u0000${e.type}\u0000${e.reason}\u0000${e.message}`;
    const prior = this.seen.get(key);
    if (prior !== undefined) {
      prior.count++;
      await api.patchEvent(pod.namespace, prior.name, { count: prior.count, lastTimestamp: time(e.at) }, signal);
      return;
    }
    // The recorder's name: `<object>.<UnixNano in hex>`.
    const name = `${pod.name}.${(BigInt(e.at) * 1_000_000n + BigInt(this.created++ % 1_000_000)).toString(16)}`;
    await api.createEvent({
      apiVersion: 'v1', kind: 'Event',
      metadata: { name, namespace: pod.namespace },
      involvedObject: {
        apiVersion: 'v1', kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid,
        ...(pod.resourceVersion !== undefined ? { resourceVersion: pod.resourceVersion } : {}),
        ...(e.fieldPath !== undefined ? { fieldPath: e.fieldPath } : {}),
      },
      reason: e.reason, message: e.message, type: e.type, count: 1,
      firstTimestamp: time(e.at), lastTimestamp: time(e.at),
      source: { component: 'kubelet', host: this.node },
      reportingComponent: 'kubelet', reportingInstance: this.node,
    } as KubeObject, signal);
    this.seen.set(key, { name, count: 1, first: e.at });
    if (this.seen.size > MAX_DISTINCT_EVENTS) this.seen.delete(this.seen.keys().next().value!);
  }
}
