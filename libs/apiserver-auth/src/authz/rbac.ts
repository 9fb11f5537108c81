import type { UserInfo } from '../user.js';
import { serviceAccountUserPrefix } from '../user.js';
import type { RuleAttributes } from './rules.js';
import { ruleAllows } from './rules.js';
import type { RbacSource } from './source.js';
import type { ClusterRoleBinding, PolicyRule, RoleBinding, RoleRef, Subject } from './types.js';

/** What an authorizer in the chain says: allow, or no opinion (the next one decides). */
export interface PartialDecision {
  readonly decision: 'allow' | 'noOpinion';
  readonly reason: string;
}

export type RbacAttributes = RuleAttributes & { readonly namespace: string };

/**
 * kube-apiserver's RBAC authorizer (plugin/pkg/auth/authorizer/rbac): visits the rules of every
 * ClusterRoleBinding, then (for a namespaced request) every RoleBinding in the namespace, that applies to
 * the user; the first allowing rule wins ("RBAC: allowed by …"). RBAC never denies: with no allowing rule
 * it has no opinion, and its reason lists role-resolution errors (a binding to a missing role).
 */
export function rbacAuthorize(source: RbacSource, user: UserInfo, attrs: RbacAttributes): PartialDecision {
  const errors: string[] = [];
  for (const binding of source.clusterRoleBindings()) {
    const subject = appliesTo(user, binding.subjects, '');
    if (!subject) continue;
    const rules = roleRefRules(source, binding.roleRef, '', errors);
    if (rules.some((r) => ruleAllows(attrs, r))) {
      return { decision: 'allow', reason: `RBAC: allowed by ${describeClusterRoleBinding(binding, subject)}` };
    }
  }
  if (attrs.namespace !== '') {
    for (const binding of source.roleBindings(attrs.namespace)) {
      const subject = appliesTo(user, binding.subjects, attrs.namespace);
      if (!subject) continue;
      const rules = roleRefRules(source, binding.roleRef, attrs.namespace, errors);
      if (rules.some((r) => ruleAllows(attrs, r))) {
        return { decision: 'allow', reason: `RBAC: allowed by ${describeRoleBinding(binding, subject)}` };
      }
    }
  }
  return { decision: 'noOpinion', reason: errors.length === 0 ? '' : `RBAC: ${aggregate(errors)}` };
}

/** apimachinery's errors.NewAggregate message: one error as is, several as "[a, b]" (deduplicated). */
export function aggregate(errors: readonly string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}

export function roleRefRules(source: RbacSource, ref: RoleRef, namespace: string, errors: string[]): readonly PolicyRule[] {
  switch (ref.kind) {
    case 'Role': {
      const role = source.role ? source.role(namespace, ref.name) : source.roles(namespace).find((r) => r.metadata.name === ref.name);
      if (!role) errors.push(`role.rbac.authorization.k8s.io ${goQuote(ref.name)} not found`);
      return role?.rules ?? [];
    }
    case 'ClusterRole': {
      const role = source.clusterRole ? source.clusterRole(ref.name) : source.clusterRoles().find((r) => r.metadata.name === ref.name);
      if (!role) errors.push(`clusterrole.rbac.authorization.k8s.io ${goQuote(ref.name)} not found`);
      return role?.rules ?? [];
    }
    default:
      errors.push(`unsupported role reference kind: ${goQuote(ref.kind)}`);
      return [];
  }
}

export function appliesTo(user: UserInfo, subjects: readonly Subject[] | undefined, namespace: string): Subject | undefined {
  return (subjects ?? []).find((s) => appliesToUser(user, s, namespace));
}

function appliesToUser(user: UserInfo, subject: Subject, namespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.username === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      // A RoleBinding's ServiceAccount subject without a namespace means the binding's namespace.
      const saNamespace = subject.namespace || namespace;
      if (saNamespace === '') return false;
      return user.username === `${serviceAccountUserPrefix}${saNamespace}:${subject.name}`;
    }
    default:
      return false;
  }
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} ${goQuote(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${goQuote(s.name)}`;
}

function describeClusterRoleBinding(b: ClusterRoleBinding, s: Subject): string {
  return `ClusterRoleBinding ${goQuote(b.metadata.name)} of ${b.roleRef.kind} ${goQuote(b.roleRef.name)} to ${describeSubject(s, '')}`;
}

function describeRoleBinding(b: RoleBinding, s: Subject): string {
  const ns = b.metadata.namespace ?? '';
  return `RoleBinding ${goQuote(`${b.metadata.name}/${ns}`)} of ${b.roleRef.kind} ${goQuote(b.roleRef.name)} to ${describeSubject(s, ns)}`;
}

/** Go's %q for the strings that occur here: double quotes, with `"`, `\` and control characters escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
