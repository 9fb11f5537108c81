// apps/v1 ReplicaSet as the ReplicaSet and Deployment controllers read and write it.
import type { KubeObject } from '@ekslab/client';
import type { Condition, LabelSelectorObject, Meta, PodTemplateSpec } from '../../controller-utils/index.js';

export interface ReplicaSetSpec {
  /** Defaulted to 1 by the apiserver. */
  replicas?: number;
  minReadySeconds?: number;
  selector: LabelSelectorObject;
  template: PodTemplateSpec;
}

/** Zero counts may be absent (Go's omitempty), except `replicas`. */
export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: Condition[];
}

export interface ReplicaSet extends KubeObject {
  metadata: Meta;
  spec: ReplicaSetSpec;
  status?: ReplicaSetStatus;
}

/** The ReplicaSet's desired size (spec.replicas, 1 when unset as the apiserver defaults it). */
export const specReplicas = (rs: { spec: { replicas?: number } }): number => rs.spec.replicas ?? 1;
