import { commonOptions, ekslabVersion, opt, type CommandInfo, type ConfigOf } from '@ekslab/runtime';
import { parseWatchCacheSizes } from '@ekslab/apiserver';

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
  advertiseAddress: opt.string('', 'address of this replica in the `kubernetes` Endpoints (kube-apiserver --advertise-address); default: the first non-loopback IPv4', { placeholder: '<ip>' }),
  natsServers: opt.list([], 'NATS URLs for audit events (subject ekslab.audit.<verb>); none: auditing off'),
  auditBufferSize: opt.int(10_000, 'audit events kept in memory until NATS is first reached; more are dropped and counted in apiserver_audit_error_total (like kube-apiserver --audit-webhook-batch-buffer-size)', [1, 10_000_000]),
  auditNatsRetryInterval: opt.duration(2_000, 'pause between attempts to reach NATS for audit events the first time'),
  auditBatchMaxWait: opt.duration(100, 'longest an audit event waits to be published with others in one batch (like kube-apiserver --audit-webhook-batch-max-wait); 0: every event at once'),
  auditBatchMaxSize: opt.int(400, 'audit events published together at most (like kube-apiserver --audit-webhook-batch-max-size)', [1, 100_000]),
  bindAddress: opt.string('0.0.0.0', 'address the Kubernetes API listens on', { placeholder: '<address>' }),
  securePort: opt.port(6443, 'port of the Kubernetes API; 0 picks a free port'),
  // No kube-apiserver/EKS counterpart: the lab's internal API for its own components. 50051 is gRPC's customary port.
  grpcPort: opt.port(50051, 'port of the internal gRPC resource API (same TLS, credentials and RBAC as the Kubernetes API); 0 picks a free port'),
  certDir: opt.string('/var/lib/ekslab/pki', 'directory of the lab CA, the serving certificate and tokens.csv, created on first start and shared by replicas', { placeholder: '<dir>' }),
  tlsSan: opt.list([], 'extra names and IPs for the serving certificate (the load balancer, every replica)'),
  anonymousAuth: opt.choice<'true' | 'false'>('true', ['true', 'false'], 'serve requests without credentials as system:anonymous (kube-apiserver --anonymous-auth)'),
  authorizationMode: opt.choice<'Node,RBAC' | 'AlwaysAllow'>('Node,RBAC', ['Node,RBAC', 'AlwaysAllow'], 'authorizers (kube-apiserver --authorization-mode; EKS uses Node,RBAC)'),
  kubernetesVersion: opt.string('v1.33.5-eks-ekslab', 'the version /version reports (EKS style: vMAJOR.MINOR.PATCH-eks-<id>)', { placeholder: '<version>' }),
  maxRequestsInflight: opt.int(400, 'non-mutating requests served at once; more get 429 (kube-apiserver --max-requests-inflight; 0 = no limit)'),
  maxMutatingRequestsInflight: opt.int(200, 'mutating requests served at once; more get 429 (0 = no limit)'),
  maxRequestBytes: opt.int(1_572_864, 'largest request body accepted; larger ones get 413 (EKS object limit 1.5 MiB)', [1_024, 64 * 1_048_576]),
  watchBookmarkInterval: opt.duration(60_000, 'how often a watch that allows bookmarks gets one'),
  serviceClusterIpRange: opt.string('10.100.0.0/16', 'CIDR of Service ClusterIPs; EKS uses 10.100.0.0/16, or 172.20.0.0/16 when the VPC is in 10.0.0.0/8 (kube-apiserver --service-cluster-ip-range)', { placeholder: '<cidr>' }),
  serviceNodePortRange: opt.string('30000-32767', 'ports NodePort Services may use, both ends included (kube-apiserver --service-node-port-range)', { placeholder: '<a-b>' }),
  defaultNotReadyTolerationSeconds: opt.int(300, 'tolerationSeconds of the node.kubernetes.io/not-ready:NoExecute toleration every pod gets (kube-apiserver --default-not-ready-toleration-seconds)'),
  defaultUnreachableTolerationSeconds: opt.int(300, 'tolerationSeconds of the node.kubernetes.io/unreachable:NoExecute toleration every pod gets (kube-apiserver --default-unreachable-toleration-seconds)'),
  watchCache: opt.choice<'true' | 'false'>('true', ['true', 'false'], 'serve watches, lists and namespace lookups from an in-memory cache of etcd per resource (kube-apiserver --watch-cache)'),
  defaultWatchCacheSize: opt.int(100, 'smallest event window of each resource\'s watch cache; it grows to 100×1024 events to keep --watch-cache-event-fresh-duration of history; 0 turns the cache off (kube-apiserver --default-watch-cache-size)'),
  watchCacheSizes: opt.parsed<ReadonlyMap<string, number>>(new Map(), 'comma-separated resource[.group]#size settings (core resources without a group); the cache sizes itself, so the only meaningful size is 0, which leaves that resource uncached (its lists and watches go to etcd) (kube-apiserver --watch-cache-sizes)', parseWatchCacheSizes, { placeholder: '<resource[.group]#size,...>', defaultDescription: '' }),
  watchCacheEventFreshDuration: opt.duration(75_000, 'history the watch cache tries to keep for watches that resume from a resourceVersion (kube-apiserver: 75 s)'),
  watchCacheWatcherBuffer: opt.int(1_000, 'events a watch may fall behind the cache before it is closed (the client re-watches)', [1, 1_000_000]),
  watchCacheBlockTimeout: opt.duration(3_000, 'how long a list waits for the watch cache to reach the revision it needs; a consistent list then goes to etcd, a list at a newer resourceVersion gets 504'),
  serviceAccountIssuer: opt.string('', 'iss of service-account tokens (kube-apiserver --service-account-issuer); default: EKS-style https://oidc.eks.<region>.amazonaws.com/id/<id>, the id derived from the lab CA', { placeholder: '<url>' }),
  serviceAccountIssuerRegion: opt.string('us-east-1', 'region in the default EKS-style issuer URL', { placeholder: '<region>' }),
  apiAudiences: opt.list(['https://kubernetes.default.svc'], 'audiences the API accepts in service-account tokens and the default aud of a TokenRequest (kube-apiserver --api-audiences; EKS: https://kubernetes.default.svc)'),
  serviceAccountJwksUri: opt.string('', 'jwks_uri in /.well-known/openid-configuration (kube-apiserver --service-account-jwks-uri); default: https://<advertise-address>:<secure-port>/openid/v1/jwks', { placeholder: '<url>' }),
  serviceAccountMaxTokenExpiration: opt.duration(0, 'longest token a TokenRequest gets; longer requests are shortened (kube-apiserver --service-account-max-token-expiration; 0 = no cap)'),
  serviceAccountExtendTokenExpiration: opt.choice<'true' | 'false'>('true', ['true', 'false'], 'pod-bound tokens asking for 3607 s get a year with a warnafter claim (kube-apiserver --service-account-extend-token-expiration)'),
  minRequestTimeout: opt.duration(1_800_000, 'a watch without timeoutSeconds ends after a random time between 1x and 2x this (kube-apiserver --min-request-timeout)'),
};

export type Config = ConfigOf<typeof options>;
