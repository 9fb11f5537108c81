import type { SchemaSource } from './schema.js';

/** apps/v1 Deployment and batch/v1 Job, CronJob. Not decoded (reported as unknown): podFailurePolicy, successPolicy. */
export const WORKLOADS_SCHEMA: SchemaSource = {
  Deployment: {
    1: 'metadata ObjectMeta',
    2: 'spec DeploymentSpec',
    3: 'status DeploymentStatus',
  },
  DeploymentSpec: {
    1: 'replicas *int32',
    2: 'selector LabelSelector',
    3: 'template PodTemplateSpec',
    4: 'strategy DeploymentStrategy',
    5: 'minReadySeconds int32',
    6: 'revisionHistoryLimit *int32',
    7: 'paused bool',
    9: 'progressDeadlineSeconds *int32',
  },
  DeploymentStrategy: {
    1: 'type string',
    2: 'rollingUpdate RollingUpdateDeployment',
  },
  RollingUpdateDeployment: {
    1: 'maxUnavailable IntOrString',
    2: 'maxSurge IntOrString',
  },
  DeploymentStatus: {},
  Job: {
    1: 'metadata ObjectMeta',
    2: 'spec JobSpec',
    3: 'status JobStatus',
  },
  JobSpec: {
    1: 'parallelism *int32',
    2: 'completions *int32',
    3: 'activeDeadlineSeconds *int64',
    4: 'selector LabelSelector',
    5: 'manualSelector *bool',
    6: 'template PodTemplateSpec',
    7: 'backoffLimit *int32',
    8: 'ttlSecondsAfterFinished *int32',
    9: 'completionMode *string',
    10: 'suspend *bool',
    // 11: podFailurePolicy (PodFailurePolicy) is not decoded
    12: 'backoffLimitPerIndex *int32',
    13: 'maxFailedIndexes *int32',
    14: 'podReplacementPolicy *string',
    15: 'managedBy *string',
    // 16: successPolicy (SuccessPolicy) is not decoded
    // 17: scheduling (JobSchedulingConfiguration) is not decoded
  },
  JobStatus: {},
  CronJob: {
    1: 'metadata ObjectMeta',
    2: 'spec CronJobSpec',
    3: 'status CronJobStatus',
  },
  CronJobSpec: {
    1: 'schedule *string',
    2: 'startingDeadlineSeconds *int64',
    3: 'concurrencyPolicy string',
    4: 'suspend *bool',
    5: 'jobTemplate JobTemplateSpec',
    6: 'successfulJobsHistoryLimit *int32',
    7: 'failedJobsHistoryLimit *int32',
    8: 'timeZone *string',
  },
  JobTemplateSpec: {
    1: 'metadata ObjectMeta',
    2: 'spec JobSpec',
  },
  CronJobStatus: {},
};
