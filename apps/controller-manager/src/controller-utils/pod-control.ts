import { isNotFound, type KubeObject, type ResourceClient } from '@ekslab/client';
import type { LabelSelector } from '@ekslab/apimachinery';
import type { EventRecorder } from '../framework/recorder.js';
import { controllerOf } from './pods.js';
import type { OwnerReference, Pod, PodTemplateSpec } from './types.js';

/** The pod a controller creates from its template (controller.GetPodFromTemplate). */
export function podFromTemplate(template: PodTemplateSpec, owner: KubeObject, controllerRef: OwnerReference): Pod {
  const meta = template.metadata ?? {};
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      // kube: the owner's name plus '-' (names longer than 58 characters are cut by the apiserver's generator).
      generateName: `${owner.metadata.name ?? ''}-`,
      namespace: owner.metadata.namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [controllerRef],
    },
    spec: structuredClone(template.spec),
  };
}

export interface PodControlOptions {
  /** Pods, written as the controller's identity. */
  readonly pods: ResourceClient<Pod>;
  readonly recorder: EventRecorder;
}

/**
 * kube's RealPodControl: creates a controller's pods from its template and deletes them, recording
 * `SuccessfulCreate` / `FailedCreate` / `SuccessfulDelete` / `FailedDelete` events on the owner with kube's
 * messages. A delete of a pod that is already gone succeeds (returns false).
 */
export class PodControl {
  constructor(private readonly o: PodControlOptions) {}

  async create(template: PodTemplateSpec, owner: KubeObject, controllerRef: OwnerReference, signal: AbortSignal, mutate?: (pod: Pod) => void): Promise<Pod> {
    const pod = podFromTemplate(template, owner, controllerRef);
    mutate?.(pod);
    try {
      const created = await this.o.pods.create(pod, { signal, namespace: owner.metadata.namespace ?? '' });
      this.o.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name ?? ''}`);
      return created;
    } catch (err) {
      if (!signal.aborted) this.o.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Deletes the pod (background propagation); false when it was already gone. */
  async delete(pod: Pod, owner: KubeObject, signal: AbortSignal): Promise<boolean> {
    try {
      await this.o.pods.delete(pod.metadata.name ?? '', { signal, namespace: pod.metadata.namespace ?? '' });
      this.o.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name ?? ''}`);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      if (!signal.aborted) this.o.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
      throw err;
    }
  }
}

export interface ClaimOptions<T extends KubeObject> {
  readonly owner: KubeObject;
  /** The owner's controller reference (what adoption writes). */
  readonly controllerRef: OwnerReference;
  readonly selector: LabelSelector;
  /** Patches an object's metadata (a strategic merge patch) as the controller's identity. */
  readonly patch: (obj: T, patch: unknown, signal: AbortSignal) => Promise<void>;
  /**
   * Called once before the first adoption: kube re-reads the owner from the API (quorum) and refuses to adopt
   * when it is being deleted or was replaced (different uid). Throw to refuse.
   */
  readonly canAdopt: (signal: AbortSignal) => Promise<void>;
}

/**
 * kube's ControllerRefManager.Claim: of `objects` (in the owner's namespace), returns the ones the owner
 * controls after adopting orphans that match its selector and releasing owned ones that no longer match.
 * Objects controlled by someone else, and objects being deleted that are not already owned, are left alone.
 * A failed adopt or release that is NotFound is ignored (the object is gone); other errors propagate.
 */
export async function claim<T extends KubeObject>(objects: readonly T[], o: ClaimOptions<T>, signal: AbortSignal): Promise<T[]> {
  const claimed: T[] = [];
  let adoptable: boolean | undefined;
  const ownerUid = o.owner.metadata.uid;
  for (const obj of objects) {
    const ref = controllerOf(obj);
    const matches = o.selector.matches(obj.metadata.labels);
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (matches || o.owner.metadata.deletionTimestamp) {
        claimed.push(obj);
        continue;
      }
      await ignoreGone(o.patch(obj, { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: obj.metadata.uid } }, signal));
      continue;
    }
    if (!matches || o.owner.metadata.deletionTimestamp || obj.metadata.deletionTimestamp) continue;
    if (adoptable === undefined) {
      try {
        await o.canAdopt(signal);
        adoptable = true;
      } catch {
        adoptable = false;
      }
    }
    if (!adoptable) continue;
    try {
      await o.patch(obj, { metadata: { ownerReferences: [o.controllerRef], uid: obj.metadata.uid } }, signal);
      claimed.push(obj);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return claimed;
}

async function ignoreGone(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

