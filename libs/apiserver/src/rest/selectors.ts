import { FieldSelector, LabelSelector, SelectorParseError } from '@ekslab/apimachinery';
import { failure } from '../http/status.js';
import type { ResourceInfo } from '../resources.js';
import type { KubeObject } from './objects.js';

type Getter = (obj: KubeObject) => string | undefined;

const meta: Readonly<Record<string, Getter>> = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace,
};
const path = (...keys: string[]): Getter => (o) => {
  let v: unknown = o;
  for (const k of keys) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
};

/** The field labels each resource supports in field selectors (kube-apiserver's field label conversions). */
const fieldLabels: Readonly<Record<string, Readonly<Record<string, Getter>>>> = {
  pods: {
    'spec.nodeName': path('spec', 'nodeName'), 'spec.restartPolicy': path('spec', 'restartPolicy'),
    'spec.schedulerName': path('spec', 'schedulerName'), 'spec.serviceAccountName': path('spec', 'serviceAccountName'),
    'spec.hostNetwork': (o) => String((o.spec as { hostNetwork?: boolean } | undefined)?.hostNetwork ?? false),
    'status.phase': path('status', 'phase'), 'status.podIP': path('status', 'podIP'), 'status.nominatedNodeName': path('status', 'nominatedNodeName'),
  },
  events: {
    ...Object.fromEntries(['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'].map((f): [string, Getter] => [`involvedObject.${f}`, path('involvedObject', f)])),
    reason: path('reason'), reportingComponent: path('reportingComponent'), source: path('source', 'component'), type: path('type'),
  },
  secrets: { type: path('type') },
  namespaces: { 'status.phase': path('status', 'phase') },
  nodes: { 'spec.unschedulable': (o) => String((o.spec as { unschedulable?: boolean } | undefined)?.unschedulable ?? false) },
  replicasets: { 'status.replicas': path('status', 'replicas') },
  jobs: { 'status.successful': path('status', 'succeeded') },
};

/**
 * Parses `labelSelector` and `fieldSelector` into one predicate. A malformed selector or a field the
 * resource does not support is 400 BadRequest, worded as kube-apiserver words it.
 */
export function parseSelectors(info: ResourceInfo, query: URLSearchParams): (obj: KubeObject) => boolean {
  let labels: LabelSelector;
  let fields: FieldSelector;
  try {
    labels = LabelSelector.parse(query.get('labelSelector') ?? '');
    fields = FieldSelector.parse(query.get('fieldSelector') ?? '');
  } catch (err) {
    if (err instanceof SelectorParseError) throw failure(400, 'BadRequest', err.message);
    throw err;
  }
  const known = { ...meta, ...(fieldLabels[info.resource] ?? {}) };
  for (const field of fields.fields()) {
    if (!Object.hasOwn(known, field)) throw failure(400, 'BadRequest', `field label not supported: ${field}`);
  }
  if (labels.isEmpty() && fields.isEmpty()) return () => true;
  return (obj) => labels.matches(obj.metadata.labels ?? {}) && fields.matches((f) => known[f]!(obj));
}
