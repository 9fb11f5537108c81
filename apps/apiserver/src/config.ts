import { commonOptions, ekslabVersion, opt, type CommandInfo, type ConfigOf } from '@ekslab/runtime';

export const info: CommandInfo & { readonly service: string } = {
  service: 'apiserver',
  name: 'ekslab-apiserver',
  description: 'Kubernetes API server of the lab: REST/JSON for kubectl, gRPC for the lab components, state in etcd',
  version: ekslabVersion,
};

/** Whether this service's work runs only on the replica holding its Lease (all replicas run the same binary). */
export const leaderElected = false;

export const options = {
  ...commonOptions(8080),
  etcdServers: opt.list(['http://127.0.0.1:2379'], 'etcd client URLs (kube-apiserver --etcd-servers)'),
  etcdPrefix: opt.string('/registry', 'key prefix of the cluster state in etcd (kube-apiserver --etcd-prefix)', { placeholder: '<prefix>' }),
  etcdRequestTimeout: opt.duration(5_000, 'upper bound of one etcd call; past it the request fails 503 ServiceUnavailable'),
  bindAddress: opt.string('0.0.0.0', 'address the Kubernetes API listens on', { placeholder: '<address>' }),
  securePort: opt.port(6443, 'port of the Kubernetes API; 0 picks a free port'),
  certDir: opt.string('/var/lib/ekslab/pki', 'directory of the lab CA, the serving certificate and tokens.csv, created on first start and shared by replicas', { placeholder: '<dir>' }),
  tlsSan: opt.list([], 'extra names and IPs for the serving certificate (the load balancer, every replica)'),
  anonymousAuth: opt.choice<'true' | 'false'>('true', ['true', 'false'], 'serve requests without credentials as system:anonymous (kube-apiserver --anonymous-auth)'),
  authorizationMode: opt.choice<'Node,RBAC' | 'AlwaysAllow'>('Node,RBAC', ['Node,RBAC', 'AlwaysAllow'], 'authorizers (kube-apiserver --authorization-mode; EKS uses Node,RBAC)'),
  kubernetesVersion: opt.string('v1.33.5-eks-ekslab', 'the version /version reports (EKS style: vMAJOR.MINOR.PATCH-eks-<id>)', { placeholder: '<version>' }),
  maxRequestBytes: opt.int(1_572_864, 'largest request body accepted; larger ones get 413 (EKS object limit 1.5 MiB)', [1_024, 64 * 1_048_576]),
  watchBookmarkInterval: opt.duration(60_000, 'how often a watch that allows bookmarks gets one'),
  minRequestTimeout: opt.duration(1_800_000, 'a watch without timeoutSeconds ends after a random time between 1x and 2x this (kube-apiserver --min-request-timeout)'),
};

export type Config = ConfigOf<typeof options>;
