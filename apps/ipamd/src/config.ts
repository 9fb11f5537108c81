import { commonOptions, ekslabVersion, type CommandInfo, type ConfigOf } from '@ekslab/runtime';

export const info: CommandInfo & { readonly service: string } = {
  service: 'ipamd',
  name: 'ekslab-ipamd',
  description: 'VPC CNI IPAM daemon: ENIs, secondary IPs or prefixes, warm pools; AddNetwork/DelNetwork over gRPC',
  version: ekslabVersion,
};

/** Whether this service's work runs only on the replica holding its Lease (all replicas run the same binary). */
export const leaderElected = false;

export const options = {
  ...commonOptions(61678),
};

export type Config = ConfigOf<typeof options>;
