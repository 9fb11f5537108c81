import { newConflict, StatusError } from '@ekslab/apimachinery';
import { ConflictError } from '@ekslab/storage';
import { failure, statusOf } from '../http/status.js';
import { findResource } from '../resources.js';
import { createdStatus, podsInfo, withPodCondition, type SubresourceCall } from './binding.js';
import {
  canIgnorePdb, checkAndDecrement, evictionRetries, matchingPdbs, multiplePdbsStatus, pdbConflictsTimeout, shouldEnforceResourceVersion, tooManyRequests,
  unhealthyPodBypassesBudget,
} from './eviction-policy.js';
import type { KubeObject } from './objects.js';
import { mapStorageError, type DeleteRequestOptions } from './registry.js';

const pdbInfo = findResource('policy', 'v1', 'poddisruptionbudgets')!;

/** The DeleteOptions an Eviction carries (propagationPolicy, gracePeriodSeconds, preconditions, dryRun). */
interface EvictionDeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

const isConflict = (err: unknown): boolean => {
  const s = statusOf(err);
  return s.code === 409 && s.reason === 'Conflict';
};

/**
 * `POST pods/<name>/eviction` with a policy/v1 (or v1beta1) Eviction, as kube's EvictionREST:
 * - a pod that is terminal, Pending or already being deleted is deleted without consulting any budget;
 * - otherwise the PodDisruptionBudgets selecting the pod decide: more than one is 500; a not-Ready pod may
 *   go without spending the budget (unhealthyPodEvictionPolicy); else one disruption is spent with a
 *   compare-and-swap on the PDB's status (429 when none is left or the status is stale);
 * - then the pod gets DisruptionTarget=True (reason EvictionByEvictionAPI) and is deleted with the
 *   Eviction's DeleteOptions (graceful for a pod on a node).
 * Answers `Status{Success, 201}`.
 */
export async function evictPod(call: SubresourceCall, namespace: string, name: string, eviction: Record<string, unknown>): Promise<typeof createdStatus> {
  const meta = (eviction['metadata'] ?? {}) as { name?: string };
  if (meta.name !== name) throw failure(400, 'BadRequest', 'name in URL does not match name in Eviction object');
  const options = propagateDryRun(eviction['deleteOptions'] as EvictionDeleteOptions | undefined, call.dryRun);
  const dryRun = (options.dryRun?.length ?? 0) > 0;
  const rvUnset = !options.preconditions?.resourceVersion;
  const podKey = call.registry.keyOf({ info: podsInfo, namespace, name });
  const getPod = async () => {
    try {
      return await call.store.get<KubeObject>(podKey, { signal: call.signal });
    } catch (err) {
      throw mapStorageError(err, podsInfo, name);
    }
  };

  let pod: KubeObject | undefined;
  for (let attempt = 1; ; attempt++) {
    pod = await getPod();
    if (!canIgnorePdb(pod)) break;
    const opts = shouldEnforceResourceVersion(pod) && rvUnset ? withResourceVersion(options, pod.metadata.resourceVersion) : options;
    try {
      await markAndDelete(call, namespace, name, podKey, opts, dryRun);
      return createdStatus;
    } catch (err) {
      // Conflicts are retried, unless the client pinned a resourceVersion itself.
      if (!isConflict(err) || !rvUnset || attempt >= evictionRetries) throw err;
    }
  }

  const listed = await call.store.list<KubeObject>(call.registry.prefixOf(pdbInfo, namespace), { signal: call.signal });
  const pdbs = matchingPdbs(pod, listed.items);
  if (pdbs.length > 1) throw new StatusError(multiplePdbsStatus);
  let pdbName: string | undefined;
  let bypass = false;
  if (pdbs.length === 1) {
    const pdb = pdbs[0]!;
    pdbName = pdb.metadata.name!;
    bypass = unhealthyPodBypassesBudget(pod, pdb);
    if (!bypass) await spendDisruption(call, pdb, name, dryRun);
  }
  const opts = bypass ? withResourceVersion(options, pod.metadata.resourceVersion) : options;
  try {
    await markAndDelete(call, namespace, name, podKey, opts, dryRun);
  } catch (err) {
    // The unready pod changed meanwhile (it may be Ready now): the client should try again.
    if (isConflict(err) && bypass && rvUnset) throw tooManyRequests(pdbName!);
    throw err;
  }
  return createdStatus;
}

/** Spends one disruption of `pdb` on the pod: compare-and-swap on the PDB, re-reading it after a conflict. */
async function spendDisruption(call: SubresourceCall, first: KubeObject, podName: string, dryRun: boolean): Promise<void> {
  const name = first.metadata.name!;
  const key = call.registry.keyOf({ info: pdbInfo, namespace: first.metadata.namespace, name });
  let pdb = first;
  for (let attempt = 1; attempt <= evictionRetries; attempt++) {
    const next = checkAndDecrement(pdb, podName, call.now(), dryRun);
    if (dryRun) return;
    try {
      await call.store.update(key, next, { signal: call.signal });
      return;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw mapStorageError(err, pdbInfo, name);
      try {
        pdb = await call.store.get<KubeObject>(key, { signal: call.signal });
      } catch (e) {
        throw mapStorageError(e, pdbInfo, name);
      }
    }
  }
  throw pdbConflictsTimeout(name);
}

/**
 * addConditionAndDeletePod: DisruptionTarget=True on the latest pod (checking the preconditions against
 * it), then the delete, with the resourceVersion precondition moved to the revision just written.
 */
async function markAndDelete(call: SubresourceCall, namespace: string, name: string, key: string, options: EvictionDeleteOptions, dryRun: boolean): Promise<void> {
  let opts = options;
  if (!dryRun) {
    let updated: KubeObject;
    try {
      updated = await call.store.guaranteedUpdate<KubeObject>(key, (pod) => {
        const pre = options.preconditions;
        const conflict = (reason: string) => new StatusError(newConflict({ group: '', resource: 'pods' }, name, reason));
        if (pre?.uid && pre.uid !== pod.metadata.uid) {
          throw conflict(`the UID in the precondition (${pre.uid}) does not match the UID in record (${String(pod.metadata.uid)}). The object might have been deleted and then recreated`);
        }
        if (pre?.resourceVersion && pre.resourceVersion !== pod.metadata.resourceVersion) {
          throw conflict(`the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${String(pod.metadata.resourceVersion)}). The object might have been modified`);
        }
        const status = (pod.status ?? {}) as Record<string, unknown>;
        pod.status = { ...status, conditions: withPodCondition(status, { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' }, call.now()) };
        return pod;
      }, { signal: call.signal });
    } catch (err) {
      throw mapStorageError(err, podsInfo, name);
    }
    if (options.preconditions?.resourceVersion) opts = withResourceVersion(options, updated.metadata.resourceVersion);
  }
  const del: DeleteRequestOptions = {
    dryRun, signal: call.signal,
    ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}),
    ...(opts.propagationPolicy ? { propagationPolicy: opts.propagationPolicy } : {}),
    ...(opts.preconditions ? { preconditions: opts.preconditions } : {}),
  };
  await call.registry.delete({ info: podsInfo, namespace, name }, del);
}

function withResourceVersion(options: EvictionDeleteOptions, rv: string | undefined): EvictionDeleteOptions {
  return { ...options, preconditions: { ...options.preconditions, ...(rv ? { resourceVersion: rv } : {}) } };
}

/** The request's dryRun goes into the Eviction's DeleteOptions; both set and different is an error. */
function propagateDryRun(options: EvictionDeleteOptions | undefined, requestDryRun: boolean): EvictionDeleteOptions {
  const fromRequest = requestDryRun ? ['All'] : [];
  if (!options) return { dryRun: fromRequest };
  if (!options.dryRun || options.dryRun.length === 0) return { ...options, dryRun: fromRequest };
  if (fromRequest.length === 0) return options;
  if (JSON.stringify(options.dryRun) !== JSON.stringify(fromRequest)) {
    throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Non-matching dry-run options in request and content: [${fromRequest.join(' ')}] and [${options.dryRun.join(' ')}]`, code: 500 });
  }
  return options;
}
