import { InvalidAccessReviewError } from '../errors.js';
import type { UserInfo } from '../user.js';
import type { AuthorizationAttributes, Authorizer } from './authorizer.js';

/** authorization.k8s.io/v1 ResourceAttributes (all optional, '' when absent). */
export interface ResourceAttributes {
  readonly namespace?: string;
  readonly verb?: string;
  readonly group?: string;
  readonly version?: string;
  readonly resource?: string;
  readonly subresource?: string;
  readonly name?: string;
}

export interface NonResourceAttributes {
  readonly path?: string;
  readonly verb?: string;
}

export interface SelfSubjectAccessReviewSpec {
  readonly resourceAttributes?: ResourceAttributes;
  readonly nonResourceAttributes?: NonResourceAttributes;
}

/** SubjectAccessReviewStatus as serialized (omitempty): `denied` and `reason` only when set. */
export interface SubjectAccessReviewStatus {
  readonly allowed: boolean;
  readonly denied?: boolean;
  readonly reason?: string;
  readonly evaluationError?: string;
}

/** The attributes a review asks about (authorization/util.ResourceAttributesFrom / NonResourceAttributesFrom). */
export function accessReviewAttributes(spec: SelfSubjectAccessReviewSpec): AuthorizationAttributes {
  const { resourceAttributes: r, nonResourceAttributes: n } = spec;
  if (r && n) {
    throw new InvalidAccessReviewError('spec.nonResourceAttributes: Invalid value: cannot be specified in combination with resourceAttributes');
  }
  if (r) {
    return {
      isResourceRequest: true,
      verb: r.verb ?? '',
      namespace: r.namespace ?? '',
      apiGroup: r.group ?? '',
      resource: r.resource ?? '',
      subresource: r.subresource ?? '',
      name: r.name ?? '',
      path: '',
    };
  }
  if (n) {
    return { isResourceRequest: false, verb: n.verb ?? '', path: n.path ?? '', namespace: '', apiGroup: '', resource: '', subresource: '', name: '' };
  }
  throw new InvalidAccessReviewError(
    'spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
  );
}

/**
 * Evaluates a SelfSubjectAccessReview for the requesting user, as the apiserver's REST handler does and
 * `kubectl auth can-i` reads it: `allowed` from the authorizer chain; `denied` only on an explicit deny,
 * which RBAC never gives (so it is omitted); `reason` when the chain gave one. Throws
 * `InvalidAccessReviewError` when the spec has both or neither attribute kinds.
 */
export function evaluateSelfSubjectAccessReview(
  authorizer: Authorizer,
  user: UserInfo,
  spec: SelfSubjectAccessReviewSpec,
): SubjectAccessReviewStatus {
  const { decision, reason } = authorizer.authorize(user, accessReviewAttributes(spec));
  return { allowed: decision === 'allow', ...(reason ? { reason } : {}) };
}
