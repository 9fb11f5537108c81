/** batch/v1: jobs and cronjobs. */
import { age, ageColumn, col, containerColumns, name, nameColumn } from './columns.js';
import { humanDuration, parseTime, since } from './duration.js';
import { arr, num, rec, recs, str, type Json } from './fields.js';
import { containerCells, formatLabelSelector } from './format.js';
import type { KubeObject, Printer } from './types.js';

/** The first condition of `type` decides, as in `hasJobCondition`. */
function jobCondition(status: Json, type: string): boolean {
  const found = recs(status['conditions']).find((c) => str(c['type']) === type);
  return found !== undefined && str(found['status']) === 'True';
}

function jobStatus(obj: KubeObject, status: Json): string {
  if (jobCondition(status, 'Complete')) return 'Complete';
  if (jobCondition(status, 'Failed')) return 'Failed';
  if (obj.metadata?.deletionTimestamp !== undefined) return 'Terminating';
  if (jobCondition(status, 'Suspended')) return 'Suspended';
  if (jobCondition(status, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

/** `1/3`, or without completions `1/1` (`1/1 of 4` when parallelism > 1). */
function completions(spec: Json, status: Json): string {
  const succeeded = num(status['succeeded']);
  if (typeof spec['completions'] === 'number') return `${succeeded}/${num(spec['completions'])}`;
  const parallelism = num(spec['parallelism']);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** Start to completion, or start to now while running; '' before the job starts. */
function jobDuration(status: Json, now: number): string {
  const start = parseTime(status['startTime']);
  if (start === null) return '';
  const end = parseTime(status['completionTime']);
  return end === null ? humanDuration(now - start) : humanDuration(end - start);
}

export const jobPrinter: Printer = {
  columns: [
    nameColumn,
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'jobStatus.succeeded'),
    col('Duration', 'string', 'Time required to complete the job.'),
    ageColumn,
    ...containerColumns,
    col('Selector', 'string', 'jobSpec.selector', 1),
  ],
  row(obj, now) {
    const spec = rec(obj['spec']);
    const status = rec(obj['status']);
    const [containers, images] = containerCells(rec(rec(spec['template'])['spec']));
    return [
      name(obj), jobStatus(obj, status), completions(spec, status), jobDuration(status, now), age(obj, now),
      containers, images, formatLabelSelector(spec['selector']),
    ];
  },
};

/** `printBoolPtr`: `True`, `False` or `<unset>` (a string, although the column says boolean). */
function boolPtr(value: unknown): string {
  if (typeof value !== 'boolean') return '<unset>';
  return value ? 'True' : 'False';
}

export const cronJobPrinter: Printer = {
  columns: [
    nameColumn,
    col('Schedule', 'string', 'cronJobSpec.schedule'),
    col('Timezone', 'string', 'cronJobSpec.timeZone'),
    col('Suspend', 'boolean', 'cronJobSpec.suspend'),
    col('Active', 'integer', 'cronJobStatus.active'),
    col('Last Schedule', 'string', 'cronJobStatus.lastScheduleTime'),
    ageColumn,
    ...containerColumns,
    col('Selector', 'string', 'jobSpec.selector', 1),
  ],
  row(obj, now) {
    const spec = rec(obj['spec']);
    const status = rec(obj['status']);
    const jobSpec = rec(rec(spec['jobTemplate'])['spec']);
    const [containers, images] = containerCells(rec(rec(jobSpec['template'])['spec']));
    const lastSchedule = parseTime(status['lastScheduleTime']) === null ? '<none>' : since(status['lastScheduleTime'], now);
    return [
      name(obj), str(spec['schedule']), str(spec['timeZone']) || '<none>', boolPtr(spec['suspend']),
      arr(status['active']).length, lastSchedule, age(obj, now), containers, images, formatLabelSelector(jobSpec['selector']),
    ];
  },
};
