// The parts of batch/v1 Job the job, cronjob and TTL controllers read and write.
import type { KubeObject } from '@ekslab/client';
import type { LabelSelectorObject, Meta, PodTemplateSpec } from '../../controller-utils/index.js';

/** The finalizer the job controller puts on its pods until it has counted them (batchv1.JobTrackingFinalizer). */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** Annotation (and, since kube 1.28, label) with an Indexed Job pod's completion index. */
export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
/** The environment variable kube adds to an Indexed Job's containers. */
export const JOB_COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

export type JobConditionType = 'Complete' | 'Failed' | 'Suspended' | 'FailureTarget' | 'SuccessCriteriaMet';

export interface JobCondition {
  type: JobConditionType;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
}

export interface JobSpec {
  parallelism?: number;
  completions?: number | null;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  completionMode?: 'NonIndexed' | 'Indexed';
  suspend?: boolean;
  manualSelector?: boolean;
  podReplacementPolicy?: 'TerminatingOrFailed' | 'Failed';
  /** Not implemented here: a Job with a podFailurePolicy is run as if it had none. */
  podFailurePolicy?: unknown;
  managedBy?: string;
  selector?: LabelSelectorObject;
  template: PodTemplateSpec;
}

export interface UncountedTerminatedPods {
  succeeded?: string[];
  failed?: string[];
}

export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  ready?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: UncountedTerminatedPods;
}

export interface Job extends KubeObject {
  metadata: Meta;
  spec: JobSpec;
  status?: JobStatus;
}

/** The Job condition that finished it (Complete or Failed, True), if any (jobutil.FinishedCondition). */
export function finishedCondition(job: Pick<Job, 'status'>): JobCondition | undefined {
  return job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/** Complete or Failed (jobutil.IsJobFinished). */
export const isJobFinished = (job: Pick<Job, 'status'>): boolean => finishedCondition(job) !== undefined;
