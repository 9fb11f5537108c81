// Where Auto Scaling keeps its state in the cloud's etcd prefix: one key per group (every change is a CAS
// update of it) and one key per scaling activity, ordered by start time under the group.
import { NotFoundError } from '@ekslab/storage';
import type { EtcdStore } from '@ekslab/storage';
import type { AutoScalingGroup, ScalingActivityRecord } from './types.js';

const enc = (name: string): string => encodeURIComponent(name);
export const groupKey = (name: string): string => `/autoscaling/groups/${enc(name)}`;
export const groupsPrefix = '/autoscaling/groups/';
export const activitiesPrefix = (name: string): string => `/autoscaling/activities/${enc(name)}/`;
let sequence = 0;
/**
 * The name an activity is stored under: start time (zero-padded epoch ms), then a per-process sequence, then
 * the id — so a prefix list is in start order (activities of two replicas started in the same millisecond
 * are in no particular order).
 */
export function activityName(startMs: number, activityId: string): string {
  sequence = (sequence + 1) % 1e9;
  return `${String(startMs).padStart(15, '0')}-${String(sequence).padStart(9, '0')}-${activityId}`;
}

export class AsgStore {
  constructor(readonly etcd: EtcdStore) {}

  async get(name: string, signal?: AbortSignal): Promise<AutoScalingGroup | undefined> {
    try {
      return await this.etcd.get<AutoScalingGroup>(groupKey(name), { signal });
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async list(signal?: AbortSignal): Promise<AutoScalingGroup[]> {
    return (await this.etcd.list<AutoScalingGroup>(groupsPrefix, { signal })).items;
  }

  async activities(name: string, signal?: AbortSignal): Promise<ScalingActivityRecord[]> {
    return (await this.etcd.list<ScalingActivityRecord>(activitiesPrefix(name), { signal })).items;
  }

  /** Writes an activity under its `metadata.name` from {@link activityName} (create or overwrite: only the replica that claimed the step writes it). */
  async putActivity(a: ScalingActivityRecord, signal?: AbortSignal): Promise<void> {
    const key = `${activitiesPrefix(a.autoScalingGroupName)}${a.metadata.name}`;
    const { resourceVersion: _rv, ...metadata } = a.metadata;
    const record = { ...a, metadata };
    try {
      const current = await this.etcd.get<ScalingActivityRecord>(key, { signal });
      await this.etcd.update(key, { ...record, metadata: { ...metadata, resourceVersion: current.metadata.resourceVersion } }, { signal });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      await this.etcd.create(key, record, { signal });
    }
  }
}
