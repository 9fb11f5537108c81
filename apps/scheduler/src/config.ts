import { commonOptions, ekslabVersion, type CommandInfo, type ConfigOf } from '@ekslab/runtime';

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
};

export type Config = ConfigOf<typeof options>;
