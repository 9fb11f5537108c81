// @ekslab/storage — the apiserver's (and the cloud service's) etcd layer, in Kubernetes' shape:
// keys from keyFor(), resourceVersion = etcd mod revision, CAS updates, consistent paginated lists,
// watches with prevKv and progress bookmarks, and one error class per condition (errors.ts).
// Only the apiserver and cloud scopes may import it (eslint module boundaries).
export { EtcdStore, createEtcdClient } from './store.js';
export type { EtcdStoreOptions, CallOpts, ListOptions, ListResult, DeleteOptions } from './store.js';
export type { StorageWatch, WatchEvent, WatchOptions } from './watch.js';
export { keyFor, collectionKeyFor, DEFAULT_PREFIX } from './keys.js';
export type { ObjectRef, CollectionRef } from './keys.js';
export { jsonCodec, JSON_VALUE_PREFIX, ENCRYPTED_VALUE_PREFIX } from './codec.js';
export type { ValueCodec } from './codec.js';
export { encodeContinueToken, decodeContinueToken } from './continue-token.js';
export type { ContinueToken } from './continue-token.js';
export type { ObjectMeta, StoredObject } from './types.js';
export {
  StorageError,
  NotFoundError,
  AlreadyExistsError,
  ConflictError,
  PreconditionFailedError,
  TooOldResourceVersionError,
  FutureResourceVersionError,
  StorageUnavailableError,
  InvalidContinueTokenError,
  InvalidObjectError,
  ObjectTooLargeError,
  UnknownValueEncodingError,
  UnexpectedStorageError,
} from './errors.js';
export type { StatusReason } from './errors.js';
