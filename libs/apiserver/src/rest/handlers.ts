import type { IncomingMessage, ServerResponse } from 'node:http';
import { evaluateSelfSubjectAccessReview, type SelfSubjectAccessReviewSpec, type UserInfo } from '@ekslab/apiserver-auth';
import type { EtcdStore } from '@ekslab/storage';
import { decodeObject, mediaType, readBody } from '../http/body.js';
import { decodeKubernetesProtobuf, isKubernetesProtobuf, ProtobufDecodeError, UnsupportedKindError } from '../protobuf/index.js';
import { negotiate, type Rendering } from '../http/negotiate.js';
import type { ResourceRoute } from '../http/route.js';
import type { ApiServerOptions } from '../http/server.js';
import { sendJson } from '../http/server.js';
import { failure, statusOf } from '../http/status.js';
import { apiVersionOf, type ResourceInfo, type Verb } from '../resources.js';
import type { KubeObject } from './objects.js';
import { applyPatch, patchTypeOf } from './patch.js';
import { listKindOf, type Registry, type Target } from './registry.js';
import { parseSelectors } from './selectors.js';
import { toTable } from './table.js';
import { serveWatch } from './watch.js';

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly route: ResourceRoute;
  readonly query: URLSearchParams;
  readonly registry: Registry;
  readonly store: EtcdStore;
  readonly signal: AbortSignal;
  readonly options: ApiServerOptions;
  readonly user: UserInfo;
}

/** The Kubernetes verb of a resource request (requestinfo.go). */
export function verbOf(method: string, r: ResourceRoute): Verb {
  switch (method) {
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return r.name === undefined ? 'deletecollection' : 'delete';
    default: return r.watch ? 'watch' : r.name === undefined ? 'list' : 'get';
  }
}

const now = (ctx: RequestContext): number => (ctx.options.now ?? Date.now)();

function methodNotAllowed(info: ResourceInfo, verb: string, subresource?: string): never {
  const what = subresource ? `${info.resource}/${subresource}` : info.resource;
  throw failure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`, { kind: what });
}

function dryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw failure(400, 'BadRequest', `Invalid dry run value: "${v}". The only supported value is "All"`);
  return values.length > 0;
}

function render(ctx: RequestContext, rendering: Rendering, obj: KubeObject): unknown {
  return rendering.kind === 'table' ? toTable(ctx.route.info, [obj], rendering.includeObject, now(ctx), obj.metadata.resourceVersion) : obj;
}

function target(r: ResourceRoute): Target {
  if (r.info.namespaced && r.namespace === undefined) throw failure(404, 'NotFound', 'the server could not find the requested resource');
  return { info: r.info, ...(r.namespace !== undefined ? { namespace: r.namespace } : {}), name: r.name!, ...(r.subresource ? { subresource: r.subresource } : {}) };
}

async function bodyObject(ctx: RequestContext): Promise<Record<string, unknown>> {
  const type = mediaType(ctx.req.headers['content-type']);
  const body = await readBody(ctx.req, ctx.options.maxRequestBytes);
  if (type === 'application/json' || type === '') return decodeObject(body, 'json');
  if (type === 'application/yaml') return decodeObject(body, 'yaml');
  if (isKubernetesProtobuf(type)) return decodeProtobuf(body);
  throw failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
}

/**
 * kubectl ≥ 1.32 sends built-in objects as Kubernetes protobuf (`kubectl create …`, `auth can-i`); they are
 * decoded into their JSON form. A body that does not decode is 400 BadRequest.
 */
function decodeProtobuf(body: Buffer): Record<string, unknown> {
  try {
    return decodeKubernetesProtobuf(body).object;
  } catch (err) {
    if (err instanceof ProtobufDecodeError || err instanceof UnsupportedKindError) throw failure(err.status.code, err.status.reason, err.status.message);
    throw err;
  }
}

export async function handleResource(ctx: RequestContext): Promise<void> {
  const { route: r, query } = ctx;
  const verb = verbOf(ctx.req.method ?? 'GET', r);
  const sub = r.subresource;
  const allowed = sub ? (r.info.subresources?.[sub] ?? methodNotAllowed(r.info, verb, sub)) : r.info.verbs;
  if (!allowed.includes(verb) && !(sub && verb === 'get' && allowed.includes('get'))) methodNotAllowed(r.info, verb, sub);
  if (r.info.virtual) return accessReview(ctx);
  if (sub === 'scale') return handleScale(ctx, verb);
  if (sub && sub !== 'status') throw failure(404, 'NotFound', `the server could not find the requested resource (${verb} ${r.info.resource}/${sub})`);
  const rendering = verb === 'get' || verb === 'list' || verb === 'watch' ? negotiate(ctx.req.headers, query) : { kind: 'object' as const };

  switch (verb) {
    case 'get': {
      const obj = await ctx.registry.get(target(r), ctx.signal);
      return sendJson(ctx.res, 200, render(ctx, rendering, obj));
    }
    case 'list':
      return list(ctx, rendering);
    case 'watch':
      return watch(ctx, rendering);
    case 'create': {
      const input = await bodyObject(ctx);
      const created = await ctx.registry.create(r.info, r.namespace, input, { dryRun: dryRun(query), signal: ctx.signal });
      return sendJson(ctx.res, 201, created);
    }
    case 'update': {
      const input = (await bodyObject(ctx)) as KubeObject;
      const updated = await ctx.registry.update(target(r), input, { dryRun: dryRun(query), signal: ctx.signal });
      return sendJson(ctx.res, 200, updated);
    }
    case 'patch': {
      const patchType = patchTypeOf(ctx.req.headers['content-type']);
      const body = await readBody(ctx.req, ctx.options.maxRequestBytes);
      const t = target(r);
      const opts = { dryRun: dryRun(query), signal: ctx.signal };
      try {
        const patched = await ctx.registry.mutate(t, (current) => applyPatch(r.info, patchType, current, body), opts);
        return sendJson(ctx.res, 200, patched);
      } catch (err) {
        // Server-side apply creates what does not exist yet.
        if (patchType !== 'apply' || statusOf(err).code !== 404 || sub) throw err;
        const applied = decodeObject(body, 'yaml');
        applied['metadata'] = { ...(applied['metadata'] as object | undefined), name: t.name };
        return sendJson(ctx.res, 201, await ctx.registry.create(r.info, r.namespace, applied, opts));
      }
    }
    case 'delete': {
      const options = await deleteOptions(ctx);
      const { object, deleted } = await ctx.registry.delete(target(r), { ...options, dryRun: dryRun(query), signal: ctx.signal });
      // 202 Accepted when the object is only marked for deletion (finalizers, grace period), as kube-apiserver does.
      return sendJson(ctx.res, deleted ? 200 : 202, object);
    }
    case 'deletecollection':
      return deleteCollection(ctx);
  }
}

/**
 * The `scale` subresource of deployments and replicasets: an autoscaling/v1 Scale whose spec.replicas is
 * the workload's, as `kubectl scale` reads and patches it.
 */
async function handleScale(ctx: RequestContext, verb: Verb): Promise<void> {
  const t = { ...target(ctx.route), subresource: undefined } as Target;
  const toScale = (o: KubeObject) => {
    const spec = (o.spec ?? {}) as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
    const status = (o.status ?? {}) as { replicas?: number };
    return {
      kind: 'Scale', apiVersion: 'autoscaling/v1',
      metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
      spec: { replicas: spec.replicas ?? 0 },
      status: { replicas: status.replicas ?? 0, selector: Object.entries(spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') },
    };
  };
  const opts = { dryRun: dryRun(ctx.query), signal: ctx.signal };
  if (verb === 'get') return sendJson(ctx.res, 200, toScale(await ctx.registry.get(t, ctx.signal)));
  let replicas: unknown;
  if (verb === 'update') {
    const scale = await bodyObject(ctx);
    replicas = (scale['spec'] as { replicas?: unknown } | undefined)?.replicas;
  } else if (verb === 'patch') {
    const type = patchTypeOf(ctx.req.headers['content-type']);
    const body = await readBody(ctx.req, ctx.options.maxRequestBytes);
    const current = toScale(await ctx.registry.get(t, ctx.signal));
    replicas = (applyPatch({ ...ctx.route.info, kind: 'Scale', group: 'autoscaling' }, type, current, body).spec as { replicas?: unknown }).replicas;
  } else {
    methodNotAllowed(ctx.route.info, verb, 'scale');
  }
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw failure(422, 'Invalid', `Scale.autoscaling "${t.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
  }
  const updated = await ctx.registry.mutate(t, (o) => ({ ...o, spec: { ...(o.spec as object), replicas } }), opts);
  return sendJson(ctx.res, 200, toScale(updated));
}

/** SelfSubjectAccessReview: may the caller do what the spec describes? (`kubectl auth can-i`). */
async function accessReview(ctx: RequestContext): Promise<void> {
  const review = await bodyObject(ctx);
  const spec = (review['spec'] ?? {}) as SelfSubjectAccessReviewSpec;
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    throw failure(422, 'Invalid', 'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified');
  }
  // Without authorization configured (REST-layer tests) everything is allowed.
  const status = ctx.options.auth ? evaluateSelfSubjectAccessReview(ctx.options.auth.authorizer, ctx.user, spec) : { allowed: true };
  return sendJson(ctx.res, 201, { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec, status });
}

async function deleteOptions(ctx: RequestContext) {
  const body = await readBody(ctx.req, ctx.options.maxRequestBytes);
  const protobuf = isKubernetesProtobuf(mediaType(ctx.req.headers['content-type']));
  const opts = body.length === 0 ? {} : protobuf ? decodeProtobuf(body) : decodeObject(body, 'json');
  const q = ctx.query;
  const grace = q.get('gracePeriodSeconds') ?? (opts['gracePeriodSeconds'] as number | undefined);
  const policy = q.get('propagationPolicy') ?? (opts['propagationPolicy'] as string | undefined);
  if (policy !== undefined && policy !== null && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    throw failure(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
  }
  const g = grace === undefined || grace === null ? undefined : Number(grace);
  if (g !== undefined && (!Number.isInteger(g) || g < 0)) throw failure(400, 'BadRequest', `invalid gracePeriodSeconds ${String(grace)}`);
  return {
    ...(g !== undefined ? { gracePeriodSeconds: g } : {}),
    ...(policy ? { propagationPolicy: policy as 'Orphan' | 'Background' | 'Foreground' } : {}),
    ...(opts['preconditions'] ? { preconditions: opts['preconditions'] as { uid?: string; resourceVersion?: string } } : {}),
  };
}

async function list(ctx: RequestContext, rendering: Rendering): Promise<void> {
  const { route: r, query } = ctx;
  const matches = parseSelectors(r.info, query);
  const limit = Number(query.get('limit') ?? 0);
  if (!Number.isInteger(limit) || limit < 0) throw failure(400, 'BadRequest', `invalid limit ${query.get('limit')}`);
  const cont = query.get('continue') ?? undefined;
  const rv = query.get('resourceVersion') ?? undefined;
  const exact = query.get('resourceVersionMatch') === 'Exact';
  const result = await ctx.store.list<KubeObject>(ctx.registry.prefixOf(r.info, r.namespace), {
    signal: ctx.signal, ...(limit ? { limit } : {}), ...(cont ? { continue: cont } : {}), ...(exact && rv ? { resourceVersion: rv } : {}),
  });
  const items = result.items.filter(matches);
  const metadata = { resourceVersion: result.resourceVersion, ...(result.continue ? { continue: result.continue } : {}), ...(result.remainingItemCount !== undefined ? { remainingItemCount: result.remainingItemCount } : {}) };
  if (rendering.kind === 'table') {
    const table = toTable(r.info, items, rendering.includeObject, now(ctx), result.resourceVersion) as { metadata: Record<string, unknown> };
    table.metadata = metadata;
    return sendJson(ctx.res, 200, table);
  }
  return sendJson(ctx.res, 200, { kind: listKindOf(r.info), apiVersion: apiVersionOf(r.info), metadata, items });
}

async function watch(ctx: RequestContext, rendering: Rendering): Promise<void> {
  const { route: r, query } = ctx;
  const matches = parseSelectors(r.info, query);
  const rv = query.get('resourceVersion');
  const timeout = Number(query.get('timeoutSeconds') ?? 0);
  const timeoutMs = timeout > 0 ? timeout * 1000 : ctx.options.minRequestTimeoutMs * (1 + Math.random());
  const fromNow = !rv || rv === '0';
  await serveWatch(ctx.store, ctx.res, {
    info: r.info,
    prefix: r.name !== undefined ? ctx.registry.keyOf(target(r)) : ctx.registry.prefixOf(r.info, r.namespace),
    ...(fromNow ? {} : { fromRevision: rv }),
    initialEvents: fromNow,
    initialEventsEndBookmark: false,
    bookmarks: query.get('allowWatchBookmarks') === 'true',
    bookmarkIntervalMs: ctx.options.bookmarkIntervalMs,
    timeoutMs,
    matches,
  }, (obj) => render(ctx, rendering, obj), (err) => statusOf(err), ctx.signal);
}

async function deleteCollection(ctx: RequestContext): Promise<void> {
  const { route: r, query } = ctx;
  const matches = parseSelectors(r.info, query);
  const options = await deleteOptions(ctx);
  const listed = await ctx.store.list<KubeObject>(ctx.registry.prefixOf(r.info, r.namespace), { signal: ctx.signal });
  const items: KubeObject[] = [];
  for (const obj of listed.items.filter(matches)) {
    const t = { info: r.info, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}), name: obj.metadata.name! };
    try {
      items.push((await ctx.registry.delete(t, { ...options, dryRun: dryRun(query), signal: ctx.signal })).object);
    } catch (err) {
      if (statusOf(err).code !== 404) throw err;
    }
  }
  return sendJson(ctx.res, 200, { kind: listKindOf(r.info), apiVersion: apiVersionOf(r.info), metadata: { resourceVersion: listed.resourceVersion }, items });
}
