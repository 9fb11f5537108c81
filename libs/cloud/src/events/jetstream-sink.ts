// The EventSink on NATS JetStream: every cloud change becomes one message on `ekslab.cloud.<kind>.<id>`,
// acknowledged by the stream before publish() resolves.
import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection, type PubAck } from 'nats';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { subjectOf, type CloudEvent, type CloudEventInput } from '@ekslab/cloud-events';
import { systemClock, type Clock } from '@ekslab/runtime';
import type { EventSink } from '../ports.js';
import { ensureCloudStream, type CloudStreamOptions } from './stream.js';

export interface JetStreamEventSinkOptions extends CloudStreamOptions {
  readonly servers: readonly string[];
  /** `source` of every event: this replica's id (e.g. `cloud-a`). */
  readonly source: string;
  readonly log: Logger;
  /** Where the publish counters are registered; none: a private registry. */
  readonly registry?: Registry;
  /** Wait for one stream acknowledgement; default 5 s. */
  readonly ackTimeoutMs?: number;
  /** How long publish() keeps retrying while NATS (or the stream's quorum) is unavailable; default 30 s. */
  readonly retryTimeoutMs?: number;
  readonly clock?: Clock;
}

const neverAborted = new AbortController().signal;

/** The stream did not acknowledge an event within the retry budget. Retryable: the caller may try again. */
export class EventPublishError extends Error {
  override readonly name = 'EventPublishError';
  readonly retryable = true;
  constructor(readonly subject: string, attempts: number, options?: { cause?: unknown }) {
    super(`event on ${subject} not acknowledged by JetStream after ${attempts} attempts`, options);
  }
}

/**
 * Publishes cloud events to the `EKSLAB_CLOUD` stream. Each publish() carries one `Nats-Msg-Id` across all
 * its attempts, so an attempt whose acknowledgement was lost is not stored twice (within the stream's
 * duplicate window). Retries with backoff (100 ms doubling to 2 s) for up to `retryTimeoutMs`, then throws
 * EventPublishError. Not guaranteed: ordering between concurrent publish() calls of one replica, or
 * between replicas — use the stream sequence, not `time`, to order.
 */
export class JetStreamEventSink implements EventSink {
  private readonly clock: Clock;
  private readonly published: Counter<'kind'>;
  private readonly retries: Counter<'kind'>;
  private readonly failures: Counter<'kind'>;
  private readonly duplicates: Counter<'kind'>;

  private constructor(private readonly nc: NatsConnection, private readonly options: JetStreamEventSinkOptions) {
    this.clock = options.clock ?? systemClock;
    const registers = options.registry ? [options.registry] : [];
    this.published = new Counter({ name: 'ekslab_cloud_events_published_total', help: 'Cloud events acknowledged by the JetStream stream, by kind', labelNames: ['kind'], registers });
    this.retries = new Counter({ name: 'ekslab_cloud_event_publish_retries_total', help: 'Publish attempts of cloud events repeated after a failure, by kind', labelNames: ['kind'], registers });
    this.failures = new Counter({ name: 'ekslab_cloud_event_publish_failures_total', help: 'Cloud events not acknowledged within the retry budget, by kind', labelNames: ['kind'], registers });
    this.duplicates = new Counter({ name: 'ekslab_cloud_event_publish_duplicates_total', help: 'Publishes the stream recognised as repeats (Nats-Msg-Id) and did not store again, by kind', labelNames: ['kind'], registers });
  }

  /** Connects (nats.js then reconnects forever) and creates or updates the stream. */
  static async connect(options: JetStreamEventSinkOptions): Promise<JetStreamEventSink> {
    const nc = await connect({ servers: [...options.servers], name: `ekslab-cloud-${options.source}`, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    try {
      const info = await ensureCloudStream(nc, options);
      options.log.info({ stream: info.config.name, replicas: info.config.num_replicas, maxAgeMs: info.config.max_age / 1e6 }, 'cloud event stream ready');
    } catch (err) {
      await nc.close();
      throw err;
    }
    return new JetStreamEventSink(nc, options);
  }

  get connection(): NatsConnection {
    return this.nc;
  }

  publish(event: CloudEventInput, signal?: AbortSignal): Promise<void> {
    return this.publishWithId(event, randomUUID(), signal).then(() => undefined);
  }

  /**
   * Publishes with a caller-chosen `Nats-Msg-Id` (e.g. derived from an idempotency token), so repeating
   * the call within the duplicate window stores the event once. Resolves to the stream's acknowledgement
   * (`duplicate` set for a repeat).
   */
  async publishWithId(input: CloudEventInput, msgId: string, signal?: AbortSignal): Promise<PubAck> {
    const event = { ...input, time: new Date(this.clock.now()).toISOString(), source: this.options.source } as CloudEvent;
    const subject = subjectOf(event as unknown as Pick<CloudEvent, 'kind'> & Record<string, unknown>);
    const body = JSON.stringify(event);
    const deadline = this.clock.now() + (this.options.retryTimeoutMs ?? 30_000);
    const js = this.nc.jetstream();
    for (let attempt = 1, delay = 100; ; attempt++, delay = Math.min(delay * 2, 2_000)) {
      signal?.throwIfAborted();
      try {
        const ack = await js.publish(subject, body, { msgID: msgId, timeout: this.options.ackTimeoutMs ?? 5_000 });
        (ack.duplicate ? this.duplicates : this.published).inc({ kind: event.kind });
        return ack;
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        if (this.nc.isClosed() || this.clock.now() + delay > deadline) {
          this.failures.inc({ kind: event.kind });
          throw new EventPublishError(subject, attempt, { cause: err });
        }
        this.retries.inc({ kind: event.kind });
        if (attempt === 1) this.options.log.warn({ err, subject, msgId }, 'cloud event not acknowledged yet; retrying');
        await this.clock.sleep(delay, signal ?? neverAborted);
      }
    }
  }

  /** Flushes and closes the connection. */
  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}
