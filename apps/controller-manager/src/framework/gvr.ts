// The resources the controllers read and write, as the gRPC API names them.
import type { GroupVersionResource } from '@ekslab/proto';

const core = (resource: string): GroupVersionResource => ({ group: '', version: 'v1', resource });
const apps = (resource: string): GroupVersionResource => ({ group: 'apps', version: 'v1', resource });
const batch = (resource: string): GroupVersionResource => ({ group: 'batch', version: 'v1', resource });

export const GVR = {
  pods: core('pods'),
  nodes: core('nodes'),
  namespaces: core('namespaces'),
  services: core('services'),
  endpoints: core('endpoints'),
  events: core('events'),
  serviceAccounts: core('serviceaccounts'),
  secrets: core('secrets'),
  configMaps: core('configmaps'),
  deployments: apps('deployments'),
  replicaSets: apps('replicasets'),
  daemonSets: apps('daemonsets'),
  controllerRevisions: apps('controllerrevisions'),
  jobs: batch('jobs'),
  cronJobs: batch('cronjobs'),
  endpointSlices: { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' },
  leases: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' },
  podDisruptionBudgets: { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' },
} as const satisfies Record<string, GroupVersionResource>;

export const gvrString = (g: GroupVersionResource): string => `${g.group || 'core'}/${g.version}/${g.resource}`;
