import { isRecoverableError } from 'etcd3';
import {
  FutureResourceVersionError,
  ObjectTooLargeError,
  StorageError,
  StorageUnavailableError,
  TooOldResourceVersionError,
  UnexpectedStorageError,
} from './errors.js';

/** The gRPC call options the store sets: only a deadline (epoch ms). */
export interface CallOptions {
  deadline: number;
}

/** What an etcd call is about, for error messages and mapping. */
export interface CallContext {
  op: string;
  key: string;
  /** The revision asked for, if any: reported by TooOld/Future errors. */
  revision?: string;
}

const UNAVAILABLE_MESSAGES = [
  'etcdserver: request timed out',
  'etcdserver: no leader',
  'etcdserver: leader changed',
  'etcdserver: too many requests',
  'etcdserver: server stopped',
  'etcdserver: not capable',
  'etcdserver: request cancelled',
];

/**
 * Runs one etcd RPC with a gRPC deadline of `timeoutMs` and a local timer of the same length (etcd3's
 * retries and dialing must not stretch the bound), racing the caller's `signal`.
 * - aborted: rejects with the signal's reason, untouched (never mapped, never retried);
 * - timer fired: {@link StorageUnavailableError};
 * - etcd error: mapped by {@link toStorageError}.
 * An abandoned RPC keeps running until its gRPC deadline; its outcome is ignored.
 */
export async function callEtcd<T>(
  ctx: CallContext,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  rpc: (options: CallOptions) => Promise<T>,
): Promise<T> {
  signal?.throwIfAborted();
  const pending = rpc({ deadline: Date.now() + timeoutMs });
  pending.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      pending,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new StorageUnavailableError(`etcd did not answer ${ctx.op} ${ctx.key} within ${timeoutMs}ms`)),
          timeoutMs,
        );
        if (signal) {
          onAbort = () => reject(signal.reason as Error);
          signal.addEventListener('abort', onAbort, { once: true });
        }
      }),
    ]);
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw toStorageError(err, ctx);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** Maps an etcd3 / gRPC error to this library's errors. Errors that already are StorageErrors pass through. */
export function toStorageError(err: unknown, ctx: CallContext): StorageError {
  if (err instanceof StorageError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const options = { cause: err };
  if (message.includes('required revision has been compacted')) {
    return new TooOldResourceVersionError(ctx.revision ?? 'unknown', undefined, options);
  }
  if (message.includes('required revision is a future revision')) {
    return new FutureResourceVersionError(ctx.revision ?? 'unknown', options);
  }
  if (message.includes('request is too large')) return new ObjectTooLargeError(ctx.key, options);
  const unavailable =
    // etcd3 opens a per-host circuit breaker (cockatiel) after repeated failures: all hosts open = unavailable.
    (err instanceof Error && (isRecoverableError(err) || err.name === 'BrokenCircuitError')) ||
    UNAVAILABLE_MESSAGES.some((m) => message.includes(m)) ||
    /UNAVAILABLE|DEADLINE_EXCEEDED|ECONNREFUSED|ECONNRESET|No connection established|circuit breaker is open/i.test(message);
  if (unavailable) return new StorageUnavailableError(`etcd unavailable during ${ctx.op} ${ctx.key}: ${message}`, options);
  return new UnexpectedStorageError(`etcd ${ctx.op} ${ctx.key} failed: ${message}`, options);
}
