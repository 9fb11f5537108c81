// ResourceService over the REST pipeline: the same authentication, authorization, registry (admission,
// validation, metadata rules) and etcd as the Kubernetes REST API, with objects as JSON bytes.
import {
  CreateResponse, DeleteCollectionResponse, DeleteResponse, GetResponse, ListResponse, PatchResponse, ResourceVersionMatch, UpdateResponse, fromJsonBytes,
} from '@ekslab/proto';
import type { ResourceServiceServer } from '@ekslab/proto';
import { admissionFor } from '../admission/chain.js';
import { listObjects } from '../cache/cache-set.js';
import type { ApiServerOptions } from '../http/server.js';
import { failure, statusOf } from '../http/status.js';
import type { KubeObject } from '../rest/objects.js';
import { fieldManagerOf, patchManagerOf } from '../rest/apply.js';
import { checkApplyConfiguration, checkObject, patchFieldCheck } from '../rest/field-validation.js';
import { applyPatch, serverSideApply } from '../rest/patch.js';
import { createBinding, createSubresource } from '../rest/subresources.js';
import { listKindOf, Registry } from '../rest/registry.js';
import { answerReview } from '../rest/reviews.js';
import { logFailure, resolve, targetOf, unary } from './call.js';
import { decodeJsonObject, rawObjectOf } from './objects.js';
import { deleteOptionsOf, fieldValidationOf, patchTypeOf, selectorsOf } from './options.js';
import { serviceErrorOf } from './status.js';
import { serveGrpcWatch } from './watch.js';

/**
 * The gRPC ResourceService over the apiserver's REST pipeline. Not served: the scale subresource (REST
 * only; 404). Field validation is REST's (unknown fields dropped; Strict fails, Warn answers with
 * `warnings`). Field managers are recorded as over REST (default: the User-Agent's first segment).
 */
export function createResourceService(opts: ApiServerOptions): ResourceServiceServer {
  // The same admission chain as REST (createApiHandler builds its registry the same way).
  const registry = new Registry(opts.store, opts.now, admissionFor(opts), opts.watchCache);
  const store = opts.store;

  return {
    create: unary(opts, 'Create', async (call, signal) => {
      const req = call.request;
      const { user, info } = await resolve(opts, call, 'create', req, signal);
      const input = decodeJsonObject(req.object, 'CreateRequest.object');
      if (info.virtual && info.kind === 'Binding') {
        const call = { registry, store, now: opts.now ?? Date.now, dryRun: req.options?.dryRun ?? false, signal };
        return CreateResponse.create({ object: rawObjectOf(info, await createBinding(call, req.namespace, input) as KubeObject) });
      }
      if (info.virtual) {
        // Self*Reviews: answered, never stored (as over REST).
        const review = answerReview(opts, user, info, input, (opts.now ?? Date.now)()) as unknown as KubeObject;
        return CreateResponse.create({ object: rawObjectOf(info, review) });
      }
      if (req.subresource) {
        // pods/binding, pods/eviction, serviceaccounts/token: the REST handlers' code, answered the same way.
        const call = { registry, store, now: opts.now ?? Date.now, dryRun: req.options?.dryRun ?? false, signal };
        const result = await createSubresource(call, opts.serviceAccountTokens, req.subresource, req.namespace, req.name, input) as KubeObject;
        return CreateResponse.create({ object: rawObjectOf(info, result) });
      }
      // The kind's own schema: not for reviews or subresource bodies (Binding, Eviction, TokenRequest) above.
      const warnings = checkObject(info, input, fieldValidationOf(req.options?.fieldValidation), Buffer.from(req.object).toString('utf8'));
      const fieldManager = fieldManagerOf('CreateOptions', req.options?.fieldManager, userAgentOf(call));
      const created = await registry.create(info, info.namespaced ? req.namespace : undefined, input, { dryRun: req.options?.dryRun ?? false, signal, fieldManager });
      return CreateResponse.create({ object: rawObjectOf(info, created), warnings });
    }, () => 201),

    get: unary(opts, 'Get', async (call, signal) => {
      const { info } = await resolve(opts, call, 'get', call.request, signal);
      return GetResponse.create({ object: rawObjectOf(info, await registry.get(targetOf(info, call.request), signal)) });
    }),

    list: unary(opts, 'List', async (call, signal) => {
      const req = call.request;
      const { info } = await resolve(opts, call, 'list', { ...req, name: '', subresource: '', fieldSelector: req.options?.fieldSelector ?? '' }, signal);
      const o = req.options;
      const matches = selectorsOf(info, o);
      const limit = o?.limit ?? 0;
      if (!Number.isInteger(limit) || limit < 0) throw failure(400, 'BadRequest', `invalid limit ${limit}`);
      const match = o?.resourceVersionMatch === ResourceVersionMatch.EXACT ? 'Exact' : o?.resourceVersionMatch === ResourceVersionMatch.NOT_OLDER_THAN ? 'NotOlderThan' : undefined;
      const result = await listObjects(store, opts.watchCache, registry.prefixOf(info, req.namespace), {
        signal, ...(limit ? { limit } : {}), ...(o?.continueToken ? { continue: o.continueToken } : {}),
        ...(o?.resourceVersion ? { resourceVersion: o.resourceVersion } : {}), ...(match ? { resourceVersionMatch: match } : {}),
      });
      return ListResponse.create({
        items: result.items.filter(matches).map((obj) => rawObjectOf(info, obj)),
        resourceVersion: result.resourceVersion,
        continueToken: result.continue ?? '',
        ...(result.remainingItemCount !== undefined ? { remainingItemCount: result.remainingItemCount } : {}),
        kind: listKindOf(info),
      });
    }),

    update: unary(opts, 'Update', async (call, signal) => {
      const req = call.request;
      const { info } = await resolve(opts, call, 'update', req, signal);
      const input = decodeJsonObject(req.object, 'UpdateRequest.object');
      const warnings = checkObject(info, input, fieldValidationOf(req.options?.fieldValidation), Buffer.from(req.object).toString('utf8'));
      const fieldManager = fieldManagerOf('UpdateOptions', req.options?.fieldManager, userAgentOf(call));
      const updated = await registry.update(targetOf(info, req), input as KubeObject, { dryRun: req.options?.dryRun ?? false, signal, fieldManager });
      return UpdateResponse.create({ object: rawObjectOf(info, updated), warnings });
    }),

    patch: unary(opts, 'Patch', async (call, signal) => {
      const req = call.request;
      const { info } = await resolve(opts, call, 'patch', req, signal);
      const type = patchTypeOf(req.patchType);
      const pm = patchManagerOf(type === 'apply', req.options?.fieldManager, req.options?.force, userAgentOf(call));
      // Undecodable bytes are 400 here rather than whatever the patch library makes of them.
      const doc = decodeJsonValue(req.patch);
      if (type !== 'json') decodeJsonObject(req.patch, 'PatchRequest.patch');
      else if (!Array.isArray(doc)) throw failure(400, 'BadRequest', 'a JSON patch must be an array of operations');
      const body = Buffer.from(req.patch);
      const t = targetOf(info, req);
      const dryRun = req.options?.dryRun ?? false;
      const fields = patchFieldCheck(info, fieldValidationOf(req.options?.fieldValidation), type === 'merge' || type === 'strategic' ? body.toString('utf8') : undefined);
      if (type === 'apply') {
        const config = decodeJsonObject(req.patch, 'PatchRequest.patch');
        checkApplyConfiguration(info, config);
        const { object } = await serverSideApply(registry, t, config, pm, { dryRun, signal }, opts.now ?? Date.now);
        return PatchResponse.create({ object: rawObjectOf(info, object) });
      }
      const patched = await registry.mutate(t, (current) => fields.check(applyPatch(info, type, current, body)), { dryRun, signal, fieldManager: pm.manager });
      return PatchResponse.create({ object: rawObjectOf(info, patched), warnings: fields.warnings() });
    }),

    delete: unary(opts, 'Delete', async (call, signal) => {
      const req = call.request;
      const { info } = await resolve(opts, call, 'delete', req, signal);
      const { object, deleted } = await registry.delete(targetOf(info, req), { ...deleteOptionsOf(req.options), signal });
      return DeleteResponse.create({ object: rawObjectOf(info, object), deleted });
    }, (res) => (res.deleted ? 200 : 202)),

    deleteCollection: unary(opts, 'DeleteCollection', async (call, signal) => {
      const req = call.request;
      const { info } = await resolve(opts, call, 'deletecollection', { ...req, name: '', subresource: '', fieldSelector: req.listOptions?.fieldSelector ?? '' }, signal);
      const matches = selectorsOf(info, req.listOptions);
      const options = deleteOptionsOf(req.deleteOptions);
      const listed = await store.list<KubeObject>(registry.prefixOf(info, req.namespace), { signal });
      const items = [];
      for (const obj of listed.items.filter(matches)) {
        const t = { info, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}), name: obj.metadata.name! };
        try {
          items.push(rawObjectOf(info, (await registry.delete(t, { ...options, signal })).object));
        } catch (err) {
          if (statusOf(err).code !== 404) throw err;
        }
      }
      return DeleteCollectionResponse.create({ items });
    }),

    watch: (call) => {
      // serveGrpcWatch reports its own failures on the stream; this only guards against a bug in it.
      serveGrpcWatch(opts, registry, call).catch((err: unknown) => {
        logFailure(opts, 'Watch', err);
        if (!call.cancelled) call.emit('error', serviceErrorOf(err));
      });
    },
  };
}

/** The caller's User-Agent (grpc-js sends `grpc-node-js/<version>`), from which a default field manager is derived. */
const userAgentOf = (call: { metadata: { get(key: string): Array<string | Buffer> } }): string | undefined => {
  const v = call.metadata.get('user-agent')[0];
  return v === undefined ? undefined : String(v);
};

function decodeJsonValue(bytes: Uint8Array): unknown {
  try {
    return fromJsonBytes(bytes);
  } catch (err) {
    throw failure(400, 'BadRequest', `PatchRequest.patch is not valid UTF-8 JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}
