import { Metadata } from '@grpc/grpc-js';
import type { CallOptions, ClientUnaryCall, ServiceError } from '@grpc/grpc-js';
import {
  CreateOptions,
  CreateRequest,
  DeleteCollectionRequest,
  DeleteOptions,
  DeleteRequest,
  GetRequest,
  ListOptions,
  ListRequest,
  PatchOptions,
  PatchRequest,
  PatchType,
  UpdateOptions,
  UpdateRequest,
  WatchRequest,
  toJsonBytes,
} from '@ekslab/proto';
import type { GroupVersionResource, ResourceServiceClient } from '@ekslab/proto';
import { apiErrorFromGrpc } from './errors.js';
import type { KubeObject, ListOpts, ListPage, ListerWatcher, WatchEvent, WatchOpts } from './types.js';
import { decodeObject, watchEvents } from './watch-stream.js';

/** Default deadline of a unary call. Watches have none (the server bounds them). */
export const DEFAULT_CALL_DEADLINE_MS = 30_000;

export interface ResourceClientOptions {
  /** The generated grpc-js client; its channel is shared and owned by the caller (close it there). */
  service: ResourceServiceClient;
  gvr: GroupVersionResource;
  /** Default namespace of calls: "" for cluster-scoped resources, or list/watch across namespaces. */
  namespace?: string;
  /** Bearer token sent as `authorization: Bearer <token>`; a function is read on every call. */
  token?: string | (() => string);
  /** Deadline of unary calls, ms; default DEFAULT_CALL_DEADLINE_MS. 0 = none. */
  deadlineMs?: number;
  /** Act as another user (client-go's rest.Config Impersonate): sent as `impersonate-*` call metadata. */
  impersonate?: ImpersonationConfig;
}

/** Whom calls act as; the caller needs the `impersonate` verb on each (users, groups, uids, userextras). */
export interface ImpersonationConfig {
  user: string;
  uid?: string;
  groups?: readonly string[];
  extra?: Readonly<Record<string, readonly string[]>>;
}

/** Options every unary call takes. Aborting the signal cancels the call and rejects with signal.reason. */
export interface CallOpts {
  signal: AbortSignal;
  /** Overrides the client's deadline for this call (0 = none). */
  deadlineMs?: number;
  /** Overrides the client's namespace for this call. */
  namespace?: string;
  subresource?: string;
}

export type PatchKind = 'json' | 'merge' | 'strategic-merge' | 'apply';
const patchTypes: Record<PatchKind, PatchType> = {
  json: PatchType.JSON,
  merge: PatchType.MERGE,
  'strategic-merge': PatchType.STRATEGIC_MERGE,
  apply: PatchType.APPLY,
};

type UnaryMethod<Req, Res> = (
  req: Req,
  md: Metadata,
  options: Partial<CallOptions>,
  callback: (err: ServiceError | null, res: Res) => void,
) => ClientUnaryCall;

/**
 * Typed promise client for one resource (GroupVersionResource) of the internal gRPC API. Objects
 * are decoded from their Kubernetes JSON without validation: `T` is a claim, not a check.
 * Failures reject with ApiError (Kubernetes Status); aborts reject with the signal's reason.
 *
 * Not guaranteed: a call cancelled by its signal or deadline may still have taken effect on the
 * server. Calls are not retried here; callers (the workqueue, the reflector) own retries.
 */
export class ResourceClient<T extends KubeObject = KubeObject> implements ListerWatcher<T> {
  readonly gvr: GroupVersionResource;
  readonly namespace: string;

  constructor(private readonly options: ResourceClientOptions) {
    this.gvr = options.gvr;
    this.namespace = options.namespace ?? '';
  }

  /** The same client for another namespace ("" = cluster-scoped / all namespaces). */
  inNamespace(namespace: string): ResourceClient<T> {
    return new ResourceClient<T>({ ...this.options, namespace });
  }

  async create(obj: T, opts: CallOpts & { name?: string; options?: Partial<CreateOptions> }): Promise<T> {
    const req = CreateRequest.create({
      gvr: this.gvr,
      namespace: opts.namespace ?? (obj.metadata.namespace || this.namespace),
      name: opts.name ?? '',
      subresource: opts.subresource ?? '',
      object: toJsonBytes(obj),
      options: CreateOptions.fromPartial(opts.options ?? {}),
    });
    const res = await this.unary(this.options.service.create.bind(this.options.service), req, opts);
    return decodeObject<T>(res.object);
  }

  /** Reads one object; `resourceVersion` "" (default) is a quorum read, "0" any cached state. */
  async get(name: string, opts: CallOpts & { resourceVersion?: string }): Promise<T> {
    const req = GetRequest.create({
      gvr: this.gvr,
      namespace: opts.namespace ?? this.namespace,
      name,
      subresource: opts.subresource ?? '',
      options: { resourceVersion: opts.resourceVersion ?? '' },
    });
    const res = await this.unary(this.options.service.get.bind(this.options.service), req, opts);
    return decodeObject<T>(res.object);
  }

  /** One page of the collection (ListerWatcher.list). Use `listAll` to follow continue tokens. */
  async list(opts: ListOpts, signal: AbortSignal): Promise<ListPage<T>> {
    const req = ListRequest.create({ gvr: this.gvr, namespace: this.namespace, options: listOptions(opts) });
    const res = await this.unary(this.options.service.list.bind(this.options.service), req, { signal });
    return { items: res.items.map((o) => decodeObject<T>(o)), resourceVersion: res.resourceVersion, continue: res.continueToken };
  }

  /** Every page of the collection; a continue token that expires midway rejects with 410 (isGone). */
  async listAll(opts: ListOpts, signal: AbortSignal): Promise<{ items: T[]; resourceVersion: string }> {
    const items: T[] = [];
    let page = await this.list(opts, signal);
    items.push(...page.items);
    while (page.continue) {
      page = await this.list({ ...opts, continue: page.continue }, signal);
      items.push(...page.items);
    }
    return { items, resourceVersion: page.resourceVersion };
  }

  /** Replaces the object: a compare-and-swap on its metadata.resourceVersion (409 Conflict). */
  async update(obj: T, opts: CallOpts & { options?: Partial<UpdateOptions> }): Promise<T> {
    const req = UpdateRequest.create({
      gvr: this.gvr,
      namespace: opts.namespace ?? (obj.metadata.namespace || this.namespace),
      name: obj.metadata.name ?? '',
      subresource: opts.subresource ?? '',
      object: toJsonBytes(obj),
      options: UpdateOptions.fromPartial(opts.options ?? {}),
    });
    const res = await this.unary(this.options.service.update.bind(this.options.service), req, opts);
    return decodeObject<T>(res.object);
  }

  async patch(name: string, kind: PatchKind, patch: unknown, opts: CallOpts & { options?: Partial<PatchOptions> }): Promise<T> {
    const req = PatchRequest.create({
      gvr: this.gvr,
      namespace: opts.namespace ?? this.namespace,
      name,
      subresource: opts.subresource ?? '',
      patchType: patchTypes[kind],
      patch: toJsonBytes(patch),
      options: PatchOptions.fromPartial(opts.options ?? {}),
    });
    const res = await this.unary(this.options.service.patch.bind(this.options.service), req, opts);
    return decodeObject<T>(res.object);
  }

  /** `deleted` is false when deletion only began (grace period or finalizers pending). */
  async delete(name: string, opts: CallOpts & { options?: Partial<DeleteOptions> }): Promise<{ object: T; deleted: boolean }> {
    const req = DeleteRequest.create({
      gvr: this.gvr,
      namespace: opts.namespace ?? this.namespace,
      name,
      subresource: opts.subresource ?? '',
      options: DeleteOptions.fromPartial(opts.options ?? {}),
    });
    const res = await this.unary(this.options.service.delete.bind(this.options.service), req, opts);
    return { object: decodeObject<T>(res.object), deleted: res.deleted };
  }

  /**
   * Deletes every object of the collection (in the client's namespace) that the selectors match; returns
   * them as the delete left them (marked only, when a grace period or finalizers are pending).
   */
  async deleteCollection(opts: CallOpts & { listOptions?: Pick<ListOpts, 'labelSelector' | 'fieldSelector'>; options?: Partial<DeleteOptions> }): Promise<T[]> {
    const req = DeleteCollectionRequest.create({
      gvr: this.gvr,
      namespace: opts.namespace ?? this.namespace,
      listOptions: listOptions(opts.listOptions ?? {}),
      deleteOptions: DeleteOptions.fromPartial(opts.options ?? {}),
    });
    const res = await this.unary(this.options.service.deleteCollection.bind(this.options.service), req, opts);
    return res.items.map((o) => decodeObject<T>(o));
  }

  /**
   * Watches the collection (ListerWatcher.watch). The iterable ends when the server closes the
   * stream or the signal aborts (or the consumer stops iterating: the call is then cancelled);
   * an ERROR event or a failed call throws ApiError (410 Expired: relist).
   */
  watch(opts: WatchOpts, signal: AbortSignal): AsyncIterable<WatchEvent<T>> {
    const req = WatchRequest.create({
      gvr: this.gvr,
      namespace: this.namespace,
      options: ListOptions.fromPartial({
        labelSelector: opts.labelSelector ?? '',
        fieldSelector: opts.fieldSelector ?? '',
        resourceVersion: opts.resourceVersion ?? '',
        allowWatchBookmarks: opts.allowWatchBookmarks ?? false,
        timeoutSeconds: opts.timeoutSeconds,
      }),
    });
    return watchEvents<T>(() => this.options.service.watch(req, this.metadata(), {}), signal);
  }

  private metadata(): Metadata {
    const md = new Metadata();
    const token = typeof this.options.token === 'function' ? this.options.token() : this.options.token;
    if (token) md.set('authorization', `Bearer ${token}`);
    const as = this.options.impersonate;
    if (as) {
      md.set('impersonate-user', as.user);
      if (as.uid) md.set('impersonate-uid', as.uid);
      for (const g of as.groups ?? []) md.add('impersonate-group', g);
      // HTTP's Impersonate-Extra-<key> percent-encodes the key; metadata keys must be lower-case ASCII too.
      for (const [key, values] of Object.entries(as.extra ?? {})) for (const v of values) md.add(`impersonate-extra-${encodeURIComponent(key).toLowerCase()}`, v);
    }
    return md;
  }

  private unary<Req, Res>(method: UnaryMethod<Req, Res>, req: Req, opts: Pick<CallOpts, 'signal' | 'deadlineMs'>): Promise<Res> {
    const { signal } = opts;
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    const deadlineMs = opts.deadlineMs ?? this.options.deadlineMs ?? DEFAULT_CALL_DEADLINE_MS;
    const callOptions: Partial<CallOptions> = deadlineMs > 0 ? { deadline: new Date(Date.now() + deadlineMs) } : {};
    return new Promise<Res>((resolve, reject) => {
      const onAbort = (): void => call.cancel();
      const call = method(req, this.metadata(), callOptions, (err, res) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) reject(signal.reason as Error);
        else if (err) reject(apiErrorFromGrpc(err));
        else resolve(res);
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function listOptions(opts: ListOpts): ListOptions {
  return ListOptions.fromPartial({
    labelSelector: opts.labelSelector ?? '',
    fieldSelector: opts.fieldSelector ?? '',
    resourceVersion: opts.resourceVersion ?? '',
    limit: opts.limit ?? 0,
    continueToken: opts.continue ?? '',
  });
}
