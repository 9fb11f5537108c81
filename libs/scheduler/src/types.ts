// The slice of the core/v1 Pod and Node that the filter plugins read. Field names are the API's, so objects decoded
// from the apiserver (JSON) can be passed as they are.
import type { NodeSelector, NodeSelectorRequirement, NodeSelectorTerm } from '@ekslab/apimachinery';

/** A resource list as the API stores it: resource name → quantity string ("500m", "1Gi", "2"). */
export type ResourceList = Readonly<Record<string, string | number>>;

export interface ResourceRequirements {
  readonly requests?: ResourceList;
  readonly limits?: ResourceList;
}

export interface ContainerPort {
  readonly containerPort: number;
  readonly hostPort?: number;
  readonly hostIP?: string;
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

export interface Container {
  readonly name: string;
  readonly resources?: ResourceRequirements;
  readonly ports?: readonly ContainerPort[];
  /** Only on init containers: "Always" makes it a sidecar (restartable init container). */
  readonly restartPolicy?: 'Always';
}

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: TaintEffect;
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: TaintEffect | '';
  readonly tolerationSeconds?: number;
}

// Node selectors are matched in @ekslab/apimachinery (shared with the controller-manager); the types come from there.
export type { NodeSelectorRequirement, NodeSelectorTerm, NodeSelector } from '@ekslab/apimachinery';
export type NodeSelectorOperator = NodeSelectorRequirement['operator'];

export interface PreferredSchedulingTerm {
  readonly weight: number;
  readonly preference: NodeSelectorTerm;
}

/** metav1.LabelSelector as JSON. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>> | null;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] | null }[] | null;
}

export interface PodAffinityTerm {
  readonly labelSelector?: LabelSelector | null;
  readonly namespaces?: readonly string[];
  readonly namespaceSelector?: LabelSelector | null;
  readonly topologyKey: string;
}

export interface WeightedPodAffinityTerm {
  readonly weight: number;
  readonly podAffinityTerm: PodAffinityTerm;
}

export interface PodAffinity {
  readonly requiredDuringSchedulingIgnoredDuringExecution?: readonly PodAffinityTerm[];
  readonly preferredDuringSchedulingIgnoredDuringExecution?: readonly WeightedPodAffinityTerm[];
}

export interface Affinity {
  readonly nodeAffinity?: {
    readonly requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector;
    readonly preferredDuringSchedulingIgnoredDuringExecution?: readonly PreferredSchedulingTerm[];
  };
  readonly podAffinity?: PodAffinity;
  readonly podAntiAffinity?: PodAffinity;
}

export interface TopologySpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  readonly labelSelector?: LabelSelector | null;
  readonly minDomains?: number;
  /** Default Honor: only nodes matching the pod's nodeSelector/required node affinity count. */
  readonly nodeAffinityPolicy?: 'Honor' | 'Ignore';
  /** Default Ignore: tainted nodes count too. */
  readonly nodeTaintsPolicy?: 'Honor' | 'Ignore';
  readonly matchLabelKeys?: readonly string[];
}

export interface Pod {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly deletionTimestamp?: string;
    readonly creationTimestamp?: string;
  };
  readonly spec: {
    readonly nodeName?: string;
    readonly nodeSelector?: Readonly<Record<string, string>>;
    readonly affinity?: Affinity;
    readonly tolerations?: readonly Toleration[];
    readonly containers: readonly Container[];
    readonly initContainers?: readonly Container[];
    readonly overhead?: ResourceList;
    readonly preemptionPolicy?: 'PreemptLowerPriority' | 'Never';
    readonly priority?: number;
    readonly schedulerName?: string;
    readonly topologySpreadConstraints?: readonly TopologySpreadConstraint[];
  };
  readonly status?: { readonly phase?: string; readonly nominatedNodeName?: string; readonly startTime?: string };
}

export interface Node {
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: { readonly unschedulable?: boolean; readonly taints?: readonly Taint[] };
  readonly status?: { readonly allocatable?: ResourceList; readonly capacity?: ResourceList };
}

/**
 * A filter's verdict on one node, as kube's framework.Status: `Unschedulable` means preemption might help,
 * `UnschedulableAndUnresolvable` means it cannot.
 */
export interface FilterStatus {
  readonly code: 'Unschedulable' | 'UnschedulableAndUnresolvable';
  readonly plugin: FilterPluginName;
  readonly reasons: readonly string[];
}

export type FilterPluginName =
  | 'NodeUnschedulable'
  | 'NodeName'
  | 'TaintToleration'
  | 'NodeAffinity'
  | 'NodePorts'
  | 'NodeResourcesFit'
  | 'PodTopologySpread'
  | 'InterPodAffinity';
