import { collectionKeyFor, keyFor, NotFoundError } from '@ekslab/storage';
import type { KubeObject } from '../rest/objects.js';
import { forbidden } from './errors.js';
import type { AdmissionPlugin, AdmissionRequest } from './types.js';

/** The PriorityClasses kube-apiserver creates at startup (pkg/apis/scheduling: SystemPriorityClasses). */
export const systemPriorityClasses = [
  { name: 'system-node-critical', value: 2_000_001_000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: 2_000_000_000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
] as const;

interface PriorityClass extends KubeObject {
  value?: number;
  globalDefault?: boolean;
  preemptionPolicy?: string;
}

interface PodSpec {
  priorityClassName?: string;
  priority?: number;
  preemptionPolicy?: string;
}

const pcKey = (name: string): string => keyFor({ group: 'scheduling.k8s.io', resource: 'priorityclasses', name });

/** The PriorityClasses; `cached`: from the watch cache when there is one (as the plugin's lister reads them). */
async function listClasses(req: AdmissionRequest, cached = false): Promise<readonly PriorityClass[]> {
  const prefix = collectionKeyFor({ group: 'scheduling.k8s.io', resource: 'priorityclasses' });
  const fromCache = cached ? req.cached?.list(prefix) : undefined;
  return fromCache ?? (await req.store.list<PriorityClass>(prefix, { signal: req.signal })).items;
}

/** The global default class (the lowest-valued one if several claim it), as getDefaultPriorityClass picks. */
export function pickDefault(classes: readonly PriorityClass[]): PriorityClass | undefined {
  let best: PriorityClass | undefined;
  for (const pc of classes) if (pc.globalDefault && (best === undefined || (pc.value ?? 0) < (best.value ?? 0))) best = pc;
  return best;
}

async function lookup(req: AdmissionRequest, name: string): Promise<PriorityClass | undefined> {
  // The cache first; on a miss etcd, so a class created a moment ago is found.
  const cached = req.cached?.get(pcKey(name));
  if (cached) return cached;
  try {
    return await req.store.get<PriorityClass>(pcKey(name), { signal: req.signal });
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    // Until the bootstrap writes them, the built-in classes resolve without being stored.
    const builtin = systemPriorityClasses.find((c) => c.name === name);
    return builtin ? { metadata: { name }, value: builtin.value, preemptionPolicy: 'PreemptLowerPriority' } : undefined;
  }
}

async function admitPod(req: AdmissionRequest): Promise<void> {
  const spec = (req.object.spec ??= {}) as PodSpec;
  if (req.operation === 'UPDATE') {
    // Set on create; an update keeps them whatever it sends.
    const old = (req.oldObject?.spec ?? {}) as PodSpec;
    for (const f of ['priority', 'preemptionPolicy'] as const) {
      if (old[f] === undefined) delete spec[f];
      else (spec as Record<string, unknown>)[f] = old[f];
    }
    return;
  }
  let priority = 0;
  let preemptionPolicy = 'PreemptLowerPriority';
  if (!spec.priorityClassName) {
    const pc = pickDefault(await listClasses(req, true));
    if (pc) {
      spec.priorityClassName = pc.metadata.name!;
      priority = pc.value ?? 0;
      preemptionPolicy = pc.preemptionPolicy ?? preemptionPolicy;
    }
  } else {
    const pc = await lookup(req, spec.priorityClassName);
    if (!pc) throw forbidden(req, `no PriorityClass with name ${spec.priorityClassName} was found`);
    priority = pc.value ?? 0;
    preemptionPolicy = pc.preemptionPolicy ?? preemptionPolicy;
  }
  // What the client sent, not what defaulting filled in, is checked against the computed values.
  const sent = (req.input?.['spec'] ?? {}) as PodSpec;
  if (typeof sent.priority === 'number' && sent.priority !== priority) {
    throw forbidden(req, `the integer value of priority (${sent.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  if (sent.preemptionPolicy !== undefined && sent.preemptionPolicy !== preemptionPolicy) {
    throw forbidden(req, `the string value of PreemptionPolicy (${sent.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${preemptionPolicy} from the given PriorityClass name`);
  }
  spec.priority = priority;
  spec.preemptionPolicy = preemptionPolicy;
}

/** Only one PriorityClass may be the global default. */
async function admitPriorityClass(req: AdmissionRequest): Promise<void> {
  const pc = req.object as PriorityClass;
  pc.preemptionPolicy ??= 'PreemptLowerPriority';
  if (!pc.globalDefault) return;
  const current = pickDefault(await listClasses(req));
  if (current && (req.operation === 'CREATE' || current.metadata.name !== pc.metadata.name)) {
    throw forbidden(req, `PriorityClass ${String(current.metadata.name)} is already marked as default. Only one default can exist`);
  }
}

/**
 * Priority admission (plugin/pkg/admission/priority): on pod CREATE, `priorityClassName` resolves to
 * `priority` and `preemptionPolicy` (403 `no PriorityClass with name <x> was found` for an unknown one);
 * without a name the global-default class applies, else priority 0 and PreemptLowerPriority. On UPDATE the
 * stored values are kept. PriorityClass writes: at most one `globalDefault`.
 */
export const priorityAdmission: AdmissionPlugin = {
  name: 'Priority',
  async admit(req) {
    if (req.subresource) return;
    if (req.info.resource === 'pods') return admitPod(req);
    if (req.info.resource === 'priorityclasses') return admitPriorityClass(req);
  },
};
