import { aggregateMessage, failure as apiFailure, fieldNotSupported, fieldRequired, newConflict, StatusError, type FieldError } from '@ekslab/apimachinery';
import type { EtcdStore } from '@ekslab/storage';
import { failure } from '../http/status.js';
import { findResource } from '../resources.js';
import { timestamp, type KubeObject } from './objects.js';
import { mapStorageError, type Registry } from './registry.js';

/** What the subresource writers (binding, eviction, token) need, over REST and gRPC alike. */
export interface SubresourceCall {
  readonly registry: Registry;
  readonly store: EtcdStore;
  readonly now: () => number;
  readonly dryRun: boolean;
  readonly signal: AbortSignal;
}

/** `{kind: Status, status: Success, code: 201}`: what kube-apiserver answers a binding or an eviction with. */
export const createdStatus = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } as const;

export const podsInfo = findResource('', 'v1', 'pods')!;

interface PodCondition {
  type: string;
  status: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/**
 * podutil.UpdatePodCondition: replaces the condition of that type (or appends it); lastTransitionTime is
 * now unless the status is unchanged. Returns the conditions to store.
 */
export function withPodCondition(status: Record<string, unknown> | undefined, condition: PodCondition, now: number): PodCondition[] {
  const conditions = [...((status?.['conditions'] as PodCondition[] | undefined) ?? [])];
  const i = conditions.findIndex((c) => c.type === condition.type);
  const old = i >= 0 ? conditions[i] : undefined;
  const next: PodCondition = { ...condition, lastProbeTime: null, lastTransitionTime: old && old.status === condition.status && old.lastTransitionTime ? old.lastTransitionTime : timestamp(now) };
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
  return conditions;
}

/** ValidatePodBinding; kube returns these as a plain error, so the client gets 500 with no reason. */
function validateBinding(target: { kind?: unknown; name?: unknown }): void {
  const errs: FieldError[] = [];
  if (typeof target.kind === 'string' && target.kind !== '' && target.kind !== 'Node') errs.push(fieldNotSupported('target.kind', target.kind, ['Node', '<empty>']));
  if (typeof target.name !== 'string' || target.name === '') errs.push(fieldRequired('target.name'));
  if (errs.length > 0) throw new StatusError(apiFailure(500, '', aggregateMessage(errs) ?? ''));
}

/**
 * `POST pods/<name>/binding` (kube's BindingREST): sets spec.nodeName of an unbound pod in one
 * compare-and-swap, merges the Binding's annotations into the pod's and sets PodScheduled=True. A pod
 * already bound, being deleted or with scheduling gates is 409 Conflict on `pods/binding`, worded as
 * kube-apiserver words it; a Binding whose metadata.uid is set must match the pod's uid.
 */
export async function bindPod(call: SubresourceCall, namespace: string, name: string, binding: Record<string, unknown>): Promise<typeof createdStatus> {
  const meta = (binding['metadata'] ?? {}) as { name?: string; uid?: string; annotations?: Record<string, string> };
  if (meta.name !== name) throw failure(400, 'BadRequest', 'name in URL does not match name in Binding object');
  const target = (binding['target'] ?? {}) as { kind?: unknown; name?: unknown };
  validateBinding(target);
  const node = target.name as string;
  const conflict = (reason: string) => new StatusError(newConflict({ group: '', resource: 'pods/binding' }, name, reason));
  const bind = (pod: KubeObject): KubeObject => {
    if (meta.uid && pod.metadata.uid !== meta.uid) {
      throw new StatusError(newConflict({ group: '', resource: 'pods' }, name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${String(pod.metadata.uid)}`));
    }
    const spec = (pod.spec ?? {}) as { nodeName?: string; schedulingGates?: unknown[] };
    if (pod.metadata.deletionTimestamp) throw conflict(`pod ${name} is being deleted, cannot be assigned to a host`);
    if (spec.nodeName) throw conflict(`pod ${name} is already assigned to node ${JSON.stringify(spec.nodeName)}`);
    if ((spec.schedulingGates?.length ?? 0) > 0) throw conflict(`pod ${name} has non-empty .spec.schedulingGates`);
    pod.spec = { ...spec, nodeName: node };
    if (meta.annotations) pod.metadata.annotations = { ...pod.metadata.annotations, ...meta.annotations };
    const status = (pod.status ?? {}) as Record<string, unknown>;
    pod.status = { ...status, conditions: withPodCondition(status, { type: 'PodScheduled', status: 'True' }, call.now()) };
    return pod;
  };
  const key = call.registry.keyOf({ info: podsInfo, namespace, name });
  try {
    if (call.dryRun) bind(await call.store.get<KubeObject>(key, { signal: call.signal }));
    else await call.store.guaranteedUpdate<KubeObject>(key, bind, { signal: call.signal });
  } catch (err) {
    throw mapStorageError(err, podsInfo, name);
  }
  return createdStatus;
}
