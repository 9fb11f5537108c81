// How a failure of the REST pipeline travels on gRPC: the same Kubernetes Status kube-apiserver would
// send (statusOf), converted to the wire Status and carried by libs/proto's convention (gRPC code from
// the status.proto table, binary Status in the `ekslab-status-bin` trailer).
import type { ServerErrorResponse } from '@grpc/grpc-js';
import { Status as WireStatus, statusToServiceError } from '@ekslab/proto';
import { statusOf, type Status } from '../http/status.js';

/** The wire form of a REST Status (metav1.Status): same reason, code, message and details. */
export function toWireStatus(s: Status): WireStatus {
  const d = s.details;
  return WireStatus.fromPartial({
    status: s.status,
    message: s.message,
    reason: s.reason,
    code: s.code,
    ...(d
      ? {
          details: {
            name: d.name ?? '',
            group: d.group ?? '',
            kind: d.kind ?? '',
            causes: (d.causes ?? []).map((c) => ({ reason: c.reason, message: c.message, field: c.field ?? '' })),
            retryAfterSeconds: d.retryAfterSeconds ?? 0,
          },
        }
      : {}),
  });
}

/** What a thrown error becomes for a gRPC callback or `call.destroy()`: its Status, as on REST. */
export function serviceErrorOf(err: unknown): ServerErrorResponse {
  return statusToServiceError(toWireStatus(statusOf(err)));
}
