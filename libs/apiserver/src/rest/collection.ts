import { listObjects, watchSourceOf } from '../cache/cache-set.js';
import type { Rendering } from '../http/negotiate.js';
import { sendJson } from '../http/server.js';
import { failure, statusOf } from '../http/status.js';
import { apiVersionOf } from '../resources.js';
import type { KubeObject } from './objects.js';
import { listKindOf } from './registry.js';
import { deleteOptions, dryRun, now, render, target, type RequestContext } from './request.js';
import { parseSelectors } from './selectors.js';
import { toTable } from './table.js';
import { serveWatch } from './watch.js';

// Collection verbs: list, watch and deletecollection.

export async function list(ctx: RequestContext, rendering: Rendering): Promise<void> {
  const { route: r, query } = ctx;
  const matches = parseSelectors(r.info, query);
  const limit = Number(query.get('limit') ?? 0);
  if (!Number.isInteger(limit) || limit < 0) throw failure(400, 'BadRequest', `invalid limit ${query.get('limit')}`);
  const cont = query.get('continue') ?? undefined;
  const rv = query.get('resourceVersion') ?? undefined;
  const match = query.get('resourceVersionMatch');
  const result = await listObjects(ctx.store, ctx.options.watchCache, ctx.registry.prefixOf(r.info, r.namespace), {
    signal: ctx.signal, ...(limit ? { limit } : {}), ...(cont ? { continue: cont } : {}), ...(rv ? { resourceVersion: rv } : {}),
    ...(match === 'Exact' || match === 'NotOlderThan' ? { resourceVersionMatch: match } : {}),
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

export async function watch(ctx: RequestContext, rendering: Rendering): Promise<void> {
  const { route: r, query } = ctx;
  const matches = parseSelectors(r.info, query);
  const rv = query.get('resourceVersion');
  const timeout = Number(query.get('timeoutSeconds') ?? 0);
  const timeoutMs = timeout > 0 ? timeout * 1000 : ctx.options.minRequestTimeoutMs * (1 + Math.random());
  const fromNow = !rv || rv === '0';
  await serveWatch(watchSourceOf(ctx.store, ctx.options.watchCache), ctx.res, {
    info: r.info,
    prefix: r.name !== undefined ? ctx.registry.keyOf(target(r)) : ctx.registry.prefixOf(r.info, r.namespace),
    ...(fromNow ? {} : { fromRevision: rv }),
    initialEvents: fromNow,
    consistentInitialList: !rv,
    initialEventsEndBookmark: false,
    bookmarks: query.get('allowWatchBookmarks') === 'true',
    bookmarkIntervalMs: ctx.options.bookmarkIntervalMs,
    timeoutMs,
    matches,
  }, (obj) => render(ctx, rendering, obj), (err) => statusOf(err), ctx.signal);
}

export async function deleteCollection(ctx: RequestContext): Promise<void> {
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
