// How an AWS error travels on gRPC (the table in proto/ekslab/cloud/v1/ec2.proto): a gRPC code chosen by
// the AWS code, the message "<code>: <AWS message>", and the AWS code and retryability in trailers.
import { Metadata, status as GrpcCode, type ServerErrorResponse } from '@grpc/grpc-js';
import { CloudApiError } from '../ports.js';

/** Trailer carrying the AWS error code (e.g. `InsufficientFreeAddressesInSubnet`). */
export const AWS_ERROR_CODE_TRAILER = 'ekslab-aws-error-code';
/** Trailer saying whether a retry may succeed: `true` or `false`. */
export const AWS_RETRYABLE_TRAILER = 'ekslab-aws-retryable';

const exhausted = new Set([
  'RequestLimitExceeded', 'InsufficientInstanceCapacity', 'InsufficientFreeAddressesInSubnet', 'InsufficientCidrBlocks',
  'AttachmentLimitExceeded', 'PrivateIpAddressLimitExceeded', 'CidrLimitExceeded',
]);
const precondition = new Set(['InvalidSubnet.Conflict', 'IncorrectState', 'IncorrectInstanceState', 'OperationNotPermitted', 'UnsupportedOperation', 'IdempotentParameterMismatch']);

/** The gRPC code for an AWS error code. */
export function grpcCodeForAwsCode(code: string): GrpcCode {
  if (code.endsWith('.NotFound')) return GrpcCode.NOT_FOUND;
  if (exhausted.has(code)) return GrpcCode.RESOURCE_EXHAUSTED;
  if (precondition.has(code) || code.endsWith('.InUse')) return GrpcCode.FAILED_PRECONDITION;
  if (code.startsWith('InvalidParameter') || code.endsWith('.Range') || code.endsWith('.Malformed')) return GrpcCode.INVALID_ARGUMENT;
  if (code === 'ServiceUnavailable') return GrpcCode.UNAVAILABLE;
  if (code === 'InternalError') return GrpcCode.INTERNAL;
  return GrpcCode.UNKNOWN;
}

/** The error a unary handler passes to its callback; anything but a CloudApiError becomes `InternalError`. */
export function toServiceError(err: unknown): ServerErrorResponse {
  const e = err instanceof CloudApiError ? err : new CloudApiError('InternalError', 'An internal error has occurred', false, { cause: err });
  const metadata = new Metadata();
  metadata.set(AWS_ERROR_CODE_TRAILER, e.code);
  metadata.set(AWS_RETRYABLE_TRAILER, String(e.retryable));
  const details = `${e.code}: ${e.message}`;
  return Object.assign(new Error(details), { code: grpcCodeForAwsCode(e.code), details, metadata });
}

/** Client side: the CloudApiError a failed call carried, or undefined if it has no AWS code trailer. */
export function cloudApiErrorFromGrpc(err: unknown): CloudApiError | undefined {
  if (typeof err !== 'object' || err === null || !('metadata' in err) || !(err.metadata instanceof Metadata)) return undefined;
  const [code] = err.metadata.get(AWS_ERROR_CODE_TRAILER);
  if (typeof code !== 'string') return undefined;
  const [retryable] = err.metadata.get(AWS_RETRYABLE_TRAILER);
  const details = 'details' in err && typeof err.details === 'string' ? err.details : '';
  const message = details.startsWith(`${code}: `) ? details.slice(code.length + 2) : details;
  return new CloudApiError(code, message, retryable === 'true', { cause: err });
}
