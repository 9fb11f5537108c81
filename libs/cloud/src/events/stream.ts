// The EKSLAB_CLOUD stream: created on first start, its settings brought in line on every start.
import { RetentionPolicy, StorageType, type JetStreamManager, type NatsConnection, type StreamConfig, type StreamInfo } from 'nats';
import { cloudEventStream, cloudEventSubjectPrefix } from '@ekslab/cloud-events';

export interface CloudStreamOptions {
  /** How long events are kept; default 24 h. */
  readonly maxAgeMs?: number;
  /** Replicas; default 3 when the server is part of a cluster (1 if the cluster refuses 3), else 1. */
  readonly replicas?: number;
  /** Window in which a repeated `Nats-Msg-Id` is dropped; default 2 min (NATS' default), capped at maxAge. */
  readonly duplicateWindowMs?: number;
}

const ms = (n: number): number => n * 1_000_000; // JetStream durations are nanoseconds
export const defaultMaxAgeMs = 24 * 60 * 60 * 1000;

/** Creates the stream, or updates its max age / duplicate window / replicas; returns its info. */
export async function ensureCloudStream(nc: NatsConnection, options: CloudStreamOptions = {}): Promise<StreamInfo> {
  const jsm = await nc.jetstreamManager();
  const maxAgeMs = options.maxAgeMs ?? defaultMaxAgeMs;
  const base: Partial<StreamConfig> = {
    name: cloudEventStream,
    subjects: [`${cloudEventSubjectPrefix}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: ms(maxAgeMs),
    duplicate_window: ms(Math.min(options.duplicateWindowMs ?? 120_000, maxAgeMs)),
  };
  const wanted = options.replicas ?? (nc.info?.cluster ? 3 : 1);
  const existing = await jsm.streams.info(cloudEventStream).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  if (!existing) return addWithFallback(jsm, base, wanted, options.replicas === undefined);
  const c = existing.config;
  if (c.max_age === base.max_age && c.duplicate_window === base.duplicate_window && c.num_replicas === wanted) return existing;
  return jsm.streams.update(cloudEventStream, { ...c, ...base, num_replicas: wanted }).catch((err: unknown) => {
    // A cluster smaller than 3 refuses R3: keep the replicas the stream has.
    if (options.replicas === undefined) return jsm.streams.update(cloudEventStream, { ...c, ...base });
    throw err;
  });
}

async function addWithFallback(jsm: JetStreamManager, base: Partial<StreamConfig>, replicas: number, mayFallBack: boolean): Promise<StreamInfo> {
  try {
    return await jsm.streams.add({ ...base, num_replicas: replicas });
  } catch (err) {
    if (!mayFallBack || replicas === 1) throw err;
    return jsm.streams.add({ ...base, num_replicas: 1 });
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && /stream not found/i.test(err.message);
}
