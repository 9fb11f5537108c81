// ResourceService through the generated grpc-js stubs: a real Server on 127.0.0.1:0 with a tiny
// in-memory implementation, called through ResourceServiceClient.
import { Server, ServerCredentials, credentials, status as GrpcCode } from '@grpc/grpc-js';
import type { ServiceError, ServerWritableStream, handleUnaryCall } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateRequest,
  DeleteCollectionRequest,
  DeleteRequest,
  DeletionPropagation,
  FieldValidation,
  GetRequest,
  ListOptions,
  ListRequest,
  PatchRequest,
  PatchType,
  RawObject,
  ResourceServiceClient,
  ResourceServiceService,
  ResourceVersionMatch,
  Status,
  UpdateRequest,
  WatchEvent,
  WatchEventType,
  WatchRequest,
  fromJsonBytes,
  statusFromError,
  statusToServiceError,
  toJsonBytes,
} from './index.js';
import type {
  CreateResponse,
  DeleteCollectionResponse,
  DeleteResponse,
  GetResponse,
  GroupVersionResource,
  ListResponse,
  PatchResponse,
  ResourceServiceServer,
  UpdateResponse,
  WatchResponse,
} from './index.js';

const pods: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };

interface PodJson {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid?: string; resourceVersion?: string; labels?: Record<string, string> };
}

function pod(name: string, labels: Record<string, string> = {}): PodJson {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels } };
}

/** A handler's failed outcome, sent as a gRPC error by the fake's unary wrapper. */
class Failure {
  constructor(readonly status: Status) {}
}

function failure(code: number, reason: string, message: string, name = ''): Status {
  return Status.create({ status: 'Failure', code, reason, message, details: { name, kind: 'pods' } });
}

/** In-memory ResourceService for pods; remembers the last request of each method. */
function memoryResourceService() {
  let revision = 100;
  const objects = new Map<string, RawObject>();
  const received: Record<string, unknown> = {};
  let resolveCancelled: () => void = () => undefined;
  const watchCancelled = new Promise<void>((resolve) => (resolveCancelled = resolve));

  const store = (json: PodJson): RawObject => {
    const rv = String(++revision);
    const uid = json.metadata.uid ?? `uid-${json.metadata.name}`;
    const stored: PodJson = { ...json, metadata: { ...json.metadata, uid, resourceVersion: rv } };
    const { name, namespace } = stored.metadata;
    const object = {
      ref: { apiVersion: 'v1', group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace, name, uid, resourceVersion: rv },
      json: toJsonBytes(stored),
    };
    objects.set(`${namespace}/${name}`, object);
    return object;
  };
  const unary =
    <Req, Res>(method: string, body: (req: Req) => Res | Failure): handleUnaryCall<Req, Res> =>
    (call, callback) => {
      received[method] = call.request;
      const out = body(call.request);
      if (out instanceof Failure) callback(statusToServiceError(out.status));
      else callback(null, out);
    };
  const fail = (code: number, reason: string, message: string, name = '') => new Failure(failure(code, reason, message, name));

  const impl: ResourceServiceServer = {
    create: unary('create', (req: CreateRequest) => {
      const json = fromJsonBytes(req.object) as PodJson;
      const key = `${req.namespace}/${json.metadata.name}`;
      if (objects.has(key)) return fail(409, 'AlreadyExists', `pods "${json.metadata.name}" already exists`, json.metadata.name);
      const warn = req.options?.fieldValidation === FieldValidation.WARN;
      return { object: store(json), warnings: warn ? ['unknown field "spec.foo"'] : [] };
    }),
    get: unary('get', (req) => {
      const object = objects.get(`${req.namespace}/${req.name}`);
      return object ? { object, warnings: [] } : fail(404, 'NotFound', `pods "${req.name}" not found`, req.name);
    }),
    list: unary('list', (req: ListRequest) => {
      const all = [...objects.values()].filter((o) => req.namespace === '' || o.ref?.namespace === req.namespace);
      const limit = req.options?.limit || all.length;
      const items = all.slice(0, limit);
      const rest = all.length - items.length;
      return {
        items,
        resourceVersion: String(revision),
        continueToken: rest > 0 ? `after:${items.at(-1)?.ref?.name}` : '',
        remainingItemCount: rest > 0 ? rest : undefined,
        kind: 'PodList',
        warnings: [],
      };
    }),
    update: unary('update', (req) => {
      const json = fromJsonBytes(req.object) as PodJson;
      const current = objects.get(`${req.namespace}/${req.name}`);
      if (current?.ref?.resourceVersion !== json.metadata.resourceVersion) {
        return fail(409, 'Conflict', 'the object has been modified; please apply your changes to the latest version', req.name);
      }
      return { object: store(json), warnings: [] };
    }),
    patch: unary('patch', (req: PatchRequest) => {
      const current = objects.get(`${req.namespace}/${req.name}`);
      if (!current) return fail(404, 'NotFound', `pods "${req.name}" not found`, req.name);
      const json = fromJsonBytes(current.json) as PodJson;
      const patch = fromJsonBytes(req.patch) as { metadata?: { labels?: Record<string, string> } };
      json.metadata.labels = { ...json.metadata.labels, ...patch.metadata?.labels };
      return { object: store(json), warnings: [] };
    }),
    delete: unary('delete', (req: DeleteRequest) => {
      const object = objects.get(`${req.namespace}/${req.name}`);
      if (!object) return fail(404, 'NotFound', `pods "${req.name}" not found`, req.name);
      const immediate = req.options?.gracePeriodSeconds === 0;
      if (immediate) objects.delete(`${req.namespace}/${req.name}`);
      return { object, deleted: immediate, warnings: [] };
    }),
    deleteCollection: unary('deleteCollection', () => {
      const items = [...objects.values()];
      objects.clear();
      return { items, warnings: [] };
    }),
    watch: (call: ServerWritableStream<WatchRequest, WatchResponse>) => {
      received['watch'] = call.request;
      const selector = call.request.options?.labelSelector ?? '';
      if (selector === '!!') {
        call.emit('error', statusToServiceError(failure(400, 'BadRequest', 'unable to parse requirement: "!!"')));
        return;
      }
      const [a, b] = [store(pod('a')), store(pod('b'))];
      // Build partial messages with create(): a bare literal missing fields would encode "undefined".
      const bookmark = RawObject.create({
        ref: { kind: 'Pod', resourceVersion: String(revision) },
        json: toJsonBytes({ kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(revision) } }),
      });
      if (selector === 'hang') {
        // One event, then nothing until the client cancels.
        call.on('cancelled', resolveCancelled);
        call.write({ events: [event(WatchEventType.ADDED, a)] });
        return;
      }
      call.write({ events: [event(WatchEventType.ADDED, a), event(WatchEventType.ADDED, b)] });
      call.write({ events: [{ ...event(WatchEventType.BOOKMARK, bookmark), initialEventsEnd: true }] });
      call.write({ events: [event(WatchEventType.MODIFIED, store(pod('a', { x: '1' })))] });
      call.write({ events: [event(WatchEventType.DELETED, b)] });
      const expired = failure(410, 'Expired', 'too old resource version: 1 (101)');
      call.write({ events: [WatchEvent.create({ type: WatchEventType.ERROR, status: expired })] });
      call.end();
    },
  };
  return { impl, received, watchCancelled, objects };
}

function event(type: WatchEventType, object: RawObject): WatchEvent {
  return WatchEvent.create({ type, object });
}

/** Promise of a unary call made through a generated client method. */
function unary<Res>(start: (callback: (err: ServiceError | null, res: Res) => void) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    start((err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** Rejection of a promise, for asserting on gRPC errors. */
async function rejection(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error('expected the call to fail');
}

describe('ResourceService over grpc-js', () => {
  let server: Server;
  let client: ResourceServiceClient;
  let fake: ReturnType<typeof memoryResourceService>;

  beforeAll(async () => {
    fake = memoryResourceService();
    server = new Server();
    server.addService(ResourceServiceService, fake.impl);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    client = new ResourceServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  });

  const createPod = (name: string, labels: Record<string, string> = {}) =>
    unary<CreateResponse>((cb) =>
      client.create(CreateRequest.create({ gvr: pods, namespace: 'default', object: toJsonBytes(pod(name, labels)) }), cb),
    );

  afterAll(async () => {
    client.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  it('create — JSON bytes, enums, options and warnings round-trip', async () => {
    const req = CreateRequest.create({
      gvr: pods,
      namespace: 'default',
      object: toJsonBytes(pod('web-0', { app: 'web' })),
      options: { dryRun: true, fieldManager: 'kubectl-client-side-apply', fieldValidation: FieldValidation.WARN },
    });
    const res = await unary<CreateResponse>((cb) => client.create(req, cb));

    expect(fake.received['create']).toEqual(req);
    expect(res.warnings).toEqual(['unknown field "spec.foo"']);
    expect(res.object?.ref).toEqual({
      apiVersion: 'v1', group: '', version: 'v1', resource: 'pods', kind: 'Pod',
      namespace: 'default', name: 'web-0', uid: 'uid-web-0', resourceVersion: res.object?.ref?.resourceVersion,
    });
    const json = fromJsonBytes(res.object!.json) as PodJson;
    expect(json.metadata).toMatchObject({ name: 'web-0', labels: { app: 'web' } });
    expect(json.metadata.resourceVersion).toBe(res.object?.ref?.resourceVersion);
  });

  it('create — a taken name fails with ALREADY_EXISTS and a Status trailer', async () => {
    const req = CreateRequest.create({ gvr: pods, namespace: 'default', object: toJsonBytes(pod('dup')) });
    await createPod('dup');
    const err = await rejection(unary<CreateResponse>((cb) => client.create(req, cb)));

    expect(err.code).toBe(GrpcCode.ALREADY_EXISTS);
    expect(err.details).toBe('pods "dup" already exists');
    expect(statusFromError(err)).toEqual(failure(409, 'AlreadyExists', 'pods "dup" already exists', 'dup'));
  });

  it('get — a missing object fails with NOT_FOUND and a nested Status', async () => {
    const req = GetRequest.create({ gvr: pods, namespace: 'default', name: 'nope' });
    const err = await rejection(unary<GetResponse>((cb) => client.get(req, cb)));

    expect(err.code).toBe(GrpcCode.NOT_FOUND);
    expect(statusFromError(err)).toMatchObject({ status: 'Failure', code: 404, reason: 'NotFound' });
    expect(statusFromError(err)?.details).toMatchObject({ name: 'nope', kind: 'pods' });
  });

  it('update — a stale resourceVersion fails with ABORTED (409 Conflict)', async () => {
    const created = await createPod('cas');
    const current = fromJsonBytes(created.object!.json) as PodJson;
    const req = UpdateRequest.create({ gvr: pods, namespace: 'default', name: 'cas', object: toJsonBytes(current) });
    const updated = await unary<UpdateResponse>((cb) => client.update(req, cb));
    expect(updated.object?.ref?.resourceVersion).not.toBe(current.metadata.resourceVersion);

    const err = await rejection(unary<UpdateResponse>((cb) => client.update(req, cb)));
    expect(err.code).toBe(GrpcCode.ABORTED);
    expect(statusFromError(err)?.reason).toBe('Conflict');
  });

  it('list — repeated items, int64 limit and proto3 optional presence', async () => {
    const req = ListRequest.create({
      gvr: pods,
      namespace: 'default',
      options: {
        labelSelector: 'app=web',
        fieldSelector: 'spec.nodeName=node-1',
        resourceVersion: '0',
        resourceVersionMatch: ResourceVersionMatch.NOT_OLDER_THAN,
        timeoutSeconds: 30,
        limit: 2,
        continueToken: '',
        sendInitialEvents: false,
      },
    });
    const res = await unary<ListResponse>((cb) => client.list(req, cb));

    const got = fake.received['list'] as ListRequest;
    expect(got).toEqual(req);
    expect(got.options?.sendInitialEvents).toBe(false); // set-to-false survives, distinct from unset
    expect(res.items).toHaveLength(2);
    expect(res.kind).toBe('PodList');
    expect(res.continueToken).not.toBe('');
    expect(res.remainingItemCount).toBeGreaterThan(0);

    const unset = await unary<ListResponse>((cb) => client.list(ListRequest.create({ gvr: pods }), cb));
    expect((fake.received['list'] as ListRequest).options).toBeUndefined();
    expect(unset.continueToken).toBe('');
    expect(unset.remainingItemCount).toBeUndefined();
  });

  it('patch — patch type, force and field manager round-trip', async () => {
    await createPod('p');
    const req = PatchRequest.create({
      gvr: pods,
      namespace: 'default',
      name: 'p',
      subresource: 'status',
      patchType: PatchType.APPLY,
      patch: toJsonBytes({ metadata: { labels: { tier: 'web' } } }),
      options: { fieldManager: 'kubelet', force: true, fieldValidation: FieldValidation.STRICT },
    });
    const res = await unary<PatchResponse>((cb) => client.patch(req, cb));

    expect(fake.received['patch']).toEqual(req);
    expect((fromJsonBytes(res.object!.json) as PodJson).metadata.labels).toEqual({ tier: 'web' });
  });

  it('delete — grace period 0 is distinct from unset; preconditions and propagation round-trip', async () => {
    await createPod('d');
    const graceful = DeleteRequest.create({ gvr: pods, namespace: 'default', name: 'd' });
    expect((await unary<DeleteResponse>((cb) => client.delete(graceful, cb))).deleted).toBe(false);
    expect((fake.received['delete'] as DeleteRequest).options).toBeUndefined();

    const now = DeleteRequest.create({
      gvr: pods,
      namespace: 'default',
      name: 'd',
      options: {
        gracePeriodSeconds: 0,
        preconditions: { uid: 'uid-d', resourceVersion: '' },
        propagationPolicy: DeletionPropagation.FOREGROUND,
        dryRun: false,
      },
    });
    const res = await unary<DeleteResponse>((cb) => client.delete(now, cb));
    expect(fake.received['delete']).toEqual(now);
    expect(res.deleted).toBe(true);
    expect(res.object?.ref?.name).toBe('d');
  });

  it('deleteCollection — both option messages round-trip; items come back', async () => {
    const req = DeleteCollectionRequest.create({
      gvr: pods,
      namespace: 'default',
      listOptions: { labelSelector: 'app=web' },
      deleteOptions: { gracePeriodSeconds: 30, propagationPolicy: DeletionPropagation.BACKGROUND },
    });
    const res = await unary<DeleteCollectionResponse>((cb) => client.deleteCollection(req, cb));
    expect(fake.received['deleteCollection']).toEqual(req);
    expect(res.items.length).toBeGreaterThan(0);
    expect(fake.objects.size).toBe(0);
  });

  it('watch — events arrive in order, batched or not, ending with an ERROR Status', async () => {
    const call = client.watch(
      WatchRequest.create({
        gvr: pods,
        namespace: 'default',
        options: {
          allowWatchBookmarks: true,
          sendInitialEvents: true,
          resourceVersionMatch: ResourceVersionMatch.NOT_OLDER_THAN,
        },
      }),
    );
    const events: WatchEvent[] = [];
    for await (const msg of call as AsyncIterable<WatchResponse>) events.push(...msg.events);

    expect(events.map((e) => e.type)).toEqual([
      WatchEventType.ADDED,
      WatchEventType.ADDED,
      WatchEventType.BOOKMARK,
      WatchEventType.MODIFIED,
      WatchEventType.DELETED,
      WatchEventType.ERROR,
    ]);
    expect(events.map((e) => e.object?.ref?.name ?? '')).toEqual(['a', 'b', '', 'a', 'b', '']);
    expect(events[2]!.initialEventsEnd).toBe(true);
    const versions = events.slice(0, 4).map((e) => Number(e.object!.ref!.resourceVersion));
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    expect(events[5]!.status).toEqual(failure(410, 'Expired', 'too old resource version: 1 (101)'));
  });

  it('watch — cancelling the call reaches the server and ends the client stream with CANCELLED', async () => {
    const call = client.watch({ gvr: pods, namespace: 'default', options: ListOptions.create({ labelSelector: 'hang' }) });
    const first = await new Promise<WatchResponse>((resolve) => call.once('data', resolve));
    expect(first.events[0]?.type).toBe(WatchEventType.ADDED);

    const ended = new Promise<ServiceError>((resolve) => call.on('error', resolve));
    call.cancel();
    expect((await ended).code).toBe(GrpcCode.CANCELLED);
    await fake.watchCancelled;
  });

  it('watch — a failure before the first event is a gRPC error with a Status trailer', async () => {
    const call = client.watch({ gvr: pods, namespace: '', options: ListOptions.create({ labelSelector: '!!' }) });
    const err = await new Promise<ServiceError>((resolve) => call.on('error', resolve));

    expect(err.code).toBe(GrpcCode.INVALID_ARGUMENT);
    expect(statusFromError(err)?.reason).toBe('BadRequest');
  });
});

