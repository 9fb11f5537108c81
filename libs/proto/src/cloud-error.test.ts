import { status as GrpcCode } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { cloudErrorFromServiceError, cloudErrorToServiceError, grpcCodeForCloudError } from './cloud-error.js';

describe('cloud errors on gRPC', () => {
  it.each([
    ['RequestLimitExceeded', GrpcCode.RESOURCE_EXHAUSTED],
    ['InsufficientInstanceCapacity', GrpcCode.RESOURCE_EXHAUSTED],
    ['InsufficientFreeAddressesInSubnet', GrpcCode.RESOURCE_EXHAUSTED],
    ['InsufficientCidrBlocks', GrpcCode.RESOURCE_EXHAUSTED],
    ['AttachmentLimitExceeded', GrpcCode.RESOURCE_EXHAUSTED],
    ['PrivateIpAddressLimitExceeded', GrpcCode.RESOURCE_EXHAUSTED],
    ['InvalidInstanceID.NotFound', GrpcCode.NOT_FOUND],
    ['TargetGroupNotFound', GrpcCode.NOT_FOUND],
    ['DuplicateLoadBalancerName', GrpcCode.ALREADY_EXISTS],
    ['ValidationError', GrpcCode.INVALID_ARGUMENT],
    ['InvalidParameterValue', GrpcCode.INVALID_ARGUMENT],
    ['InvalidSubnetID.NotFound', GrpcCode.NOT_FOUND],
    ['AlreadyExists', GrpcCode.ALREADY_EXISTS],
    ['InvalidSubnet.Range', GrpcCode.INVALID_ARGUMENT],
    ['InvalidSubnet.Conflict', GrpcCode.INVALID_ARGUMENT],
    ['IncorrectInstanceState', GrpcCode.FAILED_PRECONDITION],
    ['InvalidNetworkInterface.InUse', GrpcCode.FAILED_PRECONDITION],
    ['ResourceInUse', GrpcCode.FAILED_PRECONDITION],
    ['ScalingActivityInProgress', GrpcCode.FAILED_PRECONDITION],
    ['ServiceUnavailable', GrpcCode.UNAVAILABLE],
    ['InternalError', GrpcCode.INTERNAL],
    ['IdempotentParameterMismatch', GrpcCode.UNKNOWN],
    ['SomethingNew', GrpcCode.UNKNOWN],
  ])('mapping — %s → %s', (code, grpc) => {
    expect(grpcCodeForCloudError(code)).toBe(grpc);
  });

  it('round trip — the AWS code, message and retryability survive', () => {
    const e = cloudErrorToServiceError({ code: 'RequestLimitExceeded', message: 'Request limit exceeded.', retryable: true });
    expect(e.code).toBe(GrpcCode.RESOURCE_EXHAUSTED);
    expect(cloudErrorFromServiceError(e)).toEqual({ code: 'RequestLimitExceeded', message: 'Request limit exceeded.', retryable: true });
    expect(cloudErrorFromServiceError(new Error('ECONNREFUSED'))).toBeUndefined();
  });
});
