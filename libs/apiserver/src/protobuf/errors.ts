/**
 * Errors for protobuf request bodies. kube-apiserver answers a body it cannot decode with
 * 400 BadRequest (`transformDecodeError` in the apiserver's handlers), so both classes carry that status;
 * neither is retryable — the same bytes fail the same way.
 */

/** The Kubernetes `Status` fields an HTTP layer needs to answer the request. */
export interface DecodeFailureStatus {
  readonly code: 400;
  readonly reason: 'BadRequest';
  readonly message: string;
}

/** The bytes are not a well-formed `k8s\x00` + runtime.Unknown envelope or object message. */
export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
  readonly retryable = false;
  readonly status: DecodeFailureStatus;

  /** `offset` is the byte position in the buffer being read when the problem was found, if known. */
  constructor(
    detail: string,
    readonly offset?: number,
    options?: { cause?: unknown },
  ) {
    super(offset === undefined ? detail : `${detail} (at byte ${offset})`, options);
    this.status = {
      code: 400,
      reason: 'BadRequest',
      message: `the object provided is unrecognized (must be a Kubernetes protobuf object): ${this.message}`,
    };
  }
}

/** The envelope is well formed but names an `apiVersion`/`kind` this decoder has no schema for. */
export class UnsupportedKindError extends Error {
  override readonly name = 'UnsupportedKindError';
  readonly retryable = false;
  readonly status: DecodeFailureStatus;

  constructor(
    readonly apiVersion: string,
    readonly kind: string,
  ) {
    // The words of runtime.Scheme's notRegisteredErr, which is what kube-apiserver wraps in its 400.
    super(`no kind "${kind}" is registered for version "${apiVersion}" in the protobuf decoder`);
    this.status = {
      code: 400,
      reason: 'BadRequest',
      message: `${kind} in version "${apiVersion}" cannot be handled as protobuf: ${this.message}`,
    };
  }
}
