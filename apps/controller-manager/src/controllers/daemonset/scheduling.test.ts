import { describe, expect, it } from 'vitest';
import type { PodSpec } from '../../controller-utils/index.js';
import { daemonSet, node } from './fixtures.test-helper.js';
import { addDaemonPodTolerations, nodeNameAffinity, nodeShouldRunDaemonPod, targetNodeName, toleratesTaint } from './scheduling.js';

describe('toleratesTaint', () => {
  const taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const };
  it.each([
    ['Equal with the same value', { key: 'dedicated', value: 'gpu' }, true],
    ['Equal with another value', { key: 'dedicated', value: 'cpu' }, false],
    ['Exists on the key', { key: 'dedicated', operator: 'Exists' as const }, true],
    ['Exists with no key (tolerates everything)', { operator: 'Exists' as const }, true],
    ['other effect', { key: 'dedicated', operator: 'Exists' as const, effect: 'NoExecute' as const }, false],
    ['other key', { key: 'other', operator: 'Exists' as const }, false],
  ])('toleration — %s', (_name, toleration, want) => {
    expect(toleratesTaint(toleration, taint)).toBe(want);
  });
});

describe('nodeShouldRunDaemonPod', () => {
  const noSchedule = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const };
  const noExecute = { key: 'dedicated', value: 'gpu', effect: 'NoExecute' as const };
  const zoneA = { 'topology.kubernetes.io/zone': 'a' };
  const inZoneA = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['a'] }] }] } } };
  it.each([
    ['a plain node', node('n'), daemonSet(), [true, true]],
    ['nodeSelector matches', node('n', { labels: zoneA }), daemonSet({ spec: { nodeSelector: zoneA } }), [true, true]],
    ['nodeSelector does not match', node('n'), daemonSet({ spec: { nodeSelector: zoneA } }), [false, false]],
    ['required node affinity matches', node('n', { labels: zoneA }), daemonSet({ spec: { affinity: inZoneA } }), [true, true]],
    ['required node affinity does not match', node('n', { labels: { 'topology.kubernetes.io/zone': 'b' } }), daemonSet({ spec: { affinity: inZoneA } }), [false, false]],
    ['template nodeName names another node', node('n'), daemonSet({ spec: { nodeName: 'other' } }), [false, false]],
    ['NoSchedule taint: no new pod, the old one stays', node('n', { taints: [noSchedule] }), daemonSet(), [false, true]],
    ['NoSchedule taint tolerated', node('n', { taints: [noSchedule] }), daemonSet({ spec: { tolerations: [{ key: 'dedicated', operator: 'Exists' }] } }), [true, true]],
    ['NoExecute taint evicts', node('n', { taints: [noExecute] }), daemonSet(), [false, false]],
    ['PreferNoSchedule is ignored', node('n', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }), daemonSet(), [true, true]],
    ['not-ready and unreachable are tolerated automatically', node('n', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }), daemonSet(), [false, true]],
    ['unschedulable and pressure taints are tolerated automatically', node('n', { taints: ['unschedulable', 'disk-pressure', 'memory-pressure', 'pid-pressure'].map((k) => ({ key: `node.kubernetes.io/${k}`, effect: 'NoSchedule' as const })) }), daemonSet(), [true, true]],
    ['network-unavailable only for host-network pods', node('n', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }), daemonSet(), [false, true]],
    ['network-unavailable tolerated with hostNetwork', node('n', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }), daemonSet({ spec: { hostNetwork: true } }), [true, true]],
  ])('%s', (_name, n, ds, [shouldRun, shouldContinueRunning]) => {
    expect(nodeShouldRunDaemonPod(n, ds)).toEqual({ shouldRun, shouldContinueRunning });
  });
});

describe('addDaemonPodTolerations', () => {
  it('adds the daemon tolerations once and replaces a matching one that carries tolerationSeconds', () => {
    const spec: PodSpec = { containers: [], tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { operator: 'Exists' }] };
    addDaemonPodTolerations(spec);
    addDaemonPodTolerations(spec);
    expect(spec.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { operator: 'Exists' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });
});

describe('nodeNameAffinity', () => {
  it('replaces the required node affinity with metadata.name In [node] and keeps the rest', () => {
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }] }, preferredDuringSchedulingIgnoredDuringExecution: [] }, podAntiAffinity: {} };
    const got = nodeNameAffinity(affinity, 'n1');
    expect(got).toEqual({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] }, preferredDuringSchedulingIgnoredDuringExecution: [] },
      podAntiAffinity: {},
    });
    expect(targetNodeName({ metadata: {}, spec: { containers: [], affinity: got } })).toBe('n1');
    expect(targetNodeName({ metadata: {}, spec: { containers: [], nodeName: 'bound', affinity: got } })).toBe('bound');
  });
});
