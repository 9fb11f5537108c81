import { commonOptions, ekslabVersion, type CommandInfo, type ConfigOf } from '@ekslab/runtime';

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
};

export type Config = ConfigOf<typeof options>;
