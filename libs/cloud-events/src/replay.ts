// Reading the cloud's events back: an ephemeral JetStream consumer from a
// sequence or a time, decoded into typed events. Consumers (kubelet agents, the cloud-controller-manager)
// remember the last `sequence` they handled and resume after it.
import { AckPolicy, DeliverPolicy, type NatsConnection } from 'nats';
import { cloudEventStream, cloudEventSubjectPrefix, type CloudEvent, type CloudEventKind } from './events.js';

export interface ReplayOptions {
  /** First stream sequence to deliver (1 = the oldest kept). Wins over `fromTime`. Default: the start of the stream. */
  readonly fromSequence?: number;
  /** Deliver events stored at or after this time. */
  readonly fromTime?: Date;
  /** Only these kinds; default all. */
  readonly kinds?: readonly CloudEventKind[];
  /**
   * Stop after the last event that was in the stream when the replay caught up (default), or keep
   * following new events until `signal` aborts (`follow: true`).
   */
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
  /** Stream name; default `EKSLAB_CLOUD`. */
  readonly stream?: string;
}

export interface ReplayedEvent {
  /** The stream sequence: resume with `fromSequence: sequence + 1`. */
  readonly sequence: number;
  readonly subject: string;
  readonly event: CloudEvent;
}

/** A message on the stream that is not a cloud event (not JSON, or no `kind`). */
export class MalformedCloudEventError extends Error {
  override readonly name = 'MalformedCloudEventError';
  constructor(readonly sequence: number, readonly subject: string, options?: { cause?: unknown }) {
    super(`stream message ${sequence} on ${subject} is not a cloud event`, options);
  }
}

/**
 * Yields the cloud's events in stream order. Ends when caught up (unless `follow`), when `signal` aborts
 * (no error), or throws MalformedCloudEventError on a message that is not an event. Not guaranteed: that
 * events older than the stream's max age are still there — check the first `sequence` you get.
 */
export async function* replayCloudEvents(nc: NatsConnection, options: ReplayOptions = {}): AsyncGenerator<ReplayedEvent> {
  const stream = options.stream ?? cloudEventStream;
  const jsm = await nc.jetstreamManager();
  // An ephemeral consumer without acks (the server forgets it 30 s after the reader goes away), so its
  // info says exactly how many matching events are pending when the replay starts.
  const info = await jsm.consumers.add(stream, {
    ack_policy: AckPolicy.None,
    inactive_threshold: 30_000_000_000,
    // One kind filters on the server; several are filtered here (filter_subjects needs nats-server 2.10).
    ...(options.kinds?.length === 1 ? { filter_subject: `${cloudEventSubjectPrefix}.${options.kinds[0]!}.>` } : {}),
    ...(options.fromSequence !== undefined
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: options.fromSequence }
      : options.fromTime
        ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: options.fromTime.toISOString() }
        : { deliver_policy: DeliverPolicy.All }),
  });
  const wanted = options.kinds?.length ? new Set<string>(options.kinds) : undefined;
  const consumer = await nc.jetstream().consumers.get(stream, info.name);
  if (!options.follow && info.num_pending === 0) {
    await consumer.delete().catch(() => undefined);
    return;
  }
  const messages = await consumer.consume();
  const onAbort = (): void => messages.stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (options.signal?.aborted) return;
    for await (const m of messages) {
      let event: CloudEvent;
      try {
        event = m.json<CloudEvent>();
      } catch (err) {
        throw new MalformedCloudEventError(m.seq, m.subject, { cause: err });
      }
      if (typeof event !== 'object' || event === null || typeof event.kind !== 'string') throw new MalformedCloudEventError(m.seq, m.subject);
      if (!wanted || wanted.has(event.kind)) yield { sequence: m.seq, subject: m.subject, event };
      if (!options.follow && m.info.pending === 0) return;
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    // close() would wait for the pull in flight to expire; stop() ends it now.
    messages.stop();
    await consumer.delete().catch(() => undefined);
  }
}
