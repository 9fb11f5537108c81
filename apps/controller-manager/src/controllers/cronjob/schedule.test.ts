import { parseSchedule } from '@ekslab/apimachinery';
import { describe, expect, it } from 'vitest';
import { jobFromTemplate, jobName, mostRecentScheduleTime, nextScheduleDelay, rfc1123z, scheduledTimestamp } from './schedule.js';
import type { CronJob } from './types.js';

const cj = (extra: { created?: string; last?: string; deadline?: number; tz?: string } = {}): CronJob => ({
  apiVersion: 'batch/v1', kind: 'CronJob',
  metadata: { name: 'tick', namespace: 'ns', uid: 'cj-uid', creationTimestamp: extra.created ?? '2026-11-22T11:00:30Z' },
  spec: {
    schedule: '*/1 * * * *', ...(extra.deadline !== undefined ? { startingDeadlineSeconds: extra.deadline } : {}), ...(extra.tz ? { timeZone: extra.tz } : {}),
    jobTemplate: { metadata: { labels: { app: 'tick' } }, spec: { template: { spec: { containers: [], restartPolicy: 'Never' } } } },
  },
  ...(extra.last ? { status: { lastScheduleTime: extra.last } } : {}),
});
const every = parseSchedule('*/1 * * * *');
const t = (iso: string): number => Date.parse(iso);

describe('cronjob schedule', () => {
  it('mostRecent — nothing is due before the first activation after creation', () => {
    expect(mostRecentScheduleTime(cj(), t('2026-11-22T11:00:59Z'), every, true)).toMatchObject({ mostRecent: undefined, missed: 'none' });
  });

  it('mostRecent — the latest due activation, counting the missed ones', () => {
    expect(mostRecentScheduleTime(cj(), t('2026-11-22T11:01:05Z'), every, true)).toMatchObject({ mostRecent: t('2026-11-22T11:01:00Z'), missed: 'few' });
    expect(mostRecentScheduleTime(cj({ last: '2026-11-22T11:01:00Z' }), t('2026-11-22T11:03:10Z'), every, true))
      .toMatchObject({ mostRecent: t('2026-11-22T11:03:00Z'), missed: 'few' });
    expect(mostRecentScheduleTime(cj(), t('2026-11-22T14:00:00Z'), every, true).missed).toBe('many');
  });

  it('mostRecent — startingDeadlineSeconds moves the search start forward', () => {
    const r = mostRecentScheduleTime(cj({ deadline: 30 }), t('2026-11-22T14:00:10Z'), every, true);
    expect(r).toMatchObject({ mostRecent: t('2026-11-22T14:00:00Z'), missed: 'few' });
    expect(mostRecentScheduleTime(cj({ deadline: 5 }), t('2026-11-22T14:00:10Z'), every, true).mostRecent).toBeUndefined();
  });

  it('nextScheduleDelay — just after the next activation (100 ms)', () => {
    expect(nextScheduleDelay(cj(), t('2026-11-22T11:00:40Z'), every)).toBe(20_100);
    expect(nextScheduleDelay(cj({ last: '2026-11-22T11:01:00Z' }), t('2026-11-22T11:01:00.500Z'), every)).toBe(59_600);
  });

  it('job — named by minutes since the epoch, annotated with the scheduled time in the zone, owned by the CronJob', () => {
    const scheduled = t('2026-11-22T11:01:00Z');
    expect(jobName(cj(), scheduled)).toBe(`tick-${scheduled / 60_000}`);
    const job = jobFromTemplate(cj({ tz: 'Europe/Paris' }), scheduled);
    expect(job.metadata.annotations).toEqual({ 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2026-11-22T12:01:00+01:00' });
    expect(job.metadata.labels).toEqual({ app: 'tick' });
    expect(job.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-uid', controller: true, blockOwnerDeletion: true }]);
    expect(scheduledTimestamp(scheduled, undefined)).toBe('2026-11-22T11:01:00Z');
    expect(rfc1123z(scheduled)).toBe('Sun, 22 Nov 2026 11:01:00 +0000');
  });
});
