/**
 * rbac.authorization.k8s.io/v1 objects, as plain JSON shapes (what the apiserver stores in etcd).
 * Only the fields authorization reads are typed strictly; metadata carries what the bootstrap data sets.
 */
export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

export interface Subject {
  /** `User`, `Group` or `ServiceAccount`. */
  readonly kind: string;
  readonly apiGroup?: string;
  readonly name: string;
  /** ServiceAccount only; empty in a RoleBinding means the binding's namespace. */
  readonly namespace?: string;
}

export interface RoleRef {
  readonly apiGroup: string;
  /** `ClusterRole` or `Role`. */
  readonly kind: string;
  readonly name: string;
}

export interface ClusterRole {
  readonly apiVersion?: 'rbac.authorization.k8s.io/v1';
  readonly kind?: 'ClusterRole';
  readonly metadata: ObjectMeta;
  readonly rules?: readonly PolicyRule[];
  /** Not evaluated here: the aggregation controller fills `rules` of aggregated roles. */
  readonly aggregationRule?: { readonly clusterRoleSelectors?: readonly { readonly matchLabels?: Readonly<Record<string, string>> }[] };
}

export interface Role {
  readonly apiVersion?: 'rbac.authorization.k8s.io/v1';
  readonly kind?: 'Role';
  readonly metadata: ObjectMeta;
  readonly rules?: readonly PolicyRule[];
}

export interface ClusterRoleBinding {
  readonly apiVersion?: 'rbac.authorization.k8s.io/v1';
  readonly kind?: 'ClusterRoleBinding';
  readonly metadata: ObjectMeta;
  readonly subjects?: readonly Subject[];
  readonly roleRef: RoleRef;
}

export interface RoleBinding {
  readonly apiVersion?: 'rbac.authorization.k8s.io/v1';
  readonly kind?: 'RoleBinding';
  readonly metadata: ObjectMeta;
  readonly subjects?: readonly Subject[];
  readonly roleRef: RoleRef;
}

/** `allow`, or `deny` meaning "no authorizer allowed it" (RBAC never denies explicitly). */
export type Decision = 'allow' | 'deny';

export interface AuthorizationResult {
  readonly decision: Decision;
  /** Why: "RBAC: allowed by …" on allow; on deny, RBAC resolution errors or ''. */
  readonly reason: string;
}
