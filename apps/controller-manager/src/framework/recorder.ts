import { hostname } from 'node:os';
import type { KubeObject, ResourceClient } from '@ekslab/client';
import type { Clock, Logger } from '@ekslab/runtime';

export type EventType = 'Normal' | 'Warning';

/** What `kubectl describe` lists under Events for an object. */
export interface EventRecorder {
  /** Records an event about `obj` in the background (never throws, never blocks the caller). */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

/** An object's reference as events carry it (`involvedObject`). */
export function objectReference(obj: KubeObject): Record<string, string | undefined> {
  const m = obj.metadata;
  return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: m.namespace, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion };
}

export interface ApiEventRecorderOptions {
  /** core/v1 events, written as the controller's own identity. */
  readonly events: ResourceClient;
  /** `source.component`, e.g. `deployment-controller` (kube's EventSource of each controller). */
  readonly component: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Events waiting to be written at most; more are dropped (kube's broadcaster queue: 1000). */
  readonly maxQueued?: number;
}

interface Recorded { name: string; namespace: string; count: number; first: string; at: number }

/** Repeats within this window bump the first event's count instead of creating a new one (kube's correlator). */
const aggregationWindowMs = 10 * 60_000;

/**
 * client-go's legacy event recorder, as kube-controller-manager's controllers use it: core/v1 Events named
 * `<object>.<hex nanoseconds>` with `source.component`, written in the background one at a time. An event
 * that repeats (same object, type, reason and message) within 10 minutes raises the first one's `count` and
 * `lastTimestamp`, as kube's EventCorrelator does, so a failing reconcile loop does not flood etcd.
 * Best-effort like kube's: a failed write is logged and dropped.
 */
export class ApiEventRecorder implements EventRecorder {
  private readonly queue: (() => Promise<void>)[] = [];
  private draining = false;
  private readonly recent = new Map<string, Recorded>();
  private readonly instance = hostname();
  private seq = 0;

  constructor(private readonly o: ApiEventRecorderOptions, private readonly signal: AbortSignal) {}

  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    if (this.signal.aborted) return;
    if (this.queue.length >= (this.o.maxQueued ?? 1000)) {
      this.o.log.warn({ reason, object: obj.metadata.name }, 'event queue full; dropping event');
      return;
    }
    const now = this.o.clock.now();
    const at = rfc3339(now);
    this.queue.push(() => this.write(obj, type, reason, message, now, at));
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let job = this.queue.shift(); job && !this.signal.aborted; job = this.queue.shift()) await job();
    } finally {
      this.draining = false;
    }
  }

  private async write(obj: KubeObject, type: EventType, reason: string, message: string, now: number, at: string): Promise<void> {
    const namespace = obj.metadata.namespace || 'default';
    const key = [obj.metadata.uid, type, reason, message].join('\0');
    const seen = this.recent.get(key);
    try {
      if (seen && now - seen.at < aggregationWindowMs) {
        seen.count += 1;
        await this.o.events.patch(seen.name, 'merge', { count: seen.count, lastTimestamp: at }, { signal: this.signal, namespace: seen.namespace });
        return;
      }
      const name = `${obj.metadata.name ?? 'unknown'}.${(BigInt(now) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`;
      await this.o.events.create({
        apiVersion: 'v1', kind: 'Event', metadata: { name, namespace },
        involvedObject: objectReference(obj), type, reason, message, count: 1, firstTimestamp: at, lastTimestamp: at,
        source: { component: this.o.component }, reportingComponent: this.o.component, reportingInstance: `${this.o.component}-${this.instance}`,
      } as KubeObject, { signal: this.signal, namespace });
      this.remember(key, { name, namespace, count: 1, first: at, at: now });
    } catch (err) {
      if (!this.signal.aborted) this.o.log.warn({ reason, object: obj.metadata.name, err: (err as Error).message }, 'cannot record event');
    }
  }

  private remember(key: string, rec: Recorded): void {
    this.recent.set(key, rec);
    if (this.recent.size > 4096) {
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
  }
}

/** Records into an array: for unit tests of controllers. */
export class FakeRecorder implements EventRecorder {
  readonly events: { object: string; type: EventType; reason: string; message: string }[] = [];
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    this.events.push({ object: `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`, type, reason, message });
  }
}

const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
