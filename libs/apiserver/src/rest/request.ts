import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from '@ekslab/apiserver-auth';
import type { EtcdStore } from '@ekslab/storage';
import { decodeObject, mediaType, readBody } from '../http/body.js';
import { decodeKubernetesProtobuf, isKubernetesProtobuf, ProtobufDecodeError, UnsupportedKindError } from '../protobuf/index.js';
import type { Rendering } from '../http/negotiate.js';
import type { ResourceRoute } from '../http/route.js';
import type { ApiServerOptions } from '../http/server.js';
import { failure } from '../http/status.js';
import type { ResourceInfo, Verb } from '../resources.js';
import type { KubeObject } from './objects.js';
import type { Registry, Target } from './registry.js';
import { toTable } from './table.js';

// What every REST handler shares: the request context and the decoding of bodies, options and targets.

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

export const now = (ctx: RequestContext): number => (ctx.options.now ?? Date.now)();

export function methodNotAllowed(info: ResourceInfo, verb: string, subresource?: string): never {
  const what = subresource ? `${info.resource}/${subresource}` : info.resource;
  throw failure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`, { kind: what });
}

export function dryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw failure(400, 'BadRequest', `Invalid dry run value: "${v}". The only supported value is "All"`);
  return values.length > 0;
}

export function render(ctx: RequestContext, rendering: Rendering, obj: KubeObject): unknown {
  return rendering.kind === 'table' ? toTable(ctx.route.info, [obj], rendering.includeObject, now(ctx), obj.metadata.resourceVersion) : obj;
}

export function target(r: ResourceRoute): Target {
  if (r.info.namespaced && r.namespace === undefined) throw failure(404, 'NotFound', 'the server could not find the requested resource');
  return { info: r.info, ...(r.namespace !== undefined ? { namespace: r.namespace } : {}), name: r.name!, ...(r.subresource ? { subresource: r.subresource } : {}) };
}

export async function bodyObject(ctx: RequestContext): Promise<Record<string, unknown>> {
  return decodeBody(ctx, await readBody(ctx.req, ctx.options.maxRequestBytes));
}

/** A request body decoded by its Content-Type (JSON, YAML or Kubernetes protobuf). */
export function decodeBody(ctx: RequestContext, body: Buffer): Record<string, unknown> {
  const type = mediaType(ctx.req.headers['content-type']);
  if (type === 'application/json' || type === '') return decodeObject(body, 'json');
  if (type === 'application/yaml') return decodeObject(body, 'yaml');
  if (isKubernetesProtobuf(type)) return decodeProtobuf(body);
  throw failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
}

/**
 * kubectl ≥ 1.32 sends built-in objects as Kubernetes protobuf (`kubectl create …`, `auth can-i`); they are
 * decoded into their JSON form. A body that does not decode is 400 BadRequest.
 */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  try {
    return decodeKubernetesProtobuf(body).object;
  } catch (err) {
    if (err instanceof ProtobufDecodeError || err instanceof UnsupportedKindError) throw failure(err.status.code, err.status.reason, err.status.message);
    throw err;
  }
}

export async function deleteOptions(ctx: RequestContext) {
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

