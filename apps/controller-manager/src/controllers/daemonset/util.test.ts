import { describe, expect, it } from 'vitest';
import { daemonPod, daemonSet } from './fixtures.test-helper.js';
import { canonicalJson, computeHash, daemonPodTemplate, isPodUpdated, revisionData, revisionMatches, scaledValue } from './util.js';

describe('daemonset util', () => {
  it('scaledValue — ints as is, percentages rounded up or down', () => {
    expect([scaledValue(2, 10, true), scaledValue('10%', 15, true), scaledValue('10%', 15, false), scaledValue('100%', 3, true)]).toEqual([2, 2, 1, 3]);
    expect(() => scaledValue('ten', 3, true)).toThrow(/not a percentage/);
  });
  it('daemonPodTemplate — generation and hash labels and the daemon tolerations', () => {
    const t = daemonPodTemplate(daemonSet({ generation: 3 }), 'abc');
    expect(t.metadata?.labels).toEqual({ app: 'agent', 'pod-template-generation': '3', 'controller-revision-hash': 'abc' });
    expect(t.spec.tolerations).toHaveLength(6);
  });
  it('isPodUpdated — by revision hash or by template generation', () => {
    const pod = daemonPod('p', 'n', { hash: 'old' });
    expect(isPodUpdated(pod, 'new', undefined)).toBe(false);
    expect(isPodUpdated(pod, 'old', undefined)).toBe(true);
    pod.metadata.labels = { ...pod.metadata.labels, 'pod-template-generation': '2' };
    expect(isPodUpdated(pod, 'new', 2)).toBe(true);
  });
  it('computeHash — stable, safe-encoded, changed by the template and by the collision count', () => {
    const t = daemonSet().spec.template;
    const h = computeHash(t);
    expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(computeHash(structuredClone(t))).toBe(h);
    expect(computeHash(t, 1)).not.toBe(h);
    expect(computeHash({ ...t, spec: { ...t.spec, containers: [{ name: 'c', image: 'agent:2' }] } })).not.toBe(h);
  });
  it('revisionData — replaces the template; matching ignores key order', () => {
    const ds = daemonSet();
    const data = revisionData(ds);
    expect(canonicalJson(data)).toBe('{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"agent"}},"spec":{"containers":[{"image":"agent:1","name":"c"}]}}}}');
    expect(revisionMatches(ds, JSON.parse(canonicalJson(data)))).toBe(true);
    expect(revisionMatches(daemonSet({ spec: { hostNetwork: true } }), data)).toBe(false);
  });
});
