import { readBody } from '../http/body.js';
import { sendJson } from '../http/server.js';
import { failure } from '../http/status.js';
import type { Verb } from '../resources.js';
import type { KubeObject } from './objects.js';
import { applyPatch, patchTypeOf } from './patch.js';
import { podLog } from './pod-log.js';
import type { Target } from './registry.js';
import { bodyObject, dryRun, methodNotAllowed, target, type RequestContext } from './request.js';

/**
 * Subresources other than `status` (which the generic verbs serve): scale of deployments and replicasets,
 * log of pods (rest/pod-log.ts).
 * Anything the resource table lists but nothing serves yet is 404, as for an unknown subresource.
 */
export async function handleSubresource(ctx: RequestContext, verb: Verb): Promise<void> {
  const r = ctx.route;
  switch (r.subresource) {
    case 'scale': return handleScale(ctx, verb);
    case 'log': return podLog(ctx);
    default: throw failure(404, 'NotFound', `the server could not find the requested resource (${verb} ${r.info.resource}/${String(r.subresource)})`);
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

