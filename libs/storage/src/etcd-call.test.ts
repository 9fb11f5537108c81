import { GRPCDeadlineExceededError, GRPCUnavailableError } from 'etcd3';
import { describe, expect, it } from 'vitest';
import { callEtcd, toStorageError } from './etcd-call.js';
import {
  FutureResourceVersionError,
  NotFoundError,
  ObjectTooLargeError,
  StorageUnavailableError,
  TooOldResourceVersionError,
  UnexpectedStorageError,
} from './errors.js';

const ctx = { op: 'get', key: '/core/pods/a/b', revision: '5' };

describe('etcd error mapping', () => {
  it.each([
    { what: 'compacted', err: new Error('etcdserver: mvcc: required revision has been compacted'), want: TooOldResourceVersionError, code: 410 },
    { what: 'future revision', err: new Error('etcdserver: mvcc: required revision is a future revision'), want: FutureResourceVersionError, code: 504 },
    { what: 'too large', err: new Error('etcdserver: request is too large'), want: ObjectTooLargeError, code: 413 },
    { what: 'request timed out', err: new Error('etcdserver: request timed out'), want: StorageUnavailableError, code: 503 },
    { what: 'no leader', err: new Error('etcdserver: no leader'), want: StorageUnavailableError, code: 503 },
    { what: 'gRPC unavailable', err: new GRPCUnavailableError('14 UNAVAILABLE: No connection established'), want: StorageUnavailableError, code: 503 },
    { what: 'gRPC deadline', err: new GRPCDeadlineExceededError('4 DEADLINE_EXCEEDED: Deadline exceeded'), want: StorageUnavailableError, code: 503 },
    { what: 'all circuit breakers open', err: new Error('Execution prevented because the circuit breaker is open'), want: StorageUnavailableError, code: 503 },
    { what: 'something else', err: new Error('etcdserver: permission denied'), want: UnexpectedStorageError, code: 500 },
  ])('etcd error mapping — $what becomes $want.name ($code)', ({ err, want, code }) => {
    const mapped = toStorageError(err, ctx);
    expect(mapped).toBeInstanceOf(want);
    expect(mapped.code).toBe(code);
    expect(mapped.cause).toBe(err);
  });

  it('etcd error mapping — storage errors pass through', () => {
    const err = new NotFoundError('/x');
    expect(toStorageError(err, ctx)).toBe(err);
  });
});

describe('callEtcd', () => {
  it('callEtcd — a call that never answers fails as unavailable after the timeout', async () => {
    const started = Date.now();
    await expect(callEtcd(ctx, 50, undefined, () => new Promise<never>(() => undefined))).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('callEtcd — passes a deadline to the RPC', async () => {
    const before = Date.now();
    const deadline = await callEtcd(ctx, 1_000, undefined, (o) => Promise.resolve(o.deadline));
    expect(deadline).toBeGreaterThanOrEqual(before + 1_000);
  });

  it('callEtcd — an abort rejects with the signal\'s reason, unmapped', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const pending = callEtcd(ctx, 10_000, controller.signal, () => new Promise<never>(() => undefined));
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('callEtcd — an already aborted signal never starts the call', async () => {
    let called = false;
    const reason = new Error('gone');
    await expect(callEtcd(ctx, 1_000, AbortSignal.abort(reason), () => ((called = true), Promise.resolve(1)))).rejects.toBe(reason);
    expect(called).toBe(false);
  });
});
