// Indexed completion mode (kube's indexed_job_utils.go): each pod carries an index in [0, completions) and the
// Job completes when every index has a succeeded pod; status.completedIndexes lists them as "0-2,5".
import type { Pod } from '../../controller-utils/index.js';
import { JOB_COMPLETION_INDEX, type Job } from './types.js';

export const isIndexedJob = (job: Job): boolean => job.spec.completionMode === 'Indexed';

/** The pod's completion index, or undefined when the annotation is missing or malformed. */
export function completionIndex(pod: Pod): number | undefined {
  const raw = pod.metadata.annotations?.[JOB_COMPLETION_INDEX];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Indexes below `completions` listed in a completedIndexes string ("1,3-5"); malformed parts are skipped. */
export function parseIndexes(text: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    for (let i = first; i <= last && i < completions; i++) out.add(i);
  }
  return out;
}

/** The completedIndexes form of a set: sorted, consecutive runs as ranges ("0-2,4,6-7"). */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    if (j === i) parts.push(String(sorted[i]));
    else parts.push(`${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The indexes with a succeeded pod: those already in status plus the succeeded pods' valid indexes. */
export function succeededIndexes(job: Job, pods: readonly Pod[]): Set<number> {
  const completions = job.spec.completions ?? 0;
  const out = parseIndexes(job.status?.completedIndexes, completions);
  for (const p of pods) {
    if (p.status?.phase !== 'Succeeded') continue;
    const ix = completionIndex(p);
    if (ix !== undefined && ix < completions) out.add(ix);
  }
  return out;
}

/** The lowest `count` indexes that neither succeeded nor have an active pod (kube's firstPendingIndexes). */
export function firstPendingIndexes(job: Job, active: readonly Pod[], succeeded: ReadonlySet<number>, count: number): number[] {
  const completions = job.spec.completions ?? 0;
  const taken = new Set(active.map(completionIndex).filter((i): i is number => i !== undefined));
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!succeeded.has(i) && !taken.has(i)) out.push(i);
  return out;
}

/**
 * Active pods that must go whatever the parallelism (kube's appendDuplicatedIndexPodsForRemoval): those
 * without a valid index below completions, and all but one of the pods sharing an index.
 */
export function duplicatedIndexPods(job: Job, active: readonly Pod[]): { remove: Pod[]; keep: Pod[] } {
  const completions = job.spec.completions ?? 0;
  const remove: Pod[] = [];
  const keep: Pod[] = [];
  const seen = new Set<number>();
  for (const p of active) {
    const ix = completionIndex(p);
    if (ix === undefined || ix >= completions || seen.has(ix)) remove.push(p);
    else {
      seen.add(ix);
      keep.push(p);
    }
  }
  return { remove, keep };
}
