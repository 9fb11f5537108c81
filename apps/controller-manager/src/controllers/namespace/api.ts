// What the namespace controller needs from the apiserver, as two small interfaces: the gRPC
// implementations are in grpc-api.ts, the unit tests use in-memory ones.
import type { KubeObject } from '@ekslab/client';
import type { GroupVersionResource } from '@ekslab/proto';
import type { NamespaceCondition } from './conditions.js';

export interface Namespace extends KubeObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: NamespaceCondition[] };
}

/** A namespaced resource from discovery, with the verbs it supports. */
export interface DiscoveredResource {
  readonly gvr: GroupVersionResource;
  readonly verbs: readonly string[];
}

export interface NamespaceApi {
  /** A quorum read; rejects with a 404 ApiError when the namespace is gone. */
  get(name: string, signal: AbortSignal): Promise<Namespace>;
  /** PUT namespaces/<name>/status (a compare-and-swap on metadata.resourceVersion). */
  updateStatus(ns: Namespace, signal: AbortSignal): Promise<Namespace>;
  /** PUT namespaces/<name>/finalize (a compare-and-swap on metadata.resourceVersion). */
  finalize(ns: Namespace, signal: AbortSignal): Promise<Namespace>;
}

export interface ContentApi {
  /**
   * The namespaced resources the server serves. A partial failure resolves with what was found and
   * the error; a total failure rejects.
   */
  discover(signal: AbortSignal): Promise<{ resources: DiscoveredResource[]; error?: Error }>;
  list(gvr: GroupVersionResource, namespace: string, signal: AbortSignal): Promise<KubeObject[]>;
  /**
   * Deletes all objects of the resource in the namespace, with propagationPolicy Background. Resolves
   * false when the server does not support it for this resource (405 or 404: delete one by one instead).
   */
  deleteCollection(gvr: GroupVersionResource, namespace: string, signal: AbortSignal): Promise<boolean>;
  /** Deletes one object, with propagationPolicy Background; a missing object is not an error. */
  delete(gvr: GroupVersionResource, namespace: string, name: string, signal: AbortSignal): Promise<void>;
}
