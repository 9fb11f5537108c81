// How the cloud's gRPC services report AWS errors: a gRPC status chosen from the AWS error code, the AWS
// message as the status details, and the code itself in the `aws-error-code` trailer so clients can
// rebuild the CloudApiError. The mapping (first match wins):
//   ValidationError, Invalid* (InvalidTarget, InvalidParameterValue, InvalidConfigurationRequest) → INVALID_ARGUMENT
//   *NotFound, *.NotFound (TargetGroupNotFound, InvalidInstanceID.NotFound)                     → NOT_FOUND
//   AlreadyExists, Duplicate* (DuplicateLoadBalancerName, DuplicateListener)                    → ALREADY_EXISTS
//   ResourceInUse, ScalingActivityInProgress, IncorrectInstanceState                            → FAILED_PRECONDITION
//   RequestLimitExceeded, Throttling, *LimitExceeded, Insufficient* except capacity              → RESOURCE_EXHAUSTED
//   InsufficientInstanceCapacity                                                                → UNAVAILABLE
//   anything else                                                                               → INTERNAL
import { Metadata, status } from '@grpc/grpc-js';
import type { handleUnaryCall, ServerUnaryCall, ServiceError } from '@grpc/grpc-js';
import { CloudApiError } from './ports.js';
import type { FaultGate } from './ports.js';

export const AWS_ERROR_CODE_KEY = 'aws-error-code';

export function grpcStatusForAwsCode(code: string): status {
  if (code.endsWith('NotFound') || code.endsWith('.NotFound')) return status.NOT_FOUND;
  if (code === 'ValidationError' || code.startsWith('Invalid')) return status.INVALID_ARGUMENT;
  if (code === 'AlreadyExists' || code.startsWith('Duplicate')) return status.ALREADY_EXISTS;
  if (code === 'ResourceInUse' || code === 'ScalingActivityInProgress' || code === 'IncorrectInstanceState') return status.FAILED_PRECONDITION;
  if (code === 'InsufficientInstanceCapacity') return status.UNAVAILABLE;
  if (code === 'RequestLimitExceeded' || code === 'Throttling' || code.endsWith('LimitExceeded') || code.startsWith('Insufficient') || code.startsWith('TooMany')) return status.RESOURCE_EXHAUSTED;
  return status.INTERNAL;
}

export function toServiceError(err: unknown): Partial<ServiceError> {
  const metadata = new Metadata();
  if (err instanceof CloudApiError) {
    metadata.set(AWS_ERROR_CODE_KEY, err.code);
    return { code: grpcStatusForAwsCode(err.code), details: err.message, metadata };
  }
  const name = err instanceof Error ? err.name : '';
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'StorageUnavailableError') return { code: status.UNAVAILABLE, details: message, metadata };
  if (name === 'AbortError') return { code: status.CANCELLED, details: message, metadata };
  return { code: status.INTERNAL, details: message, metadata };
}

/** The CloudApiError a client call failed with, rebuilt from the trailer; undefined for other failures. */
export function cloudApiErrorFromGrpc(err: ServiceError): CloudApiError | undefined {
  const code = err.metadata?.get(AWS_ERROR_CODE_KEY)[0];
  return typeof code === 'string' ? new CloudApiError(code, err.details, err.code === status.RESOURCE_EXHAUSTED || err.code === status.UNAVAILABLE, { cause: err }) : undefined;
}

/** Which AWS operation a handler serves, and the fault controls consulted before it runs. */
export interface Gate {
  readonly api: string;
  readonly faults: FaultGate;
}

/**
 * A grpc-js unary handler from a promise-returning function; the signal aborts when the client cancels.
 * The gate's FaultGate is entered first (it may delay the call or fail it with RequestLimitExceeded).
 */
export function unary<Req, Res>(gate: Gate, fn: (req: Req, signal: AbortSignal) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback) => {
    const ac = new AbortController();
    call.on('cancelled', () => ac.abort(new Error('client cancelled the call')));
    gate.faults.enter(gate.api, {}, ac.signal).then(() => fn(call.request, ac.signal)).then(
      (res) => callback(null, res),
      (err: unknown) => callback(toServiceError(err)),
    );
  };
}
