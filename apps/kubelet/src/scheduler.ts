import type { Clock } from '@ekslab/runtime';

/** One entry of the timer heap: `item` is due at `at` (ms on the scheduler's clock). */
interface Entry<T> {
  readonly at: number;
  readonly seq: number;
  readonly item: T;
}

/** A binary min-heap of timers ordered by due time, then insertion order. */
export class TimerHeap<T> {
  private readonly entries: Entry<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.entries.length;
  }

  push(at: number, item: T): void {
    const e: Entry<T> = { at, seq: this.seq++, item };
    const a = this.entries;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  /** The earliest due time, or undefined when empty. */
  peekAt(): number | undefined {
    return this.entries[0]?.at;
  }

  pop(): { readonly at: number; readonly item: T } | undefined {
    const a = this.entries;
    const top = a[0];
    if (top === undefined) return undefined;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l]!, a[m]!)) m = l;
        if (r < a.length && less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return { at: top.at, item: top.item };
  }
}

function less<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

export interface SchedulerOptions<T> {
  readonly clock: Clock;
  /** At most this many tasks run at once; due tasks beyond it wait (and start late). */
  readonly concurrency: number;
  /**
   * Runs a due task. Resolves to when the same item is due next (ms on the clock), or undefined to drop it.
   * Must not reject: errors are the task's to handle (e.g. by returning a backoff time).
   */
  readonly run: (item: T, dueAt: number) => Promise<number | undefined>;
  /** Called as each task starts, with how late it starts (now − due, ≥ 0). */
  readonly onStart?: ((item: T, lateMs: number) => void) | undefined;
}

/** The reason the scheduler's sleep is aborted with when woken (not an error). */
const WOKEN: unique symbol = Symbol('woken');

/**
 * One timer for many recurring tasks: a min-heap of due times, one sleep until the earliest, and at most
 * `concurrency` tasks in flight. Each task reschedules itself by returning its next due time (sliding, as
 * JitterUntil: counted from when the task finished). Hosting N nodes costs one pending timer, not N.
 * The loop is woken only when it must act sooner than it sleeps: an earlier schedule, or a slot freed
 * while it waited for one (a finished task rescheduled 10 s out does not wake it).
 */
export class Scheduler<T> {
  private readonly heap = new TimerHeap<T>();
  private inFlight = 0;
  /** Aborted to wake the loop; replaced each time it sleeps. */
  private wake: AbortController = new AbortController();
  /** What the sleeping loop waits for: a due time, or a free slot (+∞ while not sleeping). */
  private sleepingUntil = Number.POSITIVE_INFINITY;
  private waitingForSlot = false;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: SchedulerOptions<T>) {
    if (options.concurrency < 1) throw new RangeError('concurrency must be at least 1');
  }

  /** Schedules `item` at `at`; wakes the loop if that is earlier than what it waits for. */
  schedule(at: number, item: T): void {
    this.heap.push(at, item);
    if (at < this.sleepingUntil && !this.waitingForSlot) this.wakeUp();
  }

  /** Tasks waiting in the heap (not the ones running). */
  get pending(): number {
    return this.heap.size;
  }

  /** Runs until `signal` aborts, then waits for the tasks in flight (their results are dropped). */
  async run(signal: AbortSignal): Promise<void> {
    const { clock } = this.options;
    const stop = (): void => this.wakeUp();
    signal.addEventListener('abort', stop, { once: true });
    try {
      while (!signal.aborted) {
        const next = this.heap.peekAt();
        const now = clock.now();
        const slotFree = this.inFlight < this.options.concurrency;
        if (next !== undefined && next <= now && slotFree) {
          const { at, item } = this.heap.pop()!;
          this.start(item, at, now, signal);
          continue;
        }
        // Wait for: the earliest timer (when a slot is free), a slot (when none is), an earlier schedule, or stop.
        this.wake = new AbortController();
        this.waitingForSlot = !slotFree;
        this.sleepingUntil = slotFree && next !== undefined ? next : Number.POSITIVE_INFINITY;
        try {
          await clock.sleep(this.sleepingUntil === Number.POSITIVE_INFINITY ? 2 ** 31 - 1 : this.sleepingUntil - now, this.wake.signal);
        } catch {
          // woken or stopped; the loop condition decides
        }
        this.sleepingUntil = Number.POSITIVE_INFINITY;
        this.waitingForSlot = false;
      }
    } finally {
      signal.removeEventListener('abort', stop);
    }
    await Promise.all(this.running);
  }

  private wakeUp(): void {
    // A shared reason: abort() without one builds a DOMException (and its stack) on every wake-up.
    if (!this.wake.signal.aborted) this.wake.abort(WOKEN);
  }

  private start(item: T, at: number, now: number, signal: AbortSignal): void {
    this.inFlight++;
    this.options.onStart?.(item, Math.max(0, now - at));
    const p = this.options
      .run(item, at)
      .catch(() => undefined) // run must not reject; if it does, the item is dropped rather than the slot lost
      .then((nextAt) => {
        this.inFlight--;
        if (this.waitingForSlot) this.wakeUp();
        if (nextAt !== undefined && !signal.aborted) this.schedule(nextAt, item);
      })
      .finally(() => {
        this.running.delete(p);
      });
    this.running.add(p);
  }
}
