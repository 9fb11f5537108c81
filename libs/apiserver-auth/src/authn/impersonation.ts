import { ImpersonationForbiddenError, InvalidImpersonationError } from '../errors.js';
import type { Authorizer } from '../authz/authorizer.js';
import { forbiddenStatus } from '../authz/forbidden.js';
import type { AuthorizationAttributes } from '../authz/authorizer.js';
import type { UserInfo } from '../user.js';
import { allAuthenticatedGroup, allServiceAccountsGroup, allUnauthenticatedGroup, anonymousUsername, serviceAccountUserPrefix } from '../user.js';

/** Request headers as Node's `IncomingMessage.headersDistinct` gives them: lower-case names, every value kept. */
export type DistinctHeaders = Readonly<Record<string, readonly string[] | undefined>>;

const impersonateUserHeader = 'impersonate-user';
const impersonateGroupHeader = 'impersonate-group';
const impersonateUidHeader = 'impersonate-uid';
const impersonateExtraHeaderPrefix = 'impersonate-extra-';

/** What the requester is authorized for, per impersonated item. */
type ImpersonationAttributes = AuthorizationAttributes & { readonly apiVersion: string };

/** One thing the requester asks to act as (kube's impersonation filter builds ObjectReferences). */
interface ImpersonationRequest {
  readonly kind: 'User' | 'ServiceAccount' | 'Group' | 'UserExtra' | 'UID';
  readonly namespace: string;
  readonly name: string;
  /** `authentication.k8s.io/v1` for UserExtra and UID, '' otherwise. */
  readonly apiVersion: string;
  /** The extra key (UserExtra only). */
  readonly fieldPath: string;
}

/**
 * The user a request acts as, as kube-apiserver's impersonation filter (k8s.io/apiserver
 * endpoints/filters/impersonation.go) decides it; `undefined` when the request impersonates nobody.
 *
 * Every requested item is authorized for the *requester* with verb `impersonate`: `users` (name = user),
 * `serviceaccounts` in the account's namespace for `system:serviceaccount:<ns>:<name>`, `groups`,
 * `uids` and `userextras/<key>` (both in `authentication.k8s.io`). The first denial throws
 * `ImpersonationForbiddenError` with kube's 403 Status. Groups, extra or uid without a user throw
 * `InvalidImpersonationError` (kube-apiserver 1.33 answers that with a plain-text 500).
 *
 * The impersonated user gets `system:authenticated` unless a group given is `system:authenticated` or
 * `system:unauthenticated` (anonymous gets `system:unauthenticated` instead); a service account without
 * explicit groups gets its two fixed groups.
 */
export function impersonatedUser(authorizer: Pick<Authorizer, 'authorize'>, requester: UserInfo, headers: DistinctHeaders): UserInfo | undefined {
  const requests = impersonationRequests(headers);
  if (requests.length === 0) return undefined;
  const groupsSpecified = (headers[impersonateGroupHeader] ?? []).length > 0;
  let username = '';
  let uid = '';
  let groups: string[] = [];
  const extra: Record<string, string[]> = {};
  for (const r of requests) {
    let resource: string;
    switch (r.kind) {
      case 'ServiceAccount':
        resource = 'serviceaccounts';
        username = `${serviceAccountUserPrefix}${r.namespace}:${r.name}`;
        if (!groupsSpecified) groups = [allServiceAccountsGroup, `${allServiceAccountsGroup}:${r.namespace}`];
        break;
      case 'User':
        resource = 'users';
        username = r.name;
        break;
      case 'Group':
        resource = 'groups';
        groups.push(r.name);
        break;
      case 'UserExtra':
        resource = 'userextras';
        (extra[r.fieldPath] ??= []).push(r.name);
        break;
      case 'UID':
        resource = 'uids';
        uid = r.name;
        break;
    }
    const [group, version] = r.apiVersion.includes('/') ? r.apiVersion.split('/') as [string, string] : ['', r.apiVersion];
    const attrs: ImpersonationAttributes = {
      isResourceRequest: true, verb: 'impersonate', apiGroup: group, apiVersion: version, namespace: r.namespace,
      resource, subresource: r.kind === 'UserExtra' ? r.fieldPath : '', name: r.name, path: '',
    };
    const { decision, reason } = authorizer.authorize(requester, attrs);
    if (decision !== 'allow') throw new ImpersonationForbiddenError(forbiddenStatus(requester, attrs, reason));
  }
  if (username !== anonymousUsername) {
    if (!groups.some((g) => g === allAuthenticatedGroup || g === allUnauthenticatedGroup)) groups.push(allAuthenticatedGroup);
  } else if (!groups.includes(allUnauthenticatedGroup)) {
    groups.push(allUnauthenticatedGroup);
  }
  return { username, ...(uid ? { uid } : {}), groups, ...(Object.keys(extra).length > 0 ? { extra } : {}) };
}

function impersonationRequests(headers: DistinctHeaders): ImpersonationRequest[] {
  const out: ImpersonationRequest[] = [];
  const ref = (kind: ImpersonationRequest['kind'], name: string, more: Partial<ImpersonationRequest> = {}): ImpersonationRequest =>
    ({ kind, name, namespace: '', apiVersion: '', fieldPath: '', ...more });
  const user = headers[impersonateUserHeader]?.[0] ?? '';
  if (user !== '') {
    const sa = splitServiceAccountUsername(user);
    out.push(sa ? ref('ServiceAccount', sa.name, { namespace: sa.namespace }) : ref('User', user));
  }
  const groups = headers[impersonateGroupHeader] ?? [];
  for (const g of groups) out.push(ref('Group', g));
  let hasExtra = false;
  for (const [header, values] of Object.entries(headers)) {
    if (!header.startsWith(impersonateExtraHeaderPrefix)) continue;
    hasExtra = true;
    const key = unescapeExtraKey(header.slice(impersonateExtraHeaderPrefix.length).toLowerCase());
    for (const v of values ?? []) out.push(ref('UserExtra', v, { apiVersion: 'authentication.k8s.io/v1', fieldPath: key }));
  }
  const uid = headers[impersonateUidHeader]?.[0] ?? '';
  if (uid !== '') out.push(ref('UID', uid, { apiVersion: 'authentication.k8s.io/v1' }));
  if ((groups.length > 0 || hasExtra || uid !== '') && user === '') {
    throw new InvalidImpersonationError(`requested [${out.map(goObjectReference).join(' ')}] without impersonating a user`);
  }
  return out;
}

/** Go's `%v` of a v1.ObjectReference: its seven fields space-separated in braces. */
function goObjectReference(r: ImpersonationRequest): string {
  return `{${[r.kind, r.namespace, r.name, '', r.apiVersion, '', r.fieldPath].join(' ')}}`;
}

/** url.PathUnescape; malformed escapes leave the key as it was (kube records it anyway). */
function unescapeExtraKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** serviceaccount.SplitUsername: `system:serviceaccount:<ns>:<name>` with a valid namespace and name. */
export function splitServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(serviceAccountUserPrefix)) return undefined;
  const parts = username.slice(serviceAccountUserPrefix.length).split(':');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts as [string, string];
  if (namespace.length > 63 || !dnsLabel.test(namespace)) return undefined;
  if (name.length > 253 || !dnsSubdomain.test(name)) return undefined;
  return { namespace, name };
}
