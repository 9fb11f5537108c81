// The standard gRPC health service (grpc.health.v1.Health/Check), so grpc_health_probe and load
// balancers can check the cloud. Its two messages are tiny, so they are coded here by hand rather than
// generated: HealthCheckRequest { string service = 1; }, HealthCheckResponse { ServingStatus status = 1; }.
import { status as GrpcCode, type Server, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';

export type ServingStatus = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';
const statusNumber: Record<ServingStatus, number> = { SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 };

/** The `service` field of a HealthCheckRequest (field 1, length-delimited); '' when absent. */
export function decodeHealthCheckRequest(buf: Buffer): string {
  let i = 0;
  let service = '';
  while (i < buf.length) {
    const tag = buf[i++]!;
    const wire = tag & 7;
    if (wire === 2) {
      let len = 0;
      for (let shift = 0; ; shift += 7) {
        const b = buf[i++]!;
        len |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
      if (tag >> 3 === 1) service = buf.subarray(i, i + len).toString('utf8');
      i += len;
    } else if (wire === 0) {
      while (buf[i++]! >= 0x80);
    } else {
      throw new Error(`unexpected wire type ${wire} in HealthCheckRequest`);
    }
  }
  return service;
}

export function encodeHealthCheckResponse(status: ServingStatus): Buffer {
  return Buffer.from([0x08, statusNumber[status]]);
}

const definition: ServiceDefinition = {
  Check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    requestSerialize: (v: string) => Buffer.from(v),
    requestDeserialize: decodeHealthCheckRequest,
    responseSerialize: encodeHealthCheckResponse,
    responseDeserialize: (b: Buffer) => b,
  },
};

/**
 * Adds grpc.health.v1.Health/Check. `status(service)` answers for '' (the whole server) and each named
 * service; undefined means the service is unknown (NOT_FOUND, as the spec says). Watch is not served.
 */
export function registerHealthService(server: Server, status: (service: string) => ServingStatus | undefined): void {
  const impl: UntypedServiceImplementation = {
    Check: (call: { request: string }, callback: (err: { code: number; details: string } | null, res?: ServingStatus) => void) => {
      const s = status(call.request);
      if (s === undefined) callback({ code: GrpcCode.NOT_FOUND, details: `unknown service ${call.request}` });
      else callback(null, s);
    },
  };
  server.addService(definition, impl);
}
