import { commonOptions, ekslabVersion, type CommandInfo, type ConfigOf } from '@ekslab/runtime';

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
};

export type Config = ConfigOf<typeof options>;
