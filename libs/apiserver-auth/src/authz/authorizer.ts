import type { UserInfo } from '../user.js';
import { systemMastersGroup } from '../user.js';
import { nodeAuthorize } from './node.js';
import type { PartialDecision, RbacAttributes } from './rbac.js';
import { rbacAuthorize } from './rbac.js';
import type { RbacSource } from './source.js';
import { subjectRulesReview, type SubjectRulesReviewStatus } from './rules-review.js';
import type { AuthorizationResult } from './types.js';

/** The request fields authorization reads: what `parseRequestInfo` returns (extra fields are ignored). */
export type AuthorizationAttributes = RbacAttributes;

export interface AuthorizerOptions {
  /** Run the Node authorizer before RBAC (kube-apiserver/EKS `--authorization-mode=Node,RBAC`). Default true. */
  readonly nodeAuthorizer?: boolean;
}

/**
 * kube-apiserver's authorizer chain: members of `system:masters` are allowed everything (the privileged
 * group authorizer, before any mode), then Node, then RBAC. The first "allow" wins; if nobody allows, the
 * decision is "deny" and the reason joins the non-empty reasons with newlines (union authorizer).
 */
export class Authorizer {
  private readonly steps: ((user: UserInfo, attrs: AuthorizationAttributes) => PartialDecision)[];

  constructor(private readonly source: RbacSource, private readonly options: AuthorizerOptions = {}) {
    this.steps = [
      (user) => ({ decision: user.groups.includes(systemMastersGroup) ? 'allow' : 'noOpinion', reason: '' }),
      ...(options.nodeAuthorizer === false ? [] : [nodeAuthorize]),
      (user, attrs) => rbacAuthorize(source, user, attrs),
    ];
  }

  authorize(user: UserInfo, attrs: AuthorizationAttributes): AuthorizationResult {
    const reasons: string[] = [];
    for (const step of this.steps) {
      const { decision, reason } = step(user, attrs);
      if (decision === 'allow') return { decision: 'allow', reason };
      if (reason !== '') reasons.push(reason);
    }
    return { decision: 'deny', reason: reasons.join('\n') };
  }

  /**
   * What the user may do in `namespace` ('' = cluster-wide rules only), as a SelfSubjectRulesReview
   * answers it: the rule resolvers of the chain (Node, RBAC), not a replay of `authorize`.
   */
  rulesFor(user: UserInfo, namespace: string): SubjectRulesReviewStatus {
    return subjectRulesReview(this.source, user, namespace, { nodeAuthorizer: this.options.nodeAuthorizer !== false });
  }
}
