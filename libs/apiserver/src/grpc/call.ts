// Plumbing shared by the RPC handlers: one AbortSignal per call, credentials → user → authorization →
// resource lookup with the REST layer's verb rules, and failures turned into Status errors.
import type { Metadata, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { UserInfo } from '@ekslab/apiserver-auth';
import type { ApiServerOptions } from '../http/server.js';
import { ApiStatusError, failure, statusOf } from '../http/status.js';
import { findResource, type ResourceInfo, type Verb } from '../resources.js';
import type { Target } from '../rest/registry.js';
import { auditCall, noteCall } from './audit.js';
import { authenticateCall, authorizeCall, impersonateCall, type CallCredentials } from './auth.js';
import type { CallTarget } from './attributes.js';
import { serviceErrorOf } from './status.js';

/** A call that can be cancelled by its client (or by server shutdown): both grpc-js call kinds. */
export interface CancellableCall extends CallCredentials {
  readonly metadata: Metadata;
  readonly cancelled: boolean;
  once(event: 'cancelled', listener: () => void): unknown;
}

/** An AbortSignal that aborts when the client cancels the call or its deadline passes. */
export function signalOf(call: CancellableCall): AbortSignal {
  const ac = new AbortController();
  if (call.cancelled) ac.abort(new Error('call cancelled by the client'));
  else call.once('cancelled', () => ac.abort(new Error('call cancelled by the client')));
  return ac.signal;
}

/** Verbs that address one object by name (Create only with a subresource). */
const named = new Set<Verb>(['get', 'update', 'patch', 'delete']);

export interface Resolved {
  readonly user: UserInfo;
  readonly info: ResourceInfo;
}

/**
 * The REST pipeline's front half for one call, in kube-apiserver's order: authentication (401), impersonation
 * (403), request
 * shape (400: gvr, name, namespace), authorization on the equivalent REST attributes (403), resource lookup
 * (404), verb allowed on the resource or subresource (405). Subresources other than `status`,
 * `namespaces/finalize` and the create-only pods/binding, pods/eviction and serviceaccounts/token are 404
 * (scale is REST-only).
 */
export async function resolve(opts: ApiServerOptions, call: CallCredentials, verb: Verb, t: CallTarget, signal?: AbortSignal): Promise<Resolved> {
  const requester = await authenticateCall(opts, call, signal);
  const user = impersonateCall(opts, call, requester);
  noteCall(call, requester, verb, t, user !== requester ? user : undefined);
  if ((named.has(verb) || (verb === 'create' && t.subresource)) && !t.name) throw failure(400, 'BadRequest', `name is required to ${verb} a single object`);
  if (t.subresource && !t.name) throw failure(400, 'BadRequest', 'a subresource needs the name of its object');
  authorizeCall(opts, user, verb, t);
  const gvr = t.gvr!; // attributesOf checked it
  const info = findResource(gvr.group, gvr.version, gvr.resource);
  if (!info) {
    throw failure(404, 'NotFound', `the server could not find the requested resource (${gvr.group ? `${gvr.group}/` : ''}${gvr.version}, Resource=${gvr.resource})`, {
      ...(gvr.group ? { group: gvr.group } : {}), kind: gvr.resource,
    });
  }
  if (info.namespaced && !t.namespace && (named.has(verb) || verb === 'create')) {
    throw failure(400, 'BadRequest', `namespace is required for the namespaced resource ${info.resource}`);
  }
  const sub = t.subresource;
  const allowed = sub ? info.subresources?.[sub] : info.verbs;
  if (!allowed || !allowed.includes(verb)) {
    throw failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', { kind: sub ? `${info.resource}/${sub}` : info.resource });
  }
  if (sub && sub !== 'status' && sub !== 'finalize' && !createSubresources.has(sub)) throw failure(404, 'NotFound', `the server could not find the requested resource (${verb} ${info.resource}/${sub})`);
  return { user, info };
}

/** Subresources served by Create (binding, eviction, token), as over REST. */
export const createSubresources: ReadonlySet<string> = new Set(['binding', 'eviction', 'token']);

/** The registry's Target of a resolved single-object call. */
export function targetOf(info: ResourceInfo, t: CallTarget): Target {
  return { info, ...(info.namespaced ? { namespace: t.namespace } : {}), name: t.name, ...(t.subresource ? { subresource: t.subresource } : {}) };
}

/**
 * Runs one unary RPC: the handler gets the call's signal; its result or the Status of its failure goes
 * to the callback, and an audit event records the outcome (`successCode`: the HTTP code REST would
 * answer, 200 by default). Unexpected failures (not an ApiStatusError, 5xx) are logged as REST logs them.
 */
export function unary<Req, Res>(
  opts: ApiServerOptions,
  method: string,
  handler: (call: ServerUnaryCall<Req, Res>, signal: AbortSignal) => Promise<Res>,
  successCode: (res: Res) => number = () => 200,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    const started = Date.now();
    const signal = signalOf(call);
    handler(call, signal).then(
      (res) => {
        opts.log.debug({ method, ms: Date.now() - started }, 'grpc call');
        auditCall(opts, call, successCode(res), started);
        callback(null, res);
      },
      (err: unknown) => {
        logFailure(opts, method, err);
        const code = statusOf(err).code;
        opts.log.debug({ method, code, ms: Date.now() - started }, 'grpc call');
        auditCall(opts, call, code, started);
        callback(serviceErrorOf(err));
      },
    );
  };
}

export function logFailure(opts: ApiServerOptions, method: string, err: unknown): void {
  if (!(err instanceof ApiStatusError) && statusOf(err).code >= 500) opts.log.error({ err, method }, 'grpc call failed');
}
