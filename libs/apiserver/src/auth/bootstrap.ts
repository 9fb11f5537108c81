import { bootstrapPolicy } from '@ekslab/apiserver-auth';
import type { Logger } from '@ekslab/runtime';
import { AlreadyExistsError, keyFor, type EtcdStore } from '@ekslab/storage';
import { systemPriorityClasses } from '../admission/priority.js';
import { findResource } from '../resources.js';
import { prepareForCreate } from '../rest/objects.js';

/** The namespaces every cluster starts with (each with its `default` ServiceAccount). */
const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/**
 * What kube-apiserver creates at startup: the system namespaces with their default ServiceAccounts, the
 * built-in PriorityClasses and the RBAC bootstrap policy. Objects that
 * already exist are left as they are (another replica, or an operator, may have changed them).
 */
export async function ensureBootstrapObjects(store: EtcdStore, log: Logger, signal: AbortSignal): Promise<void> {
  const policy = bootstrapPolicy();
  const wanted: Array<{ resource: string; group: string; version: string; objects: readonly object[] }> = [
    { resource: 'namespaces', group: '', version: 'v1', objects: systemNamespaces.map((name) => ({ metadata: { name } })) },
    { resource: 'serviceaccounts', group: '', version: 'v1', objects: systemNamespaces.map((namespace) => ({ metadata: { name: 'default', namespace } })) },
    { resource: 'priorityclasses', group: 'scheduling.k8s.io', version: 'v1', objects: systemPriorityClasses.map((c) => ({ metadata: { name: c.name }, value: c.value, description: c.description, preemptionPolicy: 'PreemptLowerPriority' })) },
    { resource: 'clusterroles', group: 'rbac.authorization.k8s.io', version: 'v1', objects: policy.clusterRoles },
    { resource: 'clusterrolebindings', group: 'rbac.authorization.k8s.io', version: 'v1', objects: policy.clusterRoleBindings },
    { resource: 'roles', group: 'rbac.authorization.k8s.io', version: 'v1', objects: policy.roles },
    { resource: 'rolebindings', group: 'rbac.authorization.k8s.io', version: 'v1', objects: policy.roleBindings },
  ];
  let created = 0;
  for (const { resource, group, version, objects } of wanted) {
    const info = findResource(group, version, resource)!;
    for (const input of objects) {
      const namespace = (input as { metadata?: { namespace?: string } }).metadata?.namespace;
      const obj = prepareForCreate({ info, ...(namespace ? { namespace } : {}), now: Date.now() }, structuredClone(input) as Record<string, unknown>);
      try {
        await store.create(keyFor({ group, resource, ...(info.namespaced ? { namespace: namespace ?? '' } : {}), name: obj.metadata.name! }), obj, { signal });
        created += 1;
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
      }
    }
  }
  log.info({ created }, 'bootstrap namespaces and RBAC policy in place');
}
