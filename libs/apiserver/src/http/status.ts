import { StatusError } from '@ekslab/apimachinery';
import { StorageError } from '@ekslab/storage';

/** A `metav1.Status` as the apiserver writes it for failures. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; causes?: Array<{ reason: string; message: string; field?: string }>; retryAfterSeconds?: number };
  code: number;
}

/** The one error the REST layer throws: it carries the Status the client gets. */
export class ApiStatusError extends Error {
  override readonly name = 'ApiStatusError';
  constructor(readonly status: Status, options?: ErrorOptions) {
    super(status.message, options);
  }
  get retryable(): boolean {
    return this.status.code === 429 || this.status.code >= 500;
  }
}

export function failure(code: number, reason: string, message: string, details?: Status['details']): ApiStatusError {
  return new ApiStatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

/** What a thrown error becomes on the wire; unknown errors are 500 InternalError with their message. */
export function statusOf(err: unknown): Status {
  if (err instanceof ApiStatusError) return err.status;
  if (err instanceof StatusError) return err.status as Status;
  if (err instanceof StorageError) return failure(err.code, err.reason, err.message).status;
  const message = err instanceof Error ? err.message : String(err);
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ reason: 'UnexpectedServerResponse', message }] }).status;
}
