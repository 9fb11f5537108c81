import { setTimeout as delay } from 'node:timers/promises';

// A client that writes through a replica loss the way client-go does: a failed attempt is tried again when
// the failure says the work may not have happened (connection error, timeout, 429/5xx with Retry-After),
// and writes are made safe to repeat — a create is a create-or-get by name (409 AlreadyExists after an
// ambiguous attempt → read it back and compare), an update is a compare-and-swap on resourceVersion
// (409 Conflict after an ambiguous attempt → read it back: our value means the earlier attempt landed).
// Transport-independent: REST and gRPC plug in through ConfigMapTransport.

export interface ConfigMap {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
  data?: Record<string, string>;
}

/** What one failed attempt means for the retrying client. */
export type Verdict =
  /** The work may not have happened and may succeed later (`reason` is counted; `afterMs` from Retry-After). */
  | { kind: 'retry'; reason: string; afterMs?: number }
  | { kind: 'alreadyExists' }
  | { kind: 'conflict' }
  | { kind: 'fatal'; reason: string };

export interface ConfigMapTransport {
  create(cm: ConfigMap, signal: AbortSignal): Promise<ConfigMap>;
  get(name: string, signal: AbortSignal): Promise<ConfigMap>;
  update(cm: ConfigMap, signal: AbortSignal): Promise<ConfigMap>;
  /** Classifies a rejection of one attempt (never an attempt timeout: the writer handles those). */
  classify(err: unknown): Verdict;
}

export interface WriterOptions {
  /** Bound of one attempt; past it the attempt counts as ambiguous and is retried. Default 5 s. */
  attemptTimeoutMs?: number;
  /** Bound of one logical request, all retries included; past it the request fails. Default 30 s. */
  requestTimeoutMs?: number;
  /** Backoff between attempts without Retry-After: doubles from `initialMs` (50) up to `maxMs` (1000). */
  backoff?: { initialMs: number; maxMs: number };
}

export interface WriterStats {
  /** Raw attempts sent. */
  attempts: number;
  /** Raw attempts that failed and were tried again, by reason (ECONNRESET, attempt-timeout, 503…). */
  retried: Map<string, number>;
  /** Ambiguous writes resolved by reading back: a create that already existed, an update that had landed. */
  resolvedByReadBack: number;
  /** Logical requests that failed (the test wants none), with why. */
  failures: string[];
}

/** A logical request that could not be completed (non-retryable answer, or out of time). */
export class WriteFailedError extends Error {
  override readonly name = 'WriteFailedError';
}

export class RetryingWriter {
  readonly stats: WriterStats = { attempts: 0, retried: new Map(), resolvedByReadBack: 0, failures: [] };
  private readonly attemptTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly backoff: { initialMs: number; maxMs: number };

  constructor(private readonly transport: ConfigMapTransport, options: WriterOptions = {}) {
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 5_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.backoff = options.backoff ?? { initialMs: 50, maxMs: 1_000 };
  }

  get retriedAttempts(): number {
    return [...this.stats.retried.values()].reduce((a, b) => a + b, 0);
  }

  /** Creates `cm`, or — after an ambiguous attempt — accepts the stored object if it has the same data. */
  async createOrGet(cm: ConfigMap, signal: AbortSignal): Promise<ConfigMap> {
    const deadline = this.deadline(signal);
    let ambiguous = false;
    for (let attempt = 0; ; attempt++) {
      const result = await this.attempt((s) => this.transport.create(cm, s), signal);
      if (result.ok) return result.value;
      const v = result.verdict;
      if (v.kind === 'alreadyExists' && ambiguous) {
        const stored = await this.get(cm.metadata.name, signal);
        if (sameData(stored.data, cm.data)) {
          this.stats.resolvedByReadBack++;
          return stored;
        }
        throw new WriteFailedError(`create ${cm.metadata.name}: exists with other data ${JSON.stringify(stored.data)}`);
      }
      if (v.kind !== 'retry') throw new WriteFailedError(`create ${cm.metadata.name}: ${describe(v)}`);
      ambiguous = true;
      await this.pause(v, attempt, deadline, `create ${cm.metadata.name}`);
    }
  }

  /** Reads an object, retrying retryable failures. */
  async get(name: string, signal: AbortSignal): Promise<ConfigMap> {
    const deadline = this.deadline(signal);
    for (let attempt = 0; ; attempt++) {
      const result = await this.attempt((s) => this.transport.get(name, s), signal);
      if (result.ok) return result.value;
      if (result.verdict.kind !== 'retry') throw new WriteFailedError(`get ${name}: ${describe(result.verdict)}`);
      await this.pause(result.verdict, attempt, deadline, `get ${name}`);
    }
  }

  /**
   * Sets `data[key]` of `current` (the last state this writer acknowledged) to `value`, guarded by
   * current's resourceVersion. A 409 Conflict is read back: the object holding `value` means an earlier,
   * ambiguous attempt of ours landed; holding `current`'s value means retry on the new resourceVersion;
   * anything else is another writer, which this single-writer test treats as a failure.
   */
  async compareAndSet(current: ConfigMap, key: string, value: string, signal: AbortSignal): Promise<ConfigMap> {
    const deadline = this.deadline(signal);
    let base = current;
    for (let attempt = 0; ; attempt++) {
      const next: ConfigMap = { ...base, data: { ...base.data, [key]: value } };
      const result = await this.attempt((s) => this.transport.update(next, s), signal);
      if (result.ok) return result.value;
      const v = result.verdict;
      if (v.kind === 'conflict') {
        const stored = await this.get(current.metadata.name, signal);
        if (stored.data?.[key] === value) {
          this.stats.resolvedByReadBack++;
          return stored;
        }
        if (stored.data?.[key] !== current.data?.[key]) {
          throw new WriteFailedError(`update ${current.metadata.name}: ${key} is ${String(stored.data?.[key])}, neither ours nor the previous value`);
        }
        base = stored;
        continue;
      }
      if (v.kind !== 'retry') throw new WriteFailedError(`update ${current.metadata.name}: ${describe(v)}`);
      await this.pause(v, attempt, deadline, `update ${current.metadata.name}`);
    }
  }

  private deadline(signal: AbortSignal): AbortSignal {
    return AbortSignal.any([signal, AbortSignal.timeout(this.requestTimeoutMs)]);
  }

  private async attempt<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<{ ok: true; value: T } | { ok: false; verdict: Verdict }> {
    signal.throwIfAborted();
    this.stats.attempts++;
    const timeout = AbortSignal.timeout(this.attemptTimeoutMs);
    try {
      return { ok: true, value: await fn(AbortSignal.any([signal, timeout])) };
    } catch (err) {
      // An aborted request is never retried or swallowed.
      signal.throwIfAborted();
      if (timeout.aborted) return { ok: false, verdict: { kind: 'retry', reason: 'attempt-timeout' } };
      return { ok: false, verdict: this.transport.classify(err) };
    }
  }

  private async pause(v: Verdict & { kind: 'retry' }, attempt: number, deadline: AbortSignal, what: string): Promise<void> {
    this.stats.retried.set(v.reason, (this.stats.retried.get(v.reason) ?? 0) + 1);
    const backoffMs = Math.min(this.backoff.initialMs * 2 ** attempt, this.backoff.maxMs);
    try {
      await delay(v.afterMs ?? backoffMs, undefined, { signal: deadline });
    } catch (err) {
      if (!(deadline.reason instanceof DOMException && deadline.reason.name === 'TimeoutError')) throw err;
      throw new WriteFailedError(`${what}: no success within ${this.requestTimeoutMs}ms (last: ${v.reason})`);
    }
  }
}

function describe(v: Verdict): string {
  return v.kind === 'retry' || v.kind === 'fatal' ? v.reason : v.kind;
}

function sameData(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  return JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());
}

/** What the workload acknowledged: the creates (name → data.i) and the number of counter updates. */
export interface Acknowledged {
  creates: Map<string, string>;
  counterUpdates: number;
}

/**
 * The continuous workload: one loop creates ConfigMaps `cm-00000`, `cm-00001`… (data `{ i }`), another
 * increments `data.count` of the ConfigMap `counter` (created first with count 0). Both go until `stop()`;
 * a logical request that fails is recorded in `stats.failures` (a failed create moves on to the next name;
 * a failed counter update ends the counter loop, whose state is then unknown).
 */
export class Workload {
  readonly acked: Acknowledged = { creates: new Map(), counterUpdates: 0 };
  private stopping = false;
  private loops: Promise<void> | undefined;

  constructor(
    readonly writer: RetryingWriter,
    private readonly namespace: string,
    private readonly signal: AbortSignal,
  ) {}

  /** Acknowledged writes so far, of both loops: a progress measure for waits. */
  get progress(): number {
    return this.acked.creates.size + this.acked.counterUpdates;
  }

  async start(): Promise<void> {
    const counter = await this.writer.createOrGet(this.cm('counter', { count: '0' }), this.signal);
    this.loops = Promise.all([this.createLoop(), this.counterLoop(counter)]).then(() => undefined);
  }

  /**
   * Lets the requests in flight finish (each is bounded by the writer's request timeout), then returns.
   * After the signal aborted (teardown), the loops have ended at their next request without recording it.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loops;
  }

  private cm(name: string, data: Record<string, string>): ConfigMap {
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: this.namespace }, data };
  }

  private async createLoop(): Promise<void> {
    for (let i = 0; !this.stopping; i++) {
      const name = `cm-${String(i).padStart(5, '0')}`;
      try {
        await this.writer.createOrGet(this.cm(name, { i: String(i) }), this.signal);
        this.acked.creates.set(name, String(i));
      } catch (err) {
        if (this.signal.aborted) return;
        this.writer.stats.failures.push(String(err));
      }
    }
  }

  private async counterLoop(counter: ConfigMap): Promise<void> {
    let current = counter;
    while (!this.stopping) {
      try {
        current = await this.writer.compareAndSet(current, 'count', String(this.acked.counterUpdates + 1), this.signal);
        this.acked.counterUpdates++;
      } catch (err) {
        if (!this.signal.aborted) this.writer.stats.failures.push(String(err));
        return;
      }
    }
  }
}
