/** Which printer kube-apiserver uses for each group/resource. */
import { controllerRevisionPrinter, daemonSetPrinter, deploymentPrinter, replicaSetPrinter } from './apps.js';
import { cronJobPrinter, jobPrinter } from './batch.js';
import { leasePrinter, podDisruptionBudgetPrinter, priorityClassPrinter } from './cluster.js';
import { age, ageColumn, name, nameColumn } from './columns.js';
import {
  configMapPrinter, endpointsPrinter, namespacePrinter, nodePrinter, secretPrinter, serviceAccountPrinter, servicePrinter,
} from './core.js';
import { coreEventPrinter, eventsV1EventPrinter } from './events.js';
import { endpointSlicePrinter, ingressClassPrinter, ingressPrinter } from './networking.js';
import { podPrinter } from './pod.js';
import { clusterRoleBindingPrinter, createdAtPrinter, roleBindingPrinter } from './rbac.js';
import type { Printer } from './types.js';

const printers: ReadonlyMap<string, Printer> = new Map<string, Printer>([
  ['/namespaces', namespacePrinter],
  ['/pods', podPrinter],
  ['/nodes', nodePrinter],
  ['/services', servicePrinter],
  ['/endpoints', endpointsPrinter],
  ['/configmaps', configMapPrinter],
  ['/secrets', secretPrinter],
  ['/serviceaccounts', serviceAccountPrinter],
  ['/events', coreEventPrinter],
  ['events.k8s.io/events', eventsV1EventPrinter],
  ['apps/deployments', deploymentPrinter],
  ['apps/replicasets', replicaSetPrinter],
  ['apps/daemonsets', daemonSetPrinter],
  ['apps/controllerrevisions', controllerRevisionPrinter],
  ['batch/jobs', jobPrinter],
  ['batch/cronjobs', cronJobPrinter],
  ['coordination.k8s.io/leases', leasePrinter],
  ['discovery.k8s.io/endpointslices', endpointSlicePrinter],
  ['networking.k8s.io/ingresses', ingressPrinter],
  ['networking.k8s.io/ingressclasses', ingressClassPrinter],
  ['rbac.authorization.k8s.io/roles', createdAtPrinter],
  ['rbac.authorization.k8s.io/clusterroles', createdAtPrinter],
  ['rbac.authorization.k8s.io/rolebindings', roleBindingPrinter],
  ['rbac.authorization.k8s.io/clusterrolebindings', clusterRoleBindingPrinter],
  ['policy/poddisruptionbudgets', podDisruptionBudgetPrinter],
  ['scheduling.k8s.io/priorityclasses', priorityClassPrinter],
]);

/** Name and Age (a humanized age, like a CustomResource without printer columns). */
const defaultPrinter: Printer = {
  columns: [nameColumn, ageColumn],
  row: (obj, now) => [name(obj), age(obj, now)],
};

/**
 * The table printer for a resource (`group` is '' for core). Resources without one of their own get
 * Name + Age. The printer always emits every column, wide ones (priority 1) included: kube-apiserver
 * prints "wide" and kubectl hides priority > 0 columns unless `-o wide`.
 */
export function printerFor(group: string, resource: string): Printer {
  return printers.get(`${group}/${resource}`) ?? defaultPrinter;
}
