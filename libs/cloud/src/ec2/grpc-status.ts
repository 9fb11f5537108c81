// How an AWS error travels on gRPC (documented in proto/ekslab/cloud/v1/ec2.proto): a gRPC code chosen
// by the AWS code, the AWS message as the status details, and the AWS code and retryability in the
// trailers `ekslab-aws-error-code` / `ekslab-aws-retryable`. The same wire convention and table as the
// cloud service's `@ekslab/proto` cloud-error helpers (branch wt-cloudsvc), so either can replace the other.
import { Metadata, status as GrpcCode, type ServerErrorResponse } from '@grpc/grpc-js';
import { CloudApiError } from '../ports.js';

/** Trailer carrying the AWS error code (e.g. `InsufficientFreeAddressesInSubnet`). */
export const AWS_ERROR_CODE_TRAILER = 'ekslab-aws-error-code';
/** Trailer saying whether a retry may succeed: `true` or `false`. */
export const AWS_RETRYABLE_TRAILER = 'ekslab-aws-retryable';

/**
 * The gRPC code for an AWS error code, first match wins: RequestLimitExceeded, Throttling, Insufficient*,
 * *LimitExceeded → RESOURCE_EXHAUSTED; *NotFound → NOT_FOUND; Duplicate*, *AlreadyExists* →
 * ALREADY_EXISTS; ValidationError, MissingParameter, Invalid* (so also InvalidSubnet.Conflict) →
 * INVALID_ARGUMENT; Incorrect*, *InUse → FAILED_PRECONDITION; ServiceUnavailable → UNAVAILABLE;
 * InternalError → INTERNAL; anything else (IdempotentParameterMismatch, OperationNotPermitted, …) → UNKNOWN.
 */
export function grpcCodeForAwsCode(code: string): GrpcCode {
  if (code === 'RequestLimitExceeded' || code === 'Throttling') return GrpcCode.RESOURCE_EXHAUSTED;
  if (code.startsWith('Insufficient') || code.endsWith('LimitExceeded')) return GrpcCode.RESOURCE_EXHAUSTED;
  if (code.endsWith('NotFound')) return GrpcCode.NOT_FOUND;
  if (code.startsWith('Duplicate') || code.includes('AlreadyExists')) return GrpcCode.ALREADY_EXISTS;
  if (code === 'ValidationError' || code === 'MissingParameter' || code.startsWith('Invalid')) return GrpcCode.INVALID_ARGUMENT;
  if (code.startsWith('Incorrect') || code.endsWith('InUse')) return GrpcCode.FAILED_PRECONDITION;
  if (code === 'Unavailable' || code === 'ServiceUnavailable') return GrpcCode.UNAVAILABLE;
  if (code === 'InternalError' || code === 'InternalFailure') return GrpcCode.INTERNAL;
  return GrpcCode.UNKNOWN;
}

/** The error a unary handler passes to its callback; anything but a CloudApiError becomes `InternalError`. */
export function toServiceError(err: unknown): ServerErrorResponse {
  const e = err instanceof CloudApiError ? err : new CloudApiError('InternalError', 'An internal error has occurred', false, { cause: err });
  const metadata = new Metadata();
  metadata.set(AWS_ERROR_CODE_TRAILER, e.code);
  metadata.set(AWS_RETRYABLE_TRAILER, String(e.retryable));
  return Object.assign(new Error(e.message), { code: grpcCodeForAwsCode(e.code), details: e.message, metadata });
}

/** Client side: the CloudApiError a failed call carried, or undefined if it has no AWS code trailer. */
export function cloudApiErrorFromGrpc(err: unknown): CloudApiError | undefined {
  if (typeof err !== 'object' || err === null || !('metadata' in err) || !(err.metadata instanceof Metadata)) return undefined;
  const [code] = err.metadata.get(AWS_ERROR_CODE_TRAILER);
  if (typeof code !== 'string' || !code) return undefined;
  const [retryable] = err.metadata.get(AWS_RETRYABLE_TRAILER);
  const details = 'details' in err && typeof err.details === 'string' ? err.details : '';
  return new CloudApiError(code, details, retryable === 'true', { cause: err });
}
