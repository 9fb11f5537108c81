import { StatusError } from '@ekslab/apimachinery';
import { describe, expect, it } from 'vitest';
import { prepareJobForCreate, validateCronJob, validateJob } from './jobs.js';

const template = (restartPolicy = 'Never', labels?: Record<string, string>) => ({ ...(labels ? { metadata: { labels } } : {}), spec: { restartPolicy, containers: [{ name: 'c', image: 'busybox' }] } });
const statusOf = (fn: () => void): { code: number; message: string } => {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return { code: err.status.code ?? 0, message: err.status.message ?? '' };
    throw err;
  }
  throw new Error('no error');
};

describe('jobs strategy', () => {
  it('create — generates the controller-uid selector and the template labels; the Job takes them as its labels', () => {
    const job: { metadata: { name: string; uid: string; labels?: Record<string, string> }; spec: unknown } = { metadata: { name: 'pi', uid: 'u-1' }, spec: { template: template() } };
    prepareJobForCreate(job);
    const labels = { 'batch.kubernetes.io/controller-uid': 'u-1', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u-1', 'job-name': 'pi' };
    expect(job.spec).toMatchObject({ selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } }, template: { metadata: { labels } } });
    expect(job.metadata.labels).toEqual(labels);
    expect(() => validateJob(job)).not.toThrow();
  });

  it('create — manualSelector keeps the given selector, which must match the template', () => {
    const job = { metadata: { name: 'pi', uid: 'u-1' }, spec: { manualSelector: true, selector: { matchLabels: { app: 'x' } }, template: template('Never', { app: 'y' }) } };
    prepareJobForCreate(job);
    expect(statusOf(() => validateJob(job))).toEqual({ code: 422, message: 'Job.batch "pi" is invalid: spec.template.metadata.labels: Invalid value: {"app":"y"}: `selector` does not match template `labels`' });
  });

  it('create — restartPolicy Always is refused with kube\'s message', () => {
    const job = { metadata: { name: 'pi', uid: 'u-1' }, spec: { template: template('Always') } };
    prepareJobForCreate(job);
    expect(statusOf(() => validateJob(job)).message).toBe('Job.batch "pi" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
  });

  it('update — the template of a started Job is immutable', () => {
    const current = { metadata: { name: 'pi', uid: 'u-1' }, spec: { template: template() }, status: { startTime: '2026-01-01T00:00:00Z' } };
    prepareJobForCreate(current);
    const next = structuredClone(current);
    (next.spec.template.spec.containers[0] as { image: string }).image = 'nginx';
    expect(statusOf(() => validateJob(next, current)).message).toMatch(/^Job\.batch "pi" is invalid: spec\.template: Invalid value: .*: field is immutable$/);
  });

  it('cronjob — the schedule must parse, without TZ=; the time zone must exist', () => {
    const cj = (schedule: string, timeZone?: string) => ({ metadata: { name: 'c' }, spec: { schedule, ...(timeZone ? { timeZone } : {}), concurrencyPolicy: 'Allow', jobTemplate: { spec: { template: template() } } } });
    expect(() => validateCronJob(cj('*/5 * * * *', 'Europe/Paris'))).not.toThrow();
    expect(statusOf(() => validateCronJob(cj('* * *'))).message).toBe('CronJob.batch "c" is invalid: spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]');
    expect(statusOf(() => validateCronJob(cj('TZ=UTC * * * * *'))).message).toBe('CronJob.batch "c" is invalid: spec.schedule: Invalid value: "TZ=UTC * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead');
    expect(statusOf(() => validateCronJob(cj('* * * * *', 'Mars/Olympus'))).message).toBe('CronJob.batch "c" is invalid: spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus');
  });
});
