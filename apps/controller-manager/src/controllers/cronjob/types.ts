import type { KubeObject } from '@ekslab/client';
import type { Meta } from '../../controller-utils/index.js';
import type { JobSpec } from '../job/types.js';

/** Annotation on a CronJob's Job with its scheduled time, RFC 3339 in the CronJob's time zone (kube 1.28+). */
export const CRONJOB_SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface CronJobSpec {
  schedule: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  suspend?: boolean;
  jobTemplate: { metadata?: Pick<Meta, 'labels' | 'annotations'>; spec: JobSpec };
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
}

export interface CronJobStatus {
  active?: ObjectReference[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
}

export interface CronJob extends KubeObject {
  metadata: Meta;
  spec: CronJobSpec;
  status?: CronJobStatus;
}
