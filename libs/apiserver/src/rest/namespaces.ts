// What the generic registry does differently for namespaces (kube's pkg/registry/core/namespace): the
// `kubernetes` finalizer lives in spec.finalizers, changes only through `namespaces/finalize`, and holds
// the namespace in Terminating until the namespace controller has emptied it.
import { failure } from '../http/status.js';
import type { ResourceInfo } from '../resources.js';
import type { KubeObject } from './objects.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

export const isNamespaces = (info: Pick<ResourceInfo, 'group' | 'resource'>): boolean => info.group === '' && info.resource === 'namespaces';

/** spec.finalizers of a namespace (empty when unset). */
export function specFinalizers(ns: KubeObject): string[] {
  const f = obj(ns.spec)['finalizers'];
  return Array.isArray(f) ? f.map(String) : [];
}

/**
 * Fixes spec.finalizers of a namespace being updated: the main resource and `status` keep the stored
 * ones (kube's namespaceStrategy.PrepareForUpdate); `finalize` takes the request's (and nothing else:
 * namespaceFinalizeStrategy keeps the status). Create-time defaulting must not re-add `kubernetes`.
 */
export function settleNamespaceFinalizers(subresource: string | undefined, current: KubeObject, input: KubeObject, next: KubeObject): void {
  const finalizers = subresource === 'finalize' ? specFinalizers(input) : specFinalizers(current);
  if (subresource === 'finalize') validateFinalizerNames(String(current.metadata.name), finalizers);
  const spec = { ...obj(next.spec) };
  if (finalizers.length > 0) spec['finalizers'] = [...new Set(finalizers)];
  else delete spec['finalizers'];
  next.spec = spec;
}

// A qualified name (apimachinery's IsQualifiedName): optional DNS-1123 subdomain prefix and a name part.
const namePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const prefixPart = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validateFinalizerNames(name: string, finalizers: readonly string[]): void {
  finalizers.forEach((f, i) => {
    const slash = f.indexOf('/');
    const [prefix, part] = slash < 0 ? [undefined, f] : [f.slice(0, slash), f.slice(slash + 1)];
    const bad = part.length === 0 || part.length > 63 || !namePart.test(part) || (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !prefixPart.test(prefix)));
    if (bad) {
      throw failure(422, 'Invalid', `Namespace "${name}" is invalid: spec.finalizers[${i}]: Invalid value: ${JSON.stringify(f)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`, {
        name, kind: 'Namespace', causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(f)}`, field: `spec.finalizers[${i}]` }],
      });
    }
  });
}

/**
 * A namespace whose deletion began and whose spec.finalizers are not empty may not be deleted again: kube's
 * namespace REST Delete answers 409 with this wording until the namespace controller has finalized it.
 */
export function stillFinalizing(ns: KubeObject): never {
  const name = String(ns.metadata.name);
  throw failure(409, 'Conflict', `Operation cannot be fulfilled on namespaces ${JSON.stringify(name)}: The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.`, { name, kind: 'namespaces' });
}

/** Marks a namespace Terminating (the first delete): deletionTimestamp and status.phase. */
export function markTerminating(ns: KubeObject, deletionTimestamp: string): KubeObject {
  const marked = structuredClone(ns);
  marked.metadata.deletionTimestamp ??= deletionTimestamp;
  marked.status = { ...obj(marked.status), phase: 'Terminating' };
  return marked;
}
