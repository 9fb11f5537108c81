// ResourceClient against a real grpc-js server on 127.0.0.1:0 with a small in-memory ResourceService.
import { Server, ServerCredentials, credentials, status as GrpcCode } from '@grpc/grpc-js';
import type { ServerWritableStream, handleUnaryCall } from '@grpc/grpc-js';
import {
  RawObject,
  ResourceServiceClient,
  ResourceServiceService,
  Status,
  WatchEvent as WireEvent,
  WatchEventType,
  fromJsonBytes,
  statusToServiceError,
  toJsonBytes,
} from '@ekslab/proto';
import type { ResourceServiceServer, WatchRequest, WatchResponse } from '@ekslab/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, isAlreadyExists, isConflict, isGone, isNotFound } from './errors.js';
import { Informer } from './informer.js';
import { ResourceClient } from './resource-client.js';
import type { KubeObject, WatchEvent } from './types.js';

interface Pod extends KubeObject {
  spec?: { nodeName?: string };
}

const pods = { group: '', version: 'v1', resource: 'pods' };

function fail(code: number, reason: string, message: string): Error {
  return statusToServiceError(Status.create({ status: 'Failure', code, reason, message }));
}

function memoryServer() {
  let revision = 10;
  const objects = new Map<string, RawObject>();
  const authorization: string[] = [];
  const watchers = new Set<ServerWritableStream<WatchRequest, WatchResponse>>();
  let cancelled = 0;
  const store = (json: Pod): RawObject => {
    const rv = String(++revision);
    const { name = '', namespace = '' } = json.metadata;
    const stored = { ...json, metadata: { ...json.metadata, uid: `uid-${name}`, resourceVersion: rv } };
    const raw = RawObject.create({
      ref: { apiVersion: 'v1', version: 'v1', resource: 'pods', kind: 'Pod', namespace, name, uid: `uid-${name}`, resourceVersion: rv },
      json: toJsonBytes(stored),
    });
    objects.set(`${namespace}/${name}`, raw);
    for (const w of watchers) w.write({ events: [WireEvent.create({ type: WatchEventType.ADDED, object: raw })] });
    return raw;
  };
  const unary =
    <Req, Res>(body: (req: Req) => Res): handleUnaryCall<Req, Res> =>
    (call, callback) => {
      authorization.push(String(call.metadata.get('authorization')[0] ?? ''));
      try {
        const res = body(call.request);
        if (res instanceof Promise) return; // never answers
        callback(null, res);
      } catch (err) {
        callback(err as Error);
      }
    };
  const impl: ResourceServiceServer = {
    create: unary((req) => {
      const json = fromJsonBytes(req.object) as Pod;
      if (objects.has(`${req.namespace}/${json.metadata.name}`)) throw fail(409, 'AlreadyExists', 'pods "a" already exists');
      return { object: store({ ...json, metadata: { ...json.metadata, namespace: req.namespace } }), warnings: [] };
    }),
    get: unary((req) => {
      if (req.name === 'slow') throw fail(504, 'Timeout', 'too slow');
      if (req.name === 'hang') return new Promise<never>(() => undefined) as never;
      const object = objects.get(`${req.namespace}/${req.name}`);
      if (!object) throw fail(404, 'NotFound', `pods "${req.name}" not found`);
      return { object, warnings: [] };
    }),
    list: unary((req) => ({
      items: [...objects.values()].filter((o) => !req.namespace || o.ref?.namespace === req.namespace),
      resourceVersion: String(revision),
      continueToken: '',
      kind: 'PodList',
      warnings: [],
    })),
    update: unary((req) => {
      const json = fromJsonBytes(req.object) as Pod;
      const current = objects.get(`${req.namespace}/${req.name}`);
      if (current?.ref?.resourceVersion !== json.metadata.resourceVersion) throw fail(409, 'Conflict', 'the object has been modified');
      return { object: store(json), warnings: [] };
    }),
    patch: unary(() => {
      throw Object.assign(new Error('no trailer'), { code: GrpcCode.UNAVAILABLE, details: 'proxy down' });
    }),
    delete: unary(() => {
      throw fail(403, 'Forbidden', 'not allowed');
    }),
    deleteCollection: unary(() => ({ items: [], warnings: [] })),
    watch: (call) => {
      authorization.push(String(call.metadata.get('authorization')[0] ?? ''));
      const rv = call.request.options?.resourceVersion ?? '';
      if (rv === 'bad') {
        call.emit('error', fail(400, 'BadRequest', 'invalid resourceVersion'));
        return;
      }
      if (rv === '1') {
        call.write({ events: [WireEvent.create({ type: WatchEventType.ERROR, status: Status.create({ code: 410, reason: 'Expired', message: 'too old resource version: 1 (10)' }) })] });
        call.end();
        return;
      }
      const bookmark = RawObject.create({ ref: { kind: 'Pod', resourceVersion: String(revision) }, json: toJsonBytes({ kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(revision) } }) });
      call.write({ events: [WireEvent.create({ type: WatchEventType.BOOKMARK, object: bookmark })] });
      watchers.add(call);
      call.on('cancelled', () => {
        cancelled++;
        watchers.delete(call);
      });
    },
  };
  return { impl, authorization, store, watchers: () => watchers.size, cancelled: () => cancelled };
}

const token = 'secret-token';
let server: Server;
let service: ResourceServiceClient;
let fake: ReturnType<typeof memoryServer>;
let client: ResourceClient<Pod>;

beforeAll(async () => {
  fake = memoryServer();
  server = new Server();
  server.addService(ResourceServiceService, fake.impl);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  service = new ResourceServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  client = new ResourceClient<Pod>({ service, gvr: pods, namespace: 'default', token });
});

afterAll(async () => {
  service.close();
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
});

const signal = (): AbortSignal => new AbortController().signal;

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('ResourceClient', () => {
  it('resource client — create, get and list decode typed objects and send the bearer token', async () => {
    const created = await client.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' }, spec: { nodeName: 'n1' } }, { signal: signal() });
    expect(created.metadata).toMatchObject({ name: 'a', namespace: 'default', uid: 'uid-a' });
    const got = await client.get('a', { signal: signal() });
    expect(got.spec?.nodeName).toBe('n1');
    const page = await client.list({}, signal());
    expect(page.items.map((p) => p.metadata.name)).toEqual(['a']);
    expect(page.resourceVersion).toBe(got.metadata.resourceVersion);
    expect(fake.authorization.every((a) => a === `Bearer ${token}`)).toBe(true);
  });

  it('resource client — failures map to ApiError with the Kubernetes Status', async () => {
    const notFound = await rejection(client.get('nope', { signal: signal() }));
    expect([notFound.code, notFound.reason, notFound.retryable, notFound.grpcCode]).toEqual([404, 'NotFound', false, GrpcCode.NOT_FOUND]);
    expect(isNotFound(notFound)).toBe(true);
    const exists = await rejection(client.create({ metadata: { name: 'a' } }, { signal: signal() }));
    expect(isAlreadyExists(exists) && !isConflict(exists) && !exists.retryable).toBe(true);
    const current = await client.get('a', { signal: signal() });
    const conflict = await rejection(client.update({ ...current, metadata: { ...current.metadata, resourceVersion: '1' } }, { signal: signal() }));
    expect(isConflict(conflict) && conflict.retryable).toBe(true);
    const forbidden = await rejection(client.delete('a', { signal: signal() }));
    expect([forbidden.code, forbidden.reason, forbidden.status.message]).toEqual([403, 'Forbidden', 'not allowed']);
    const timeout = await rejection(client.get('slow', { signal: signal() }));
    expect([timeout.code, timeout.retryable]).toEqual([504, true]);
    // No Status trailer: derived from the gRPC code.
    const transport = await rejection(client.patch('a', 'merge', {}, { signal: signal() }));
    expect([transport.code, transport.reason, transport.retryable]).toEqual([503, 'ServiceUnavailable', true]);
  });

  it('resource client — a call past its deadline fails with 504 Timeout (DEADLINE_EXCEEDED)', async () => {
    const err = await rejection(client.get('hang', { signal: signal(), deadlineMs: 50 }));
    expect([err.code, err.reason, err.grpcCode, err.retryable]).toEqual([504, 'Timeout', GrpcCode.DEADLINE_EXCEEDED, true]);
  });

  it('resource client — a watch refused before its first event throws the Status from the trailer', async () => {
    const refused = (async () => {
      for await (const _ of client.watch({ resourceVersion: 'bad' }, signal())) {
        /* none */
      }
    })();
    const err = await rejection(refused);
    expect([err.code, err.reason, err.message]).toEqual([400, 'BadRequest', 'invalid resourceVersion']);
  });

  it('resource client — an aborted call rejects with the signal reason', async () => {
    const ac = new AbortController();
    const p = client.get('a', { signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });

  it('resource client — watch yields typed events; ERROR 410 throws isGone', async () => {
    const ac = new AbortController();
    const seen: WatchEvent<Pod>[] = [];
    const iterate = (async () => {
      for await (const ev of client.watch({ resourceVersion: '11', allowWatchBookmarks: true }, ac.signal)) {
        seen.push(ev);
        if (ev.type === 'ADDED') ac.abort();
      }
    })();
    while (fake.watchers() === 0) await new Promise((r) => setTimeout(r, 5));
    fake.store({ metadata: { name: 'b', namespace: 'default' } });
    await iterate; // abort ends the iteration quietly
    expect(seen.map((e) => e.type)).toEqual(['BOOKMARK', 'ADDED']);
    expect(seen[1]?.object.metadata.name).toBe('b');
    expect(seen[1]?.resourceVersion).toBe(seen[1]?.object.metadata.resourceVersion);

    const expired = (async () => {
      for await (const _ of client.watch({ resourceVersion: '1' }, signal())) {
        /* none */
      }
    })();
    const err = await rejection(expired);
    expect(isGone(err) && err.reason === 'Expired').toBe(true);
  });

  it('resource client — aborting a watch cancels the call on the server', async () => {
    const before = fake.cancelled();
    const ac = new AbortController();
    const iterate = (async () => {
      for await (const _ of client.watch({ resourceVersion: '11' }, ac.signal)) {
        /* wait */
      }
    })();
    while (fake.watchers() === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await iterate;
    while (fake.cancelled() === before) await new Promise((r) => setTimeout(r, 5));
    expect(fake.watchers()).toBe(0);
  });

  it('resource client — works as the informer ListerWatcher', async () => {
    const ac = new AbortController();
    const informer = new Informer<Pod>(client, {});
    const running = informer.start(ac.signal);
    await informer.waitForSync(ac.signal);
    const added = new Promise<string>((resolve) => informer.addEventHandler({ onAdd: (p) => p.metadata.name === 'c' && resolve('c') }));
    while (fake.watchers() === 0) await new Promise((r) => setTimeout(r, 5));
    fake.store({ metadata: { name: 'c', namespace: 'default' } });
    expect(await added).toBe('c');
    expect(informer.store.get('default/c')?.metadata.uid).toBe('uid-c');
    ac.abort();
    await running;
  });
});
