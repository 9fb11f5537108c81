import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commonOptions, ekslabVersion, opt, parseDuration, type CommandInfo, type ConfigOf, type OptionSpec } from '@ekslab/runtime';

export const info: CommandInfo & { readonly service: string } = {
  service: 'ipamd',
  name: 'ekslab-ipamd',
  description: 'VPC CNI IPAM daemon: ENIs, secondary IPs or prefixes, warm pools; AddNetwork/DelNetwork over gRPC',
  version: ekslabVersion,
};

/** Whether this service's work runs only on the replica holding its Lease (all replicas run the same binary). */
export const leaderElected = false;

/** aws-node reads `true`/`false` (strconv.ParseBool: also 1/0, t/f). */
function bool(defaultValue: boolean, description: string, env: string): OptionSpec<boolean> {
  return {
    description, defaultValue, env, placeholder: '<true|false>',
    parse: (raw) => {
      const v = raw.trim().toLowerCase();
      if (['true', '1', 't'].includes(v)) return true;
      if (['false', '0', 'f', ''].includes(v)) return false;
      throw new Error(`"${raw}" is not true or false`);
    },
  };
}

/** An int read from aws-node's own variable name. */
function int(defaultValue: number, description: string, env: string): OptionSpec<number> {
  return { ...opt.int(defaultValue, description), env };
}

/** IP_COOLDOWN_PERIOD is whole seconds in aws-node; a Go duration (`500ms`) is accepted too so tests can shorten it. */
function seconds(defaultValueMs: number, description: string, env: string): OptionSpec<number> {
  return {
    ...opt.duration(defaultValueMs, description), env,
    parse: (raw) => (/^\d+$/.test(raw.trim()) ? Number(raw.trim()) * 1000 : parseDuration(raw.trim())),
  };
}

/**
 * Flags, each also read from an environment variable. The VPC CNI's knobs use aws-node's own variable
 * names (WARM_ENI_TARGET, ENABLE_PREFIX_DELEGATION, AWS_VPC_K8S_CNI_EXTERNALSNAT, …); the rest use
 * `EKSLAB_<FLAG>`. As everywhere in ekslab (`@ekslab/runtime` options), the flag wins over the variable.
 */
export const options = {
  ...commonOptions(61678),
  bindAddress: opt.string('0.0.0.0', 'address the gRPC API (CNIBackend, NodeService) listens on', { placeholder: '<address>' }),
  // aws-node serves CNIBackend on 127.0.0.1:50051.
  grpcPort: opt.port(50051, 'port of the gRPC API (CNIBackend for the CNI plugin, NodeService for the kubelet agent); 0 picks a free port'),
  introspectionAddress: opt.string('0.0.0.0', 'address of the introspection endpoint (aws-node: 127.0.0.1; here the lab network reads it)', { placeholder: '<address>' }),
  introspectionPort: opt.port(61679, 'port of the introspection endpoint (/v1/enis, /v1/pods, /v1/env-settings); 0 picks a free port'),
  cloudEndpoint: opt.string('127.0.0.1:50061', 'host:port of the simulated AWS (the cloud\'s Ec2Service)', { placeholder: '<host:port>' }),
  cloudRequestTimeout: opt.duration(10_000, 'deadline of one EC2 call'),
  checkpointDir: opt.string(join(tmpdir(), 'ekslab-ipamd'), 'directory of the per-node datastore checkpoints (<dir>/<node>/ipam.json, aws-node\'s /var/run/aws-node/ipam.json)', { placeholder: '<dir>' }),
  checkpointFsync: bool(false, 'fdatasync each checkpoint journal append before answering, as aws-node fsyncs ipam.json: survives a host crash, costs milliseconds per AddNetwork on a busy disk. Off by default: a SIGKILLed ipamd loses nothing either way (the page cache outlives the process) and simulated nodes have no host to crash', 'EKSLAB_CHECKPOINT_FSYNC'),
  clusterName: opt.string('', 'cluster name tagged on the ENIs ipamd creates (cluster.k8s.amazonaws.com/name)', { placeholder: '<name>', env: 'CLUSTER_NAME' }),
  warmEniTarget: int(1, 'WARM_ENI_TARGET: ENIs\' worth of free addresses kept warm (ignored when WARM_IP_TARGET or MINIMUM_IP_TARGET is set)', 'WARM_ENI_TARGET'),
  warmIpTarget: int(0, 'WARM_IP_TARGET: free addresses kept warm; 0 = unset', 'WARM_IP_TARGET'),
  minimumIpTarget: int(0, 'MINIMUM_IP_TARGET: floor of addresses allocated to the node; 0 = unset', 'MINIMUM_IP_TARGET'),
  warmPrefixTarget: int(1, 'WARM_PREFIX_TARGET: free /28 prefixes kept warm with prefix delegation (the aws-node manifest sets 1)', 'WARM_PREFIX_TARGET'),
  maxEni: { ...opt.int(-1, 'MAX_ENI: cap on the ENIs per node below the instance type\'s limit; -1 = unset', [-1, 100]), env: 'MAX_ENI' } satisfies OptionSpec<number>,
  enablePrefixDelegation: bool(false, 'ENABLE_PREFIX_DELEGATION: assign /28 prefixes instead of secondary IPs', 'ENABLE_PREFIX_DELEGATION'),
  externalSnat: bool(false, 'AWS_VPC_K8S_CNI_EXTERNALSNAT: traffic leaving the VPC is SNATed by an external NAT device, not by the node', 'AWS_VPC_K8S_CNI_EXTERNALSNAT'),
  excludeSnatCidrs: { ...opt.list([], 'AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS: CIDRs outside the VPC that pods reach without SNAT'), env: 'AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS' } satisfies OptionSpec<readonly string[]>,
  customNetworkCfg: bool(false, 'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: pods take addresses from the ENIConfig subnet of the node\'s AZ (--eni-config), never from the primary ENI', 'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG'),
  eniConfig: opt.list([], 'custom networking: the ENIConfig stand-in, per-AZ subnets as <az>=<subnet-id>,…'),
  eniConfigFile: opt.string('', 'custom networking: a JSON file {"<az>": "<subnet-id>", …} (merged under --eni-config)', { placeholder: '<file>' }),
  ipCooldownPeriod: seconds(30_000, 'IP_COOLDOWN_PERIOD: how long a released pod address rests before it is reassigned (seconds, or a duration)', 'IP_COOLDOWN_PERIOD'),
  minEniLifetime: opt.duration(60_000, 'an ENI younger than this is never freed (ipamd\'s minENILifeTime)'),
  insufficientCidrCooldown: opt.duration(120_000, 'after InsufficientFreeAddressesInSubnet / InsufficientCidrBlocks, how long a node does not ask the cloud for more addresses (ipamd\'s insufficientCidrErrorCooldown)'),
  poolMonitorInterval: opt.duration(5_000, 'pause between warm-pool reconcile passes per node (ipamd\'s ipPoolMonitorInterval); an assignment or release also wakes the pass'),
};

export type Config = ConfigOf<typeof options>;
