import { readBody } from '../http/body.js';
import { bindPod, type SubresourceCall } from './binding.js';
import { evictPod } from './eviction.js';
import { requestToken, type ServiceAccountTokenOptions } from './token-request.js';
import { sendJson } from '../http/server.js';
import { failure } from '../http/status.js';
import type { Verb } from '../resources.js';
import { fieldManagerOf } from './apply.js';
import type { KubeObject } from './objects.js';
import { applyPatch, patchTypeOf } from './patch.js';
import { podLog } from './pod-log.js';
import type { Target } from './registry.js';
import { bodyObject, dryRun, methodNotAllowed, now, target, type RequestContext } from './request.js';

/**
 * Subresources other than `status` (which the generic verbs serve): scale of deployments and replicasets,
 * finalize of namespaces, pods/binding, pods/eviction, serviceaccounts/token, log of pods (rest/pod-log.ts).
 * Anything the resource table lists but nothing serves yet is 404, as for an unknown subresource.
 */
export async function handleSubresource(ctx: RequestContext, verb: Verb): Promise<void> {
  const r = ctx.route;
  switch (r.subresource) {
    case 'scale': return handleScale(ctx, verb);
    case 'finalize': return handleFinalize(ctx);
    case 'binding':
    case 'eviction':
    case 'token': return handleCreateSubresource(ctx, r.subresource);
    case 'log': return podLog(ctx);
    default: throw failure(404, 'NotFound', `the server could not find the requested resource (${verb} ${r.info.resource}/${String(r.subresource)})`);
  }
}

/**
 * `namespaces/finalize` (PUT only): replaces spec.finalizers and nothing else; a namespace being deleted
 * whose finalizers are all gone is deleted for real (kube's namespace FinalizeREST).
 */
async function handleFinalize(ctx: RequestContext): Promise<void> {
  const input = (await bodyObject(ctx)) as KubeObject;
  return sendJson(ctx.res, 200, await ctx.registry.update(target(ctx.route), input, { dryRun: dryRun(ctx.query), signal: ctx.signal }));
}

/**
 * The create-only subresources, over REST and gRPC: pods/binding and pods/eviction (answered with a
 * Status, 201) and serviceaccounts/token (a TokenRequest, 201; 404 when the apiserver has no signing key).
 */
export async function createSubresource(call: SubresourceCall, tokens: ServiceAccountTokenOptions | undefined, sub: string, namespace: string, name: string, body: Record<string, unknown>): Promise<object> {
  switch (sub) {
    case 'binding': return bindPod(call, namespace, name, body);
    case 'eviction': return evictPod(call, namespace, name, body);
    case 'token':
      if (tokens) return requestToken(call, tokens, namespace, name, body);
      break;
  }
  throw failure(404, 'NotFound', `the server could not find the requested resource (create ${sub === 'token' ? 'serviceaccounts' : 'pods'}/${sub})`);
}

/**
 * `POST /api/v1/namespaces/<ns>/bindings` — the deprecated binding endpoint: the same BindingREST as
 * pods/binding, with the pod named by the Binding's metadata.name ("name must be provided" without one).
 */
export function createBinding(call: SubresourceCall, namespace: string, body: Record<string, unknown>): Promise<object> {
  const name = (body['metadata'] as { name?: unknown } | undefined)?.name;
  if (typeof name !== 'string' || name === '') throw failure(400, 'BadRequest', 'name must be provided');
  return bindPod(call, namespace, name, body);
}

export async function handleBindings(ctx: RequestContext): Promise<void> {
  const body = await bodyObject(ctx);
  const call: SubresourceCall = { registry: ctx.registry, store: ctx.store, now: () => now(ctx), dryRun: dryRun(ctx.query), signal: ctx.signal };
  return sendJson(ctx.res, 201, await createBinding(call, ctx.route.namespace ?? '', body));
}

async function handleCreateSubresource(ctx: RequestContext, sub: string): Promise<void> {
  const t = target(ctx.route);
  const body = await bodyObject(ctx);
  const call: SubresourceCall = { registry: ctx.registry, store: ctx.store, now: () => now(ctx), dryRun: dryRun(ctx.query), signal: ctx.signal };
  return sendJson(ctx.res, 201, await createSubresource(call, ctx.options.serviceAccountTokens, sub, t.namespace ?? '', t.name, body));
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
  // Recorded as kube-apiserver records scale writes: an Update of spec.replicas through subresource "scale".
  const fieldManager = { ...fieldManagerOf('UpdateOptions', ctx.query.get('fieldManager'), ctx.req.headers['user-agent']), subresource: 'scale' };
  const opts = { dryRun: dryRun(ctx.query), signal: ctx.signal, fieldManager };
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

