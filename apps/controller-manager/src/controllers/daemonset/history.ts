// The DaemonSet's history as ControllerRevisions (kube's pkg/controller/daemon/update.go): one revision per
// distinct template, named `<ds>-<hash>`, whose data is the patch `kubectl rollout undo` applies.
import { isAlreadyExists, type ResourceClient } from '@ekslab/client';
import type { LabelSelector } from '@ekslab/apimachinery';
import { claim, newControllerRef, type Pod } from '../../controller-utils/index.js';
import { REVISION_HASH_LABEL, type ControllerRevision, type DaemonSet } from './types.js';
import { computeHash, revisionData, revisionMatches } from './util.js';

export interface HistoryApi {
  readonly revisions: ResourceClient<ControllerRevision>;
  readonly daemonSets: ResourceClient<DaemonSet>;
  readonly pods: ResourceClient<Pod>;
  /** The DaemonSet's revisions and orphans in its namespace, from the cache. */
  readonly cachedRevisions: (namespace: string) => ControllerRevision[];
  /** Re-reads the DaemonSet and refuses adoption when it was deleted or replaced (canAdopt). */
  readonly canAdopt: (ds: DaemonSet, signal: AbortSignal) => Promise<void>;
}

export class StaleCollisionCountError extends Error {
  override readonly name = 'StaleCollisionCountError';
}

const byRevision = (a: ControllerRevision, b: ControllerRevision): number => a.revision - b.revision;

/**
 * constructHistory: claims the DaemonSet's revisions, splits them into the current one (its data matches
 * the template) and the old ones, creates the current one when missing, removes duplicates, and makes sure
 * the current one has the highest revision number (a `rollout undo` brings an old revision back on top).
 */
export async function constructHistory(api: HistoryApi, ds: DaemonSet, selector: LabelSelector, signal: AbortSignal): Promise<{ cur: ControllerRevision; old: ControllerRevision[] }> {
  const ns = ds.metadata.namespace ?? '';
  const histories = await claim(api.cachedRevisions(ns), {
    owner: ds, controllerRef: newControllerRef(ds, 'apps/v1', 'DaemonSet'), selector,
    patch: async (r, patch, s) => void (await api.revisions.patch(r.metadata.name ?? '', 'strategic-merge', patch, { signal: s, namespace: ns })),
    canAdopt: (s) => api.canAdopt(ds, s),
  }, signal);
  const current: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (let h of histories) {
    if (h.metadata.labels?.[REVISION_HASH_LABEL] === undefined) {
      // Older revisions lack the label: the name stands in for the hash.
      const labeled = structuredClone(h);
      labeled.metadata.labels = { ...labeled.metadata.labels, [REVISION_HASH_LABEL]: h.metadata.name ?? '' };
      h = await api.revisions.update(labeled, { signal, namespace: ns });
    }
    (revisionMatches(ds, h.data) ? current : old).push(h);
  }
  const next = old.reduce((m, h) => Math.max(m, h.revision), 0) + 1;
  if (current.length === 0) return { cur: await snapshot(api, ds, next, signal), old };
  let cur = await dedup(api, ds, current, signal);
  if (cur.revision < next) cur = await api.revisions.update({ ...structuredClone(cur), revision: next }, { signal, namespace: ns });
  return { cur, old };
}

/** snapshot: creates the revision of the current template; a name taken by another template bumps collisionCount. */
async function snapshot(api: HistoryApi, ds: DaemonSet, revision: number, signal: AbortSignal): Promise<ControllerRevision> {
  const ns = ds.metadata.namespace ?? '';
  const hash = computeHash(ds.spec.template, ds.status?.collisionCount);
  const name = `${ds.metadata.name ?? ''}-${hash}`;
  const history: ControllerRevision = {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name, namespace: ns,
      labels: { ...ds.spec.template.metadata?.labels, [REVISION_HASH_LABEL]: hash },
      ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(ds, 'apps/v1', 'DaemonSet')],
    },
    data: revisionData(ds),
    revision,
  };
  try {
    return await api.revisions.create(history, { signal, namespace: ns });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const existing = await api.revisions.get(name, { signal, namespace: ns });
    if (revisionMatches(ds, existing.data)) return existing;
    // A hash collision: count it in status so the next attempt hashes differently.
    const fresh = await api.daemonSets.get(ds.metadata.name ?? '', { signal, namespace: ns });
    if ((fresh.status?.collisionCount ?? undefined) !== (ds.status?.collisionCount ?? undefined)) {
      throw new StaleCollisionCountError(`found a stale collision count (${String(ds.status?.collisionCount)}, expected ${String(fresh.status?.collisionCount)}) of DaemonSet "${ds.metadata.name ?? ''}" while processing; will retry until it is updated`);
    }
    fresh.status = { ...fresh.status, collisionCount: (fresh.status?.collisionCount ?? 0) + 1 };
    await api.daemonSets.update(fresh, { signal, namespace: ns, subresource: 'status' });
    throw err;
  }
}

/** dedupCurHistories: of several revisions with the current template, keeps the highest and moves pods onto its hash. */
async function dedup(api: HistoryApi, ds: DaemonSet, current: ControllerRevision[], signal: AbortSignal): Promise<ControllerRevision> {
  const sorted = [...current].sort(byRevision);
  const keep = sorted[sorted.length - 1]!;
  const ns = ds.metadata.namespace ?? '';
  const keepHash = keep.metadata.labels?.[REVISION_HASH_LABEL] ?? '';
  for (const dup of sorted.slice(0, -1)) {
    const dupHash = dup.metadata.labels?.[REVISION_HASH_LABEL];
    const { items } = await api.pods.inNamespace(ns).listAll({ labelSelector: `${REVISION_HASH_LABEL}=${dupHash ?? ''}` }, signal);
    for (const pod of items) {
      await api.pods.patch(pod.metadata.name ?? '', 'strategic-merge', { metadata: { labels: { [REVISION_HASH_LABEL]: keepHash } } }, { signal, namespace: ns });
    }
    await api.revisions.delete(dup.metadata.name ?? '', { signal, namespace: ns });
  }
  return keep;
}

/**
 * cleanupHistory: deletes the oldest old revisions beyond revisionHistoryLimit (default 10), sparing any
 * revision a live pod still carries the hash of.
 */
export async function cleanupHistory(api: HistoryApi, ds: DaemonSet, old: readonly ControllerRevision[], pods: readonly Pod[], signal: AbortSignal): Promise<void> {
  let toKill = old.length - (ds.spec.revisionHistoryLimit ?? 10);
  if (toKill <= 0) return;
  const live = new Set(pods.map((p) => p.metadata.labels?.[REVISION_HASH_LABEL]).filter((h): h is string => !!h));
  for (const h of [...old].sort(byRevision)) {
    if (toKill <= 0) break;
    if (live.has(h.metadata.labels?.[REVISION_HASH_LABEL] ?? '')) continue;
    await api.revisions.delete(h.metadata.name ?? '', { signal, namespace: ds.metadata.namespace ?? '' });
    toKill -= 1;
  }
}
