import { systemClock } from '@ekslab/runtime';
import type { Clock, Logger } from '@ekslab/runtime';
import { formatMicroTime } from './lease.js';
import type { Lease, LeaseSpec, LeaseStore } from './lease.js';

/** client-go's (and kube-scheduler's) defaults. */
export const LEADER_ELECTION_DEFAULTS = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 } as const;
/** Acquire retries wait retryPeriod · (1 + random · 1.2), as client-go's JitterFactor. */
const JITTER_FACTOR = 1.2;

export interface LeaderElectorOptions {
  lock: LeaseStore;
  /** How long non-leaders wait after last seeing the record change before taking over; default 15 s. */
  leaseDurationMs?: number;
  /** The leader gives up if it cannot renew for this long; default 10 s. */
  renewDeadlineMs?: number;
  /** Interval between acquire/renew attempts; default 2 s. */
  retryPeriodMs?: number;
  /** On a graceful stop (outer signal), clear holderIdentity so another candidate takes over at once. */
  releaseOnCancel?: boolean;
  clock?: Clock;
  random?: () => number;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
}

export interface LeaderCallbacks {
  /** This candidate's name, written as holderIdentity (make it unique per replica). */
  identity: string;
  /**
   * Called on becoming leader. `signal` aborts when leadership is lost or the outer signal
   * aborts; the work must stop then. `run` waits for the returned promise before releasing.
   */
  onStartedLeading(signal: AbortSignal): Promise<void> | void;
  /** Called once after leading ended (not called if this candidate never led). */
  onStoppedLeading?(): void;
  /** Called when a different holder is observed (including this candidate). */
  onNewLeader?(identity: string): void;
}

interface Observed {
  lease: Lease;
  spec: LeaseSpec;
  raw: string;
  /** Local clock time at which this record was first seen. */
  at: number;
}

/**
 * Lease-based leader election (client-go's leaderelection over a resourcelock.LeaseLock).
 *
 * A candidate becomes leader by writing its identity into the Lease when the lease is free,
 * released (holder ""), or when the record has not changed for leaseDuration by the candidate's
 * own clock. The leader renews every retryPeriod; if it cannot renew for renewDeadline, it gives
 * up: onStartedLeading's signal aborts, then onStoppedLeading runs, and `run` returns (like
 * client-go; call `run` again to rejoin as a candidate).
 *
 * NOT guaranteed — this is not a fence: two leaders can overlap. A leader that stalls (GC pause,
 * stopped container, partition) only notices at its next renew attempt and keeps acting until
 * then, while another candidate may take over once leaseDuration has passed on *its* clock;
 * with clock-rate skew between hosts the windows do not line up either. Protect writes that must
 * not be duplicated with resourceVersion preconditions, not with leadership.
 */
export class LeaderElector {
  private readonly lock: LeaseStore;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private observed: Observed | undefined;
  private reportedLeader = '';
  private identity = '';
  private running = false;
  private leading = false;

  constructor(private readonly options: LeaderElectorOptions) {
    this.lock = options.lock;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.leaseDurationMs = options.leaseDurationMs ?? LEADER_ELECTION_DEFAULTS.leaseDurationMs;
    this.renewDeadlineMs = options.renewDeadlineMs ?? LEADER_ELECTION_DEFAULTS.renewDeadlineMs;
    this.retryPeriodMs = options.retryPeriodMs ?? LEADER_ELECTION_DEFAULTS.retryPeriodMs;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod*1.2');
    if (this.retryPeriodMs <= 0) throw new Error('retryPeriod must be greater than zero');
  }

  /** True while `run` is in its leading phase and the last observed record names this candidate. */
  isLeader(): boolean {
    return this.leading && this.recordNamesMe();
  }

  private recordNamesMe(): boolean {
    return this.identity !== '' && this.observed?.spec.holderIdentity === this.identity;
  }

  /** The holder in the last observed record ("" if none or unknown). */
  getLeader(): string {
    return this.observed?.spec.holderIdentity ?? '';
  }

  /**
   * Campaigns until leader, leads until leadership is lost or the signal aborts, then returns.
   * Never rejects because of the signal.
   */
  async run(callbacks: LeaderCallbacks, signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error('LeaderElector.run is already running');
    this.running = true;
    try {
      this.identity = callbacks.identity;
      if (!(await this.acquire(callbacks, signal))) return;
      this.leading = true;
      await this.lead(callbacks, signal);
    } finally {
      this.leading = false;
      this.running = false;
    }
  }

  private async lead(callbacks: LeaderCallbacks, signal: AbortSignal): Promise<void> {
    const leading = new AbortController();
    const stopLeading = (): void => leading.abort(signal.reason ?? new Error('leader election stopped'));
    signal.addEventListener('abort', stopLeading, { once: true });
    const work = Promise.resolve()
      .then(() => callbacks.onStartedLeading(leading.signal))
      .catch((err: unknown) => this.options.logger?.error({ err }, 'leader election: onStartedLeading failed'));
    try {
      await this.renewLoop(callbacks, signal);
      this.leading = false;
      if (!leading.signal.aborted) leading.abort(new Error(`lost leadership of ${this.lock.describe()}`));
      await work;
      if (signal.aborted && this.options.releaseOnCancel) await this.release();
    } finally {
      signal.removeEventListener('abort', stopLeading);
      callbacks.onStoppedLeading?.();
    }
  }

  private async acquire(callbacks: LeaderCallbacks, signal: AbortSignal): Promise<boolean> {
    this.options.logger?.info({ lease: this.lock.describe(), identity: this.identity }, 'leader election: attempting to acquire');
    while (!signal.aborted) {
      const ok = await this.tryAcquireOrRenew(signal);
      this.maybeReportTransition(callbacks);
      if (ok) {
        this.options.logger?.info({ lease: this.lock.describe(), identity: this.identity }, 'leader election: acquired');
        return true;
      }
      const wait = this.retryPeriodMs * (1 + this.random() * JITTER_FACTOR);
      if (!(await this.sleep(wait, signal))) return false;
    }
    return false;
  }

  /** Renews every retryPeriod; returns when a renewal failed for renewDeadline or the signal aborted. */
  private async renewLoop(callbacks: LeaderCallbacks, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!(await this.sleep(this.retryPeriodMs, signal))) return;
      const renewed = await this.renewWithin(signal);
      this.maybeReportTransition(callbacks);
      if (signal.aborted) return;
      if (!renewed) {
        this.options.logger?.warn({ lease: this.lock.describe(), identity: this.identity }, 'leader election: failed to renew; leadership lost');
        return;
      }
    }
  }

  /** Tries now and every retryPeriod until success or renewDeadline passes (client-go's PollImmediateUntil). */
  private async renewWithin(signal: AbortSignal): Promise<boolean> {
    const deadline = new AbortController();
    const onAbort = (): void => deadline.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = new AbortController();
    this.clock.sleep(this.renewDeadlineMs, timer.signal).then(
      () => deadline.abort(new Error('renew deadline exceeded')),
      () => undefined,
    );
    try {
      for (;;) {
        if (deadline.signal.aborted) return false;
        if (await this.tryAcquireOrRenew(deadline.signal)) return true;
        if (!(await this.sleep(this.retryPeriodMs, deadline.signal))) return false;
      }
    } finally {
      timer.abort();
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = this.clock.now();
    const desired: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.round(this.leaseDurationMs / 1000),
      acquireTime: formatMicroTime(now),
      renewTime: formatMicroTime(now),
      leaseTransitions: 0,
    };
    try {
      const current = await this.lock.get(signal);
      if (!current) {
        const created = await this.lock.create({ ...this.lock.template(), spec: desired }, signal);
        this.observe(created, now);
        return true;
      }
      this.observe(current, now);
      const old = (this.observed as Observed).spec;
      const expiresAt = (this.observed as Observed).at + (old.leaseDurationSeconds ?? 0) * 1000;
      if (old.holderIdentity && expiresAt > now && !this.recordNamesMe()) return false;
      if (this.recordNamesMe()) {
        desired.acquireTime = old.acquireTime ?? desired.acquireTime;
        desired.leaseTransitions = old.leaseTransitions ?? 0;
      } else {
        desired.leaseTransitions = (old.leaseTransitions ?? 0) + 1;
      }
      const updated = await this.lock.update({ ...current, spec: desired }, signal);
      this.observe(updated, now);
      return true;
    } catch (err) {
      if (!signal.aborted) this.options.logger?.debug({ err, lease: this.lock.describe() }, 'leader election: attempt failed');
      return false;
    }
  }

  /** Records the lease; the observation time moves only when the record itself changed. */
  private observe(lease: Lease, now: number): void {
    const spec = lease.spec ?? {};
    const raw = JSON.stringify([spec.holderIdentity, spec.leaseDurationSeconds, spec.acquireTime, spec.renewTime, spec.leaseTransitions]);
    if (this.observed?.raw === raw) this.observed = { ...this.observed, lease };
    else this.observed = { lease, spec, raw, at: now };
  }

  private maybeReportTransition(callbacks: LeaderCallbacks): void {
    const holder = this.getLeader();
    if (holder === '' || holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    try {
      callbacks.onNewLeader?.(holder);
    } catch (err) {
      this.options.logger?.error({ err }, 'leader election: onNewLeader threw');
    }
  }

  /** Clears the holder so others need not wait for expiry (client-go's release). Best effort. */
  private async release(): Promise<void> {
    if (!this.recordNamesMe() || !this.observed) return;
    const now = this.clock.now();
    const spec: LeaseSpec = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: formatMicroTime(now),
      renewTime: formatMicroTime(now),
      leaseTransitions: this.observed.spec.leaseTransitions ?? 0,
    };
    const timeout = new AbortController();
    const timer = new AbortController();
    this.clock.sleep(this.renewDeadlineMs, timer.signal).then(() => timeout.abort(new Error('release timed out')), () => undefined);
    try {
      const updated = await this.lock.update({ ...this.observed.lease, spec }, timeout.signal);
      this.observe(updated, now);
      this.options.logger?.info({ lease: this.lock.describe(), identity: this.identity }, 'leader election: released');
    } catch (err) {
      this.options.logger?.warn({ err, lease: this.lock.describe() }, 'leader election: release failed');
    } finally {
      timer.abort();
    }
  }

  /** Sleeps on the clock; false if the signal aborted. */
  private async sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    try {
      await this.clock.sleep(ms, signal);
      return true;
    } catch {
      return false;
    }
  }
}
