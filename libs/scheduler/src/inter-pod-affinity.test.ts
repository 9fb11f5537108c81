import { describe, expect, it } from 'vitest';
import {
  interPodAffinity, interPodAffinityNormalize, interPodAffinityPreFilter, interPodAffinityPreScore, interPodAffinityScore,
  reasonAffinityRules, reasonAntiAffinityRules, reasonExistingAntiAffinity,
} from './inter-pod-affinity.js';
import type { NodeSnapshot } from './node-info.js';
import { cluster, node, pod, snap } from './test-objects.js';
import type { Pod, PodAffinityTerm } from './types.js';

const host = 'kubernetes.io/hostname';
const term = (app: string, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm => ({ labelSelector: { matchLabels: { app } }, topologyKey: host, ...extra });
const withAnti = (name: string, t: PodAffinityTerm, labels = { app: 'web' }, ns = 'default'): Pod =>
  pod(name, { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t] } } }, undefined, labels, ns);
const withAff = (name: string, t: PodAffinityTerm, labels: Record<string, string> = { app: 'web' }): Pod =>
  pod(name, { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t] } } }, undefined, labels);

function verdicts(p: Pod, nodes: NodeSnapshot[], ns: Record<string, Record<string, string>> = {}): (string | undefined)[] {
  const cl = cluster(nodes, ns);
  const st = interPodAffinityPreFilter(p, cl);
  return nodes.map((s) => interPodAffinity(p, s, st, cl)?.reasons[0]);
}

describe('scheduler — InterPodAffinity filter', () => {
  it('required anti-affinity to its own kind: one per node', () => {
    const p = withAnti('new', term('web'));
    expect(verdicts(p, [snap(node('a'), [pod('w1', {}, undefined, { app: 'web' })]), snap(node('b'))])).toEqual([reasonAntiAffinityRules, undefined]);
  });
  it('an existing pod\'s anti-affinity rejects the incoming pod it selects (symmetry)', () => {
    const guard = withAnti('guard', term('web'), { app: 'db' });
    const p = pod('new', {}, undefined, { app: 'web' });
    expect(verdicts(p, [snap(node('a'), [guard]), snap(node('b'))])).toEqual([reasonExistingAntiAffinity, undefined]);
  });
  it('the pod\'s own anti-affinity is reported before the placed pods\' (kube\'s order)', () => {
    const p = withAnti('new', term('web'));
    expect(verdicts(p, [snap(node('a'), [withAnti('w1', term('web'))])])).toEqual([reasonAntiAffinityRules]);
  });
  it('existing anti-affinity is checked per topology domain (zone)', () => {
    const guard = withAnti('guard', term('web', { topologyKey: 'zone' }), { app: 'db' });
    const nodes = [snap(node('a', { labels: { zone: 'z1' } }), [guard]), snap(node('b', { labels: { zone: 'z1' } })), snap(node('c', { labels: { zone: 'z2' } }))];
    expect(verdicts(pod('new', {}, undefined, { app: 'web' }), nodes)).toEqual([reasonExistingAntiAffinity, reasonExistingAntiAffinity, undefined]);
  });
  it('required affinity: only domains holding a matching pod; nodes without the key fail', () => {
    const p = withAff('new', term('cache', { topologyKey: 'zone' }));
    const nodes = [snap(node('a', { labels: { zone: 'z1' } }), [pod('c1', {}, undefined, { app: 'cache' })]), snap(node('b', { labels: { zone: 'z1' } })), snap(node('c', { labels: { zone: 'z2' } })), snap(node('d'))];
    expect(verdicts(p, nodes)).toEqual([undefined, undefined, reasonAffinityRules, reasonAffinityRules]);
    const cl = cluster(nodes);
    expect(interPodAffinity(p, nodes[2]!, interPodAffinityPreFilter(p, cl), cl)?.code).toBe('UnschedulableAndUnresolvable');
  });
  it('the first pod of a group with affinity to itself may go anywhere', () => {
    expect(verdicts(withAff('new', term('web')), [snap(node('a')), snap(node('b'))])).toEqual([undefined, undefined]);
    // …but not when its terms do not select itself
    expect(verdicts(withAff('new', term('cache')), [snap(node('a'))])).toEqual([reasonAffinityRules]);
  });
  it('namespaces: the own namespace by default, listed namespaces, or a namespaceSelector', () => {
    const other = pod('w1', {}, undefined, { app: 'web' }, 'team-b');
    const nodes = [snap(node('a'), [other]), snap(node('b'))];
    expect(verdicts(withAnti('new', term('web')), nodes)).toEqual([undefined, undefined]);
    expect(verdicts(withAnti('new', term('web', { namespaces: ['team-b'] })), nodes)).toEqual([reasonAntiAffinityRules, undefined]);
    expect(verdicts(withAnti('new', term('web', { namespaceSelector: { matchLabels: { team: 'b' } } })), nodes, { 'team-b': { team: 'b' } })).toEqual([reasonAntiAffinityRules, undefined]);
    expect(verdicts(withAnti('new', term('web', { namespaceSelector: {} })), nodes)).toEqual([reasonAntiAffinityRules, undefined]);
  });
  it('no terms anywhere → skipped', () => {
    expect(interPodAffinityPreFilter(pod('p'), cluster([snap(node('a'), [pod('x')])]))).toBeUndefined();
  });
});

describe('scheduler — InterPodAffinity score', () => {
  it('preferred affinity +weight, preferred anti-affinity −weight per domain, normalised to 0..100', () => {
    const p = pod('new', { affinity: {
      podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term('cache') }] },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term('web') }] },
    } }, undefined, { app: 'web' });
    const nodes = [
      snap(node('a'), [pod('c', {}, undefined, { app: 'cache' })]),
      snap(node('b')),
      snap(node('c'), [pod('w', {}, undefined, { app: 'web' })]),
    ];
    const st = interPodAffinityPreScore(p, cluster(nodes))!;
    const raw = nodes.map((s) => ({ node: s.node.metadata.name, score: interPodAffinityScore(s, st) }));
    expect(raw.map((r) => r.score)).toEqual([10, 0, -5]);
    expect(interPodAffinityNormalize(raw).map((r) => r.score)).toEqual([100, 33, 0]);
  });
  it('existing pods\' required affinity to the incoming pod scores hardPodAffinityWeight (1)', () => {
    const fan = withAff('fan', term('web'), { app: 'fan' });
    const nodes = [snap(node('a'), [fan]), snap(node('b'))];
    const st = interPodAffinityPreScore(pod('new', {}, undefined, { app: 'web' }), cluster(nodes))!;
    expect(nodes.map((s) => interPodAffinityScore(s, st))).toEqual([1, 0]);
  });
  it('nothing to score → undefined; equal scores normalise to 0', () => {
    expect(interPodAffinityPreScore(pod('p'), cluster([snap(node('a'))]))).toBeUndefined();
    expect(interPodAffinityNormalize([{ node: 'a', score: 4 }, { node: 'b', score: 4 }]).map((s) => s.score)).toEqual([0, 0]);
  });
});
