// What a scheduling cycle sees of the whole cluster besides the node it is filtering (kube's SharedLister and the
// listers some plugins hold).
import type { LabelSelector } from '@ekslab/apimachinery';
import type { NodeSnapshot } from './node-info.js';
import type { Pod } from './types.js';

export interface ClusterView {
  /** Every node, in a stable order (the order filtering walks them). */
  readonly nodes: readonly NodeSnapshot[];
  /**
   * The nodes holding pods with required pod anti-affinity / with any pod (anti-)affinity: an index a cache keeps
   * so InterPodAffinity does not walk every node for every pod. Undefined: the plugins filter `nodes` themselves.
   */
  nodesWithRequiredAntiAffinity?(): Iterable<NodeSnapshot>;
  nodesWithAffinity?(): Iterable<NodeSnapshot>;
  /** A namespace's labels, for namespaceSelector; undefined when the namespace is unknown (matches no selector). */
  namespaceLabels(namespace: string): Readonly<Record<string, string>> | undefined;
  /**
   * DefaultSelector (podtopologyspread): the requirements of every Service, ReplicaSet and StatefulSet (and
   * ReplicationController) selecting the pod, combined; undefined or empty when none do. Without it the system
   * default spreading constraints never apply.
   */
  defaultSpreadSelector?(pod: Pod): LabelSelector | undefined;
}
