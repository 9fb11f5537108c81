import { status as GrpcCode } from '@grpc/grpc-js';
import { Status, statusFromError } from '@ekslab/proto';

/** HTTP codes whose failures may succeed if the same work is tried again later. */
const retryableCodes = new Set([409, 429, 500, 503, 504]);

/**
 * A failed call to the apiserver, carrying the Kubernetes Status (from the `ekslab-status-bin`
 * trailer, or synthesized from the gRPC code when the failure came from the transport).
 *
 * `retryable` means "the same work, tried again later (after re-reading for a 409 Conflict), may
 * succeed": true for 409 Conflict, 429, 500, 503, 504 and transport failures; false for
 * 409 AlreadyExists, 400/422, 401, 403, 404, 405 and 410. It says nothing about idempotency: a
 * Create that timed out (504) may have been stored.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** HTTP status code, e.g. 404; 500 when the Status had none. */
  readonly code: number;
  /** metav1.StatusReason, e.g. "NotFound", "Conflict", "Expired"; "" if unknown. */
  readonly reason: string;
  readonly retryable: boolean;
  /** The gRPC status code the call ended with, when it came from a call. */
  readonly grpcCode: GrpcCode | undefined;

  constructor(
    readonly status: Status,
    options?: ErrorOptions & { grpcCode?: GrpcCode },
  ) {
    super(status.message || status.reason || `status ${status.code}`, options);
    this.code = status.code || 500;
    this.reason = status.reason;
    this.grpcCode = options?.grpcCode;
    this.retryable = status.reason !== 'AlreadyExists' && retryableCodes.has(this.code);
  }

  /** Seconds the server asked the client to wait before retrying (0 = not set). */
  get retryAfterSeconds(): number {
    return this.status.details?.retryAfterSeconds ?? 0;
  }
}

/**
 * A reconcile failure that retrying cannot fix (bad spec, missing permission). runWorkers
 * forgets the key instead of re-queueing it; the next informer event for the key brings it back.
 */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
  readonly retryable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && (err.reason === 'NotFound' || (err.reason === '' && err.code === 404));
}

/** 409 Conflict: an optimistic-concurrency failure (stale resourceVersion), not AlreadyExists. */
export function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.code === 409 && err.reason !== 'AlreadyExists';
}

export function isAlreadyExists(err: unknown): boolean {
  return err instanceof ApiError && err.reason === 'AlreadyExists';
}

/** 410 Gone or Expired: the requested resourceVersion or continue token is too old; relist. */
export function isGone(err: unknown): boolean {
  return err instanceof ApiError && (err.code === 410 || err.reason === 'Expired' || err.reason === 'Gone');
}

/** A Status from a gRPC code, for failures that carry no Status trailer (transport, proxies). */
function statusForGrpcCode(code: GrpcCode, message: string): Status {
  const [http, reason] = ((): [number, string] => {
    switch (code) {
      case GrpcCode.NOT_FOUND:
        return [404, 'NotFound'];
      case GrpcCode.ALREADY_EXISTS:
        return [409, 'AlreadyExists'];
      case GrpcCode.ABORTED:
        return [409, 'Conflict'];
      case GrpcCode.INVALID_ARGUMENT:
        return [400, 'BadRequest'];
      case GrpcCode.UNAUTHENTICATED:
        return [401, 'Unauthorized'];
      case GrpcCode.PERMISSION_DENIED:
        return [403, 'Forbidden'];
      case GrpcCode.UNIMPLEMENTED:
        return [405, 'MethodNotAllowed'];
      case GrpcCode.OUT_OF_RANGE:
        return [410, 'Expired'];
      case GrpcCode.RESOURCE_EXHAUSTED:
        return [429, 'TooManyRequests'];
      case GrpcCode.DEADLINE_EXCEEDED:
        return [504, 'Timeout'];
      case GrpcCode.UNAVAILABLE:
      case GrpcCode.CANCELLED:
        return [503, 'ServiceUnavailable'];
      default:
        return [500, 'InternalError'];
    }
  })();
  return Status.create({ status: 'Failure', code: http, reason, message });
}

/**
 * The ApiError for a failed gRPC call: its Status trailer when present, else a Status derived
 * from the gRPC code. Non-gRPC errors become 500 InternalError with the original as `cause`.
 */
export function apiErrorFromGrpc(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const grpcCode = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'number' ? (err.code as GrpcCode) : undefined;
  const details = typeof err === 'object' && err !== null && 'details' in err && typeof err.details === 'string' ? err.details : String(err);
  const status = statusFromError(err) ?? statusForGrpcCode(grpcCode ?? GrpcCode.UNKNOWN, details);
  return new ApiError(status, grpcCode === undefined ? { cause: err } : { cause: err, grpcCode });
}
