import { Metadata, status as GrpcStatus, type CallOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { cloudErrorFromServiceError } from '@ekslab/proto';

/** A failed call to the cloud or to ipamd: the gRPC status, and the AWS error code when the cloud sent one. */
export class RemoteCallError extends Error {
  override readonly name = 'RemoteCallError';
  readonly retryable: boolean;

  constructor(
    readonly method: string,
    readonly grpcCode: number,
    /** The AWS error code (`ValidationError`, `InvalidInstanceID.NotFound`, …), or undefined. */
    readonly awsCode: string | undefined,
    message: string,
    retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(`${method}: ${awsCode ? `${awsCode}: ` : ''}${message}`, options);
    this.retryable = retryable;
  }
}

const retryableCodes: ReadonlySet<number> = new Set([GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.RESOURCE_EXHAUSTED, GrpcStatus.ABORTED]);

type Method<Req, Res> = (req: Req, md: Metadata, options: Partial<CallOptions>, cb: (err: ServiceError | null, res: Res) => void) => ClientUnaryCall;

/**
 * One grpc-js unary call as a promise, with a deadline of `timeoutMs`. Aborting `signal` cancels the call
 * and rejects with the signal's reason; a failure rejects with RemoteCallError.
 */
export function unary<Req, Res>(name: string, method: Method<Req, Res>, req: Req, signal: AbortSignal, timeoutMs: number, md: Metadata = new Metadata()): Promise<Res> {
  signal.throwIfAborted();
  return new Promise<Res>((resolve, reject) => {
    const onAbort = (): void => call.cancel();
    const call = method(req, md, { deadline: Date.now() + timeoutMs }, (err, res) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) return reject(signal.reason as Error);
      if (!err) return resolve(res);
      const aws = cloudErrorFromServiceError(err);
      reject(new RemoteCallError(name, err.code, aws?.code, aws?.message ?? err.details, aws?.retryable ?? retryableCodes.has(err.code), { cause: err }));
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
