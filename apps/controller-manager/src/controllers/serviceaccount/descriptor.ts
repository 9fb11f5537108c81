import { isAlreadyExists, isNotFound, objectKey, type KubeObject, type ResourceClient } from '@ekslab/client';
import type { Meta } from '../../controller-utils/index.js';
import type { ControllerDescriptor } from '../../framework/controller.js';
import { GVR } from '../../framework/gvr.js';

interface Namespace extends KubeObject { metadata: Meta; status?: { phase?: string } }
interface ConfigMap extends KubeObject { metadata: Meta; data?: Record<string, string> }

const active = (ns: Namespace | undefined): ns is Namespace => !!ns && ns.status?.phase !== 'Terminating' && !ns.metadata.deletionTimestamp;

/** Creates `obj` unless it exists; a namespace that started terminating meanwhile refuses, which is fine. */
async function ensure(api: ResourceClient<KubeObject>, obj: KubeObject, signal: AbortSignal): Promise<void> {
  try {
    await api.create(obj, { signal, namespace: obj.metadata.namespace ?? '' });
  } catch (err) {
    if (isAlreadyExists(err)) return;
    if ((err as { code?: number }).code === 403 && /being terminated/.test((err as Error).message)) return;
    throw err;
  }
}

/** kube's serviceaccounts controller: a `default` ServiceAccount in every active namespace, recreated if deleted. */
export const serviceAccountController: ControllerDescriptor = {
  name: 'serviceaccount-controller',
  aliases: ['serviceaccount'],
  identity: 'service-account-controller',
  enabledByDefault: true,
  init(ctx) {
    const queue = ctx.queue<string>('serviceaccount');
    const namespaces = ctx.informer<Namespace>(GVR.namespaces);
    const accounts = ctx.informer<KubeObject>(GVR.serviceAccounts);
    namespaces.addEventHandler({ onAdd: (n) => queue.add(n.metadata.name ?? ''), onUpdate: (_o, n) => queue.add(n.metadata.name ?? '') });
    accounts.addEventHandler({ onDelete: (sa) => sa.metadata.name === 'default' && queue.add(sa.metadata.namespace ?? '') });
    const api = ctx.client<KubeObject>(GVR.serviceAccounts);
    return (signal) => ctx.run(queue, ctx.config.concurrentServiceaccountSyncs, async (ns, s) => {
      if (!active(namespaces.store.get(ns)) || accounts.store.get(`${ns}/default`)) return;
      await ensure(api, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } }, s);
    }, signal);
  },
};

const ROOT_CA = 'kube-root-ca.crt';
const DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/** kube's root-ca-cert-publisher: ConfigMap `kube-root-ca.crt` with the cluster CA in every active namespace, kept in sync. */
export const rootCaPublisher: ControllerDescriptor = {
  name: 'root-ca-certificate-publisher-controller',
  aliases: ['root-ca-cert-publisher'],
  identity: 'root-ca-cert-publisher',
  enabledByDefault: true,
  init(ctx) {
    const queue = ctx.queue<string>('root_ca_cert_publisher');
    const namespaces = ctx.informer<Namespace>(GVR.namespaces);
    const configMaps = ctx.informer<ConfigMap>(GVR.configMaps);
    namespaces.addEventHandler({ onAdd: (n) => queue.add(n.metadata.name ?? ''), onUpdate: (_o, n) => queue.add(n.metadata.name ?? '') });
    const mine = (cm: ConfigMap): void => {
      if (cm.metadata.name === ROOT_CA) queue.add(cm.metadata.namespace ?? '');
    };
    configMaps.addEventHandler({ onUpdate: (_o, cm) => mine(cm), onDelete: mine });
    const api = ctx.client<ConfigMap>(GVR.configMaps);
    const ca = ctx.ca.toString('utf8');
    return (signal) => ctx.run(queue, ctx.config.concurrentServiceaccountSyncs, async (ns, s) => {
      if (!active(namespaces.store.get(ns))) return;
      const current = configMaps.store.get(`${ns}/${ROOT_CA}`);
      if (!current) {
        await ensure(api, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA, namespace: ns, annotations: { 'kubernetes.io/description': DESCRIPTION } }, data: { 'ca.crt': ca } } as ConfigMap, s);
        return;
      }
      if (current.data?.['ca.crt'] === ca && current.metadata.annotations?.['kubernetes.io/description'] === DESCRIPTION) return;
      try {
        await api.update({ ...current, metadata: { ...current.metadata, annotations: { ...current.metadata.annotations, 'kubernetes.io/description': DESCRIPTION } }, data: { ...current.data, 'ca.crt': ca } }, { signal: s, namespace: ns });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        queue.add(objectKey({ metadata: { name: ns } }));
      }
    }, signal);
  },
};
