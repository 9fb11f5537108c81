import { status as GrpcCode } from '@grpc/grpc-js';
import { Status as WireStatus, statusFromError } from '@ekslab/proto';
import { ConflictError, TooOldResourceVersionError } from '@ekslab/storage';
import { describe, expect, it } from 'vitest';
import { failure } from '../http/status.js';
import { serviceErrorOf, toWireStatus } from './status.js';

describe('grpc status — what a failure becomes on the wire', () => {
  it.each([
    ['400 BadRequest', failure(400, 'BadRequest', 'bad'), GrpcCode.INVALID_ARGUMENT],
    ['401 Unauthorized', failure(401, 'Unauthorized', 'Unauthorized'), GrpcCode.UNAUTHENTICATED],
    ['403 Forbidden', failure(403, 'Forbidden', 'no'), GrpcCode.PERMISSION_DENIED],
    ['404 NotFound', failure(404, 'NotFound', 'gone'), GrpcCode.NOT_FOUND],
    ['405 MethodNotAllowed', failure(405, 'MethodNotAllowed', 'no'), GrpcCode.UNIMPLEMENTED],
    ['409 AlreadyExists', failure(409, 'AlreadyExists', 'taken'), GrpcCode.ALREADY_EXISTS],
    ['409 Conflict', failure(409, 'Conflict', 'stale'), GrpcCode.ABORTED],
    ['413 RequestEntityTooLarge', failure(413, 'RequestEntityTooLarge', 'big'), GrpcCode.RESOURCE_EXHAUSTED],
    ['415 UnsupportedMediaType', failure(415, 'UnsupportedMediaType', 'patch type'), GrpcCode.INVALID_ARGUMENT],
    ['422 Invalid', failure(422, 'Invalid', 'invalid'), GrpcCode.INVALID_ARGUMENT],
    ['storage 410 Expired', new TooOldResourceVersionError('5', '9'), GrpcCode.OUT_OF_RANGE],
    ['storage 409 Conflict', new ConflictError('/k', '1', '2'), GrpcCode.ABORTED],
    ['unknown error → 500 InternalError', new Error('boom'), GrpcCode.INTERNAL],
  ])('%s', (_name, err, code) => {
    const e = serviceErrorOf(err);
    expect(e.code).toBe(code);
    const s = statusFromError(e)!;
    expect(s.status).toBe('Failure');
    expect(e.details).toBe(s.message);
  });

  it('keeps reason, code, message and details (causes, retryAfterSeconds) in the trailer', () => {
    const err = failure(422, 'Invalid', 'ConfigMap "x" is invalid', {
      name: 'x', kind: 'ConfigMap', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'metadata.name' }, { reason: 'X', message: 'no field' }],
    });
    expect(statusFromError(serviceErrorOf(err))).toEqual(WireStatus.fromPartial({
      status: 'Failure', message: 'ConfigMap "x" is invalid', reason: 'Invalid', code: 422,
      details: { name: 'x', kind: 'ConfigMap', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'metadata.name' }, { reason: 'X', message: 'no field', field: '' }] },
    }));
  });

  it('a Status without details has none on the wire', () => {
    expect(toWireStatus(failure(404, 'NotFound', 'x').status).details).toBeUndefined();
  });

  it('retryAfterSeconds survives', () => {
    expect(toWireStatus(failure(429, 'TooManyRequests', 'slow down', { retryAfterSeconds: 3 }).status).details?.retryAfterSeconds).toBe(3);
  });
});
