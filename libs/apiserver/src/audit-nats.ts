import { sleep, type Logger } from '@ekslab/runtime';
import { connect, type NatsConnection } from 'nats';
import { Counter, type Registry } from 'prom-client';
import type { AuditEvent, AuditSink } from './audit.js';

export interface NatsAuditSinkOptions {
  readonly servers: readonly string[];
  readonly log: Logger;
  /** Events kept while NATS has never been reached; older ones are dropped beyond it. Default 10000 (kube's --audit-webhook-batch-buffer-size). */
  readonly bufferSize?: number;
  /** Pause between attempts to reach NATS the first time. Default 2 s (nats.js reconnectTimeWait). */
  readonly retryIntervalMs?: number;
  /** Where `apiserver_audit_event_total` and `apiserver_audit_error_total{plugin="nats"}` are registered. */
  readonly registry?: Registry;
  /**
   * Once connected, events are published in batches: at most this long after the first event of a batch
   * (kube-apiserver --audit-webhook-batch-max-wait, 30 s there; default here 100 ms) or once `batchMaxSize`
   * events wait (--audit-webhook-batch-max-size, 400). A batch goes to the socket in one write instead of
   * one per event. 0 publishes every event at once.
   */
  readonly batchMaxWaitMs?: number;
  readonly batchMaxSize?: number;
}

/**
 * Publishes audit events on NATS, subject `ekslab.audit.<verb>` (JSON), as EKS ships its audit log to
 * CloudWatch Logs. `start` returns at once and connects in the background, so the apiserver serves while
 * NATS is down: until the first connection, up to `bufferSize` events wait in memory and the overflow is
 * dropped; after it, the nats.js client buffers across reconnects. Every event lost is counted in
 * `apiserver_audit_error_total{plugin="nats"}` (kube-apiserver's metric) and logged every 1000th time.
 * Once connected, events go out in batches (see `batchMaxWaitMs`), as kube-apiserver's webhook backend batches.
 * Not guaranteed: delivery to subscribers that were not connected (use a JetStream stream on
 * `ekslab.audit.>` to keep them), nor delivery of buffered events if the process stops before NATS answers.
 */
export class NatsAuditSink implements AuditSink {
  private nc: NatsConnection | undefined;
  private readonly pending: AuditEvent[] = [];
  private batch: AuditEvent[] = [];
  private batchTimer: NodeJS.Timeout | undefined;
  private readonly stop = new AbortController();
  private readonly events: Counter;
  private readonly errors: Counter<'plugin'>;
  private dropped = 0;

  private constructor(private readonly opts: NatsAuditSinkOptions) {
    const registers = opts.registry ? [opts.registry] : [];
    this.events = new Counter({ name: 'apiserver_audit_event_total', help: 'Counter of audit events generated and sent to the audit backend.', registers });
    this.errors = new Counter({ name: 'apiserver_audit_error_total', help: 'Counter of audit events that failed to be audited properly.', labelNames: ['plugin'], registers });
    // Never rejects (failures are retried until close()).
    void this.connectLoop();
  }

  /** Starts connecting in the background; never waits for NATS. */
  static start(opts: NatsAuditSinkOptions): NatsAuditSink {
    return new NatsAuditSink(opts);
  }

  /** Whether the first connection has been made (tests, readiness detail). */
  get connected(): boolean {
    return this.nc !== undefined;
  }

  /** Events lost so far (buffer overflow, publish failures). */
  get droppedEvents(): number {
    return this.dropped;
  }

  record(event: AuditEvent): void {
    this.events.inc();
    if (this.nc) return this.enqueue(event);
    if (this.pending.length >= (this.opts.bufferSize ?? 10_000)) {
      this.pending.shift();
      this.drop(new Error('audit buffer full while NATS is unreachable'));
    }
    this.pending.push(event);
  }

  /**
   * Stops connecting and flushes what was published. Does not wait for a connection attempt in flight
   * (which can take nats.js's 20 s connect timeout on an unreachable host); that attempt closes itself.
   * Events still buffered because NATS was never reached are lost.
   */
  async close(): Promise<void> {
    this.stop.abort();
    this.flush();
    await this.nc?.drain().catch(() => undefined);
  }

  private enqueue(event: AuditEvent): void {
    const wait = this.opts.batchMaxWaitMs ?? 100;
    if (wait <= 0) return this.publish(this.nc!, event);
    this.batch.push(event);
    if (this.batch.length >= (this.opts.batchMaxSize ?? 400)) return this.flush();
    if (!this.batchTimer) {
      this.batchTimer = setTimeout(() => this.flush(), wait);
      this.batchTimer.unref();
    }
  }

  /** Publishes the waiting batch; nats.js writes what is published in one go to the socket. */
  private flush(): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    const nc = this.nc;
    if (!nc || this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    for (const event of batch) this.publish(nc, event);
  }

  private publish(nc: NatsConnection, event: AuditEvent): void {
    try {
      nc.publish(`ekslab.audit.${event.verb || 'unknown'}`, JSON.stringify(event));
    } catch (err) {
      this.drop(err);
    }
  }

  private drop(err: unknown): void {
    this.dropped += 1;
    this.errors.inc({ plugin: 'nats' });
    if (this.dropped % 1000 === 1) this.opts.log.warn({ err, dropped: this.dropped }, 'audit events dropped');
  }

  private async connectLoop(): Promise<void> {
    const { servers, log } = this.opts;
    const signal = this.stop.signal;
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        // Fails fast when no server answers; after the first success nats.js reconnects by itself forever.
        const nc = await connect({ servers: [...servers], name: 'ekslab-apiserver-audit', maxReconnectAttempts: -1 });
        if (signal.aborted) {
          await nc.close();
          return;
        }
        this.nc = nc;
        for (const event of this.pending.splice(0)) this.publish(nc, event);
        log.info({ servers, attempt }, 'publishing audit events to NATS (ekslab.audit.<verb>)');
        return;
      } catch (err) {
        if (attempt === 1 || attempt % 30 === 0) log.warn({ err, servers, attempt, buffered: this.pending.length }, 'NATS unreachable; audit events are buffered meanwhile');
        await sleep(this.opts.retryIntervalMs ?? 2_000, signal).catch(() => undefined);
      }
    }
  }
}
