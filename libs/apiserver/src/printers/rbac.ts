/**
 * rbac.authorization.k8s.io. Roles and ClusterRoles have no printer in kube-apiserver: they get its
 * default table convertor, `Name` plus `Created At` (type date, the RFC 3339 timestamp, not an age).
 */
import { age, ageColumn, col, name, nameColumn } from './columns.js';
import { parseTime } from './duration.js';
import { rec, recs, str } from './fields.js';
import type { Printer } from './types.js';

/** `metav1.Time` formatted as `time.RFC3339` in UTC; an unset time is Go's zero time. */
function rfc3339(value: unknown): string {
  const ms = parseTime(value);
  if (ms === null) return '0001-01-01T00:00:00Z';
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** kube-apiserver's `rest.NewDefaultTableConvertor`, used by resources without a printer. */
export const createdAtPrinter: Printer = {
  columns: [nameColumn, col('Created At', 'date', 'objectMeta.creationTimestamp')],
  row: (obj) => [name(obj), rfc3339(obj.metadata?.creationTimestamp)],
};

/** `rbac.SubjectsStrings`, each list joined with `, `. */
function subjects(value: unknown): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const s of recs(value)) {
    const kind = str(s['kind']);
    if (kind === 'ServiceAccount') serviceAccounts.push(`${str(s['namespace'])}/${str(s['name'])}`);
    else if (kind === 'User') users.push(str(s['name']));
    else if (kind === 'Group') groups.push(str(s['name']));
  }
  return [users.join(', '), groups.join(', '), serviceAccounts.join(', ')];
}

function bindingPrinter(kind: 'roleBinding' | 'clusterRoleBinding'): Printer {
  return {
    columns: [
      nameColumn,
      col('Role', 'string', `${kind}.roleRef`),
      ageColumn,
      col('Users', 'string', `Users in the ${kind}`, 1),
      col('Groups', 'string', `Groups in the ${kind}`, 1),
      col('ServiceAccounts', 'string', `ServiceAccounts in the ${kind}`, 1),
    ],
    row(obj, now) {
      const roleRef = rec(obj['roleRef']);
      return [name(obj), `${str(roleRef['kind'])}/${str(roleRef['name'])}`, age(obj, now), ...subjects(obj['subjects'])];
    },
  };
}

export const roleBindingPrinter: Printer = bindingPrinter('roleBinding');
export const clusterRoleBindingPrinter: Printer = bindingPrinter('clusterRoleBinding');
