import type { KubeObject } from '../rest/objects.js';
import { computeQosClass } from './qos.js';
import type { AdmissionPlugin } from './types.js';

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/**
 * SetDefaults_Pod's part that rest/defaults.ts leaves out: a container that sets limits but not requests
 * gets requests equal to its limits (pods only, not templates, as in Kubernetes). Mutates `pod`.
 */
export function defaultRequestsFromLimits(pod: KubeObject): void {
  const spec = asObj(pod.spec);
  for (const list of ['containers', 'initContainers'] as const) {
    for (const c of (spec[list] as Obj[] | undefined) ?? []) {
      const resources = asObj(c['resources']);
      const limits = resources['limits'] as Obj | undefined;
      if (!limits || Object.keys(limits).length === 0) continue;
      const requests = (resources['requests'] ??= {}) as Obj;
      for (const [name, value] of Object.entries(limits)) if (requests[name] === undefined) requests[name] = value;
      c['resources'] = resources;
    }
  }
}

/**
 * Pod defaults and the pod strategy's PrepareForCreate: requests from limits on every write; on create the
 * status kube-apiserver starts a pod with, `{ phase: Pending, qosClass }`, the class computed as
 * ComputePodQOS does. Runs last among the pod plugins so the class sees their changes.
 */
export const podDefaults: AdmissionPlugin = {
  name: 'PodDefaults',
  admit(req) {
    if (req.info.resource !== 'pods' || req.subresource) return Promise.resolve();
    defaultRequestsFromLimits(req.object);
    if (req.operation === 'CREATE') {
      req.object.status = { phase: 'Pending', qosClass: computeQosClass(asObj(req.object.spec)) };
    }
    return Promise.resolve();
  },
};
