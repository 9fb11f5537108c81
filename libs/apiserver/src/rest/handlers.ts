import { readBody, decodeObject } from '../http/body.js';
import { negotiate } from '../http/negotiate.js';
import { sendJson } from '../http/server.js';
import { fieldManagerOf, forceParam, patchManagerOf } from './apply.js';
import { deleteCollection, list, watch } from './collection.js';
import type { KubeObject } from './objects.js';
import { addWarnings, checkApplyConfiguration, fieldValidationOf, patchFieldCheck, validatedBody } from './field-validation.js';
import { applyPatch, patchTypeOf, serverSideApply } from './patch.js';
import { deleteOptions, dryRun, methodNotAllowed, now, render, target, verbOf, type RequestContext } from './request.js';
import { review } from './reviews.js';
import { handleBindings, handleSubresource } from './subresources.js';

export { verbOf, type RequestContext } from './request.js';

export async function handleResource(ctx: RequestContext): Promise<void> {
  const { route: r, query } = ctx;
  const verb = verbOf(ctx.req.method ?? 'GET', r);
  const sub = r.subresource;
  const allowed = sub ? (r.info.subresources?.[sub] ?? methodNotAllowed(r.info, verb, sub)) : r.info.verbs;
  if (!allowed.includes(verb) && !(sub && verb === 'get' && allowed.includes('get'))) methodNotAllowed(r.info, verb, sub);
  if (r.info.virtual) return r.info.kind === 'Binding' ? handleBindings(ctx) : review(ctx);
  if (sub && sub !== 'status') return handleSubresource(ctx, verb);
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
      const fieldManager = fieldManagerOf('CreateOptions', query.get('fieldManager'), ctx.req.headers['user-agent']);
      const input = await validatedBody(ctx, 'CreateOptions');
      const created = await ctx.registry.create(r.info, r.namespace, input, { dryRun: dryRun(query), signal: ctx.signal, fieldManager });
      return sendJson(ctx.res, 201, created);
    }
    case 'update': {
      const fieldManager = fieldManagerOf('UpdateOptions', query.get('fieldManager'), ctx.req.headers['user-agent']);
      const input = (await validatedBody(ctx, 'UpdateOptions')) as KubeObject;
      const updated = await ctx.registry.update(target(r), input, { dryRun: dryRun(query), signal: ctx.signal, fieldManager });
      return sendJson(ctx.res, 200, updated);
    }
    case 'patch': {
      const patchType = patchTypeOf(ctx.req.headers['content-type']);
      const pm = patchManagerOf(patchType === 'apply', query.get('fieldManager'), forceParam(query), ctx.req.headers['user-agent']);
      const body = await readBody(ctx.req, ctx.options.maxRequestBytes);
      const t = target(r);
      const fields = patchFieldCheck(r.info, fieldValidationOf(query, 'PatchOptions'), patchType === 'merge' || patchType === 'strategic' ? body.toString('utf8') : undefined);
      if (patchType === 'apply') {
        const config = decodeObject(body, 'yaml');
        checkApplyConfiguration(r.info, config);
        const { object, created } = await serverSideApply(ctx.registry, t, config, pm, { dryRun: dryRun(query), signal: ctx.signal }, () => now(ctx));
        return sendJson(ctx.res, created ? 201 : 200, object);
      }
      const opts = { dryRun: dryRun(query), signal: ctx.signal, fieldManager: pm.manager };
      const patched = await ctx.registry.mutate(t, (current) => fields.check(applyPatch(r.info, patchType, current, body)), opts);
      addWarnings(ctx.res, fields.warnings());
      return sendJson(ctx.res, 200, patched);
    }
    case 'delete': {
      const options = await deleteOptions(ctx);
      const { object } = await ctx.registry.delete(target(r), { ...options, dryRun: dryRun(query), signal: ctx.signal });
      // 200 also when the object is only marked (namespace deletion, a pod's grace period, finalizers): kube-apiserver
      // answers 202 only for the deprecated orphanDependents=false, which is not supported here.
      return sendJson(ctx.res, 200, object);
    }
    case 'deletecollection':
      return deleteCollection(ctx);
  }
}
