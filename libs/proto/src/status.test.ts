import { Metadata, status as GrpcCode } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { STATUS_TRAILER_KEY, Status, fromJsonBytes, grpcCodeForStatus, statusFromError, statusToServiceError, toJsonBytes } from './index.js';

describe('grpcCodeForStatus', () => {
  it.each([
    [400, 'BadRequest', GrpcCode.INVALID_ARGUMENT],
    [422, 'Invalid', GrpcCode.INVALID_ARGUMENT],
    [401, 'Unauthorized', GrpcCode.UNAUTHENTICATED],
    [403, 'Forbidden', GrpcCode.PERMISSION_DENIED],
    [404, 'NotFound', GrpcCode.NOT_FOUND],
    [405, 'MethodNotAllowed', GrpcCode.UNIMPLEMENTED],
    [409, 'AlreadyExists', GrpcCode.ALREADY_EXISTS],
    [409, 'Conflict', GrpcCode.ABORTED],
    [410, 'Expired', GrpcCode.OUT_OF_RANGE],
    [410, 'Gone', GrpcCode.OUT_OF_RANGE],
    [413, 'RequestEntityTooLarge', GrpcCode.RESOURCE_EXHAUSTED],
    [429, 'TooManyRequests', GrpcCode.RESOURCE_EXHAUSTED],
    [500, 'InternalError', GrpcCode.INTERNAL],
    [500, 'ServerTimeout', GrpcCode.UNAVAILABLE],
    [503, 'ServiceUnavailable', GrpcCode.UNAVAILABLE],
    [504, 'Timeout', GrpcCode.DEADLINE_EXCEEDED],
    [0, '', GrpcCode.UNKNOWN],
  ])('status — HTTP %i %s maps to gRPC code %i', (code, reason, want) => {
    expect(grpcCodeForStatus({ code, reason })).toBe(want);
  });
});

describe('status trailer', () => {
  const status = Status.create({
    status: 'Failure',
    message: 'Pod "x" is invalid: spec.containers: Required value',
    reason: 'Invalid',
    code: 422,
    details: { name: 'x', kind: 'Pod', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }] },
  });

  it('status — statusToServiceError carries code, details and the binary Status', () => {
    const err = statusToServiceError(status);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe(GrpcCode.INVALID_ARGUMENT);
    expect(err.details).toBe(status.message);
    expect(statusFromError(err)).toEqual(status);
  });

  it('status — statusFromError is undefined without the trailer', () => {
    expect(statusFromError(new Error('plain'))).toBeUndefined();
    expect(statusFromError(Object.assign(new Error('no trailer'), { code: GrpcCode.UNAVAILABLE, metadata: new Metadata() }))).toBeUndefined();
    expect(statusFromError(null)).toBeUndefined();
    expect(STATUS_TRAILER_KEY.endsWith('-bin')).toBe(true);
  });
});

describe('JSON bytes', () => {
  it('json — objects round-trip through UTF-8 bytes', () => {
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', data: { greeting: 'héllo ✓' } };
    const bytes = toJsonBytes(obj);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(fromJsonBytes(bytes)).toEqual(obj);
  });

  it('json — invalid UTF-8 is rejected', () => {
    expect(() => fromJsonBytes(new Uint8Array([0x22, 0xff, 0x22]))).toThrow();
  });
});
