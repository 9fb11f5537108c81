import { commonOptions, ekslabVersion, opt, type CommandInfo, type ConfigOf } from '@ekslab/runtime';
import { podOptions } from './pods/options.js';

export const info: CommandInfo & { readonly service: string } = {
  service: 'kubelet',
  name: 'ekslab-kubelet',
  description: 'Kubelet agent hosting many simulated nodes: node registration, leases, pods through a simulated runtime',
  version: ekslabVersion,
};

/** Whether this service's work runs only on the replica holding its Lease (all replicas run the same binary). */
export const leaderElected = false;

export const options = {
  ...commonOptions(10248),
  grpcServer: opt.string('127.0.0.1:50051', 'host:port of the apiserver\'s gRPC resource API', { placeholder: '<host:port>' }),
  certDir: opt.string('/var/lib/ekslab/pki', 'the apiservers\' shared cert dir: ca.crt (trusted) and node-token.key (mints each node\'s system:node:<name> token); waited for when missing', { placeholder: '<dir>' }),
  // Where nodes come from.
  nodeSource: opt.choice<'auto' | 'asg' | 'static'>('auto', ['auto', 'asg', 'static'],
    'asg: host the InService instances of the node group\'s Auto Scaling group in --availability-zone (needs --cloud-endpoint); static: --nodes nodes without instances (benches); auto: asg when --cloud-endpoint is set, else static'),
  cloudEndpoint: opt.string('', 'host:port of the cloud\'s gRPC APIs (the lab: 127.0.0.1:50061); empty: no cloud', { placeholder: '<host:port>' }),
  cloudCallTimeout: opt.duration(10_000, 'deadline of one call to the cloud or to ipamd'),
  nodegroupSyncPeriod: opt.duration(10_000, 'asg: how often the node group is described again (launches and terminations are followed within this)'),
  nodegroupDesiredSize: opt.int(2, 'asg: desired capacity of the node group when this agent creates it (an existing group keeps its sizes)', [0, 10_000]),
  nodegroupMinSize: opt.int(1, 'asg: minimum size when this agent creates the node group', [0, 10_000]),
  nodegroupMaxSize: opt.int(2, 'asg: maximum size when this agent creates the node group', [0, 10_000]),
  vpcName: opt.string('ekslab', 'asg: the VPC (tag Name) whose private subnets a created node group spans', { placeholder: '<name>' }),
  subnetIds: opt.list([], 'asg: the subnets of a created node group instead of the VPC\'s private subnets'),
  nodes: opt.int(1, 'static: how many simulated nodes this agent hosts', [1, 10_000]),
  nodeNamePrefix: opt.string('', 'static: name nodes <prefix><index>; empty: EC2 private DNS names (ip-10-0-…​.<region>.compute.internal), as EKS nodes', { placeholder: '<prefix>' }),
  nodeIndexOffset: opt.int(0, 'static: index of this agent\'s first node, so several agents host distinct nodes', [0, 60_000]),
  instanceType: opt.string('m5.large', 'EC2 instance type: of a node group this agent creates (asg), of every node (static)', { placeholder: '<type>' }),
  availabilityZone: opt.string(process.env['EKSLAB_AZ'] ?? 'us-east-1a', 'availability zone of the nodes: asg hosts the node group\'s instances in it (default: $EKSLAB_AZ)', { placeholder: '<az>' }),
  region: opt.string('', 'AWS region; empty: the availability zone without its letter', { placeholder: '<region>' }),
  clusterName: opt.string('ekslab', 'EKS cluster name (the k8s.io/cloud-provider-aws label; with --nodegroup, names the Auto Scaling group)', { placeholder: '<name>' }),
  nodegroup: opt.string('default', 'managed node group name (label eks.amazonaws.com/nodegroup; asg: its Auto Scaling group eks-<nodegroup>-<uuid>)', { placeholder: '<name>' }),
  amiId: opt.string('ami-0c2d3f2a8e1b4c5d6', 'node group AMI id (label eks.amazonaws.com/nodegroup-image)', { placeholder: '<ami>' }),
  capacityType: opt.choice<'ON_DEMAND' | 'SPOT'>('ON_DEMAND', ['ON_DEMAND', 'SPOT'], 'capacity type of a node group this agent creates (asg), label eks.amazonaws.com/capacityType of every node (static)'),
  kubernetesVersion: opt.string('v1.33.0', 'Kubernetes version the kubelets report (with an EKS build tag)', { placeholder: '<version>' }),
  subnetCidrBase: opt.string('10.0.64.0', 'static: nodes take private IPs from this address up (index 0 → .10)', { placeholder: '<ip>' }),
  nodeLeaseDuration: opt.duration(40_000, 'node Lease duration (kubelet nodeLeaseDurationSeconds); renewals every quarter of it'),
  nodeStatusUpdateFrequency: opt.duration(10_000, 'how often each node computes its status (kubelet nodeStatusUpdateFrequency)'),
  nodeStatusReportFrequency: opt.duration(300_000, 'how often an unchanged status is still patched (kubelet nodeStatusReportFrequency)'),
  concurrency: opt.int(16, 'API calls in flight at once across all nodes', [1, 1_000]),
  initialBackoff: opt.duration(200, 'first retry delay of a node\'s failed call; doubles per failure'),
  maxBackoff: opt.duration(7_000, 'longest retry delay of a node\'s failed call (the lease controller\'s maxBackoff)'),
  leaseRenewalLateThreshold: opt.duration(1_000, 'a lease renewal starting later than this after it was due counts as late (metrics)'),
  credentialsRetryPeriod: opt.duration(2_000, 'how often to look for the lab credentials while they are missing'),
  ...podOptions,
};

export type Config = ConfigOf<typeof options>;

/** The node source `--node-source` resolves to; throws (a usage error) for asg without a cloud. */
export function nodeSourceOf(config: Pick<Config, 'nodeSource' | 'cloudEndpoint'>): 'asg' | 'static' {
  if (config.nodeSource === 'asg' && config.cloudEndpoint === '') throw new Error('--node-source asg needs --cloud-endpoint');
  if (config.nodeSource === 'auto') return config.cloudEndpoint === '' ? 'static' : 'asg';
  return config.nodeSource;
}
