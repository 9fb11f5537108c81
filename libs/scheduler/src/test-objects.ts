// Builders shared by the unit tests (not exported from the barrel).
import type { ClusterView } from './cluster.js';
import { nodeSnapshot, type NodeSnapshot } from './node-info.js';
import type { Container, Node, Pod, ResourceList } from './types.js';

export function pod(name: string, spec: Partial<Pod['spec']> = {}, requests?: ResourceList, labels?: Record<string, string>, namespace = 'default'): Pod {
  const containers: Container[] = spec.containers
    ? [...spec.containers]
    : [{ name: 'c', ...(requests ? { resources: { requests } } : {}) }];
  return { metadata: { name, namespace, ...(labels ? { labels } : {}) }, spec: { ...spec, containers } };
}

export function node(name: string, extra: { labels?: Record<string, string>; spec?: Node['spec']; allocatable?: ResourceList } = {}): Node {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...extra.labels } },
    spec: extra.spec ?? {},
    status: { allocatable: extra.allocatable ?? { cpu: '2', memory: '8Gi', pods: '29' } },
  };
}

export const snap = (n: Node, pods: Pod[] = []): NodeSnapshot => nodeSnapshot(n, pods);

/** A cluster of the given snapshots; namespaces carry `name: <ns>` plus any labels given. */
export const cluster = (nodes: NodeSnapshot[], nsLabels: Record<string, Record<string, string>> = {}): ClusterView => ({
  nodes,
  namespaceLabels: (ns) => ({ 'kubernetes.io/metadata.name': ns, ...nsLabels[ns] }),
});
