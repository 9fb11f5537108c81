import { commonOptions, ekslabVersion, type CommandInfo, type ConfigOf } from '@ekslab/runtime';

export const info: CommandInfo & { readonly service: string } = {
  service: 'apiserver',
  name: 'ekslab-apiserver',
  description: 'Kubernetes API server of the lab: REST/JSON for kubectl, gRPC for the lab components, state in etcd',
  version: ekslabVersion,
};

/** Whether this service's work runs only on the replica holding its Lease (all replicas run the same binary). */
export const leaderElected = false;

export const options = {
  ...commonOptions(8080),
};

export type Config = ConfigOf<typeof options>;
