/**
 * The resources the apiserver serves, described as Kubernetes' discovery describes them. This table is
 * the single source for routing, discovery, storage keys and scoping; per-resource behaviour (defaults,
 * validation, table columns) hangs off it elsewhere.
 */
export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export interface ResourceInfo {
  readonly group: string;
  readonly version: string;
  /** Lower-case plural, as in URLs. */
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly Verb[];
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  /** Subresources with their own verbs (`status`: get, patch, update). */
  readonly subresources?: Readonly<Record<string, readonly Verb[]>>;
  /** True for create-only resources that are answered, never stored: SelfSubject*Review (rest/reviews.ts) and the deprecated `bindings`. */
  readonly virtual?: boolean;
}

const all: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const status = { status: ['get', 'patch', 'update'] } as const satisfies Record<string, readonly Verb[]>;
const scale = { scale: ['get', 'patch', 'update'] } as const satisfies Record<string, readonly Verb[]>;

function r(group: string, version: string, resource: string, kind: string, namespaced: boolean, extra: Partial<ResourceInfo> = {}): ResourceInfo {
  return { group, version, resource, kind, namespaced, verbs: all, ...extra };
}

export const resources: readonly ResourceInfo[] = [
  r('', 'v1', 'namespaces', 'Namespace', false, {
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['ns'],
    subresources: { ...status, finalize: ['update'] },
  }),
  r('', 'v1', 'pods', 'Pod', true, {
    shortNames: ['po'], categories: ['all'],
    subresources: { ...status, binding: ['create'], eviction: ['create'], log: ['get'] },
  }),
  // The deprecated way to bind (kube's `bindings` storage, the same BindingREST as pods/binding): the Binding's
  // metadata.name names the pod.
  r('', 'v1', 'bindings', 'Binding', true, { verbs: ['create'], virtual: true }),
  r('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'], subresources: status }),
  r('', 'v1', 'services', 'Service', true, {
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['svc'], categories: ['all'], subresources: status,
  }),
  r('', 'v1', 'endpoints', 'Endpoints', true, { shortNames: ['ep'] }),
  r('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  r('', 'v1', 'secrets', 'Secret', true),
  r('', 'v1', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'], subresources: { token: ['create'] } }),
  r('', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  r('apps', 'v1', 'deployments', 'Deployment', true, { shortNames: ['deploy'], categories: ['all'], subresources: { ...status, ...scale } }),
  r('apps', 'v1', 'replicasets', 'ReplicaSet', true, { shortNames: ['rs'], categories: ['all'], subresources: { ...status, ...scale } }),
  r('apps', 'v1', 'daemonsets', 'DaemonSet', true, { shortNames: ['ds'], categories: ['all'], subresources: status }),
  r('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  r('batch', 'v1', 'jobs', 'Job', true, { categories: ['all'], subresources: status }),
  r('batch', 'v1', 'cronjobs', 'CronJob', true, { shortNames: ['cj'], categories: ['all'], subresources: status }),
  r('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  r('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
  r('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, { shortNames: ['ing'], subresources: status }),
  r('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false),
  r('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  r('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  r('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  r('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  r('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, { verbs: ['create'], virtual: true }),
  r('authorization.k8s.io', 'v1', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', false, { verbs: ['create'], virtual: true }),
  r('authentication.k8s.io', 'v1', 'selfsubjectreviews', 'SelfSubjectReview', false, { verbs: ['create'], virtual: true }),
  // kubectl 1.27's `auth whoami` asks v1beta1 (1.28+ ask v1 first).
  r('authentication.k8s.io', 'v1beta1', 'selfsubjectreviews', 'SelfSubjectReview', false, { verbs: ['create'], virtual: true }),
  r('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, { shortNames: ['pdb'], subresources: status }),
  r('scheduling.k8s.io', 'v1', 'priorityclasses', 'PriorityClass', false, { shortNames: ['pc'] }),
];

/** `apiVersion` as written in objects: `v1` for the core group, `apps/v1` otherwise. */
export const apiVersionOf = (info: Pick<ResourceInfo, 'group' | 'version'>): string =>
  info.group === '' ? info.version : `${info.group}/${info.version}`;

/** `pods`, `deployments.apps`: how Kubernetes names a resource in messages. */
export const qualifiedResource = (info: Pick<ResourceInfo, 'group' | 'resource'>): string =>
  info.group === '' ? info.resource : `${info.resource}.${info.group}`;

const byPath = new Map(resources.map((info) => [`${info.group}/${info.version}/${info.resource}`, info]));

export function findResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return byPath.get(`${group}/${version}/${resource}`);
}

/** The group/versions served, in discovery order (core first). */
export function groupVersions(): Array<{ group: string; version: string }> {
  const seen = new Map<string, { group: string; version: string }>();
  for (const info of resources) seen.set(`${info.group}/${info.version}`, { group: info.group, version: info.version });
  return [...seen.values()];
}
