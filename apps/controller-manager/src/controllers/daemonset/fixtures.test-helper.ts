// Plain objects for the DaemonSet controller's unit tests.
import type { Node, Pod, Taint } from '../../controller-utils/index.js';
import type { DaemonSet } from './types.js';

export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const at = (s: number): string => new Date(T0 + s * 1000).toISOString().replace('.000Z', 'Z');

export const node = (name: string, o: { labels?: Record<string, string>; taints?: Taint[] } = {}): Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
  spec: { ...(o.taints ? { taints: o.taints } : {}) },
});

export const daemonSet = (o: { surge?: number | string; unavailable?: number | string; onDelete?: boolean; minReady?: number; spec?: Record<string, unknown>; generation?: number } = {}): DaemonSet => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'ns', uid: 'ds-uid', generation: o.generation ?? 1, annotations: { 'deprecated.daemonset.template.generation': String(o.generation ?? 1) } },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'agent:1' }], ...o.spec } },
    updateStrategy: o.onDelete ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: o.unavailable ?? 1, maxSurge: o.surge ?? 0 } },
    ...(o.minReady ? { minReadySeconds: o.minReady } : {}),
  },
});

/** A daemon pod bound to `nodeName` (or only aimed at it by affinity when `bound` is false). */
export const daemonPod = (name: string, nodeName: string, o: { hash?: string; ready?: boolean; readySince?: number; phase?: NonNullable<Pod['status']>['phase']; created?: number; deleting?: boolean; bound?: boolean } = {}): Pod => ({
  metadata: {
    name, namespace: 'ns', uid: `uid-${name}`, creationTimestamp: at(o.created ?? 0),
    labels: { app: 'agent', 'controller-revision-hash': o.hash ?? 'new' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true }],
    ...(o.deleting ? { deletionTimestamp: at(1) } : {}),
  },
  spec: {
    containers: [{ name: 'c' }],
    ...(o.bound === false ? {} : { nodeName }),
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] } } },
  },
  status: {
    phase: o.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: at(o.readySince ?? 0) }],
  },
});
