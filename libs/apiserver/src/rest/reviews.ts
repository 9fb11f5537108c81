import { evaluateSelfSubjectAccessReview, type SelfSubjectAccessReviewSpec } from '@ekslab/apiserver-auth';
import { sendJson } from '../http/server.js';
import { failure } from '../http/status.js';
import { bodyObject, type RequestContext } from './request.js';

// Review resources: created, answered, never stored.

/** SelfSubjectAccessReview: may the caller do what the spec describes? (`kubectl auth can-i`). */
export async function accessReview(ctx: RequestContext): Promise<void> {
  const review = await bodyObject(ctx);
  const spec = (review['spec'] ?? {}) as SelfSubjectAccessReviewSpec;
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    throw failure(422, 'Invalid', 'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified');
  }
  // Without authorization configured (REST-layer tests) everything is allowed.
  const status = ctx.options.auth ? evaluateSelfSubjectAccessReview(ctx.options.auth.authorizer, ctx.user, spec) : { allowed: true };
  return sendJson(ctx.res, 201, { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec, status });
}

