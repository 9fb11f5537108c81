import { describe, expect, it } from 'vitest';
import { defaultRequestsFromLimits } from './pod-defaults.js';
import { computeQosClass } from './qos.js';
import { parseQuantity } from './quantity.js';

const c = (requests?: Record<string, unknown>, limits?: Record<string, unknown>) => ({ resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } });

describe('QoS class', () => {
  it.each([
    ['no resources', [c()], [], 'BestEffort'],
    ['zero requests', [c({ cpu: '0', memory: '0' })], [], 'BestEffort'],
    ['only extended resources', [c({ 'nvidia.com/gpu': '1' }, { 'nvidia.com/gpu': '1' })], [], 'BestEffort'],
    ['cpu request only', [c({ cpu: '100m' })], [], 'Burstable'],
    ['requests = limits for cpu and memory', [c({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })], [], 'Guaranteed'],
    ['equal in other units', [c({ cpu: '1000m', memory: '1024Mi' }, { cpu: 1, memory: '1Gi' })], [], 'Guaranteed'],
    ['limits for cpu only', [c({ cpu: '1' }, { cpu: '1' })], [], 'Burstable'],
    ['requests below limits', [c({ cpu: '500m', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })], [], 'Burstable'],
    ['one guaranteed and one best-effort container', [c({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' }), c()], [], 'Burstable'],
    ['two guaranteed containers', [c({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' }), c({ cpu: '2', memory: '1G' }, { cpu: '2', memory: '1G' })], [], 'Guaranteed'],
    ['init container without limits', [c({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })], [c()], 'Burstable'],
    ['init container counts', [c()], [c({ memory: '64Mi' })], 'Burstable'],
  ])('qos — %s → %s', (_, containers, initContainers, want) => {
    expect(computeQosClass({ containers, initContainers })).toBe(want);
  });

  it('qos — limits without requests become requests first, so the pod is Guaranteed', () => {
    const pod = { metadata: {}, spec: { containers: [c(undefined, { cpu: '250m', memory: '64Mi' })] } };
    defaultRequestsFromLimits(pod);
    expect(pod.spec.containers[0]!.resources).toEqual({ requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '250m', memory: '64Mi' } });
    expect(computeQosClass(pod.spec)).toBe('Guaranteed');
  });
});

describe('quantity', () => {
  it.each([
    ['1', 1_000_000_000n],
    ['100m', 100_000_000n],
    ['0.1', 100_000_000n],
    ['1Ki', 1024n * 1_000_000_000n],
    ['1.5Gi', 1_610_612_736n * 1_000_000_000n],
    ['1e3', 1000n * 1_000_000_000n],
    ['1k', 1000n * 1_000_000_000n],
    ['5n', 5n],
    ['1.5n', 2n],
    [2, 2_000_000_000n],
    ['abc', undefined],
    ['1Gb', undefined],
  ])('quantity — %s is %s nano-units', (raw, want) => {
    expect(parseQuantity(raw)).toBe(want);
  });
});
