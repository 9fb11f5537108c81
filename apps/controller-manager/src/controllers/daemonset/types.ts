// The apps/v1 objects the DaemonSet controller reads and writes (only the fields it uses are typed).
import type { KubeObject } from '@ekslab/client';
import type { LabelSelectorObject, Meta, PodTemplateSpec } from '../../controller-utils/index.js';

export type IntOrString = number | string;

export interface DaemonSetUpdateStrategy {
  type?: 'RollingUpdate' | 'OnDelete';
  rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString };
}

export interface DaemonSetStatus {
  currentNumberScheduled?: number;
  numberMisscheduled?: number;
  desiredNumberScheduled?: number;
  numberReady?: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: unknown[];
}

export interface DaemonSet extends KubeObject {
  metadata: Meta;
  spec: {
    selector?: LabelSelectorObject;
    template: PodTemplateSpec;
    updateStrategy?: DaemonSetUpdateStrategy;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
  };
  status?: DaemonSetStatus;
}

export interface ControllerRevision extends KubeObject {
  metadata: Meta;
  /** For a DaemonSet: `{"spec":{"template":{…,"$patch":"replace"}}}`, a strategic merge patch restoring the template. */
  data?: unknown;
  revision: number;
}

/** The label naming a pod's (and a revision's) ControllerRevision hash (apps.ControllerRevisionHashLabelKey). */
export const REVISION_HASH_LABEL = 'controller-revision-hash';
/** The label of a daemon pod's template generation (extensions.DaemonSetTemplateGenerationKey). */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** apps/v1's DaemonSet template generation (appsv1.DeprecatedTemplateGeneration), kept by the apiserver. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';
