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
  nodes: opt.int(1, 'how many simulated nodes this agent hosts', [1, 10_000]),
  nodeNamePrefix: opt.string('', 'name nodes <prefix><index>; empty: EC2 private DNS names (ip-10-0-…​.<region>.compute.internal), as EKS nodes', { placeholder: '<prefix>' }),
  nodeIndexOffset: opt.int(0, 'index of this agent\'s first node, so several agents host distinct nodes', [0, 60_000]),
  instanceType: opt.string('m5.large', 'EC2 instance type of every node (one of the local table until the cloud integration)', { placeholder: '<type>' }),
  availabilityZone: opt.string(process.env['EKSLAB_AZ'] ?? 'us-east-1a', 'availability zone of the nodes (default: $EKSLAB_AZ)', { placeholder: '<az>' }),
  region: opt.string('', 'AWS region; empty: the availability zone without its letter', { placeholder: '<region>' }),
  clusterName: opt.string('ekslab', 'EKS cluster name (the k8s.io/cloud-provider-aws label)', { placeholder: '<name>' }),
  nodegroup: opt.string('default', 'managed node group name (label eks.amazonaws.com/nodegroup)', { placeholder: '<name>' }),
  amiId: opt.string('ami-0c2d3f2a8e1b4c5d6', 'node group AMI id (label eks.amazonaws.com/nodegroup-image)', { placeholder: '<ami>' }),
  capacityType: opt.choice<'ON_DEMAND' | 'SPOT'>('ON_DEMAND', ['ON_DEMAND', 'SPOT'], 'label eks.amazonaws.com/capacityType'),
  kubernetesVersion: opt.string('v1.33.0', 'Kubernetes version the kubelets report (with an EKS build tag)', { placeholder: '<version>' }),
  subnetCidrBase: opt.string('10.0.64.0', 'nodes take private IPs from this address up (index 0 → .10)', { placeholder: '<ip>' }),
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
