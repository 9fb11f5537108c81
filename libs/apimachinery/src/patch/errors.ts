// How the apiserver answers a patch that cannot be applied (staging/src/k8s.io/apiserver/pkg/endpoints/
// handlers/patch.go): each condition is its own StatusError subclass, so the REST layer just serializes it.
import { failure, newBadRequest, newRequestEntityTooLarge } from '../status/builders.js';
import { newGenericServerResponse, StatusError } from '../status/status-error.js';

/**
 * 400 BadRequest: the patch body does not decode (not JSON, wrong shape) or a strategic merge directive
 * is malformed (`invalid patch format of setElementOrder list`, ...). The message is the decoder's text.
 */
export class PatchDecodeError extends StatusError {
  override readonly name: string = 'PatchDecodeError';
  constructor(message: string, options?: ErrorOptions) {
    super(newBadRequest(message), options);
  }
}

/**
 * 422 Invalid with the generic text `the server rejected our request due to an error in our request`:
 * a JSON patch operation failed (missing path, failed `test`), or an SMP hit a list of lists or
 * content outside `$retainKeys`. Go drops the underlying text from the Status; it is kept in `detail`.
 */
export class PatchApplyError extends StatusError {
  override readonly name: string = 'PatchApplyError';
  constructor(
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(newGenericServerResponse(422), options);
  }
}

/** 413: a JSON patch with more than 10000 operations. */
export class PatchTooLargeError extends StatusError {
  override readonly name: string = 'PatchTooLargeError';
  constructor(operations: number) {
    super(newRequestEntityTooLarge(`The allowed maximum operations in a JSON patch is ${maxJSONPatchOperations}, got ${operations}`));
  }
}

/**
 * 500 with no reason: any other strategic merge failure (`map: map[...] does not contain declared merge key: name`,
 * `unknown patch type: x in map: ...`). Go returns these unwrapped, and the apiserver renders an unwrapped error
 * as a 500 whose message is the error text.
 */
export class StrategicMergePatchError extends StatusError {
  override readonly name: string = 'StrategicMergePatchError';
  constructor(message: string) {
    super(failure(500, '', message));
  }
}

/** `maxJSONPatchOperations` in the apiserver. */
export const maxJSONPatchOperations = 10000;
