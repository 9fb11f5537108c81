import { commonOptions, ekslabVersion, opt, type CommandInfo, type ConfigOf } from '@ekslab/runtime';

export const info: CommandInfo & { readonly service: string } = {
  service: 'scheduler',
  name: 'ekslab-scheduler',
  description: 'Leader-elected scheduler: filter, score and bind pending pods (kube-scheduler semantics)',
  version: ekslabVersion,
};

/** Whether this service's work runs only on the replica holding its Lease (all replicas run the same binary). */
export const leaderElected = true;

export const options = {
  ...commonOptions(10259),
  grpcServer: opt.string('127.0.0.1:50051', 'host:port of the apiserver\'s gRPC resource API', { placeholder: '<host:port>' }),
  certDir: opt.string('/var/lib/ekslab/pki', 'the apiservers\' shared cert dir: ca.crt (trusted) and tokens.csv (this service\'s token); waited for when missing', { placeholder: '<dir>' }),
  schedulerName: opt.string('default-scheduler', 'schedule only pods whose spec.schedulerName is this (the profile\'s schedulerName)', { placeholder: '<name>' }),
  leaderElect: opt.choice<'true' | 'false'>('true', ['true', 'false'], 'schedule only on the replica holding the Lease (--leader-elect)'),
  leaderElectLeaseDuration: opt.duration(15_000, 'how long non-leaders wait after the last renewal they saw before taking over (--leader-elect-lease-duration)'),
  leaderElectRenewDeadline: opt.duration(10_000, 'how long the leader keeps trying to renew before it stops leading (--leader-elect-renew-deadline)'),
  leaderElectRetryPeriod: opt.duration(2_000, 'interval between attempts to acquire or renew the Lease (--leader-elect-retry-period)'),
  leaderElectResourceNamespace: opt.string('kube-system', 'namespace of the leader election Lease', { placeholder: '<namespace>' }),
  leaderElectResourceName: opt.string('kube-scheduler', 'name of the leader election Lease', { placeholder: '<name>' }),
  percentageOfNodesToScore: opt.int(0, 'stop filtering once this % of the nodes are feasible; 0 = adaptive (50 − nodes/125, at least 5 %), never fewer than 100 nodes (percentageOfNodesToScore)', [0, 100]),
  parallelBindings: opt.int(64, 'bindings (with their Scheduled events) in flight at once; the scheduling loop waits beyond this', [1, 10_000]),
  podInitialBackoff: opt.duration(1_000, 'backoff after a pod\'s first failed attempt, doubled per attempt (podInitialBackoffSeconds)'),
  podMaxBackoff: opt.duration(10_000, 'the cap of a pod\'s backoff (podMaxBackoffSeconds)'),
  podMaxInUnschedulable: opt.duration(300_000, 'an unschedulable pod is retried after this long even without a cluster event (podMaxInUnschedulablePodsDuration)'),
};

export type Config = ConfigOf<typeof options>;
