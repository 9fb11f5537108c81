// Decoding of `application/vnd.kubernetes.protobuf` request bodies (what kubectl's typed clients send) into
// the Kubernetes JSON objects the rest of the apiserver works with. Responses stay JSON.
export { decodeKubernetesProtobuf, isKubernetesProtobuf, PROTOBUF_MEDIA_TYPE } from './decode.js';
export type { DecodedObject } from './decode.js';
export { ProtobufDecodeError, UnsupportedKindError } from './errors.js';
export type { DecodeFailureStatus } from './errors.js';
export { supportedKinds } from './kinds.js';
export type { SupportedKind } from './kinds.js';
