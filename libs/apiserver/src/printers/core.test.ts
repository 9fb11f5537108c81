import { describe, expect, it } from 'vitest';
import { printerFor } from './index.js';
import { ago, now, units } from './testing.fixture.js';
import type { Cell, KubeObject } from './types.js';

const { hour, day } = units;
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, creationTimestamp: ago(3 * day), ...extra });
const nodeInfo = { kubeletVersion: 'v1.30.2-eks-1552ad0', osImage: 'Amazon Linux 2023', kernelVersion: '6.1.94', containerRuntimeVersion: 'containerd://1.7.11' };
const svc = (name: string, spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({ metadata: meta(name), spec, status });
const dns = { 'k8s-app': 'kube-dns' };

const cases: [string, string, KubeObject, Cell[]][] = [
  ['node — Ready control-plane', 'nodes', {
    metadata: meta('cp-1', { labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/os': 'linux' } }),
    spec: {}, status: { conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }], nodeInfo,
      addresses: [{ type: 'InternalIP', address: '10.0.1.5' }, { type: 'Hostname', address: 'cp-1' }] },
  }, ['cp-1', 'Ready', 'control-plane', '3d', 'v1.30.2-eks-1552ad0', '10.0.1.5', '<none>', 'Amazon Linux 2023', '6.1.94', 'containerd://1.7.11']],
  ['node — cordoned, NotReady, no roles', 'nodes', {
    metadata: meta('w-1'), spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }],
      addresses: [{ type: 'ExternalIP', address: '54.1.2.3' }] },
  }, ['w-1', 'NotReady,SchedulingDisabled', '<none>', '3d', '', '<none>', '54.1.2.3', '<unknown>', '<unknown>', '<unknown>']],
  ['node — ready and cordoned, roles sorted from both label styles', 'nodes', {
    metadata: meta('w-2', { labels: { 'kubernetes.io/role': 'worker', 'node-role.kubernetes.io/ingress': '', 'node-role.kubernetes.io/': '' } }),
    spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo },
  }, ['w-2', 'Ready,SchedulingDisabled', 'ingress,worker', '3d', 'v1.30.2-eks-1552ad0', '<none>', '<none>', 'Amazon Linux 2023', '6.1.94', 'containerd://1.7.11']],
  ['node — no Ready condition is Unknown', 'nodes', { metadata: meta('new'), spec: {}, status: {} },
    ['new', 'Unknown', '<none>', '3d', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']],
  ['service — ClusterIP', 'services', svc('kube-dns', {
    type: 'ClusterIP', clusterIP: '10.100.0.10', clusterIPs: ['10.100.0.10'], selector: dns,
    ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }],
  }), ['kube-dns', 'ClusterIP', '10.100.0.10', '<none>', '53/UDP,53/TCP', '3d', 'k8s-app=kube-dns']],
  ['service — ClusterIP with external IPs, headless', 'services', svc('db', { type: 'ClusterIP', clusterIPs: ['None'], externalIPs: ['1.2.3.4', '5.6.7.8'] }),
    ['db', 'ClusterIP', 'None', '1.2.3.4,5.6.7.8', '<none>', '3d', '<none>']],
  ['service — NodePort', 'services', svc('web', {
    type: 'NodePort', clusterIPs: ['10.100.5.5'], selector: { app: 'web', tier: 'fe' },
    ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 443, nodePort: 30443, protocol: 'TCP' }],
  }), ['web', 'NodePort', '10.100.5.5', '<none>', '80:30080/TCP,443:30443/TCP', '3d', 'app=web,tier=fe']],
  ['service — LoadBalancer pending', 'services', svc('lb', { type: 'LoadBalancer', clusterIPs: ['10.100.7.7'], ports: [{ port: 80, nodePort: 31000, protocol: 'TCP' }] }),
    ['lb', 'LoadBalancer', '10.100.7.7', '<pending>', '80:31000/TCP', '3d', '<none>']],
  ['service — LoadBalancer hostname is not clipped', 'services', svc('elb', { type: 'LoadBalancer', clusterIPs: ['10.100.8.8'], ports: [{ port: 443, nodePort: 32443, protocol: 'TCP' }] },
    { loadBalancer: { ingress: [{ hostname: 'a1b2c3d4e5-123456789.us-west-2.elb.amazonaws.com' }] } }),
  ['elb', 'LoadBalancer', '10.100.8.8', 'a1b2c3d4e5-123456789.us-west-2.elb.amazonaws.com', '443:32443/TCP', '3d', '<none>']],
  ['service — LoadBalancer IPs sorted, then external IPs', 'services', svc('nlb', { type: 'LoadBalancer', clusterIPs: ['10.100.9.9'], externalIPs: ['9.9.9.9'] },
    { loadBalancer: { ingress: [{ ip: '3.3.3.3' }, { ip: '1.1.1.1' }, { ip: '3.3.3.3' }] } }),
  ['nlb', 'LoadBalancer', '10.100.9.9', '1.1.1.1,3.3.3.3,9.9.9.9', '<none>', '3d', '<none>']],
  ['service — ExternalName', 'services', svc('ext', { type: 'ExternalName', externalName: 'db.example.com' }),
    ['ext', 'ExternalName', '<none>', 'db.example.com', '<none>', '3d', '<none>']],
  ['endpoints — ip:port pairs capped at three', 'endpoints', {
    metadata: meta('web'), subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }],
  }, ['web', '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...', '3d']],
  ['endpoints — port-less subset lists bare IPs', 'endpoints', { metadata: meta('headless'), subsets: [{ addresses: [{ ip: 'fd00::1' }] }] },
    ['headless', 'fd00::1', '3d']],
  ['endpoints — IPv6 with a port is bracketed', 'endpoints', { metadata: meta('v6'), subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }] },
    ['v6', '[fd00::1]:80', '3d']],
  ['endpoints — none', 'endpoints', { metadata: meta('empty') }, ['empty', '<none>', '3d']],
  ['namespace — phase', 'namespaces', { metadata: meta('kube-system'), status: { phase: 'Active' } }, ['kube-system', 'Active', '3d']],
  ['configmap — data and binaryData count', 'configmaps', { metadata: meta('cfg'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, ['cfg', 3, '3d']],
  ['secret — type and data count', 'secrets', { metadata: meta('tls'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } },
    ['tls', 'kubernetes.io/tls', 2, '3d']],
  ['serviceaccount — secrets count', 'serviceaccounts', { metadata: meta('default', { creationTimestamp: ago(hour) }) }, ['default', 0, '60m']],
];

describe('core printers', () => {
  it.each(cases)('%s', (_name, resource, obj, want) => {
    expect(printerFor('', resource).row(obj, now)).toEqual(want);
  });
});
