import type { ClientReadableStream } from '@grpc/grpc-js';
import { Status, WatchEventType as WireType, fromJsonBytes } from '@ekslab/proto';
import type { RawObject, WatchEvent as WireEvent, WatchResponse } from '@ekslab/proto';
import { ApiError, apiErrorFromGrpc } from './errors.js';
import type { KubeObject, WatchEvent, WatchEventType } from './types.js';

const eventTypes: Partial<Record<WireType, WatchEventType>> = {
  [WireType.ADDED]: 'ADDED',
  [WireType.MODIFIED]: 'MODIFIED',
  [WireType.DELETED]: 'DELETED',
  [WireType.BOOKMARK]: 'BOOKMARK',
};

/** Decodes a RawObject's JSON; the typed ref's resourceVersion wins if the JSON lacks one. */
export function decodeObject<T extends KubeObject>(raw: RawObject | undefined): T {
  if (!raw) throw new ApiError(failure('response carried no object'));
  const obj = fromJsonBytes(raw.json) as T;
  obj.metadata ??= {};
  if (!obj.metadata.resourceVersion && raw.ref?.resourceVersion) obj.metadata.resourceVersion = raw.ref.resourceVersion;
  return obj;
}

/**
 * Adapts a grpc-js Watch stream to typed events. Ends quietly when the signal aborts or the server
 * closes the stream with OK; throws ApiError for an ERROR event or a failed call. Stopping the
 * iteration early cancels the call.
 */
export async function* watchEvents<T extends KubeObject>(
  open: () => ClientReadableStream<WatchResponse>,
  signal: AbortSignal,
): AsyncGenerator<WatchEvent<T>> {
  if (signal.aborted) return;
  const stream = open();
  const onAbort = (): void => stream.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    try {
      for await (const msg of stream as AsyncIterable<WatchResponse>) {
        for (const e of msg.events) {
          if (signal.aborted) return;
          yield toEvent<T>(e);
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      throw apiErrorFromGrpc(err);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    stream.cancel();
  }
}

function toEvent<T extends KubeObject>(e: WireEvent): WatchEvent<T> {
  if (e.type === WireType.ERROR) {
    throw new ApiError(e.status ?? failure('watch ERROR event without status'));
  }
  const type = eventTypes[e.type];
  if (!type) throw new ApiError(failure(`unknown watch event type ${e.type}`));
  const object = decodeObject<T>(e.object);
  const ev: WatchEvent<T> = { type, object, resourceVersion: object.metadata.resourceVersion ?? '' };
  if (e.initialEventsEnd) ev.initialEventsEnd = true;
  return ev;
}

function failure(message: string): Status {
  return Status.create({ status: 'Failure', code: 500, reason: 'InternalError', message });
}
