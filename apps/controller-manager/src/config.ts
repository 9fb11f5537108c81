import { commonOptions, ekslabVersion, opt, type CommandInfo, type ConfigOf } from '@ekslab/runtime';

export const info: CommandInfo & { readonly service: string } = {
  service: 'controller-manager',
  name: 'ekslab-controller-manager',
  description: 'Leader-elected controllers: deployments, replicasets, jobs, endpoints, namespaces, GC, node lifecycle',
  version: ekslabVersion,
};

/** Whether this service's work runs only on the replica holding its Lease (all replicas run the same binary). */
export const leaderElected = true;

/** A non-negative decimal (rates, fractions). */
const decimal = (defaultValue: number, description: string): ReturnType<typeof opt.parsed<number>> => opt.parsed(defaultValue, description, (raw) => {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`"${raw}" is not a non-negative number`);
  return n;
}, { placeholder: '<number>' });

export const options = {
  ...commonOptions(10257),
  // kube-controller-manager --master; here only for discovery, which the gRPC API lacks.
  master: opt.string('https://127.0.0.1:6443', 'URL of the Kubernetes API, used for API discovery (kube-controller-manager --master)', { placeholder: '<url>' }),
  grpcServer: opt.string('127.0.0.1:50051', 'host:port of the apiserver\'s gRPC resource API, used for everything else', { placeholder: '<host:port>' }),
  certDir: opt.string('/var/lib/ekslab/pki', 'the apiservers\' shared cert dir: ca.crt (trusted) and tokens.csv (this service\'s tokens); waited for when missing', { placeholder: '<dir>' }),
  leaderElect: opt.choice<'true' | 'false'>('true', ['true', 'false'], 'run controllers only on the replica holding the Lease (--leader-elect)'),
  leaderElectLeaseDuration: opt.duration(15_000, 'how long non-leaders wait after the last renewal they saw before taking over (--leader-elect-lease-duration)'),
  leaderElectRenewDeadline: opt.duration(10_000, 'how long the leader keeps trying to renew before it stops leading (--leader-elect-renew-deadline)'),
  leaderElectRetryPeriod: opt.duration(2_000, 'interval between attempts to acquire or renew the Lease (--leader-elect-retry-period)'),
  leaderElectResourceNamespace: opt.string('kube-system', 'namespace of the leader election Lease', { placeholder: '<namespace>' }),
  leaderElectResourceName: opt.string('kube-controller-manager', 'name of the leader election Lease', { placeholder: '<name>' }),
  controllers: opt.list(['*'], 'controllers to run: * = every controller on by default, foo = enable foo, -foo = disable foo (kube-controller-manager --controllers)'),
  minResyncPeriod: opt.duration(12 * 3600_000, 'the shared informers hand every cached object to the controllers again this often (--min-resync-period)'),
  concurrentNamespaceSyncs: opt.int(10, 'namespaces synced at once (--concurrent-namespace-syncs)', [1, 1_000]),
  namespaceSyncPeriod: opt.duration(300_000, 'how often every namespace is looked at again (--namespace-sync-period)'),
  concurrentReplicasetSyncs: opt.int(5, 'ReplicaSets synced at once (--concurrent-replicaset-syncs)', [1, 1_000]),
  concurrentDeploymentSyncs: opt.int(5, 'Deployments synced at once (--concurrent-deployment-syncs)', [1, 1_000]),
  concurrentJobSyncs: opt.int(5, 'jobs synced at once (--concurrent-job-syncs)', [1, 1_000]),
  jobPodFailureBackoff: opt.duration(10_000, 'delay before a Job\'s failed pod is replaced, doubled per consecutive failure (kube\'s fixed DefaultJobPodFailureBackOff; ekslab-only, for tests)'),
  jobPodFailureMaxBackoff: opt.duration(360_000, 'cap of that delay (kube\'s fixed MaxJobPodFailureBackOff; ekslab-only)'),
  concurrentCronJobSyncs: opt.int(5, 'cronjobs synced at once (--concurrent-cron-job-syncs)', [1, 1_000]),
  concurrentTtlAfterFinishedSyncs: opt.int(5, 'finished jobs checked for ttlSecondsAfterFinished at once (--concurrent-ttl-after-finished-syncs)', [1, 1_000]),
  concurrentDaemonsetSyncs: opt.int(2, 'daemon sets synced at once (--concurrent-daemonset-syncs)', [1, 1_000]),
  daemonsetFailedPodBackoff: opt.duration(1_000, 'first wait before a failed daemon pod on a node is deleted again; doubles per failure (kube: 1s, not a flag there)'),
  daemonsetFailedPodMaxBackoff: opt.duration(15 * 60_000, 'longest wait between deletions of failed daemon pods on a node (kube: 15m, not a flag there)'),
  // The node lifecycle controller (kube-controller-manager's flags and defaults).
  nodeMonitorPeriod: opt.duration(5_000, 'how often node health is checked (--node-monitor-period)'),
  nodeMonitorGracePeriod: opt.duration(50_000, 'a node whose kubelet posted no status and renewed no Lease for this long is marked Unknown (--node-monitor-grace-period)'),
  nodeStartupGracePeriod: opt.duration(60_000, 'how long a new node may take to report before it is marked Unknown (--node-startup-grace-period)'),
  nodeEvictionRate: decimal(0.1, 'nodes per second tainted for eviction in a healthy zone (--node-eviction-rate)'),
  secondaryNodeEvictionRate: decimal(0.01, 'nodes per second tainted in a partially disrupted zone larger than --large-cluster-size-threshold (--secondary-node-eviction-rate)'),
  largeClusterSizeThreshold: opt.int(50, 'zones up to this many nodes are not evicted at all while partially disrupted (--large-cluster-size-threshold)', [0, 100_000]),
  unhealthyZoneThreshold: decimal(0.55, 'fraction of not-Ready nodes (at least 3) that makes a zone partially disrupted (--unhealthy-zone-threshold)'),
  concurrentGcSyncs: opt.int(20, 'garbage collector workers (--concurrent-gc-syncs)', [1, 1_000]),
  terminatedPodGcThreshold: opt.int(12_500, 'terminated pods kept before the oldest are deleted; 0 = never (--terminated-pod-gc-threshold)', [0, 10_000_000]),
  podGcPeriod: opt.duration(20_000, 'how often the pod garbage collector runs (kube: fixed 20s)'),
  podGcQuarantine: opt.duration(40_000, 'how long a node must be missing before its pods are orphaned (kube: fixed 40s)'),
  concurrentEndpointSyncs: opt.int(5, 'services whose Endpoints are synced at once (--concurrent-endpoint-syncs)', [1, 1_000]),
  concurrentServiceEndpointSyncs: opt.int(5, 'services whose EndpointSlices are synced at once (--concurrent-service-endpoint-syncs)', [1, 1_000]),
  maxEndpointsPerSlice: opt.int(100, 'endpoints in one EndpointSlice at most (--max-endpoints-per-slice)', [1, 1_000]),
  concurrentServiceaccountSyncs: opt.int(1, 'namespaces whose default ServiceAccount and kube-root-ca.crt are checked at once (--concurrent-serviceaccount-token-syncs)', [1, 1_000]),
};

export type Config = ConfigOf<typeof options>;
