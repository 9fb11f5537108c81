import type { RequestAttributes } from '../request-info.js';
import type { UserInfo } from '../user.js';
import { goQuote } from './rbac.js';

export type ForbiddenAttributes = Pick<
  RequestAttributes,
  'isResourceRequest' | 'verb' | 'apiGroup' | 'namespace' | 'resource' | 'subresource' | 'name' | 'path'
>;

/** responsewriters' sanitizer: the message may be rendered as HTML by browsers. */
function sanitize(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** The "User … cannot …" part (responsewriters.forbiddenMessage). */
function denial(user: UserInfo, a: ForbiddenAttributes): string {
  const who = `User ${goQuote(user.username)}`;
  if (!a.isResourceRequest) return `${who} cannot ${a.verb} path ${goQuote(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const what = `${who} cannot ${a.verb} resource ${goQuote(resource)} in API group ${goQuote(a.apiGroup)}`;
  return a.namespace ? `${what} in the namespace ${goQuote(a.namespace)}` : `${what} at the cluster scope`;
}

/**
 * The message of kube-apiserver's 403, word for word (responsewriters.Forbidden + errors.NewForbidden):
 * `pods "x" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "default"`,
 * `pods is forbidden: …` without a name, `deployments.apps …` for a named group, `… at the cluster scope`,
 * `forbidden: User "alice" cannot get path "/foo"` for non-resource URLs; `: <reason>` appended when the
 * authorizer gave one.
 */
export function forbiddenMessage(user: UserInfo, attrs: ForbiddenAttributes, reason = ''): string {
  const err = sanitize(denial(user, attrs)) + (reason ? `: ${reason}` : '');
  const groupResource = attrs.apiGroup ? `${attrs.resource}.${attrs.apiGroup}` : attrs.resource;
  if (groupResource === '') return `forbidden: ${err}`;
  if (attrs.name === '') return `${groupResource} is forbidden: ${err}`;
  return `${groupResource} ${goQuote(attrs.name)} is forbidden: ${err}`;
}

/** The `Status` object kube-apiserver answers a forbidden request with (HTTP 403). */
export interface ForbiddenStatus {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure';
  readonly message: string;
  readonly reason: 'Forbidden';
  readonly details: { readonly name?: string; readonly group?: string; readonly kind?: string };
  readonly code: 403;
}

export function forbiddenStatus(user: UserInfo, attrs: ForbiddenAttributes, reason = ''): ForbiddenStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: forbiddenMessage(user, attrs, reason),
    reason: 'Forbidden',
    details: {
      ...(attrs.name ? { name: attrs.name } : {}),
      ...(attrs.apiGroup ? { group: attrs.apiGroup } : {}),
      ...(attrs.resource ? { kind: attrs.resource } : {}),
    },
    code: 403,
  };
}
