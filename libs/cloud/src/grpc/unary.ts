// One way to serve a unary cloud API call on grpc-js: the handler gets the request and an AbortSignal
// (aborted when the client cancels or its deadline passes), and its errors become gRPC statuses —
// CloudApiError with the AWS code (libs/proto/src/cloud-error.ts), etcd unavailable as UNAVAILABLE,
// anything else INTERNAL (logged). Every cloud service (EC2, Auto Scaling, ELB, faults, probe) serves
// through it, so all of them report errors the same way.
import { status as GrpcCode, type handleUnaryCall, type ServerErrorResponse } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { cloudErrorToServiceError } from '@ekslab/proto';
import { StorageUnavailableError } from '@ekslab/storage';
import { CloudApiError, type FaultGate } from '../ports.js';

/** What a handler logs unexpected failures with. */
export type ErrorLog = Pick<Logger, 'error'>;

/**
 * A unary handler for the AWS operation `api` that first enters the fault gate (which may delay the call
 * or fail it with RequestLimitExceeded), for services whose domain classes do not consult it themselves.
 */
export function gatedUnaryHandler<Req, Res>(log: ErrorLog, faults: FaultGate, api: string, handle: (request: Req, signal: AbortSignal) => Promise<Res>): handleUnaryCall<Req, Res> {
  return unaryHandler(log, api, async (request: Req, signal) => {
    await faults.enter(api, {}, signal);
    return handle(request, signal);
  });
}

export function unaryHandler<Req, Res>(log: ErrorLog, method: string, handle: (request: Req, signal: AbortSignal) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const controller = new AbortController();
    call.on('cancelled', () => controller.abort(new Error(`${method}: cancelled by the client`)));
    handle(call.request, controller.signal).then(
      (res) => callback(null, res),
      (err: unknown) => callback(toServiceError(log, method, err)),
    );
  };
}

/** The gRPC error for whatever a cloud API handler threw. */
export function toServiceError(log: ErrorLog, method: string, err: unknown): ServerErrorResponse {
  if (err instanceof CloudApiError) return cloudErrorToServiceError(err);
  if (err instanceof StorageUnavailableError) {
    return Object.assign(new Error(err.message), { code: GrpcCode.UNAVAILABLE, details: `storage unavailable: ${err.message}` });
  }
  log.error({ err, method }, 'cloud API call failed');
  const message = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(message), { code: GrpcCode.INTERNAL, details: message });
}
