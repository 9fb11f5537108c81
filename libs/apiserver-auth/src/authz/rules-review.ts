import type { UserInfo } from '../user.js';
import { nodeNameOf } from '../user.js';
import { aggregate, appliesTo, roleRefRules } from './rbac.js';
import type { RbacSource } from './source.js';
import type { PolicyRule } from './types.js';

/** authorization.k8s.io/v1 ResourceRule (empty lists omitted, as `omitempty` serializes them). */
export interface ResourceRule {
  readonly verbs: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
}

/** authorization.k8s.io/v1 NonResourceRule. */
export interface NonResourceRule {
  readonly verbs: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

/** authorization.k8s.io/v1 SubjectRulesReviewStatus: both rule lists always present (`[]` when empty). */
export interface SubjectRulesReviewStatus {
  readonly resourceRules: readonly ResourceRule[];
  readonly nonResourceRules: readonly NonResourceRule[];
  readonly incomplete: boolean;
  readonly evaluationError?: string;
}

/**
 * The RBAC rule resolver (pkg/registry/rbac/validation DefaultRuleResolver.RulesFor): the rules of every
 * ClusterRoleBinding that applies to the user, then — for a non-empty namespace — of every RoleBinding in
 * it, in that order, duplicates kept. `errors` are the role-resolution failures (a binding to a missing
 * role), as kube reports them.
 */
export function rbacRulesFor(source: RbacSource, user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
  const rules: PolicyRule[] = [];
  const errors: string[] = [];
  for (const binding of source.clusterRoleBindings()) {
    if (!appliesTo(user, binding.subjects, '')) continue;
    rules.push(...roleRefRules(source, binding.roleRef, '', errors));
  }
  if (namespace !== '') {
    for (const binding of source.roleBindings(namespace)) {
      if (!appliesTo(user, binding.subjects, namespace)) continue;
      rules.push(...roleRefRules(source, binding.roleRef, namespace, errors));
    }
  }
  return { rules, errors };
}

/** `{ [key]: list }` for a non-empty list, `{}` otherwise (Go's omitempty). */
function nonEmpty<K extends string>(key: K, list: readonly string[] | undefined): Partial<Record<K, readonly string[]>> {
  const out: Partial<Record<K, readonly string[]>> = {};
  if (list && list.length > 0) out[key] = [...list];
  return out;
}

/**
 * What a SelfSubjectRulesReview answers for `user` in `namespace`: the union of kube-apiserver's rule
 * resolvers for `--authorization-mode=Node,RBAC`. The Node resolver contributes no rules; for a node
 * identity it marks the answer incomplete ("node authorizer does not support user rule resolution").
 * RBAC rules with resources become resourceRules, with nonResourceURLs nonResourceRules (a rule with both
 * becomes both). The system:masters shortcut is not a rule resolver: its members see the rules bound to
 * them (on a standard cluster, cluster-admin's `*`).
 */
export function subjectRulesReview(source: RbacSource, user: UserInfo, namespace: string, options: { nodeAuthorizer?: boolean } = {}): SubjectRulesReviewStatus {
  const errors: string[] = [];
  let incomplete = false;
  if (options.nodeAuthorizer !== false && nodeNameOf(user) !== undefined) {
    incomplete = true;
    errors.push('node authorizer does not support user rule resolution');
  }
  const rbac = rbacRulesFor(source, user, namespace);
  errors.push(...rbac.errors);
  const resourceRules: ResourceRule[] = [];
  const nonResourceRules: NonResourceRule[] = [];
  for (const rule of rbac.rules) {
    if ((rule.resources ?? []).length > 0) {
      resourceRules.push({
        verbs: [...rule.verbs], ...nonEmpty('apiGroups', rule.apiGroups), ...nonEmpty('resources', rule.resources), ...nonEmpty('resourceNames', rule.resourceNames),
      });
    }
    if ((rule.nonResourceURLs ?? []).length > 0) nonResourceRules.push({ verbs: [...rule.verbs], ...nonEmpty('nonResourceURLs', rule.nonResourceURLs) });
  }
  return { resourceRules, nonResourceRules, incomplete, ...(errors.length > 0 ? { evaluationError: aggregate(errors) } : {}) };
}
