import { evaluateSelfSubjectAccessReview, type SelfSubjectAccessReviewSpec, type SubjectRulesReviewStatus, type UserInfo } from '@ekslab/apiserver-auth';
import { sendJson } from '../http/server.js';
import type { ApiServerOptions } from '../http/server.js';
import { failure } from '../http/status.js';
import { apiVersionOf, type ResourceInfo } from '../resources.js';
import { now as nowOf, bodyObject, type RequestContext } from './request.js';

// Review resources: created, answered, never stored. The same answers over REST and gRPC.

/** POST of a review resource over REST: 201 with the answered review. */
export async function review(ctx: RequestContext): Promise<void> {
  const input = await bodyObject(ctx);
  return sendJson(ctx.res, 201, answerReview(ctx.options, ctx.user, ctx.route.info, input, nowOf(ctx)));
}

/** Everything is allowed when authorization is off (REST-layer tests). */
const allowAll: SubjectRulesReviewStatus = {
  resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false,
};

/** The answer to a review the caller created (`info` names which), for `user` — the impersonated one if any. */
export function answerReview(opts: { readonly auth?: Pick<NonNullable<ApiServerOptions['auth']>, 'authorizer'> | undefined }, user: UserInfo, info: ResourceInfo, input: Record<string, unknown>, now: number): Record<string, unknown> {
  const head = { kind: info.kind, apiVersion: apiVersionOf(info) };
  switch (info.kind) {
    case 'SelfSubjectAccessReview': {
      // May the caller do what the spec describes? (`kubectl auth can-i`)
      const spec = (input['spec'] ?? {}) as SelfSubjectAccessReviewSpec;
      if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
        throw failure(422, 'Invalid', `${info.kind}.${info.group} "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified`);
      }
      const status = opts.auth ? evaluateSelfSubjectAccessReview(opts.auth.authorizer, user, spec) : { allowed: true };
      return { ...head, metadata: { creationTimestamp: null }, spec, status };
    }
    case 'SelfSubjectRulesReview': {
      // Everything the caller may do in a namespace (`kubectl auth can-i --list`); selfsubjectrulesreview/rest.go.
      const namespace = (input['spec'] as { namespace?: unknown } | undefined)?.namespace;
      if (typeof namespace !== 'string' || namespace === '') throw failure(400, 'BadRequest', 'no namespace on request');
      const status = opts.auth ? opts.auth.authorizer.rulesFor(user, namespace) : allowAll;
      return { ...head, metadata: { creationTimestamp: null }, spec: {}, status };
    }
    case 'SelfSubjectReview': {
      // Who the caller is (`kubectl auth whoami`); selfsubjectreview/rest.go stamps the creation time.
      const userInfo = {
        username: user.username, ...(user.uid ? { uid: user.uid } : {}), ...(user.groups.length > 0 ? { groups: [...user.groups] } : {}),
        ...(user.extra && Object.keys(user.extra).length > 0 ? { extra: user.extra } : {}),
      };
      return { ...head, metadata: { creationTimestamp: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z') }, status: { userInfo } };
    }
    default:
      throw failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', { kind: info.resource });
  }
}
