import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { CloudApiError } from '../ports.js';
import { cloudApiErrorFromGrpc, grpcCodeForAwsCode, toServiceError } from './grpc-status.js';

describe('AWS errors on gRPC', () => {
  it.each([
    ['InvalidInstanceID.NotFound', status.NOT_FOUND],
    ['InvalidSubnetID.NotFound', status.NOT_FOUND],
    ['InsufficientFreeAddressesInSubnet', status.RESOURCE_EXHAUSTED],
    ['InsufficientCidrBlocks', status.RESOURCE_EXHAUSTED],
    ['RequestLimitExceeded', status.RESOURCE_EXHAUSTED],
    ['AttachmentLimitExceeded', status.RESOURCE_EXHAUSTED],
    ['PrivateIpAddressLimitExceeded', status.RESOURCE_EXHAUSTED],
    ['InvalidParameterValue', status.INVALID_ARGUMENT],
    ['InvalidSubnet.Range', status.INVALID_ARGUMENT],
    ['InvalidSubnet.Conflict', status.INVALID_ARGUMENT],
    ['InvalidNetworkInterface.InUse', status.INVALID_ARGUMENT], // Invalid* matches first (the shared table)
    ['IdempotentParameterMismatch', status.UNKNOWN],
    ['IncorrectInstanceState', status.FAILED_PRECONDITION],
    ['DuplicateLoadBalancerName', status.ALREADY_EXISTS],
    ['ServiceUnavailable', status.UNAVAILABLE],
    ['InternalError', status.INTERNAL],
    ['SomethingElse', status.UNKNOWN],
  ])('grpc status — %s is %i', (code, expected) => {
    expect(grpcCodeForAwsCode(code)).toBe(expected);
  });

  it('grpc status — the AWS code, message and retryability survive the round trip', () => {
    const sent = toServiceError(new CloudApiError('InsufficientCidrBlocks', 'The specified subnet does not have enough free cidr blocks to satisfy the request.', true));
    expect(sent.details).toBe('The specified subnet does not have enough free cidr blocks to satisfy the request.');
    expect(cloudApiErrorFromGrpc(sent)).toMatchObject({ code: 'InsufficientCidrBlocks', message: 'The specified subnet does not have enough free cidr blocks to satisfy the request.', retryable: true });
    expect(cloudApiErrorFromGrpc(toServiceError(new Error('boom')))).toMatchObject({ code: 'InternalError', retryable: false });
  });
});
