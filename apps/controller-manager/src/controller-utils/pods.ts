import type { KubeObject } from '@ekslab/client';
import type { Condition, Meta, OwnerReference, Pod } from './types.js';

/** The owner reference with `controller: true`, if any (metav1.GetControllerOf). */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata as Meta).ownerReferences?.find((r) => r.controller === true);
}

/** A controller reference to `owner` (metav1.NewControllerRef): controller and blockOwnerDeletion set. */
export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

export function podCondition(pod: Pod, type: string): Condition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

/** The pod's Ready condition is True (podutil.IsPodReady). */
export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

/**
 * Ready for at least `minReadySeconds` by `nowMs` (podutil.IsPodAvailable): with minReadySeconds 0 a ready
 * pod is available at once; otherwise the Ready condition's lastTransitionTime must be old enough.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  const ready = podCondition(pod, 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= nowMs;
}

/** Neither finished (Succeeded/Failed) nor being deleted (controller.IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

export function isPodTerminating(pod: Pod): boolean {
  return pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
}

/** `kubectl`-style RFC 3339 time with second precision (metav1.Time). */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The pods-by-node index (`spec.nodeName`) controllers share on the pod informer. */
export const POD_NODE_INDEX = 'spec.nodeName';
export const podNodeIndexFunc = (pod: Pod): string[] => (pod.spec.nodeName ? [pod.spec.nodeName] : []);
