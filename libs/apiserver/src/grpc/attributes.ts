// The authorization attributes of a gRPC call, built from the REST request it stands for so that the
// same RBAC rules (and the same 403 wording) apply whichever API a component uses.
import { parseRequestInfo, type RequestAttributes } from '@ekslab/apiserver-auth';
import type { GroupVersionResource } from '@ekslab/proto';
import { failure } from '../http/status.js';
import type { Verb } from '../resources.js';

/** What a call addresses, as the RPCs name it ("" = absent). */
export interface CallTarget {
  readonly gvr?: GroupVersionResource | undefined;
  readonly namespace: string;
  readonly name: string;
  readonly subresource: string;
  /** list / watch / deletecollection only: the selectors (a `metadata.name=x` field selector names the object). */
  readonly fieldSelector?: string;
}

const methods: Readonly<Record<Verb, string>> = {
  create: 'POST', get: 'GET', list: 'GET', watch: 'GET', update: 'PUT', patch: 'PATCH', delete: 'DELETE', deletecollection: 'DELETE',
};

/** A URL path segment: Kubernetes names never contain these, and they would change what the path means. */
function checkSegment(what: string, value: string): void {
  if (value === '.' || value === '..' || /[/%?#]/.test(value)) {
    throw failure(400, 'BadRequest', `invalid ${what} ${JSON.stringify(value)}: may not be "." or ".." or contain "/", "%", "?" or "#"`);
  }
}

/**
 * The REST URL of a call: `/api/v1/namespaces/ns/pods/name/status`, `/apis/apps/v1/deployments?watch=true`.
 * Throws 400 BadRequest for a missing gvr or segments that are not valid in a path.
 */
export function restUrlOf(verb: Verb, t: CallTarget): string {
  const gvr = t.gvr;
  if (!gvr || !gvr.version || !gvr.resource) throw failure(400, 'BadRequest', 'gvr.version and gvr.resource are required');
  for (const [what, v] of [['group', gvr.group], ['version', gvr.version], ['resource', gvr.resource], ['namespace', t.namespace], ['name', t.name], ['subresource', t.subresource]] as const) {
    if (v) checkSegment(what, v);
  }
  let path = gvr.group ? `/apis/${gvr.group}/${gvr.version}` : `/api/${gvr.version}`;
  // `namespaces/x` is the namespace itself, not a scope: the object is addressed by name.
  if (t.namespace && gvr.resource !== 'namespaces') path += `/namespaces/${t.namespace}`;
  path += `/${gvr.resource}`;
  if (t.name) path += `/${t.name}`;
  if (t.name && t.subresource) path += `/${t.subresource}`;
  const query = new URLSearchParams();
  if (verb === 'watch') query.set('watch', 'true');
  if (t.fieldSelector && !t.name) query.set('fieldSelector', t.fieldSelector);
  const q = query.toString();
  return q ? `${path}?${q}` : path;
}

/**
 * RequestAttributes equal to those kube-apiserver derives from the REST request this call stands for
 * (verb, apiGroup, resource, subresource, namespace, name; list/watch named by a metadata.name field
 * selector), so authorization and its 403 message are the same as over REST.
 */
export function attributesOf(verb: Verb, t: CallTarget): RequestAttributes {
  const attrs = parseRequestInfo(methods[verb], restUrlOf(verb, t));
  // DELETE with a name is `delete`, GET without one `list`: the URL already says so; only watch needs the flag.
  return attrs.verb === verb ? attrs : { ...attrs, verb };
}
