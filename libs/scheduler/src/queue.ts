// kube-scheduler's scheduling queue (pkg/scheduler/backend/queue), reduced to what one-at-a-time scheduling needs:
// activeQ (pods to try, highest priority first then FIFO — the PrioritySort plugin), backoffQ (pods waiting out their backoff), unschedulablePods (pods that failed and
// wait for a cluster event). Keys are opaque (namespace/name); time is passed in, so the queue is pure.

/** podInitialBackoffSeconds / podMaxBackoffSeconds / podMaxInUnschedulablePodsDuration defaults. */
export const defaultPodInitialBackoffMs = 1_000;
export const defaultPodMaxBackoffMs = 10_000;
export const defaultPodMaxInUnschedulableMs = 5 * 60_000;

export interface SchedulingQueueOptions {
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly maxInUnschedulableMs?: number;
}

interface Entry {
  priority: number;
  /** Order of (re-)activation, FIFO among equal priorities. */
  seq: number;
  attempts: number;
  backoffUntil: number;
  unschedulableSince: number;
  where: 'active' | 'backoff' | 'unschedulable' | 'inflight';
}

export class SchedulingQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly active: string[] = [];
  private seq = 0;
  /** Keys in backoff or unschedulable: what flush has to look at. */
  private readonly parked = new Set<string>();
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxInUnschedulableMs: number;

  constructor(opts: SchedulingQueueOptions = {}) {
    this.initialBackoffMs = opts.initialBackoffMs ?? defaultPodInitialBackoffMs;
    this.maxBackoffMs = opts.maxBackoffMs ?? defaultPodMaxBackoffMs;
    this.maxInUnschedulableMs = opts.maxInUnschedulableMs ?? defaultPodMaxInUnschedulableMs;
  }

  /**
   * A new unscheduled pod: straight to activeQ (ordered by `priority`, spec.priority). A known pod that was updated
   * is moved as on a cluster event.
   */
  add(key: string, now: number, priority = 0): void {
    const e = this.entries.get(key);
    if (!e) {
      const entry: Entry = { priority, seq: 0, attempts: 0, backoffUntil: 0, unschedulableSince: 0, where: 'active' };
      this.entries.set(key, entry);
      this.activate(key, entry);
    } else if (e.where === 'unschedulable') this.move(key, e, now);
  }

  /** Whether the queue holds the pod (in any sub-queue or in flight). */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The pod was deleted or got bound elsewhere: forget it. */
  delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.parked.delete(key);
    const i = this.active.indexOf(key);
    if (i >= 0) this.active.splice(i, 1);
  }

  /** The next pod to schedule (it is then in flight until `done` / `unschedulable`). */
  pop(): string | undefined {
    const key = this.active.shift();
    if (key === undefined) return undefined;
    const e = this.entries.get(key);
    if (e) e.where = 'inflight';
    this.parked.delete(key);
    return key;
  }

  /** Scheduled: the pod leaves the queue. */
  done(key: string): void {
    this.entries.delete(key);
    this.parked.delete(key);
  }

  /** The attempt failed: the pod waits for a cluster event, and at least its backoff. */
  unschedulable(key: string, now: number): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.attempts++;
    e.backoffUntil = now + this.backoffMs(e.attempts);
    e.unschedulableSince = now;
    e.where = 'unschedulable';
    this.parked.add(key);
  }

  /** An error other than unschedulable (a failed write): retried after the backoff without waiting for an event. */
  retry(key: string, now: number): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.attempts++;
    e.backoffUntil = now + this.backoffMs(e.attempts);
    e.where = 'backoff';
    this.parked.add(key);
  }

  /** A pod whose binding failed after it left the queue: back in, waiting out one backoff. */
  requeueAfterError(key: string, now: number, priority = 0): void {
    let e = this.entries.get(key);
    if (!e) this.entries.set(key, (e = { priority, seq: 0, attempts: 0, backoffUntil: 0, unschedulableSince: 0, where: 'backoff' }));
    else if (e.where === 'active') {
      const i = this.active.indexOf(key);
      if (i >= 0) this.active.splice(i, 1);
    }
    this.retry(key, now);
  }

  /** podInitialBackoff × 2^(attempts−1), capped at podMaxBackoff. */
  backoffMs(attempts: number): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < attempts && d < this.maxBackoffMs; i++) d *= 2;
    return Math.min(d, this.maxBackoffMs);
  }

  /** A node was added or changed (MoveAllToActiveOrBackoffQueue): every unschedulable pod moves on. */
  moveAllUnschedulable(now: number): void {
    for (const key of [...this.parked]) {
      const e = this.entries.get(key);
      if (e?.where === 'unschedulable') this.move(key, e, now);
    }
  }

  /**
   * Periodic flush: pods whose backoff ended go active; pods unschedulable longer than
   * podMaxInUnschedulablePodsDuration are moved as on an event.
   */
  flush(now: number): void {
    if (this.parked.size === 0) return;
    for (const key of [...this.parked]) {
      const e = this.entries.get(key);
      if (!e) continue;
      if (e.where === 'backoff' && e.backoffUntil <= now) this.activate(key, e);
      else if (e.where === 'unschedulable' && now - e.unschedulableSince >= this.maxInUnschedulableMs) this.move(key, e, now);
    }
  }

  /** The earliest time something in backoff becomes active, for the caller's timer. */
  nextBackoffExpiry(): number | undefined {
    let t: number | undefined;
    for (const key of this.parked) {
      const e = this.entries.get(key);
      if (e?.where === 'backoff' && (t === undefined || e.backoffUntil < t)) t = e.backoffUntil;
    }
    return t;
  }

  /** Sizes per sub-queue, for metrics and tests. */
  get pending(): { readonly active: number; readonly backoff: number; readonly unschedulable: number } {
    let backoff = 0;
    let unschedulable = 0;
    for (const e of this.entries.values()) {
      if (e.where === 'backoff') backoff++;
      else if (e.where === 'unschedulable') unschedulable++;
    }
    return { active: this.active.length, backoff, unschedulable };
  }

  private move(key: string, e: Entry, now: number): void {
    if (e.backoffUntil <= now) this.activate(key, e);
    else {
      e.where = 'backoff';
      this.parked.add(key);
    }
  }

  private activate(key: string, e: Entry): void {
    e.where = 'active';
    this.parked.delete(key);
    e.seq = this.seq++;
    // Binary search for the first entry ordered after e (lower priority, or same priority and later).
    let lo = 0;
    let hi = this.active.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.entries.get(this.active[mid]!);
      if (m && (m.priority > e.priority || (m.priority === e.priority && m.seq < e.seq))) lo = mid + 1;
      else hi = mid;
    }
    this.active.splice(lo, 0, key);
  }
}
