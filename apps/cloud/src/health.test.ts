import { describe, expect, it } from 'vitest';
import { decodeHealthCheckRequest, encodeHealthCheckResponse } from './health.js';

describe('grpc.health.v1 messages', () => {
  it('health — decodes the service name of a HealthCheckRequest, skipping unknown fields', () => {
    const name = 'ekslab.cloud.v1.FaultService';
    expect(decodeHealthCheckRequest(Buffer.concat([Buffer.from([0x10, 0x96, 0x01, 0x0a, name.length]), Buffer.from(name)]))).toBe(name);
    expect(decodeHealthCheckRequest(Buffer.alloc(0))).toBe('');
  });
  it('health — encodes the serving status as field 1', () => {
    expect([...encodeHealthCheckResponse('SERVING')]).toEqual([0x08, 1]);
    expect([...encodeHealthCheckResponse('NOT_SERVING')]).toEqual([0x08, 2]);
  });
});
