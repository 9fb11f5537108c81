import { describe, expect, it } from 'vitest';
import type { Pod } from '../../controller-utils/index.js';
import { desiredGroups } from '../endpointslice/slices.js';
import { findPort, type Service } from './service-pods.js';
import { endpointSubsets } from './subsets.js';

const svc = (o: Partial<NonNullable<Service['spec']>> = {}): Service => ({
  metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid' },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }], ...o },
});
const pod = (name: string, ip: string | undefined, o: { ready?: boolean; deleting?: boolean; node?: string; port?: number; phase?: 'Running' | 'Succeeded'; restart?: 'Never' | 'Always' } = {}): Pod => ({
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2026-11-22T10:00:00Z' } : {}) },
  spec: { nodeName: o.node ?? 'n1', restartPolicy: o.restart ?? 'Always', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: o.port ?? 8080 }] }] },
  status: { phase: o.phase ?? 'Running', ...(ip ? { podIP: ip } : {}), conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

describe('findPort', () => {
  it('resolves numbers as they are and names among the container ports of the same protocol', () => {
    const p = pod('a', '10.0.0.1');
    expect(findPort(p, { port: 80, targetPort: 9090 })).toBe(9090);
    expect(findPort(p, { port: 80 })).toBe(80);
    expect(findPort(p, { port: 80, targetPort: 'http' })).toBe(8080);
    expect(findPort(p, { port: 80, targetPort: 'http', protocol: 'UDP' })).toBeUndefined();
  });
});

describe('endpointSubsets (Endpoints)', () => {
  it('ready pods as addresses, unready ones as notReadyAddresses; terminating, finished and address-less pods out', () => {
    const { subsets } = endpointSubsets(svc(), [
      pod('b', '10.0.0.12'), pod('a', '10.0.0.2'), pod('slow', '10.0.0.3', { ready: false }), pod('going', '10.0.0.4', { deleting: true }),
      pod('done', '10.0.0.5', { phase: 'Succeeded', restart: 'Never', ready: false }), pod('new', undefined),
    ]);
    expect(subsets).toEqual([{
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      addresses: [
        { ip: '10.0.0.2', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' } },
        { ip: '10.0.0.12', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'b', uid: 'uid-b' } },
      ],
      notReadyAddresses: [{ ip: '10.0.0.3', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'slow', uid: 'uid-slow' } }],
    }]);
  });
  it('groups pods by the ports they resolve to (RepackSubsets), and publishNotReadyAddresses lists everyone as ready', () => {
    const { subsets } = endpointSubsets(svc({ publishNotReadyAddresses: true }), [pod('a', '10.0.0.1', { port: 8080 }), pod('b', '10.0.0.2', { port: 9090, ready: false })]);
    expect(subsets.map((s) => [s.ports?.[0]?.port, s.addresses?.map((a) => a.ip), s.notReadyAddresses])).toEqual([[8080, ['10.0.0.1'], undefined], [9090, ['10.0.0.2'], undefined]]);
  });
});

describe('desiredGroups (EndpointSlices)', () => {
  it('keeps terminating pods with serving from readiness and ready false; zone from the node', () => {
    const nodes = { n1: { metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'us-east-1a' } } } };
    const [group] = desiredGroups(svc(), [pod('a', '10.0.0.1'), pod('slow', '10.0.0.2', { ready: false }), pod('going', '10.0.0.3', { deleting: true })], (n) => nodes[n as 'n1']);
    expect(group?.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(group?.endpoints.map((e) => [e.addresses[0], e.conditions, e.zone])).toEqual([
      ['10.0.0.1', { ready: true, serving: true, terminating: false }, 'us-east-1a'],
      ['10.0.0.2', { ready: false, serving: false, terminating: false }, 'us-east-1a'],
      ['10.0.0.3', { ready: false, serving: true, terminating: true }, 'us-east-1a'],
    ]);
  });
});
