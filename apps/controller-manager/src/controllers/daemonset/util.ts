// kube's pkg/controller/daemon/util and the DaemonSet parts of pkg/controller: pod templates, update
// checks, rolling-update bounds, revision hashes and patches.
import type { Pod, PodTemplateSpec } from '../../controller-utils/index.js';
import { addDaemonPodTolerations } from './scheduling.js';
import { REVISION_HASH_LABEL, TEMPLATE_GENERATION_ANNOTATION, TEMPLATE_GENERATION_LABEL, type DaemonSet, type IntOrString } from './types.js';

/** The DaemonSet's template generation from its annotation; undefined when absent or not an integer (util.GetTemplateGeneration). */
export function templateGeneration(ds: DaemonSet): number | undefined {
  const raw = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (raw === undefined || !/^-?\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/** The template daemon pods are created from: daemon tolerations, generation and revision-hash labels (util.CreatePodTemplate). */
export function daemonPodTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
  const template = structuredClone(ds.spec.template);
  addDaemonPodTolerations(template.spec);
  const labels = { ...template.metadata?.labels };
  const generation = templateGeneration(ds);
  if (generation !== undefined) labels[TEMPLATE_GENERATION_LABEL] = String(generation);
  if (hash) labels[REVISION_HASH_LABEL] = hash;
  template.metadata = { ...template.metadata, labels };
  return template;
}

/** The pod was made from the current template: same revision hash, or same template generation (util.IsPodUpdated). */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  const templateMatches = generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === String(generation);
  const hashMatches = hash.length > 0 && labels[REVISION_HASH_LABEL] === hash;
  return hashMatches || templateMatches;
}

export class InvalidIntOrPercentError extends Error {
  override readonly name = 'InvalidIntOrPercentError';
}

/** intstr.GetScaledValueFromIntOrPercent: `N` as is, `P%` of `total` rounded up or down. */
export function scaledValue(v: IntOrString, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) throw new InvalidIntOrPercentError(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** How many of `desired` daemon pods may be unavailable during a rolling update (util.UnavailableCount); 0 for OnDelete. */
export function maxUnavailable(ds: DaemonSet, desired: number): number {
  const s = ds.spec.updateStrategy;
  if (s?.type !== 'RollingUpdate' || s.rollingUpdate?.maxUnavailable === undefined) return 0;
  return scaledValue(s.rollingUpdate.maxUnavailable, desired, true);
}

/** How many nodes may run an extra (new) daemon pod during a rolling update (util.SurgeCount); 0 when unset or OnDelete. */
export function maxSurge(ds: DaemonSet, desired: number): number {
  const s = ds.spec.updateStrategy;
  if (s?.type !== 'RollingUpdate' || s.rollingUpdate?.maxSurge === undefined) return 0;
  return scaledValue(s.rollingUpdate.maxSurge, desired, true);
}

/** The rolling update may surge (util.AllowsSurge). */
export function allowsSurge(ds: DaemonSet): boolean {
  try {
    return maxSurge(ds, 1) !== 0;
  } catch {
    return false;
  }
}

const created = (p: Pod): number => Date.parse(p.metadata.creationTimestamp ?? '') || 0;

/** podByCreationTimestampAndPhase: scheduled pods first, then oldest first, then by name. */
export function compareDaemonPods(a: Pod, b: Pod): number {
  const sa = !!a.spec.nodeName;
  const sb = !!b.spec.nodeName;
  if (sa !== sb) return sa ? -1 : 1;
  const ta = created(a);
  const tb = created(b);
  if (ta !== tb) return ta - tb;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** JSON with object keys sorted at every level (what Go's json.Marshal of a map writes). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * The revision's data (daemon.getPatch): a strategic merge patch that puts this template back, replacing
 * the whole template (`$patch: replace`). `kubectl rollout undo` sends it as is.
 */
export function revisionData(ds: DaemonSet): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(ds.spec.template), $patch: 'replace' } } };
}

/** The revision holds the DaemonSet's current template (daemon.Match). */
export function revisionMatches(ds: DaemonSet, data: unknown): boolean {
  return canonicalJson(revisionData(ds)) === canonicalJson(data);
}

// k8s.io/apimachinery/pkg/util/rand's alphabet (no vowels, no confusable characters).
const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * controller.ComputeHash: FNV-1a (32 bit) of the template, then of the collision count, written with
 * rand.SafeEncodeString. kube hashes Go's printed struct; this hashes the template's canonical JSON, so
 * the values differ from a real cluster's but have their shape and their stability.
 */
export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  let h = 0x811c9dc5;
  const write = (bytes: Uint8Array): void => {
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  };
  write(new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined) {
    const buf = new Uint8Array(4);
    new DataView(buf.buffer).setUint32(0, collisionCount >>> 0, true);
    write(buf);
  }
  return [...String(h >>> 0)].map((c) => alphanums[c.charCodeAt(0) % alphanums.length]).join('');
}
