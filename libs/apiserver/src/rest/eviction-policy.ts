import { labelSelectorAsSelector, newForbidden, newTimeout, newTooManyRequests, StatusError, type LabelSelectorObject, type Status } from '@ekslab/apimachinery';
import { timestamp, type KubeObject } from './objects.js';

// The decisions of kube's EvictionREST (pkg/registry/core/pod/storage/eviction.go), without I/O.

/** More entries than this in status.disruptedPods and evictions are refused (the PDB controller is behind). */
export const maxDisruptedPodSize = 2000;
/** kube's EvictionsRetry: how many times a conflicting write is retried. */
export const evictionRetries = 20;

export interface PdbStatus {
  observedGeneration?: number;
  disruptionsAllowed?: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  expectedPods?: number;
  disruptedPods?: Record<string, string>;
  conditions?: Array<Record<string, unknown>>;
}

const phaseOf = (pod: KubeObject): string | undefined => (pod.status as { phase?: string } | undefined)?.phase;
const statusOf = (pdb: KubeObject): PdbStatus => (pdb.status ?? {});

/** Terminal, pending or already deleting pods are deleted without looking at any budget. */
export function canIgnorePdb(pod: KubeObject): boolean {
  const phase = phaseOf(pod);
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || Boolean(pod.metadata.deletionTimestamp);
}

/** Whether the delete must carry the pod's resourceVersion (so a pod turning ready meanwhile is not lost). */
export function shouldEnforceResourceVersion(pod: KubeObject): boolean {
  const phase = phaseOf(pod);
  return !(phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp);
}

/** podutil.IsPodReady: a Ready condition with status True. */
export function isPodReady(pod: KubeObject): boolean {
  const conditions = (pod.status as { conditions?: Array<{ type?: string; status?: string }> } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * The budgets in the pod's namespace whose selector matches its labels. A selector that does not parse,
 * or a nil or empty one, matches nothing (not everything).
 */
export function matchingPdbs(pod: KubeObject, pdbs: readonly KubeObject[]): KubeObject[] {
  return pdbs.filter((pdb) => {
    if (pdb.metadata.namespace !== pod.metadata.namespace) return false;
    try {
      const selector = labelSelectorAsSelector((pdb.spec as { selector?: LabelSelectorObject } | undefined)?.selector);
      return !selector.isEmpty() && selector.matches(pod.metadata.labels ?? {});
    } catch {
      return false;
    }
  });
}

/** 500 with kube's message (a Status without a reason) for a pod covered by more than one budget. */
export const multiplePdbsStatus: Status = {
  kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
  message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500,
};

/**
 * For a pod that is not Ready: delete it without spending the budget when the PDB says
 * `unhealthyPodEvictionPolicy: AlwaysAllow`, or (IfHealthyBudget, the default) when the application is
 * healthy enough already (currentHealthy ≥ desiredHealthy > 0). Otherwise the budget decides.
 */
export function unhealthyPodBypassesBudget(pod: KubeObject, pdb: KubeObject): boolean {
  if (isPodReady(pod)) return false;
  if ((pdb.spec as { unhealthyPodEvictionPolicy?: string } | undefined)?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return true;
  const s = statusOf(pdb);
  return (s.currentHealthy ?? 0) >= (s.desiredHealthy ?? 0) && (s.desiredHealthy ?? 0) > 0;
}

/** 429 "would violate the budget" with a DisruptionBudget cause; retry after 10 s when the budget is stale. */
export function tooManyRequests(pdbName: string): StatusError {
  const status = newTooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 10);
  return new StatusError({ ...status, details: { ...status.details, causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdbName} is still being processed by the server.` }] } });
}

/** 504 after too many conflicting PDB writes. */
export const pdbConflictsTimeout = (pdbName: string): StatusError => new StatusError(newTimeout(`couldn't update PodDisruptionBudget ${JSON.stringify(pdbName)} due to conflicts`, 10));

/**
 * checkAndDecrement: the PDB after spending one disruption on `podName` (disruptionsAllowed − 1, the pod
 * recorded in status.disruptedPods at `now`, DisruptionAllowed=False when it reaches 0), or the Status
 * error that refuses the eviction: 429 while the status is older than the spec (observedGeneration <
 * generation) or when no disruption is allowed, 403 when disruptionsAllowed is negative or disruptedPods
 * is over `maxDisruptedPodSize`. With `dryRun` the pod is not recorded.
 */
export function checkAndDecrement(pdb: KubeObject, podName: string, now: number, dryRun: boolean): KubeObject {
  const name = pdb.metadata.name ?? '';
  const s = statusOf(pdb);
  if ((s.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw tooManyRequests(name);
  const allowed = s.disruptionsAllowed ?? 0;
  const forbidden = (reason: string) => new StatusError(newForbidden({ group: 'policy', resource: 'poddisruptionbudget' }, name, reason));
  if (allowed < 0) throw forbidden('pdb disruptions allowed is negative');
  if (Object.keys(s.disruptedPods ?? {}).length > maxDisruptedPodSize) throw forbidden('DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if (allowed === 0) {
    const status = newTooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 0);
    throw new StatusError({
      ...status,
      details: { ...status.details, causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${name} needs ${s.desiredHealthy ?? 0} healthy pods and has ${s.currentHealthy ?? 0} currently` }] },
    });
  }
  const next: PdbStatus = { ...s, disruptionsAllowed: allowed - 1 };
  if (next.disruptionsAllowed === 0) next.conditions = withDisruptionAllowed(s, now);
  if (!dryRun) next.disruptedPods = { ...s.disruptedPods, [podName]: timestamp(now) };
  return { ...pdb, status: next };
}

/** pdbhelper.UpdateDisruptionAllowedCondition for a budget with no disruption left. */
function withDisruptionAllowed(s: PdbStatus, now: number): Array<Record<string, unknown>> {
  const conditions = [...(s.conditions ?? [])];
  const i = conditions.findIndex((c) => c['type'] === 'DisruptionAllowed');
  const old = conditions[i];
  const next = {
    type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: s.observedGeneration ?? 0,
    lastTransitionTime: old && old['status'] === 'False' ? old['lastTransitionTime'] : timestamp(now),
  };
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
  return conditions;
}
