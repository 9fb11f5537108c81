import { AlreadyExistsError, ConflictError, NotFoundError, PreconditionFailedError, keyFor, collectionKeyFor, type EtcdStore } from '@ekslab/storage';
import { cloneJson } from '@ekslab/apimachinery';
import { findResource, type ResourceInfo } from '../resources.js';
import { failure } from '../http/status.js';
import { objectRef, prepareForCreate, prepareForUpdate, timestamp, type KubeObject } from './objects.js';
import type { Admission, AdmissionOutcome } from '../admission/types.js';
import type { WatchCacheSet } from '../cache/cache-set.js';
import { recordUpdate, type FieldManager } from './apply.js';
import { isNamespaces, markTerminating, specFinalizers, stillFinalizing } from './namespaces.js';

export interface Target {
  readonly info: ResourceInfo;
  readonly namespace?: string;
  readonly name: string;
  readonly subresource?: string;
}

export interface WriteOptions {
  readonly dryRun: boolean;
  readonly signal: AbortSignal;
  /**
   * Records the write in managedFields as this manager's Update. Without it managedFields are written
   * as given (server-side apply computes its own; internal writes record nothing).
   */
  readonly fieldManager?: FieldManager;
}

export interface DeleteRequestOptions extends WriteOptions {
  readonly gracePeriodSeconds?: number;
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  readonly preconditions?: { uid?: string; resourceVersion?: string };
}

const details = (info: ResourceInfo, name: string) => ({ name, ...(info.group ? { group: info.group } : {}), kind: info.resource });

/** Storage errors turned into the Status kube-apiserver returns for them, with its exact wording. */
export function mapStorageError(err: unknown, info: ResourceInfo, name: string): unknown {
  if (err instanceof NotFoundError) return failure(404, 'NotFound', `${objectRef(info, name)} not found`, details(info, name));
  if (err instanceof AlreadyExistsError) return failure(409, 'AlreadyExists', `${objectRef(info, name)} already exists`, details(info, name));
  if (err instanceof ConflictError) {
    return failure(409, 'Conflict', `Operation cannot be fulfilled on ${objectRef(info, name)}: the object has been modified; please apply your changes to the latest version and try again`, details(info, name));
  }
  if (err instanceof PreconditionFailedError) {
    return failure(409, 'Conflict', `Operation cannot be fulfilled on ${objectRef(info, name)}: ${err.message}`, details(info, name));
  }
  return err;
}

/**
 * The generic registry: create / get / update / delete of any resource in the table over etcd, with
 * Kubernetes' metadata rules. Resource-specific behaviour (defaults, admission) wraps around it.
 */
export class Registry {
  /**
   * `admission`, when given, runs after defaulting on every create and update (it may mutate the object,
   * reject it, or allocate what the object needs: see admission/types.ts) and hears of every object removed
   * from storage. Without it the registry writes what it is given.
   */
  constructor(private readonly store: EtcdStore, private readonly now: () => number = Date.now, private readonly admission?: Admission, private readonly cache?: WatchCacheSet) {}

  keyOf(t: Pick<Target, 'info' | 'namespace' | 'name'>): string {
    return keyFor({ group: t.info.group, resource: t.info.resource, ...(t.info.namespaced ? { namespace: t.namespace ?? '' } : {}), name: t.name });
  }

  prefixOf(info: ResourceInfo, namespace?: string): string {
    return collectionKeyFor({ group: info.group, resource: info.resource, ...(info.namespaced && namespace ? { namespace } : {}) });
  }

  private async guard<T>(t: Pick<Target, 'info' | 'name'>, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw mapStorageError(err, t.info, t.name);
    }
  }

  async get(t: Target, signal: AbortSignal): Promise<KubeObject> {
    return this.guard(t, () => this.store.get<KubeObject>(this.keyOf(t), { signal }));
  }

  async create(info: ResourceInfo, namespace: string | undefined, input: Record<string, unknown>, opts: WriteOptions): Promise<KubeObject> {
    const obj = prepareForCreate({ info, ...(namespace !== undefined ? { namespace } : {}), now: this.now() }, input);
    if (opts.fieldManager) recordUpdate({ info }, undefined, obj, opts.fieldManager, this.now());
    const t = { info, namespace, name: obj.metadata.name! };
    if (info.namespaced) await this.admitNamespace(namespace ?? '', opts.signal);
    const outcome = await this.admit({ operation: 'CREATE', ...t, object: obj, input }, opts);
    if (opts.dryRun) return obj;
    return this.settle(outcome, t, () => obj, () => this.guard(t, () => this.store.create(this.keyOf(t), obj, { signal: opts.signal })));
  }

  private async admit(req: { operation: 'CREATE' | 'UPDATE'; info: ResourceInfo; namespace?: string | undefined; name: string; subresource?: string | undefined; object: KubeObject; oldObject?: KubeObject; input?: Record<string, unknown> }, opts: WriteOptions): Promise<AdmissionOutcome | undefined> {
    if (!this.admission) return undefined;
    const { namespace, subresource, ...rest } = req;
    return this.admission.admit({ ...rest, ...(namespace !== undefined ? { namespace } : {}), ...(subresource ? { subresource } : {}), dryRun: opts.dryRun, store: this.store, ...(this.cache ? { cached: this.cache.reads } : {}), signal: opts.signal });
  }

  /**
   * Runs the write and settles the admission outcome: commit when the write is known to have landed,
   * revert when it is known not to have. When that is unclear (a timeout, an aborted request) the object is
   * read back: only an object with this uid in storage counts as written.
   */
  private async settle(outcome: AdmissionOutcome | undefined, t: Pick<Target, 'info' | 'namespace' | 'name'>, attempted: () => KubeObject | undefined, write: () => Promise<KubeObject>): Promise<KubeObject> {
    if (!outcome) return write();
    let written: KubeObject;
    try {
      written = await write();
    } catch (err) {
      const obj = attempted();
      const landed = !obj ? false : await this.store.get<KubeObject>(this.keyOf(t), { signal: AbortSignal.timeout(this.store.requestTimeoutMs) })
        .then((stored) => stored.metadata.uid === obj.metadata.uid && JSON.stringify(stored.spec) === JSON.stringify(obj.spec), (e: unknown) => (e instanceof NotFoundError ? false : undefined));
      if (landed === true) await outcome.commit();
      else if (landed === false) await outcome.revert();
      throw err;
    }
    await outcome.commit();
    return written;
  }

  /**
   * NamespaceLifecycle admission: new objects need an existing namespace that is not being deleted (404
   * NotFound for a missing one, 403 Forbidden for a terminating one, worded as kube-apiserver words them).
   * Reads the watch cache, and etcd when the cache does not have it (yet), as the real plugin falls back
   * to a live read so a namespace created a moment ago is not refused.
   */
  private async admitNamespace(namespace: string, signal: AbortSignal): Promise<void> {
    const nsInfo = findResource('', 'v1', 'namespaces')!;
    const key = this.keyOf({ info: nsInfo, name: namespace });
    let ns = this.cache?.getCached(key);
    if (!ns) {
      try {
        ns = await this.store.get<KubeObject>(key, { signal });
      } catch (err) {
        throw mapStorageError(err, nsInfo, namespace);
      }
    }
    if (ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') {
      throw failure(403, 'Forbidden', `unable to create new content in namespace ${namespace} because it is being terminated`, {
        name: namespace, kind: 'namespaces', causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }

  /**
   * Replaces an object. With `metadata.resourceVersion` set this is a compare-and-swap (409 Conflict when
   * stale); without it, an unconditional update, as most Kubernetes resources allow.
   */
  async update(t: Target, input: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    const wanted = input.metadata?.resourceVersion;
    return this.guard(t, async () => {
      const key = this.keyOf(t);
      if (wanted) {
        const current = await this.store.get<KubeObject>(key, { signal: opts.signal });
        if (current.metadata.resourceVersion !== wanted) throw new ConflictError(key, wanted, current.metadata.resourceVersion ?? '');
        const next = this.prepareForUpdate(t, current, input, opts);
        next.metadata.resourceVersion = wanted;
        const outcome = await this.admit({ operation: 'UPDATE', ...t, object: next, oldObject: current, input }, opts);
        if (opts.dryRun) return next;
        const written = await this.settle(outcome, t, () => next, () => this.store.update(key, next, { signal: opts.signal }));
        return this.finishIfDeleted(key, written, opts.signal);
      }
      return this.mutate(t, (current) => prepareForUpdate(t, current, input), opts);
    });
  }

  /** Read-modify-write with retries on Conflict; `change` sees the current object and returns the next. */
  async mutate(t: Target, change: (current: KubeObject) => KubeObject, opts: WriteOptions): Promise<KubeObject> {
    return this.guard(t, async () => {
      const key = this.keyOf(t);
      if (opts.dryRun) {
        const current = await this.store.get<KubeObject>(key, { signal: opts.signal });
        const next = this.prepareForUpdate(t, current, change(cloneJson(current)), opts);
        await this.admit({ operation: 'UPDATE', ...t, object: next, oldObject: current }, opts);
        return next;
      }
      // Each attempt is admitted anew; the outcome of an attempt that lost the compare-and-swap is reverted.
      let pending: { outcome: AdmissionOutcome | undefined; next: KubeObject } | undefined;
      const written = await this.settle({
        commit: async () => pending?.outcome?.commit(),
        revert: async () => pending?.outcome?.revert(),
      }, t, () => pending?.next, () => this.store.guaranteedUpdate<KubeObject>(key, async (current) => {
        await pending?.outcome?.revert();
        const next = this.prepareForUpdate(t, current, change(cloneJson(current)), opts);
        pending = { outcome: await this.admit({ operation: 'UPDATE', ...t, object: next, oldObject: current }, opts), next };
        next.metadata.resourceVersion = current.metadata.resourceVersion;
        return next;
      }, { signal: opts.signal }));
      return this.finishIfDeleted(key, written, opts.signal);
    });
  }

  /** prepareForUpdate, then the write recorded in managedFields when the caller names a field manager. */
  private prepareForUpdate(t: Target, current: KubeObject, input: KubeObject, opts: WriteOptions): KubeObject {
    const next = prepareForUpdate(t, current, input);
    if (opts.fieldManager) recordUpdate(t, current, next, opts.fieldManager, this.now());
    return next;
  }

  /** An object marked for deletion whose last finalizer is gone is deleted for real. */
  private async finishIfDeleted(key: string, obj: KubeObject, signal: AbortSignal): Promise<KubeObject> {
    const graceDone = !obj.metadata.deletionGracePeriodSeconds;
    // A namespace also waits for its spec.finalizers (kube's ShouldDeleteNamespaceDuringUpdate).
    const specDone = !(obj.apiVersion === 'v1' && obj.kind === 'Namespace') || specFinalizers(obj).length === 0;
    if (obj.metadata.deletionTimestamp && (obj.metadata.finalizers?.length ?? 0) === 0 && graceDone && specDone) {
      try {
        const gone = await this.store.delete<KubeObject>(key, { preconditions: { resourceVersion: obj.metadata.resourceVersion! }, signal });
        await this.afterDelete(key, gone, signal);
      } catch (err) {
        if (!(err instanceof NotFoundError) && !(err instanceof PreconditionFailedError)) throw err;
      }
    }
    return obj;
  }

  /**
   * Deletes an object as Kubernetes does: with finalizers (or foreground/orphan propagation, which add
   * theirs) it is only marked (`deletionTimestamp`) and returned; a pod on a node gets a grace period and is
   * removed by its kubelet; otherwise it is removed and returned as it was.
   */
  /**
   * Deletes (or marks for graceful deletion) as kube's registry Delete does: its own read-modify-write is
   * retried when the object changed meanwhile (a kubelet's status write must not fail a delete), while the
   * caller's uid / resourceVersion preconditions are checked against each fresh read and fail with 409.
   */
  async delete(t: Target, opts: DeleteRequestOptions): Promise<{ object: KubeObject; deleted: boolean }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deleteOnce(t, opts);
      } catch (err) {
        const raced = err instanceof ConflictError || err instanceof PreconditionFailedError;
        if (!raced || attempt >= 20 || opts.signal.aborted) throw mapStorageError(err, t.info, t.name);
      }
    }
  }

  private async deleteOnce(t: Target, opts: DeleteRequestOptions): Promise<{ object: KubeObject; deleted: boolean }> {
    const key = this.keyOf(t);
    const current = await this.store.get<KubeObject>(key, { signal: opts.signal });
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw failure(409, 'Conflict', `Operation cannot be fulfilled on ${objectRef(t.info, t.name)}: Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(current.metadata.uid)}`, details(t.info, t.name));
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw failure(409, 'Conflict', `Operation cannot be fulfilled on ${objectRef(t.info, t.name)}: Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${String(current.metadata.resourceVersion)}`, details(t.info, t.name));
    }
    const finalizers = new Set(current.metadata.finalizers ?? []);
    if (opts.propagationPolicy === 'Foreground') finalizers.add('foregroundDeletion');
    if (opts.propagationPolicy === 'Orphan') finalizers.add('orphan');
    const grace = this.gracePeriod(t.info, current, opts.gracePeriodSeconds);
    if (isNamespaces(t.info)) {
      // kube's namespace REST Delete: the first delete marks it Terminating; while spec.finalizers remain,
      // a repeated delete is 409; a namespace without finalizers of either kind goes at once.
      if (current.metadata.deletionTimestamp && specFinalizers(current).length > 0) stillFinalizing(current);
      if (specFinalizers(current).length > 0 || finalizers.size > 0) {
        if (current.metadata.deletionTimestamp) return { object: current, deleted: false };
        const marked = markTerminating(current, timestamp(this.now()));
        if (finalizers.size > 0) marked.metadata.finalizers = [...finalizers];
        if (opts.dryRun) return { object: marked, deleted: false };
        return { object: await this.store.update(key, marked, { signal: opts.signal }), deleted: false };
      }
    } else if (finalizers.size > 0 || grace > 0) {
      if (current.metadata.deletionTimestamp) return { object: current, deleted: false };
      const marked = cloneJson(current);
      marked.metadata.deletionTimestamp = timestamp(this.now() + grace * 1000);
      marked.metadata.deletionGracePeriodSeconds = grace;
      if (finalizers.size > 0) marked.metadata.finalizers = [...finalizers];
      if (opts.dryRun) return { object: marked, deleted: false };
      return { object: await this.store.update(key, marked, { signal: opts.signal }), deleted: false };
    }
    if (opts.dryRun) return { object: current, deleted: true };
    const deleted = await this.store.delete<KubeObject>(key, { preconditions: { resourceVersion: current.metadata.resourceVersion! }, signal: opts.signal });
    await this.afterDelete(key, deleted, opts.signal);
    return { object: deleted, deleted: true };
  }

  /** Tells admission an object left storage (frees its allocations). */
  private async afterDelete(key: string, obj: KubeObject, signal: AbortSignal): Promise<void> {
    if (!this.admission) return;
    const info = findResource(...groupVersionOf(obj), resourceOfKey(key));
    if (!info) return;
    await this.admission.deleted({
      operation: 'DELETE', info, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}), name: obj.metadata.name ?? '',
      object: obj, dryRun: false, store: this.store, signal,
    });
  }

  /** Pods bound to a node get their grace period (default 30 s); everything else is deleted at once. */
  private gracePeriod(info: ResourceInfo, obj: KubeObject, requested: number | undefined): number {
    if (info.resource !== 'pods') return 0;
    const spec = (obj.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const phase = (obj.status as { phase?: string } | undefined)?.phase;
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    return requested ?? spec.terminationGracePeriodSeconds ?? 30;
  }
}

const groupVersionOf = (obj: KubeObject): [string, string] => {
  const [a, b] = String(obj.apiVersion ?? '').split('/');
  return b === undefined ? ['', a ?? ''] : [a ?? '', b];
};
/** `/core/services/default/web` → `services` (keys are `/<group>/<resource>/…`, see keyFor). */
const resourceOfKey = (key: string): string => key.split('/')[2] ?? '';

export const listKindOf = (info: ResourceInfo): string => `${info.kind}List`;
