import { StatusError } from '@ekslab/apimachinery';
import { TooOldResourceVersionError } from '@ekslab/storage';

/**
 * A watch asked for events older than the watch cache still holds. 410 Expired, worded as kube-apiserver's
 * cacher words it ("too old resource version: <asked> (<oldest watchable>)"); the client re-lists.
 */
export class WatchCacheTooOldError extends TooOldResourceVersionError {
  constructor(asked: bigint, oldest: bigint) {
    super(String(asked), String(oldest));
    this.message = `too old resource version: ${asked} (${oldest})`;
  }
}

/**
 * The cache did not reach the revision a request needs within the wait (kube-apiserver's blockTimeout, 3 s).
 * 504 Timeout with cause ResourceVersionTooLarge and retryAfterSeconds 1, as kube-apiserver answers it.
 */
export class TooLargeResourceVersionError extends StatusError {
  override readonly name = 'TooLargeResourceVersionError';
  constructor(readonly wanted: bigint, readonly current: bigint) {
    super({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 504, reason: 'Timeout',
      message: `Timeout: Too large resource version: ${wanted}, current: ${current}`,
      details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 },
    });
  }
}
