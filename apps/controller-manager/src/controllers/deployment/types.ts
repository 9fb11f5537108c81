// apps/v1 Deployment as the Deployment controller reads and writes it.
import type { KubeObject } from '@ekslab/client';
import type { Condition, LabelSelectorObject, Meta, PodTemplateSpec } from '../../controller-utils/index.js';

/** intstr.IntOrString: an absolute number or a percentage such as "25%". */
export type IntOrString = number | string;

export interface DeploymentSpec {
  replicas?: number;
  selector: LabelSelectorObject;
  template: PodTemplateSpec;
  strategy?: { type?: 'Recreate' | 'RollingUpdate'; rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString } };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
}

/** Zero counts may be absent (Go's omitempty). */
export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: Condition[];
  collisionCount?: number;
}

export interface Deployment extends KubeObject {
  metadata: Meta;
  spec: DeploymentSpec;
  status?: DeploymentStatus;
}

export const RECREATE = 'Recreate';
export const ROLLING_UPDATE = 'RollingUpdate';
