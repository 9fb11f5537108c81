import type { ObjectLookup } from '@ekslab/apiserver-auth';
import { keyFor, NotFoundError, type EtcdStore } from '@ekslab/storage';
import type { KubeObject } from '../rest/objects.js';

const resourceOf = { ServiceAccount: 'serviceaccounts', Pod: 'pods', Secret: 'secrets', Node: 'nodes' } as const;

/**
 * The service-account authenticator's view of the objects a token names, read from etcd on each request
 * (kube-apiserver reads them through its informers, falling back to the API). Absent objects are
 * undefined; a storage failure rejects, which fails the authentication.
 */
export function storageObjectLookup(store: EtcdStore): ObjectLookup {
  return async (kind, namespace, name, signal) => {
    const resource = resourceOf[kind];
    try {
      const obj = await store.get<KubeObject>(keyFor({ group: '', resource, ...(kind === 'Node' ? {} : { namespace: namespace ?? '' }), name }), signal ? { signal } : {});
      return { uid: obj.metadata.uid ?? '', ...(obj.metadata.deletionTimestamp ? { deletionTimestamp: obj.metadata.deletionTimestamp } : {}) };
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  };
}
