// An in-memory apiserver for the namespace controller's unit tests: namespaces with compare-and-swap on
// resourceVersion and the finalize/status rules, namespaced content with grace periods and finalizers.
import { ApiError, FakeListerWatcher, type KubeObject } from '@ekslab/client';
import { Status, type GroupVersionResource } from '@ekslab/proto';
import type { ContentApi, DiscoveredResource, Namespace, NamespaceApi } from './api.js';

const fail = (code: number, reason: string, message: string): ApiError => new ApiError(Status.create({ status: 'Failure', code, reason, message }));
const gvrKey = (g: GroupVersionResource): string => `${g.group}/${g.version}/${g.resource}`;
const all = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const PODS = { group: '', version: 'v1', resource: 'pods' };
export const CONFIGMAPS = { group: '', version: 'v1', resource: 'configmaps' };
export const DEPLOYMENTS = { group: 'apps', version: 'v1', resource: 'deployments' };

export class FakeCluster implements NamespaceApi, ContentApi {
  /** Also a ListerWatcher of namespaces, for the controller's informer. */
  readonly watcher = new FakeListerWatcher<Namespace>();
  readonly resources: DiscoveredResource[] = [
    { gvr: PODS, verbs: all },
    { gvr: CONFIGMAPS, verbs: all },
    // Without deletecollection: deleted one by one.
    { gvr: DEPLOYMENTS, verbs: ['create', 'delete', 'get', 'list', 'update', 'watch'] },
  ];
  readonly content = new Map<string, Map<string, KubeObject>>(); // gvr → ns/name → obj
  readonly calls: string[] = [];
  discoveryFailure: Error | undefined;
  private rv = 0;
  private readonly nss = new Map<string, Namespace>();

  constructor(private readonly now: () => number) {}

  createNamespace(name: string): Namespace {
    const ns: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: `uid-${name}`, resourceVersion: String(++this.rv) }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
    this.nss.set(name, ns);
    this.watcher.add(structuredClone(ns));
    return ns;
  }

  /** DELETE of a namespace: marks it Terminating (the apiserver's part). */
  deleteNamespace(name: string): void {
    const ns = this.nss.get(name)!;
    ns.metadata.deletionTimestamp = new Date(this.now()).toISOString();
    ns.status = { ...ns.status, phase: 'Terminating' };
    ns.metadata.resourceVersion = String(++this.rv);
    this.watcher.update(structuredClone(ns));
  }

  namespace(name: string): Namespace | undefined {
    return this.nss.get(name);
  }

  put(gvr: GroupVersionResource, obj: KubeObject): void {
    const m = this.content.get(gvrKey(gvr)) ?? new Map<string, KubeObject>();
    m.set(`${obj.metadata.namespace}/${obj.metadata.name}`, obj);
    this.content.set(gvrKey(gvr), m);
  }

  objects(gvr: GroupVersionResource, namespace: string): KubeObject[] {
    return [...(this.content.get(gvrKey(gvr))?.values() ?? [])].filter((o) => o.metadata.namespace === namespace);
  }

  /** What a kubelet does once a pod's containers stopped: the final delete with grace 0. */
  kubeletRemovesTerminatingPods(): void {
    for (const [key, pod] of this.content.get(gvrKey(PODS)) ?? []) if (pod.metadata.deletionTimestamp) this.content.get(gvrKey(PODS))!.delete(key);
  }

  // NamespaceApi
  get(name: string): Promise<Namespace> {
    const ns = this.nss.get(name);
    return ns ? Promise.resolve(structuredClone(ns)) : Promise.reject(fail(404, 'NotFound', `namespaces "${name}" not found`));
  }

  updateStatus(ns: Namespace): Promise<Namespace> {
    this.calls.push(`status ${ns.metadata.name} ${ns.status?.conditions?.map((c) => `${c.type}=${c.status}`).join(',') ?? ''}`);
    return this.cas(ns, (stored) => ({ ...stored, status: structuredClone(ns.status) }));
  }

  finalize(ns: Namespace): Promise<Namespace> {
    this.calls.push(`finalize ${ns.metadata.name} [${(ns.spec?.finalizers ?? []).join(',')}]`);
    return this.cas(ns, (stored) => ({ ...stored, spec: { ...stored.spec, finalizers: [...(ns.spec?.finalizers ?? [])] } }));
  }

  private cas(ns: Namespace, change: (stored: Namespace) => Namespace): Promise<Namespace> {
    const name = ns.metadata.name ?? '';
    const stored = this.nss.get(name);
    if (!stored) return Promise.reject(fail(404, 'NotFound', `namespaces "${name}" not found`));
    if (stored.metadata.resourceVersion !== ns.metadata.resourceVersion) return Promise.reject(fail(409, 'Conflict', 'the object has been modified'));
    const next = change(structuredClone(stored));
    next.metadata.resourceVersion = String(++this.rv);
    if (next.metadata.deletionTimestamp && (next.spec?.finalizers ?? []).length === 0) {
      this.nss.delete(name);
      this.watcher.delete(name);
    } else {
      this.nss.set(name, next);
      this.watcher.update(structuredClone(next));
    }
    return Promise.resolve(structuredClone(next));
  }

  /** Bumps the namespace's resourceVersion, as a concurrent writer would. */
  touch(name: string): void {
    const ns = this.nss.get(name)!;
    ns.metadata.resourceVersion = String(++this.rv);
  }

  // ContentApi
  discover(): Promise<{ resources: DiscoveredResource[]; error?: Error }> {
    return Promise.resolve({ resources: this.resources, ...(this.discoveryFailure ? { error: this.discoveryFailure } : {}) });
  }

  list(gvr: GroupVersionResource, namespace: string): Promise<KubeObject[]> {
    return Promise.resolve(this.objects(gvr, namespace).map((o) => structuredClone(o)));
  }

  deleteCollection(gvr: GroupVersionResource, namespace: string): Promise<boolean> {
    this.calls.push(`deletecollection ${gvr.resource}`);
    for (const o of this.objects(gvr, namespace)) this.deleteOne(gvr, o);
    return Promise.resolve(true);
  }

  delete(gvr: GroupVersionResource, namespace: string, name: string): Promise<void> {
    this.calls.push(`delete ${gvr.resource}/${name}`);
    const o = this.content.get(gvrKey(gvr))?.get(`${namespace}/${name}`);
    if (o) this.deleteOne(gvr, o);
    return Promise.resolve();
  }

  private deleteOne(gvr: GroupVersionResource, o: KubeObject): void {
    const onNode = gvr === PODS && Boolean((o as { spec?: { nodeName?: string } }).spec?.nodeName);
    if (onNode || (o.metadata.finalizers as string[] | undefined)?.length) {
      o.metadata.deletionTimestamp ??= new Date(this.now()).toISOString();
      return;
    }
    this.content.get(gvrKey(gvr))!.delete(`${o.metadata.namespace}/${o.metadata.name}`);
  }
}
