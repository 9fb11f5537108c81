import { commonOptions, ekslabVersion, type CommandInfo, type ConfigOf } from '@ekslab/runtime';

export const info: CommandInfo & { readonly service: string } = {
  service: 'cloud-controller-manager',
  name: 'ekslab-cloud-controller-manager',
  description: 'Leader-elected cloud controllers: node initialisation and lifecycle against the simulated cloud, load balancers',
  version: ekslabVersion,
};

/** Whether this service's work runs only on the replica holding its Lease (all replicas run the same binary). */
export const leaderElected = true;

export const options = {
  ...commonOptions(10258),
};

export type Config = ConfigOf<typeof options>;
