import { describe, expect, it } from 'vitest';
import { podRequests } from './resources.js';
import { nodeSnapshot } from './node-info.js';
import { node, pod } from './test-objects.js';

describe('scheduler — podRequests sums as resource.PodRequests', () => {
  it.each([
    ['containers add up', pod('p', { containers: [
      { name: 'a', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
      { name: 'b', resources: { requests: { cpu: '200m', memory: '64Mi' } } },
    ] }), { cpu: 300, memory: 128 * 1024 * 1024 }],
    ['an init container larger than the sum wins', pod('p', {
      containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }],
      initContainers: [{ name: 'i', resources: { requests: { cpu: '1' } } }],
    }), { cpu: 1000 }],
    ['sidecars add to the sum and to every later init container', pod('p', {
      containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }],
      initContainers: [
        { name: 'side', restartPolicy: 'Always', resources: { requests: { cpu: '200m' } } },
        { name: 'i', resources: { requests: { cpu: '500m' } } },
      ],
    }), { cpu: 700 }],
    ['overhead is added', pod('p', {
      containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }],
      overhead: { cpu: '250m', memory: '120Mi' },
    }), { cpu: 350, memory: 120 * 1024 * 1024 }],
    ['a missing request defaults to the limit; extended resources kept, unknown names dropped', pod('p', {
      containers: [{ name: 'a', resources: { limits: { cpu: '1', 'nvidia.com/gpu': '2', storage: '1Gi' } } }],
    }), { cpu: 1000, 'nvidia.com/gpu': 2 }],
  ] as const)('%s', (_name, p, want) => expect(podRequests(p)).toEqual(want));
});

describe('scheduler — nodeSnapshot', () => {
  it('sums requests and ports of live pods, skips terminal ones, keeps allocatable pods', () => {
    const running = pod('a', { containers: [{ name: 'c', resources: { requests: { cpu: '500m' } }, ports: [{ containerPort: 80, hostPort: 8080 }] }] });
    const done = { ...pod('b', {}, { cpu: '1' }), status: { phase: 'Succeeded' } };
    const s = nodeSnapshot(node('n1'), [running, done]);
    expect(s.pods.map((p) => p.metadata.name)).toEqual(['a']);
    expect(s.requested).toEqual({ cpu: 500 });
    expect(s.allocatable).toEqual({ cpu: 2000, memory: 8 * 1024 ** 3, pods: 29 });
    expect(s.usedPorts).toEqual([{ ip: '0.0.0.0', protocol: 'TCP', port: 8080 }]);
  });
});
