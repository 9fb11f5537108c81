/**
 * The objects kubectl 1.33 sends as protobuf (typed clients: `create <subcommand>`, `auth can-i`,
 * `auth whoami`, `create token`, `drain`), keyed by the envelope's `apiVersion/kind`. `kubectl create -f`,
 * `apply` and `run` use unstructured objects and send JSON, so they need no entry here; so does `drain`'s
 * eviction POST. `drain --disable-eviction` (and drain against a server without pods/eviction) DELETEs
 * each pod with a protobuf `v1` DeleteOptions body, which Kubernetes registers in every group version.
 */
export interface SupportedKind {
  readonly apiVersion: string;
  readonly kind: string;
  /** The message name in the schema tables. */
  readonly message: string;
}

const kind = (apiVersion: string, name: string): SupportedKind => ({ apiVersion, kind: name, message: name });

export const supportedKinds: readonly SupportedKind[] = [
  kind('v1', 'Namespace'),
  kind('v1', 'ConfigMap'),
  kind('v1', 'Secret'),
  kind('v1', 'ServiceAccount'),
  kind('v1', 'Service'),
  kind('v1', 'Pod'),
  kind('v1', 'ResourceQuota'),
  kind('apps/v1', 'Deployment'),
  kind('batch/v1', 'Job'),
  kind('batch/v1', 'CronJob'),
  kind('rbac.authorization.k8s.io/v1', 'Role'),
  kind('rbac.authorization.k8s.io/v1', 'ClusterRole'),
  kind('rbac.authorization.k8s.io/v1', 'RoleBinding'),
  kind('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'),
  kind('scheduling.k8s.io/v1', 'PriorityClass'),
  kind('policy/v1', 'PodDisruptionBudget'),
  kind('policy/v1', 'Eviction'),
  kind('networking.k8s.io/v1', 'Ingress'),
  kind('authorization.k8s.io/v1', 'SelfSubjectAccessReview'),
  kind('authorization.k8s.io/v1', 'SelfSubjectRulesReview'),
  kind('authentication.k8s.io/v1', 'TokenRequest'),
  kind('authentication.k8s.io/v1', 'SelfSubjectReview'),
  ...['v1', 'meta.k8s.io/v1', 'apps/v1', 'batch/v1', 'rbac.authorization.k8s.io/v1', 'scheduling.k8s.io/v1', 'policy/v1', 'networking.k8s.io/v1'].map(
    (apiVersion) => kind(apiVersion, 'DeleteOptions'),
  ),
];

const byKey = new Map(supportedKinds.map((k) => [`${k.apiVersion}/${k.kind}`, k]));

export const findKind = (apiVersion: string, name: string): SupportedKind | undefined => byKey.get(`${apiVersion}/${name}`);
