import type { IncomingMessage } from 'node:http';
import { failure } from './status.js';

/**
 * kube-apiserver's max-in-flight filter: at most `maxReadOnly` non-mutating and `maxMutating` mutating
 * requests at once (defaults 400 and 200); one more gets 429 TooManyRequests with Retry-After 1.
 * Long-running requests (watches) are not counted, as upstream. 0 disables a limit.
 */
export class InflightLimiter {
  private readOnly = 0;
  private mutating = 0;

  constructor(private readonly maxReadOnly: number, private readonly maxMutating: number) {}

  /** Takes a slot for `req` or throws the 429; the returned function gives the slot back. */
  acquire(req: IncomingMessage, url: URL): () => void {
    if (isLongRunning(url)) return () => undefined;
    const mutating = req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS';
    const [count, max] = mutating ? [this.mutating, this.maxMutating] : [this.readOnly, this.maxReadOnly];
    if (max > 0 && count >= max) {
      throw failure(429, 'TooManyRequests', 'Too many requests, please try again later.', {
        causes: [{ reason: 'UnexpectedServerResponse', message: 'Too many requests, please try again later.' }], retryAfterSeconds: 1,
      });
    }
    if (mutating) this.mutating += 1;
    else this.readOnly += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (mutating) this.mutating -= 1;
      else this.readOnly -= 1;
    };
  }

  get inflight(): { readOnly: number; mutating: number } {
    return { readOnly: this.readOnly, mutating: this.mutating };
  }
}

function isLongRunning(url: URL): boolean {
  const watch = url.searchParams.get('watch');
  return watch === 'true' || watch === '1' || /\/watch\//.test(url.pathname) || /\/(log|exec|attach|portforward|proxy)$/.test(url.pathname);
}
