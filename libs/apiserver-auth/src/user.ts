/**
 * Who made a request, as Kubernetes' `user.Info`: `username`, optional `uid`, `groups`, optional `extra`.
 * Group names below are the ones kube-apiserver hard-codes (k8s.io/apiserver/pkg/authentication/user).
 */
export interface UserInfo {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** Every authenticated request carries this group (added by the authenticator chain). */
export const allAuthenticatedGroup = 'system:authenticated';
/** The group of the anonymous user. */
export const allUnauthenticatedGroup = 'system:unauthenticated';
/** Members are allowed everything, before RBAC is consulted (kube-apiserver's privileged group). */
export const systemMastersGroup = 'system:masters';
/** Group of node identities `system:node:<name>`. */
export const nodesGroup = 'system:nodes';
export const nodeUserPrefix = 'system:node:';
export const anonymousUsername = 'system:anonymous';
export const kubeSchedulerUsername = 'system:kube-scheduler';
export const kubeControllerManagerUsername = 'system:kube-controller-manager';
export const kubeProxyUsername = 'system:kube-proxy';
export const monitoringGroup = 'system:monitoring';
/** The admin user of a kubeadm/EKS-style cluster (the cluster creator; in `system:masters`). */
export const adminUsername = 'kubernetes-admin';
/**
 * The cloud controller manager's identity. On EKS it runs in the AWS-managed control plane as the user
 * `eks:cloud-controller-manager` (bound to the ClusterRole of the same name), not as an in-cluster service
 * account, so the lab does the same (see `eksClusterRoles`).
 */
export const cloudControllerManagerUsername = 'eks:cloud-controller-manager';
export const serviceAccountUserPrefix = 'system:serviceaccount:';
export const allServiceAccountsGroup = 'system:serviceaccounts';

/** The user a request without credentials is (anonymous auth is on, as kube-apiserver's default). */
export const anonymousUser: UserInfo = { username: anonymousUsername, groups: [allUnauthenticatedGroup] };

/** `system:serviceaccount:<ns>:<name>`, with the two groups the service-account authenticator adds. */
export function serviceAccountUser(namespace: string, name: string, uid?: string): UserInfo {
  return {
    username: `${serviceAccountUserPrefix}${namespace}:${name}`,
    ...(uid ? { uid } : {}),
    groups: [allServiceAccountsGroup, `${allServiceAccountsGroup}:${namespace}`],
  };
}

/** `system:node:<name>` in `system:nodes`. */
export function nodeUser(nodeName: string): UserInfo {
  return { username: `${nodeUserPrefix}${nodeName}`, groups: [nodesGroup] };
}

/** The node name of a node identity, or undefined if the user is not one (name prefix and group both needed). */
export function nodeNameOf(user: UserInfo): string | undefined {
  if (!user.groups.includes(nodesGroup) || !user.username.startsWith(nodeUserPrefix)) return undefined;
  const name = user.username.slice(nodeUserPrefix.length);
  return name === '' ? undefined : name;
}
