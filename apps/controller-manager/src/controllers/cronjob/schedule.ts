// kube's cronjob utils.go: which scheduled time is due, when to look again, and the Job a schedule makes.
import { newControllerRef } from '../../controller-utils/index.js';
import type { Job } from '../job/types.js';
import { toWall, type Schedule } from '@ekslab/apimachinery';
import { CRONJOB_SCHEDULED_TIMESTAMP, type CronJob } from './types.js';

/** kube's nextScheduleDelta: a requeue lands this long after the scheduled time, so the time has surely come. */
export const NEXT_SCHEDULE_DELTA_MS = 100;
/** More missed start times than this raise the TooManyMissedTimes warning. */
export const MANY_MISSED = 100;

export type Missed = 'none' | 'few' | 'many';

export interface MostRecent {
  /** Where the search started: lastScheduleTime, else creation (later of it and now − startingDeadlineSeconds). */
  readonly earliest: number;
  /** The latest activation in (earliest, now], if any. */
  readonly mostRecent: number | undefined;
  readonly missed: Missed;
}

/** Longest walk through missed activations before falling back to arithmetic (kube always does arithmetic). */
const WALK_LIMIT = 10_000;

/**
 * kube's mostRecentScheduleTime: the latest activation of `schedule` after the last one acted on (or the
 * CronJob's creation) and not after `now`; with `withDeadline`, activations older than
 * startingDeadlineSeconds are not considered.
 */
export function mostRecentScheduleTime(cj: CronJob, nowMs: number, schedule: Schedule, withDeadline: boolean): MostRecent {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || 0;
  const deadline = cj.spec.startingDeadlineSeconds;
  if (withDeadline && deadline !== undefined && deadline !== null) earliest = Math.max(earliest, nowMs - deadline * 1000);
  const t1 = schedule.next(earliest);
  if (t1 === undefined || nowMs < t1) return { earliest, mostRecent: undefined, missed: 'none' };
  let count = 1;
  let latest = t1;
  for (let t = schedule.next(t1); t !== undefined && t <= nowMs; t = schedule.next(t)) {
    latest = t;
    count++;
    if (count >= WALK_LIMIT) {
      // Far behind: like kube, estimate from the interval between two activations.
      const t2 = schedule.next(t1)!;
      const step = Math.max(1000, Math.round((t2 - t1) / 1000) * 1000);
      count = Math.floor((nowMs - t1) / step) + 1;
      latest = t1 + (count - 1) * step;
      break;
    }
  }
  return { earliest, mostRecent: latest, missed: count > MANY_MISSED ? 'many' : 'few' };
}

/** kube's nextScheduleTimeDuration: how long until the next activation after the latest one acted on (+100 ms). */
export function nextScheduleDelay(cj: CronJob, nowMs: number, schedule: Schedule): number | undefined {
  const r = mostRecentScheduleTime(cj, nowMs, schedule, false);
  const from = r.mostRecent ?? (r.missed === 'none' ? r.earliest : nowMs);
  const next = schedule.next(from);
  return next === undefined ? undefined : next + NEXT_SCHEDULE_DELTA_MS - nowMs;
}

/** `<cronjob>-<scheduled time in minutes since the epoch>` (kube's getJobName). */
export function jobName(cj: CronJob, scheduledMs: number): string {
  return `${cj.metadata.name ?? ''}-${Math.floor(scheduledMs / 60_000)}`;
}

/** RFC 3339 in the CronJob's zone, as Go formats a time.Time in a location (`2026-11-22T12:00:00+01:00`). */
export function scheduledTimestamp(scheduledMs: number, zone: string | undefined): string {
  const z = zone || 'UTC';
  const wall = toWall(scheduledMs, z);
  const offsetMin = Math.round((wall - scheduledMs) / 60_000);
  const base = new Date(wall).toISOString().replace(/\.\d{3}Z$/, '');
  if (offsetMin === 0) return `${base}Z`;
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${base}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** kube's getJobFromTemplate2: the Job for one scheduled time, owned by the CronJob. */
export function jobFromTemplate(cj: CronJob, scheduledMs: number): Job {
  const t = cj.spec.jobTemplate;
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: {
      name: jobName(cj, scheduledMs),
      namespace: cj.metadata.namespace,
      labels: { ...t.metadata?.labels },
      annotations: { ...t.metadata?.annotations, [CRONJOB_SCHEDULED_TIMESTAMP]: scheduledTimestamp(scheduledMs, cj.spec.timeZone) },
      ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
    },
    spec: structuredClone(t.spec),
  };
}

/** Go's time.RFC1123Z in UTC (`Mon, 02 Jan 2006 15:04:05 +0000`), as the MissSchedule event prints it. */
export function rfc1123z(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
