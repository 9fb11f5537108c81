/** apps/v1: deployments, replicasets, daemonsets, controllerrevisions. */
import { age, ageColumn, col, containerColumns, name, nameColumn } from './columns.js';
import { num, rec, recs, str, type Json } from './fields.js';
import { containerCells, formatLabelSelector, formatLabels, selectorString } from './format.js';
import type { Printer } from './types.js';

/** `spec.replicas`; the API defaults an absent value to 1. */
function desiredReplicas(spec: Json): number {
  return typeof spec['replicas'] === 'number' ? num(spec['replicas']) : 1;
}

export const deploymentPrinter: Printer = {
  columns: [
    nameColumn,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', 'deploymentStatus.updatedReplicas'),
    col('Available', 'string', 'deploymentStatus.availableReplicas'),
    ageColumn,
    ...containerColumns,
    col('Selector', 'string', 'deploymentSpec.selector', 1),
  ],
  row(obj, now) {
    const spec = rec(obj['spec']);
    const status = rec(obj['status']);
    const [containers, images] = containerCells(rec(rec(spec['template'])['spec']));
    // Unlike the other workloads, an empty selector prints '' and an invalid one `<invalid>`.
    const selector = selectorString(spec['selector']) ?? '<invalid>';
    return [
      name(obj), `${num(status['readyReplicas'])}/${desiredReplicas(spec)}`, num(status['updatedReplicas']),
      num(status['availableReplicas']), age(obj, now), containers, images, selector,
    ];
  },
};

export const replicaSetPrinter: Printer = {
  columns: [
    nameColumn,
    col('Desired', 'integer', 'replicaSetSpec.replicas'),
    col('Current', 'integer', 'replicaSetStatus.replicas'),
    col('Ready', 'integer', 'replicaSetStatus.readyReplicas'),
    ageColumn,
    ...containerColumns,
    col('Selector', 'string', 'replicaSetSpec.selector', 1),
  ],
  row(obj, now) {
    const spec = rec(obj['spec']);
    const status = rec(obj['status']);
    const [containers, images] = containerCells(rec(rec(spec['template'])['spec']));
    return [
      name(obj), desiredReplicas(spec), num(status['replicas']), num(status['readyReplicas']), age(obj, now),
      containers, images, formatLabelSelector(spec['selector']),
    ];
  },
};

export const daemonSetPrinter: Printer = {
  columns: [
    nameColumn,
    col('Desired', 'integer', 'daemonSetStatus.desiredNumberScheduled'),
    col('Current', 'integer', 'daemonSetStatus.currentNumberScheduled'),
    col('Ready', 'integer', 'daemonSetStatus.numberReady'),
    col('Up-to-date', 'integer', 'daemonSetStatus.updatedNumberScheduled'),
    col('Available', 'integer', 'daemonSetStatus.numberAvailable'),
    col('Node Selector', 'string', 'podSpec.nodeSelector'),
    ageColumn,
    ...containerColumns,
    col('Selector', 'string', 'daemonSetSpec.selector', 1),
  ],
  row(obj, now) {
    const spec = rec(obj['spec']);
    const status = rec(obj['status']);
    const podSpec = rec(rec(spec['template'])['spec']);
    const [containers, images] = containerCells(podSpec);
    return [
      name(obj), num(status['desiredNumberScheduled']), num(status['currentNumberScheduled']), num(status['numberReady']),
      num(status['updatedNumberScheduled']), num(status['numberAvailable']), formatLabels(podSpec['nodeSelector']),
      age(obj, now), containers, images, formatLabelSelector(spec['selector']),
    ];
  },
};

/** `daemonset.apps/web`: the controller reference as kube's formatResourceName prints it with its kind. */
function controllerName(obj: Json): string {
  const ref = recs(rec(obj['metadata'])['ownerReferences']).find((r) => r['controller'] === true);
  if (!ref) return '<none>';
  const apiVersion = str(ref['apiVersion']);
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const kind = group ? `${str(ref['kind'])}.${group}` : str(ref['kind']);
  return kind ? `${kind.toLowerCase()}/${str(ref['name'])}` : str(ref['name']);
}

export const controllerRevisionPrinter: Printer = {
  columns: [
    nameColumn,
    col('Controller', 'string', 'Controller of the object'),
    col('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn,
  ],
  row: (obj, now) => [name(obj), controllerName(obj), num(obj['revision']), age(obj, now)],
};
