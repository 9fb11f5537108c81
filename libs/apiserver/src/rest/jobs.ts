// What the generic registry does differently for batch/v1 Jobs and CronJobs (kube's pkg/registry/batch
// strategies and pkg/apis/batch validation, for the rules kubectl and the controllers meet).
import {
  CronParseError, fieldInvalid, fieldNotSupported, fieldRequired, isValidTimeZone, labelSelectorAsSelector, newInvalid, parseSchedule,
  StatusError, type FieldError, type LabelSelectorObject,
} from '@ekslab/apimachinery';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

interface JobLike {
  metadata: { name?: string; uid?: string; labels?: Record<string, string> };
  spec?: unknown;
}

export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
const LEGACY_JOB_NAME_LABEL = 'job-name';
const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';

/**
 * kube's job strategy PrepareForCreate (generateSelector): unless spec.manualSelector, the pod template gets
 * the job-name and controller-uid labels (legacy and batch.kubernetes.io/ forms) and the selector matches
 * `batch.kubernetes.io/controller-uid`. Then, as SetDefaults_Job does when the Job is read back, a Job
 * without labels takes its template's. Call after the uid is set.
 */
export function prepareJobForCreate(job: JobLike): void {
  const spec = obj(job.spec);
  if (spec['manualSelector'] !== true) {
    const template = (spec['template'] = obj(spec['template']));
    const meta = (template['metadata'] = obj(template['metadata']));
    const labels = (meta['labels'] = { ...(obj(meta['labels']) as Record<string, string>) });
    for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) labels[key] ??= job.metadata.name ?? '';
    for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) labels[key] ??= job.metadata.uid ?? '';
    const selector = (spec['selector'] = obj(spec['selector']));
    const matchLabels = (selector['matchLabels'] = { ...(obj(selector['matchLabels']) as Record<string, string>) });
    matchLabels[CONTROLLER_UID_LABEL] ??= job.metadata.uid ?? '';
  }
  defaultJobLabels(job);
}

/** SetDefaults_Job: a Job without labels gets its template's. */
export function defaultJobLabels(job: JobLike): void {
  const templateLabels = obj(obj(obj(job.spec)['template'])['metadata'])['labels'] as Record<string, string> | undefined;
  if (templateLabels && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...templateLabels };
}

const nonNegative = (errs: FieldError[], spec: Obj, field: string, path: string): void => {
  const v = spec[field];
  if (typeof v === 'number' && v < 0) errs.push(fieldInvalid(`${path}.${field}`, v, 'must be greater than or equal to 0'));
};

/** ValidateJobSpec's rules for the parts the lab uses (`path`: `spec` or `spec.jobTemplate.spec`). */
function validateJobSpec(spec: Obj, path: string, manualSelectorCheck: boolean): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'backoffLimit']) nonNegative(errs, spec, f, path);
  const deadline = spec['activeDeadlineSeconds'];
  if (typeof deadline === 'number' && deadline <= 0) errs.push(fieldInvalid(`${path}.activeDeadlineSeconds`, deadline, 'must be greater than 0'));
  if (spec['completionMode'] === 'Indexed' && (spec['completions'] === undefined || spec['completions'] === null)) {
    errs.push(fieldRequired(`${path}.completions`, 'when completion mode is Indexed'));
  }
  const mode = spec['completionMode'];
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(fieldNotSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
  const template = obj(spec['template']);
  const policy = obj(template['spec'])['restartPolicy'];
  if (policy !== 'OnFailure' && policy !== 'Never') errs.push(fieldNotSupported(`${path}.template.spec.restartPolicy`, policy ?? '', ['OnFailure', 'Never']));
  if (manualSelectorCheck) {
    const selector = spec['selector'] as LabelSelectorObject | undefined;
    if (!selector) errs.push(fieldRequired(`${path}.selector`));
    else {
      const labels = (obj(template['metadata'])['labels'] ?? {}) as Record<string, string>;
      let matches = false;
      try {
        const s = labelSelectorAsSelector(selector);
        matches = !s.isEmpty() && s.matches(labels);
      } catch {
        matches = false;
      }
      if (!matches) errs.push(fieldInvalid(`${path}.template.metadata.labels`, labels, '`selector` does not match template `labels`'));
    }
  }
  return errs;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * ValidateJob (create) and ValidateJobUpdate: restartPolicy OnFailure or Never, a selector that matches the
 * template, non-negative counts; on update the selector, completions (NonIndexed) and the template
 * (unless the Job is suspended and never started) are immutable. Throws 422 Invalid.
 */
export function validateJob(job: JobLike, current?: JobLike & { status?: unknown }): void {
  const spec = obj(job.spec);
  const errs = validateJobSpec(spec, 'spec', true);
  if (current) {
    const old = obj(current.spec);
    if (!sameJson(old['selector'], spec['selector'])) errs.push(fieldInvalid('spec.selector', spec['selector'], 'field is immutable'));
    if (spec['completionMode'] !== 'Indexed' && !sameJson(old['completions'], spec['completions'])) errs.push(fieldInvalid('spec.completions', spec['completions'], 'field is immutable'));
    if (!sameJson(old['completionMode'], spec['completionMode'])) errs.push(fieldInvalid('spec.completionMode', spec['completionMode'], 'field is immutable'));
    const mutableTemplate = old['suspend'] === true && obj(current.status)['startTime'] === undefined;
    if (!mutableTemplate && !sameJson(old['template'], spec['template'])) errs.push(fieldInvalid('spec.template', spec['template'], 'field is immutable'));
  }
  if (errs.length > 0) throw new StatusError(newInvalid({ group: 'batch', kind: 'Job' }, job.metadata.name ?? '', errs));
}

/** SetDefaults_CronJob: Allow, not suspended, keep 3 successful and 1 failed Job. */
export function defaultCronJob(spec: Obj): void {
  spec['concurrencyPolicy'] ??= 'Allow';
  spec['suspend'] ??= false;
  spec['successfulJobsHistoryLimit'] ??= 3;
  spec['failedJobsHistoryLimit'] ??= 1;
}

/** ValidateCronJob / ValidateCronJobUpdate: a parseable schedule without TZ= (unless it had one), a known timeZone, a valid job template. */
export function validateCronJob(cj: JobLike, current?: JobLike): void {
  const spec = obj(cj.spec);
  const errs: FieldError[] = [];
  const schedule = spec['schedule'];
  if (typeof schedule !== 'string' || schedule === '') errs.push(fieldRequired('spec.schedule'));
  else {
    try {
      parseSchedule(schedule);
    } catch (err) {
      if (!(err instanceof CronParseError)) throw err;
      errs.push(fieldInvalid('spec.schedule', schedule, err.message));
    }
    const oldSchedule = obj(current?.spec)['schedule'];
    const allowTz = typeof oldSchedule === 'string' && oldSchedule.includes('TZ');
    if (allowTz && schedule.includes('TZ') && spec['timeZone'] !== undefined) errs.push(fieldInvalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    else if (!allowTz && schedule.includes('TZ')) errs.push(fieldInvalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  const tz = spec['timeZone'];
  if (typeof tz === 'string') {
    if (tz === '') errs.push(fieldInvalid('spec.timeZone', tz, 'timeZone must be nil or non-empty string'));
    else if (tz.toLowerCase() === 'local') errs.push(fieldInvalid('spec.timeZone', tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
    else if (tz !== 'UTC' && !isValidTimeZone(tz)) errs.push(fieldInvalid('spec.timeZone', tz, `unknown time zone ${tz}`));
  }
  for (const f of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) nonNegative(errs, spec, f, 'spec');
  const policy = spec['concurrencyPolicy'];
  if (policy !== 'Allow' && policy !== 'Forbid' && policy !== 'Replace') errs.push(fieldNotSupported('spec.concurrencyPolicy', policy ?? '', ['Allow', 'Forbid', 'Replace']));
  const jobSpec = obj(obj(spec['jobTemplate'])['spec']);
  errs.push(...validateJobSpec(jobSpec, 'spec.jobTemplate.spec', jobSpec['manualSelector'] === true));
  if (errs.length > 0) throw new StatusError(newInvalid({ group: 'batch', kind: 'CronJob' }, cj.metadata.name ?? '', errs));
}
