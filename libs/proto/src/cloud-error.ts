// How an AWS-style error of the simulated cloud travels on gRPC: the gRPC code below, the AWS message
// as the status details, and the AWS error code (e.g. `InsufficientFreeAddressesInSubnet`) in the
// trailing metadata key `ekslab-aws-error-code`, plus `ekslab-aws-retryable: true|false`. Servers
// build errors with cloudErrorToServiceError; clients read them back with cloudErrorFromServiceError.
import { Metadata, status as GrpcCode } from '@grpc/grpc-js';
import type { ServerErrorResponse, ServiceError } from '@grpc/grpc-js';

export const AWS_ERROR_CODE_KEY = 'ekslab-aws-error-code';
export const AWS_RETRYABLE_KEY = 'ekslab-aws-retryable';

/**
 * The gRPC code for an AWS error code. The table (first match wins):
 *
 * | AWS code                                                                 | gRPC                |
 * |--------------------------------------------------------------------------|---------------------|
 * | RequestLimitExceeded, Throttling                                          | RESOURCE_EXHAUSTED  |
 * | Insufficient* (InsufficientInstanceCapacity, InsufficientFreeAddressesInSubnet, InsufficientCidrBlocks) | RESOURCE_EXHAUSTED |
 * | *LimitExceeded (AttachmentLimitExceeded, PrivateIpAddressLimitExceeded)   | RESOURCE_EXHAUSTED  |
 * | *NotFound, *.NotFound (InvalidInstanceID.NotFound, TargetGroupNotFound)   | NOT_FOUND           |
 * | Duplicate*, *AlreadyExists* (DuplicateLoadBalancerName, AlreadyExists)    | ALREADY_EXISTS      |
 * | Incorrect* (IncorrectInstanceState), *InUse (ResourceInUse, InvalidNetworkInterface.InUse), ScalingActivityInProgress | FAILED_PRECONDITION |
 * | ValidationError, MissingParameter, Invalid* (InvalidParameterValue, InvalidSubnet.Conflict) | INVALID_ARGUMENT |
 * | Unavailable, ServiceUnavailable                                           | UNAVAILABLE         |
 * | InternalError, InternalFailure                                            | INTERNAL            |
 * | anything else (IdempotentParameterMismatch, OperationNotPermitted, …)     | UNKNOWN             |
 *
 * `*InUse` comes before `Invalid*`: InvalidNetworkInterface.InUse is a state conflict, not a bad argument.
 */
export function grpcCodeForCloudError(code: string): GrpcCode {
  if (code === 'RequestLimitExceeded' || code === 'Throttling') return GrpcCode.RESOURCE_EXHAUSTED;
  if (code.startsWith('Insufficient') || code.endsWith('LimitExceeded')) return GrpcCode.RESOURCE_EXHAUSTED;
  if (code.endsWith('NotFound')) return GrpcCode.NOT_FOUND;
  if (code.startsWith('Duplicate') || code.includes('AlreadyExists')) return GrpcCode.ALREADY_EXISTS;
  if (code.startsWith('Incorrect') || code.endsWith('InUse') || code === 'ScalingActivityInProgress') return GrpcCode.FAILED_PRECONDITION;
  if (code === 'ValidationError' || code === 'MissingParameter' || code.startsWith('Invalid')) return GrpcCode.INVALID_ARGUMENT;
  if (code === 'Unavailable' || code === 'ServiceUnavailable') return GrpcCode.UNAVAILABLE;
  if (code === 'InternalError' || code === 'InternalFailure') return GrpcCode.INTERNAL;
  return GrpcCode.UNKNOWN;
}

/** The error a server hands to a unary callback for an AWS-style error. */
export function cloudErrorToServiceError(err: { code: string; message: string; retryable: boolean }): ServerErrorResponse {
  const metadata = new Metadata();
  metadata.set(AWS_ERROR_CODE_KEY, err.code);
  metadata.set(AWS_RETRYABLE_KEY, String(err.retryable));
  return Object.assign(new Error(err.message), { code: grpcCodeForCloudError(err.code), details: err.message, metadata });
}

/** The AWS error a failed call carried, or undefined when it was not one (transport errors, bugs). */
export function cloudErrorFromServiceError(err: unknown): { code: string; message: string; retryable: boolean } | undefined {
  const metadata = (err as Partial<ServiceError> | undefined)?.metadata;
  if (!(metadata instanceof Metadata)) return undefined;
  const [code] = metadata.get(AWS_ERROR_CODE_KEY);
  if (typeof code !== 'string' || !code) return undefined;
  const [retryable] = metadata.get(AWS_RETRYABLE_KEY);
  return { code, message: (err as ServiceError).details, retryable: retryable === 'true' };
}
