// The parts of the Kubernetes API objects the controllers read and write. Only what they use is typed;
// everything else passes through untouched (objects are JSON from the API).
import type { KubeObject, ObjectMeta } from '@ekslab/client';
import type { LabelSelectorObject } from '@ekslab/apimachinery';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface Meta extends ObjectMeta {
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  creationTimestamp?: string;
  generation?: number;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string | null;
  lastHeartbeatTime?: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: '' | 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

export interface Container {
  name: string;
  image?: string;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  [field: string]: unknown;
}

export interface PodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: Record<string, unknown>;
  containers: Container[];
  initContainers?: Container[];
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  hostname?: string;
  subdomain?: string;
  [field: string]: unknown;
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  state?: { waiting?: { reason?: string }; running?: { startedAt?: string }; terminated?: { exitCode: number; reason?: string; finishedAt?: string } };
}

export interface PodStatus {
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  conditions?: Condition[];
  podIP?: string;
  podIPs?: { ip: string }[];
  hostIP?: string;
  reason?: string;
  message?: string;
  startTime?: string;
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
}

export interface Pod extends KubeObject {
  metadata: Meta;
  spec: PodSpec;
  status?: PodStatus;
}

export interface PodTemplateSpec {
  metadata?: Pick<Meta, 'labels' | 'annotations' | 'finalizers' | 'name' | 'generateName'> & { [field: string]: unknown };
  spec: PodSpec;
}

export type { LabelSelectorObject };

export interface Node extends KubeObject {
  metadata: Meta;
  spec?: { taints?: Taint[]; unschedulable?: boolean; providerID?: string; podCIDR?: string };
  status?: { conditions?: Condition[]; addresses?: { type: string; address: string }[]; allocatable?: Record<string, string>; capacity?: Record<string, string> };
}
