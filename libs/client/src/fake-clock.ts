import type { Clock } from '@ekslab/runtime';

interface Sleeper {
  readonly deadline: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * A manual Clock for tests: time moves only when `advance` is called, and sleepers wake in
 * deadline order (ties in the order they went to sleep).
 *
 * `advance` steps from one deadline to the next and lets pending promise callbacks run between
 * steps (it yields to the event loop), so code that sleeps again right after waking is woken
 * again within the same `advance` if its new deadline falls inside the window. Not guaranteed:
 * work that waits on real I/O (sockets, timers of the real clock) is not awaited.
 */
export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private sleepers: Sleeper[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason as Error);
        return;
      }
      if (ms <= 0) {
        resolve(); // the deadline has already passed
        return;
      }
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal.reason as Error);
      };
      const sleeper: Sleeper = {
        deadline: this.current + ms,
        seq: this.seq++,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  /** How many sleeps are pending. */
  pending(): number {
    return this.sleepers.length;
  }

  /** The earliest pending deadline, or undefined. */
  nextDeadline(): number | undefined {
    return this.sortedSleepers()[0]?.deadline;
  }

  /** Moves time forward by `ms`, waking every sleeper whose deadline is passed, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      const next = this.sortedSleepers()[0];
      if (!next || next.deadline > target) break;
      this.sleepers = this.sleepers.filter((s) => s !== next);
      this.current = Math.max(this.current, next.deadline);
      next.resolve();
      await settle();
    }
    this.current = target;
    await settle();
  }

  /** Advances to the next pending deadline (if any) and wakes the sleepers due then. */
  async advanceToNext(): Promise<void> {
    await settle();
    const next = this.nextDeadline();
    if (next !== undefined) await this.advance(next - this.current);
  }

  private sortedSleepers(): Sleeper[] {
    return [...this.sleepers].sort((a, b) => a.deadline - b.deadline || a.seq - b.seq);
  }
}

/** Lets queued promise callbacks run: a few turns of the event loop. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
