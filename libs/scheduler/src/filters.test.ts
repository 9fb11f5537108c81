import { describe, expect, it } from 'vitest';
import {
  nodeAffinity, nodeName, nodePorts, nodeResourcesFit, nodeUnschedulable, runFilters, taintToleration, toleratesTaint,
} from './filters.js';
import { node, pod, snap } from './test-objects.js';
import type { NodeSelectorRequirement, Taint, Toleration } from './types.js';

describe('scheduler — NodeUnschedulable', () => {
  const cordoned = snap(node('n', { spec: { unschedulable: true } }));
  it.each([
    ['schedulable node', snap(node('n')), pod('p'), undefined],
    ['cordoned node', cordoned, pod('p'), 'node(s) were unschedulable'],
    ['cordoned node, pod tolerates the unschedulable taint', cordoned,
      pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }), undefined],
  ] as const)('%s', (_n, s, p, reason) => {
    const st = nodeUnschedulable(p, s);
    expect(st?.reasons[0]).toBe(reason);
    if (st) expect(st.code).toBe('UnschedulableAndUnresolvable');
  });
});

describe('scheduler — NodeName', () => {
  it.each([
    ['no nodeName', undefined, undefined],
    ['same node', 'n1', undefined],
    ['other node', 'n2', "node(s) didn't match the requested node name"],
  ] as const)('%s', (_n, want, reason) => {
    expect(nodeName(pod('p', want ? { nodeName: want } : {}), snap(node('n1')))?.reasons[0]).toBe(reason);
  });
});

describe('scheduler — toleratesTaint', () => {
  const taint: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  it.each([
    [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, true],
    [{ key: 'dedicated', operator: 'Equal', value: 'gpu' }, true],
    [{ key: 'dedicated', value: 'cpu' }, false],
    [{ key: 'dedicated', operator: 'Exists' }, true],
    [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, false],
    [{ operator: 'Exists' }, true],
    [{ key: 'other', operator: 'Exists' }, false],
    [{ value: 'gpu' }, true],
  ] as [Toleration, boolean][])('%j → %s', (t, ok) => expect(toleratesTaint(t, taint)).toBe(ok));
});

describe('scheduler — TaintToleration', () => {
  const tainted = snap(node('n', { spec: { taints: [
    { key: 'soft', effect: 'PreferNoSchedule' },
    { key: 'node-role', value: 'x', effect: 'NoSchedule' },
    { key: 'evict', effect: 'NoExecute' },
  ] } }));
  it('PreferNoSchedule is ignored; the first untolerated NoSchedule/NoExecute taint rejects', () => {
    const st = taintToleration(pod('p'), tainted);
    expect(st).toEqual({ code: 'UnschedulableAndUnresolvable', plugin: 'TaintToleration', reasons: ['node(s) had untolerated taint {node-role: x}'] });
    expect(taintToleration(pod('p'), tainted, { taintDetail: false })?.reasons).toEqual(['node(s) had untolerated taint(s)']);
  });
  it('the next untolerated taint is named once the first is tolerated', () => {
    const p = pod('p', { tolerations: [{ key: 'node-role', operator: 'Exists' }] });
    expect(taintToleration(p, tainted, { taintDetail: true })?.reasons).toEqual(['node(s) had untolerated taint {evict: }']);
  });
  it('all tolerated → fits', () => {
    expect(taintToleration(pod('p', { tolerations: [{ operator: 'Exists' }] }), tainted)).toBeUndefined();
  });
});

describe('scheduler — NodeAffinity', () => {
  const n = snap(node('ip-10-0-1-5', { labels: { zone: 'a', gen: '5', tier: 'web' } }));
  const affinity = (...exprs: NodeSelectorRequirement[]) => ({
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: exprs }] } },
  });
  it.each([
    ['nodeSelector matches', { nodeSelector: { zone: 'a' } }, true],
    ['nodeSelector value differs', { nodeSelector: { zone: 'b' } }, false],
    ['nodeSelector key missing', { nodeSelector: { disk: 'ssd' } }, false],
    ['In', { affinity: affinity({ key: 'zone', operator: 'In', values: ['a', 'b'] }) }, true],
    ['In, no value matches', { affinity: affinity({ key: 'zone', operator: 'In', values: ['c'] }) }, false],
    ['NotIn', { affinity: affinity({ key: 'zone', operator: 'NotIn', values: ['b'] }) }, true],
    ['NotIn on a missing label matches', { affinity: affinity({ key: 'disk', operator: 'NotIn', values: ['hdd'] }) }, true],
    ['Exists', { affinity: affinity({ key: 'tier', operator: 'Exists' }) }, true],
    ['DoesNotExist', { affinity: affinity({ key: 'tier', operator: 'DoesNotExist' }) }, false],
    ['Gt', { affinity: affinity({ key: 'gen', operator: 'Gt', values: ['4'] }) }, true],
    ['Gt, equal is not greater', { affinity: affinity({ key: 'gen', operator: 'Gt', values: ['5'] }) }, false],
    ['Lt', { affinity: affinity({ key: 'gen', operator: 'Lt', values: ['6'] }) }, true],
    ['Lt on a non-integer label', { affinity: affinity({ key: 'zone', operator: 'Lt', values: ['6'] }) }, false],
    ['expressions in a term are ANDed', { affinity: affinity({ key: 'zone', operator: 'In', values: ['a'] }, { key: 'tier', operator: 'In', values: ['db'] }) }, false],
    ['terms are ORed', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z'] }] },
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
    ] } } } }, true],
    ['an empty term matches nothing', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } } }, false],
    ['matchFields metadata.name In', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['ip-10-0-1-5'] }] },
    ] } } } }, true],
    ['matchFields metadata.name NotIn', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
      { matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['ip-10-0-1-5'] }] },
    ] } } } }, false],
    ['nodeSelector and affinity must both hold', { nodeSelector: { zone: 'b' }, affinity: affinity({ key: 'tier', operator: 'Exists' }) }, false],
  ] as const)('%s', (_n, spec, fits) => {
    const st = nodeAffinity(pod('p', spec), n);
    expect(st === undefined).toBe(fits);
    if (st) expect(st).toEqual({ code: 'UnschedulableAndUnresolvable', plugin: 'NodeAffinity', reasons: ["node(s) didn't match Pod's node affinity/selector"] });
  });
});

describe('scheduler — NodePorts', () => {
  const hostPod = (name: string, hostPort: number, hostIP?: string, protocol?: 'TCP' | 'UDP') =>
    pod(name, { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort, ...(hostIP ? { hostIP } : {}), ...(protocol ? { protocol } : {}) }] }] });
  const busy = snap(node('n'), [hostPod('a', 8080, '10.0.0.1')]);
  it.each([
    ['different port', hostPod('p', 8081), true],
    ['same port on 0.0.0.0 conflicts', hostPod('p', 8080), false],
    ['same port, same IP conflicts', hostPod('p', 8080, '10.0.0.1'), false],
    ['same port, other IP is free', hostPod('p', 8080, '10.0.0.2'), true],
    ['same port, other protocol is free', hostPod('p', 8080, undefined, 'UDP'), true],
    ['no host port at all', pod('p'), true],
  ] as const)('%s', (_n, p, fits) => {
    const st = nodePorts(p, busy);
    expect(st === undefined).toBe(fits);
    if (st) expect(st).toEqual({ code: 'Unschedulable', plugin: 'NodePorts', reasons: ["node(s) didn't have free ports for the requested pod ports"] });
  });
});

describe('scheduler — NodeResourcesFit', () => {
  const small = node('n', { allocatable: { cpu: '2', memory: '4Gi', pods: '2', 'nvidia.com/gpu': '1' } });
  const oneRunning = snap(small, [pod('a', {}, { cpu: '1500m', memory: '1Gi' })]);
  it.each([
    ['fits', oneRunning, pod('p', {}, { cpu: '500m', memory: '3Gi' }), undefined, undefined],
    ['cpu short but within allocatable: preemption may help', oneRunning, pod('p', {}, { cpu: '600m' }), 'Unschedulable', ['Insufficient cpu']],
    ['more than allocatable: unresolvable', oneRunning, pod('p', {}, { cpu: '3' }), 'UnschedulableAndUnresolvable', ['Insufficient cpu']],
    ['cpu and memory', oneRunning, pod('p', {}, { cpu: '1', memory: '3500Mi' }), 'Unschedulable', ['Insufficient cpu', 'Insufficient memory']],
    ['extended resource', oneRunning, pod('p', {}, { 'nvidia.com/gpu': '2' }), 'UnschedulableAndUnresolvable', ['Insufficient nvidia.com/gpu']],
    ['extended resource the node lacks', oneRunning, pod('p', {}, { 'example.com/foo': '1' }), 'UnschedulableAndUnresolvable', ['Insufficient example.com/foo']],
    ['too many pods even for a pod without requests', snap(small, [pod('a'), pod('b')]), pod('p'), 'Unschedulable', ['Too many pods']],
    ['too many pods comes first', snap(small, [pod('a'), pod('b', {}, { cpu: '2' })]), pod('p', {}, { cpu: '1' }), 'Unschedulable', ['Too many pods', 'Insufficient cpu']],
    ['init container and overhead count', oneRunning, pod('p', {
      containers: [{ name: 'c', resources: { requests: { cpu: '100m' } } }],
      initContainers: [{ name: 'i', resources: { requests: { cpu: '400m' } } }],
      overhead: { cpu: '101m' },
    }), 'Unschedulable', ['Insufficient cpu']],
  ] as const)('%s', (_n, s, p, code, reasons) => {
    const st = nodeResourcesFit(p, s);
    expect(st?.code).toBe(code);
    expect(st?.reasons).toEqual(reasons);
  });
});

describe('scheduler — runFilters stops at the first rejecting plugin in kube order', () => {
  const n = node('n', { spec: { unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule' }] }, labels: { zone: 'a' } });
  it.each([
    ['cordon first', pod('p', { nodeSelector: { zone: 'b' } }, { cpu: '9' }), 'NodeUnschedulable'],
    ['then taints', pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists' }], nodeSelector: { zone: 'b' } }), 'TaintToleration'],
    ['then affinity', pod('p', { tolerations: [{ operator: 'Exists' }], nodeSelector: { zone: 'b' } }, { cpu: '9' }), 'NodeAffinity'],
    ['then resources', pod('p', { tolerations: [{ operator: 'Exists' }] }, { cpu: '9' }), 'NodeResourcesFit'],
    ['fits', pod('p', { tolerations: [{ operator: 'Exists' }] }, { cpu: '1' }), undefined],
  ] as const)('%s', (_n, p, plugin) => expect(runFilters(p, snap(n))?.plugin).toBe(plugin));
});
