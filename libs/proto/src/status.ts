// How a Kubernetes Status travels on gRPC, as decided in proto/ekslab/apiserver/v1/status.proto:
// a non-OK gRPC code derived from the Status, plus the Status itself, binary-encoded, in the
// trailing metadata key `ekslab-status-bin`. Servers build errors with statusToServiceError;
// clients read them back with statusFromError.
import { Metadata, status as GrpcCode } from '@grpc/grpc-js';
import type { ServerErrorResponse } from '@grpc/grpc-js';
import { Status } from './gen/ekslab/apiserver/v1/status.js';

/** Trailing-metadata key carrying the binary Status (the `-bin` suffix makes it binary metadata). */
export const STATUS_TRAILER_KEY = 'ekslab-status-bin';

/**
 * The gRPC code for a failed Status, from its HTTP `code` and `reason` (the table in status.proto).
 * Only meaningful for failures: a Status of "Success" has no error code.
 */
export function grpcCodeForStatus(s: Pick<Status, 'code' | 'reason'>): GrpcCode {
  switch (s.reason) {
    case 'AlreadyExists':
      return GrpcCode.ALREADY_EXISTS;
    case 'ServerTimeout':
    case 'ServiceUnavailable':
      return GrpcCode.UNAVAILABLE;
    case 'Gone':
    case 'Expired':
      return GrpcCode.OUT_OF_RANGE;
  }
  switch (s.code) {
    case 400:
    case 406:
    case 415:
    case 422:
      return GrpcCode.INVALID_ARGUMENT;
    case 401:
      return GrpcCode.UNAUTHENTICATED;
    case 403:
      return GrpcCode.PERMISSION_DENIED;
    case 404:
      return GrpcCode.NOT_FOUND;
    case 405:
      return GrpcCode.UNIMPLEMENTED;
    case 409:
      return GrpcCode.ABORTED;
    case 410:
      return GrpcCode.OUT_OF_RANGE;
    case 413:
    case 429:
      return GrpcCode.RESOURCE_EXHAUSTED;
    case 500:
      return GrpcCode.INTERNAL;
    case 503:
      return GrpcCode.UNAVAILABLE;
    case 504:
      return GrpcCode.DEADLINE_EXCEEDED;
    default:
      return GrpcCode.UNKNOWN;
  }
}

/**
 * The error a server hands to a unary callback, or to `call.destroy()` on a stream, for a failed
 * Status: gRPC code from grpcCodeForStatus, details = status.message, Status in the trailer.
 */
export function statusToServiceError(s: Status): ServerErrorResponse {
  const metadata = new Metadata();
  metadata.set(STATUS_TRAILER_KEY, Buffer.from(Status.encode(s).finish()));
  return Object.assign(new Error(s.message), { code: grpcCodeForStatus(s), details: s.message, metadata });
}

/**
 * The Status a failed call carried in its trailer, or undefined if `err` has none (not a gRPC
 * error, or one raised by the transport or a server that does not follow this convention; the
 * caller then has only `err.code`).
 */
export function statusFromError(err: unknown): Status | undefined {
  if (typeof err !== 'object' || err === null || !('metadata' in err) || !(err.metadata instanceof Metadata)) {
    return undefined;
  }
  const [value] = err.metadata.get(STATUS_TRAILER_KEY);
  return value instanceof Uint8Array ? Status.decode(value) : undefined;
}
