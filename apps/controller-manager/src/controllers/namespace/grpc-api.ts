import { ApiError, ResourceClient, isNotFound, type KubeObject } from '@ekslab/client';
import { DeletionPropagation, type GroupVersionResource, type ResourceServiceClient } from '@ekslab/proto';
import type { ContentApi, DiscoveredResource, Namespace, NamespaceApi } from './api.js';

const NAMESPACES: GroupVersionResource = { group: '', version: 'v1', resource: 'namespaces' };
const background = { propagationPolicy: DeletionPropagation.BACKGROUND };
/** kube treats both as "this resource does not support the operation" (kubernetes#22413). */
const unsupported = (err: unknown): boolean => err instanceof ApiError && (err.code === 405 || err.code === 404);

export interface GrpcApiOptions {
  readonly service: ResourceServiceClient;
  /** The namespace controller's own token (system:serviceaccount:kube-system:namespace-controller). */
  readonly token: string | (() => string);
}

/** The namespaces client: also the informer's ListerWatcher. */
export function namespacesClient(o: GrpcApiOptions): ResourceClient<Namespace> {
  return new ResourceClient<Namespace>({ service: o.service, gvr: NAMESPACES, token: o.token });
}

export function grpcNamespaceApi(o: GrpcApiOptions): NamespaceApi {
  const client = namespacesClient(o);
  return {
    get: (name, signal) => client.get(name, { signal }),
    updateStatus: (ns, signal) => client.update(ns, { signal, subresource: 'status' }),
    finalize: (ns, signal) => client.update(ns, { signal, subresource: 'finalize' }),
  };
}

/** Content over gRPC; discovery comes from `discover` (the gRPC API has none). */
export function grpcContentApi(o: GrpcApiOptions, discover: (signal: AbortSignal) => Promise<{ resources: DiscoveredResource[]; error?: Error }>): ContentApi {
  const client = (gvr: GroupVersionResource, namespace: string) => new ResourceClient<KubeObject>({ service: o.service, gvr, namespace, token: o.token });
  return {
    discover,
    list: async (gvr, namespace, signal) => (await client(gvr, namespace).listAll({}, signal)).items,
    deleteCollection: async (gvr, namespace, signal) => {
      try {
        await client(gvr, namespace).deleteCollection({ signal, options: background });
        return true;
      } catch (err) {
        if (unsupported(err)) return false;
        throw err;
      }
    },
    delete: async (gvr, namespace, name, signal) => {
      try {
        await client(gvr, namespace).delete(name, { signal, options: background });
      } catch (err) {
        if (!isNotFound(err) && !unsupported(err)) throw err;
      }
    },
  };
}
