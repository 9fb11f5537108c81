import { commonOptions, ekslabVersion, type CommandInfo, type ConfigOf } from '@ekslab/runtime';

export const info: CommandInfo & { readonly service: string } = {
  service: 'controller-manager',
  name: 'ekslab-controller-manager',
  description: 'Leader-elected controllers: deployments, replicasets, jobs, endpoints, namespaces, GC, node lifecycle',
  version: ekslabVersion,
};

/** Whether this service's work runs only on the replica holding its Lease (all replicas run the same binary). */
export const leaderElected = true;

export const options = {
  ...commonOptions(10257),
};

export type Config = ConfigOf<typeof options>;
