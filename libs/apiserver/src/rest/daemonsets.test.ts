import { describe, expect, it } from 'vitest';
import { findResource } from '../resources.js';
import { prepareForCreate, prepareForUpdate, type KubeObject } from './objects.js';

const info = findResource('apps', 'v1', 'daemonsets')!;
const ds = (image: string, annotations?: Record<string, string>): Record<string, unknown> => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', ...(annotations ? { annotations } : {}) },
  spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image }] } } },
});
const generationOf = (o: KubeObject): string | undefined => o.metadata.annotations?.['deprecated.daemonset.template.generation'];

describe('daemonsets — deprecated.daemonset.template.generation', () => {
  const created = prepareForCreate({ info, namespace: 'ns', now: 0 }, ds('a:1'));
  it('starts at 1, or at what the creator wrote', () => {
    expect(generationOf(created)).toBe('1');
    expect(generationOf(prepareForCreate({ info, namespace: 'ns', now: 0 }, ds('a:1', { 'deprecated.daemonset.template.generation': '7' })))).toBe('7');
  });
  it('moves by one when the template changes and cannot be set by an update', () => {
    const changed = prepareForUpdate({ info }, created, ds('a:2', { 'deprecated.daemonset.template.generation': '9' }) as KubeObject);
    expect(generationOf(changed)).toBe('2');
    const same = prepareForUpdate({ info }, changed, { ...ds('a:2'), spec: { ...(ds('a:2')['spec'] as object), minReadySeconds: 5 } } as KubeObject);
    expect([generationOf(same), same.metadata.generation]).toEqual(['2', 3]);
  });
  it('moves neither generation when the update only reorders keys or spells out defaults', () => {
    const spec = created.spec as Record<string, unknown>;
    const reordered = { ...ds('a:1'), spec: Object.fromEntries(Object.entries(spec).reverse()) } as KubeObject;
    const next = prepareForUpdate({ info }, created, reordered);
    expect([next.metadata.generation, generationOf(next)]).toEqual([1, '1']);
    expect(prepareForUpdate({ info }, created, ds('a:1') as KubeObject).metadata.generation).toBe(1);
  });
  it('is left alone by status updates', () => {
    const status = prepareForUpdate({ info, subresource: 'status' }, created, { ...ds('a:9'), status: { numberReady: 1 } } as KubeObject);
    expect(generationOf(status)).toBe('1');
  });
});
