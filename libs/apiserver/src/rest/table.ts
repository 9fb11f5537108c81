import { printerFor } from '../printers/index.js';
import type { ResourceInfo } from '../resources.js';
import type { KubeObject } from './objects.js';

/**
 * A meta.k8s.io/v1 Table of `objects` with kube-apiserver's columns for the resource (wide columns have
 * priority 1; kubectl shows them with `-o wide`). Each row carries the object as `includeObject` asks:
 * nothing, its metadata as PartialObjectMetadata (the default), or the whole object.
 */
export function toTable(info: ResourceInfo, objects: readonly KubeObject[], includeObject: 'None' | 'Metadata' | 'Object', now: number, resourceVersion?: string): unknown {
  const printer = printerFor(info.group, info.resource);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: resourceVersion ? { resourceVersion } : {},
    columnDefinitions: printer.columns,
    rows: objects.map((obj) => ({
      cells: printer.row(obj, now),
      ...(includeObject === 'None'
        ? {}
        : { object: includeObject === 'Object' ? obj : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata } }),
    })),
  };
}
