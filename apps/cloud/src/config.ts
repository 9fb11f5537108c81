import { hostname } from 'node:os';
import { commonOptions, ekslabVersion, opt, type CommandInfo, type ConfigOf } from '@ekslab/runtime';

export const info: CommandInfo & { readonly service: string } = {
  service: 'cloud',
  name: 'ekslab-cloud',
  description: 'The simulated AWS side: VPC and subnets, EC2 instances and ENIs, Auto Scaling groups, load balancers',
  version: ekslabVersion,
};

/** Whether this service's work runs only on the replica holding its Lease (all replicas run the same binary). */
export const leaderElected = false;

export const options = {
  ...commonOptions(9080),
  etcdServers: opt.list(['http://127.0.0.1:2379'], 'etcd client URLs; the cloud keeps all its state there, so replicas agree'),
  etcdPrefix: opt.string('/ekslab-cloud/', 'key prefix of the cloud state in etcd (apart from the apiserver\'s /registry)', { placeholder: '<prefix>' }),
  etcdRequestTimeout: opt.duration(5_000, 'upper bound of one etcd call; past it the API call fails UNAVAILABLE'),
  natsServers: opt.list(['nats://127.0.0.1:4222'], 'NATS URLs; every state change is published to the JetStream stream EKSLAB_CLOUD'),
  natsRetryInterval: opt.duration(2_000, 'pause between attempts to reach NATS at start'),
  eventMaxAge: opt.duration(24 * 60 * 60 * 1000, 'how long the EKSLAB_CLOUD stream keeps events (JetStream max_age)'),
  eventReplicas: opt.int(0, 'replicas of the EKSLAB_CLOUD stream; 0: 3 on a NATS cluster (1 if it refuses), 1 on a single server', [0, 5]),
  eventPublishTimeout: opt.duration(30_000, 'how long publishing one event retries while NATS or the stream quorum is unavailable; then the API call fails'),
  bindAddress: opt.string('0.0.0.0', 'address the cloud APIs listen on', { placeholder: '<address>' }),
  // No AWS counterpart: the lab's endpoint for its cloud APIs. 50061: next to the apiserver's 50051.
  grpcPort: opt.port(50061, 'port of the cloud gRPC APIs (plaintext: meant for the lab network and loopback); 0 picks a free port'),
  replicaId: opt.string(hostname(), 'id of this replica: `source` of its events (default: the host name)', { placeholder: '<id>' }),
  region: opt.string('us-east-1', 'AWS region the cloud simulates', { placeholder: '<region>' }),
  availabilityZones: opt.list(['us-east-1a', 'us-east-1b', 'us-east-1c'], 'Availability Zones of the region'),
  // Timings of the simulated resources (EC2 takes ~10-30 s to boot, ALB/NLB a few minutes to provision).
  instancePendingDuration: opt.duration(15_000, 'how long a new EC2 instance stays pending before it is running'),
  asgReconcileInterval: opt.duration(10_000, 'pause between Auto Scaling passes over all groups (API changes wake it at once)'),
  asgZoneBackoff: opt.duration(60_000, 'how long Auto Scaling skips an Availability Zone after InsufficientInstanceCapacity there'),
  elbProvisioningDuration: opt.duration(120_000, 'how long a new load balancer stays provisioning before it is active'),
};

export type Config = ConfigOf<typeof options>;
