import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { InflightLimiter } from './inflight.js';
import { ApiStatusError } from './status.js';

const req = (method: string) => ({ method }) as IncomingMessage;
const url = (path: string) => new URL(path, 'https://apiserver');

describe('max in-flight', () => {
  it('in-flight — the request past the mutating limit gets 429 with Retry-After, reads are counted apart', () => {
    const limiter = new InflightLimiter(1, 2);
    const releases = [limiter.acquire(req('POST'), url('/api/v1/pods')), limiter.acquire(req('PATCH'), url('/api/v1/pods/x'))];
    let thrown: unknown;
    try {
      limiter.acquire(req('DELETE'), url('/api/v1/pods/x'));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ApiStatusError);
    expect((thrown as ApiStatusError).status).toMatchObject({ code: 429, reason: 'TooManyRequests', details: { retryAfterSeconds: 1 } });
    expect(() => limiter.acquire(req('GET'), url('/api/v1/pods'))).not.toThrow();
    releases[0]!();
    releases[0]!();
    expect(limiter.inflight.mutating).toBe(1);
    expect(() => limiter.acquire(req('POST'), url('/api/v1/pods'))).not.toThrow();
  });

  it('in-flight — watches are long-running and never counted', () => {
    const limiter = new InflightLimiter(1, 1);
    for (let i = 0; i < 5; i++) limiter.acquire(req('GET'), url('/api/v1/pods?watch=true'));
    expect(limiter.inflight).toEqual({ readOnly: 0, mutating: 0 });
  });

  it('in-flight — 0 means no limit', () => {
    const limiter = new InflightLimiter(0, 0);
    for (let i = 0; i < 1000; i++) limiter.acquire(req('POST'), url('/api/v1/pods'));
    expect(limiter.inflight.mutating).toBe(1000);
  });
});
