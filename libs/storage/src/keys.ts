import { InvalidObjectError } from './errors.js';

/**
 * Where objects live in etcd — the one place that decides it.
 *
 * Layout: `<prefix>/<group>/<resource>/<namespace>/<name>` for namespaced objects and
 * `<prefix>/<group>/<resource>/<name>` for cluster-scoped ones; `prefix` defaults to `/registry` and is
 * applied by the store, so the functions here return keys *relative* to it (`/core/pods/default/web-0`).
 * The core group ("" in apiVersion `v1`) is spelled `core`; other groups use their name
 * (`/apps/deployments/default/web`, `/coordination.k8s.io/leases/kube-node-lease/node-1`).
 *
 * How this differs from kube-apiserver, on purpose: Kubernetes stores most built-in resources, of any
 * group, as `/registry/<resource>/<namespace>/<name>` (`/registry/pods/…`, `/registry/deployments/…`),
 * with exceptions (`/registry/minions/` for nodes, `/registry/services/specs/`, and `<group>/<resource>`
 * for CRDs and aggregated APIs). We always include the group, so two groups' same-named resources never
 * share a range, and every key is derivable from (group, resource, namespace, name) with no table.
 * Tools that read a real cluster's etcd (auger, etcdctl scripts) therefore need the group segment here.
 */
export interface ObjectRef {
  /** API group; `''` or `'core'` for the core group. */
  group: string;
  /** Lower-case plural resource (`pods`, `deployments`). */
  resource: string;
  /** Omitted for cluster-scoped resources. */
  namespace?: string;
  name: string;
}

export type CollectionRef = Omit<ObjectRef, 'name'>;

/** Prefix under which the apiserver keeps cluster state. The `cloud` service uses its own. */
export const DEFAULT_PREFIX = '/registry';

const GROUP = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const RESOURCE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The key of one object, relative to the store prefix. Throws {@link InvalidObjectError} for a bad part. */
export function keyFor(ref: ObjectRef): string {
  return `${collectionKeyFor(ref)}${segment('name', ref.name)}`;
}

/**
 * The prefix of a collection, ending in `/`: all of a resource (`/core/pods/`) or one namespace's
 * (`/core/pods/default/`). The trailing slash keeps namespace `a` from matching `ab`.
 */
export function collectionKeyFor(ref: CollectionRef): string {
  const group = ref.group === '' ? 'core' : ref.group;
  if (!GROUP.test(group) || group.length > 253) throw new InvalidObjectError(`invalid API group ${JSON.stringify(ref.group)}`);
  if (!RESOURCE.test(ref.resource)) throw new InvalidObjectError(`invalid resource ${JSON.stringify(ref.resource)}`);
  let key = `/${group}/${ref.resource}/`;
  if (ref.namespace !== undefined) {
    if (!NAMESPACE.test(ref.namespace) || ref.namespace.length > 63) throw new InvalidObjectError(`invalid namespace ${JSON.stringify(ref.namespace)}`);
    key += `${ref.namespace}/`;
  }
  return key;
}

/** Prepends a store prefix to a relative key, checking both are well formed. */
export function absoluteKey(prefix: string, key: string): string {
  if (!/^\/[^\0]*[^/]$|^\/$/.test(prefix) && prefix !== '') throw new InvalidObjectError(`invalid storage prefix ${JSON.stringify(prefix)}`);
  if (!key.startsWith('/') || key.split('/').some((s) => s === '.' || s === '..')) {
    throw new InvalidObjectError(`invalid key ${JSON.stringify(key)}: must start with / and have no . or .. segments`);
  }
  return prefix === '/' ? key : `${prefix}${key}`;
}

/** Kubernetes' path-segment rule for names: not empty, `.` or `..`, and no `/` or `%`. */
function segment(what: string, value: string): string {
  if (value === '' || value === '.' || value === '..' || /[/%\0]/.test(value)) {
    throw new InvalidObjectError(`invalid ${what} ${JSON.stringify(value)}: may not be empty, '.' or '..', or contain '/' or '%'`);
  }
  return value;
}
