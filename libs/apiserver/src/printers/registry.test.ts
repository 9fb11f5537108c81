import { describe, expect, it } from 'vitest';
import { printerFor } from './index.js';
import { ago, now, units } from './testing.fixture.js';
import type { Cell, KubeObject } from './types.js';

const { second, minute, hour, day } = units;
const meta = (name: string) => ({ name, creationTimestamp: ago(hour) });

/** Column names per resource, `*` marking the `-o wide` (priority 1) ones. */
const columns: [string, string, string][] = [
  ['', 'namespaces', 'Name Status Age'],
  ['', 'pods', 'Name Ready Status Restarts Age IP* Node* Nominated Node* Readiness Gates*'],
  ['', 'nodes', 'Name Status Roles Age Version Internal-IP* External-IP* OS-Image* Kernel-Version* Container-Runtime*'],
  ['', 'services', 'Name Type Cluster-IP External-IP Port(s) Age Selector*'],
  ['', 'endpoints', 'Name Endpoints Age'],
  ['', 'configmaps', 'Name Data Age'],
  ['', 'secrets', 'Name Type Data Age'],
  ['', 'serviceaccounts', 'Name Secrets Age'],
  ['', 'events', 'Last Seen Type Reason Object Subobject* Source* Message First Seen* Count* Name*'],
  ['events.k8s.io', 'events', 'Last Seen Type Reason Object Subobject* Source* Message First Seen* Count* Name*'],
  ['apps', 'deployments', 'Name Ready Up-to-date Available Age Containers* Images* Selector*'],
  ['apps', 'replicasets', 'Name Desired Current Ready Age Containers* Images* Selector*'],
  ['apps', 'daemonsets', 'Name Desired Current Ready Up-to-date Available Node Selector Age Containers* Images* Selector*'],
  ['batch', 'jobs', 'Name Status Completions Duration Age Containers* Images* Selector*'],
  ['batch', 'cronjobs', 'Name Schedule Timezone Suspend Active Last Schedule Age Containers* Images* Selector*'],
  ['coordination.k8s.io', 'leases', 'Name Holder Age'],
  ['discovery.k8s.io', 'endpointslices', 'Name AddressType Ports Endpoints Age'],
  ['networking.k8s.io', 'ingresses', 'Name Class Hosts Address Ports Age'],
  ['networking.k8s.io', 'ingressclasses', 'Name Controller Parameters Age'],
  ['rbac.authorization.k8s.io', 'roles', 'Name Created At'],
  ['rbac.authorization.k8s.io', 'clusterroles', 'Name Created At'],
  ['rbac.authorization.k8s.io', 'rolebindings', 'Name Role Age Users* Groups* ServiceAccounts*'],
  ['rbac.authorization.k8s.io', 'clusterrolebindings', 'Name Role Age Users* Groups* ServiceAccounts*'],
  ['policy', 'poddisruptionbudgets', 'Name Min Available Max Unavailable Allowed Disruptions Age'],
  ['scheduling.k8s.io', 'priorityclasses', 'Name Value Global-Default Age PreemptionPolicy'],
  ['example.com', 'widgets', 'Name Age'],
];

describe('printerFor', () => {
  it.each(columns)('columns — %s/%s', (group, resource, want) => {
    const printer = printerFor(group, resource);
    expect(printer.columns.map((c) => c.name + (c.priority === 1 ? '*' : '')).join(' ')).toBe(want);
    const nameColumn = printer.columns.find((c) => c.name === 'Name');
    expect(nameColumn?.format).toBe('name');
    for (const c of printer.columns) expect(c.description).not.toBe('');
  });

  it.each(columns)('cells — %s/%s prints one cell per column for a bare object', (group, resource) => {
    const printer = printerFor(group, resource);
    expect(printer.row({ metadata: { name: 'x' } }, now)).toHaveLength(printer.columns.length);
  });
});

const cases: [string, string, string, KubeObject, Cell[]][] = [
  ['event — core/v1 with count and source', '', 'events', {
    metadata: meta('web-1.17a'), type: 'Warning', reason: 'BackOff', count: 6,
    firstTimestamp: ago(3 * day), lastTimestamp: ago(2 * day), message: ' Back-off restarting failed container\n',
    involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{web}' }, source: { component: 'kubelet', host: 'node-1' },
  }, ['2d', 'Warning', 'BackOff', 'pod/web-1', 'spec.containers{web}', 'kubelet, node-1', 'Back-off restarting failed container', '3d', 6, 'web-1.17a']],
  ['event — core/v1 from the new API: eventTime, reportingComponent, no count', '', 'events', {
    metadata: meta('web-1.17b'), type: 'Normal', reason: 'Scheduled', eventTime: '2024-06-01T11:59:30.000000Z',
    reportingComponent: 'default-scheduler', reportingInstance: 'default-scheduler-cp-1', involvedObject: { kind: 'Pod', name: 'web-1' },
    message: 'Successfully assigned default/web-1 to node-1',
  }, ['30s', 'Normal', 'Scheduled', 'pod/web-1', '', 'default-scheduler, default-scheduler-cp-1', 'Successfully assigned default/web-1 to node-1', '30s', 1, 'web-1.17b']],
  ['event — events.k8s.io with a series', 'events.k8s.io', 'events', {
    metadata: meta('node-1.1'), type: 'Warning', reason: 'InvalidDiskCapacity', eventTime: ago(10 * minute),
    series: { count: 4, lastObservedTime: ago(10 * second) }, reportingController: 'kubelet', reportingInstance: 'node-1',
    regarding: { kind: 'Node', name: 'node-1' }, note: 'invalid capacity 0 on image filesystem', deprecatedCount: 99,
  }, ['10s', 'Warning', 'InvalidDiskCapacity', 'node/node-1', '', 'kubelet, node-1', 'invalid capacity 0 on image filesystem', '10m', 4, 'node-1.1']],
  ['event — events.k8s.io deprecated fields', 'events.k8s.io', 'events', {
    metadata: meta('x.1'), type: 'Normal', reason: 'Pulled', regarding: { kind: 'Pod' }, note: 'ok',
    deprecatedFirstTimestamp: ago(5 * minute), deprecatedLastTimestamp: ago(minute), deprecatedCount: 3, deprecatedSource: { component: 'kubelet' },
  }, ['60s', 'Normal', 'Pulled', 'pod', '', 'kubelet', 'ok', '5m', 3, 'x.1']],
  ['ingress — class, capped hosts, TLS ports, address', 'networking.k8s.io', 'ingresses', {
    metadata: meta('web'), spec: { ingressClassName: 'alb', tls: [{ hosts: ['a.example.com'] }],
      rules: ['a', 'b', '', 'c', 'd'].map((h) => (h === '' ? {} : { host: `${h}.example.com` })) },
    status: { loadBalancer: { ingress: [{ hostname: 'k8s-default-web-0123456789.us-west-2.elb.amazonaws.com' }] } },
  }, ['web', 'alb', 'a.example.com,b.example.com,c.example.com + 2 more...', 'k8s-default-web-0123456789.us-west-2.elb.amazonaws.com', '80, 443', '60m']],
  ['ingress — no class, no hosts', 'networking.k8s.io', 'ingresses', { metadata: meta('catchall'), spec: { defaultBackend: {} } },
    ['catchall', '<none>', '*', '', '80', '60m']],
  ['ingressclass — parameters with group', 'networking.k8s.io', 'ingressclasses', {
    metadata: meta('alb'), spec: { controller: 'ingress.k8s.aws/alb', parameters: { apiGroup: 'elbv2.k8s.aws', kind: 'IngressClassParams', name: 'alb' } },
  }, ['alb', 'ingress.k8s.aws/alb', 'IngressClassParams.elbv2.k8s.aws/alb', '60m']],
  ['ingressclass — no parameters', 'networking.k8s.io', 'ingressclasses', { metadata: meta('nginx'), spec: { controller: 'k8s.io/ingress-nginx' } },
    ['nginx', 'k8s.io/ingress-nginx', '<none>', '60m']],
  ['endpointslice — ports and capped addresses', 'discovery.k8s.io', 'endpointslices', {
    metadata: meta('web-abc'), addressType: 'IPv4', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'named' }, {}],
    endpoints: [{ addresses: ['10.0.0.1', '10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4', '10.0.0.5'] }],
  }, ['web-abc', 'IPv4', '80,named,*', '10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...', '60m']],
  ['endpointslice — empty', 'discovery.k8s.io', 'endpointslices', { metadata: meta('none'), addressType: 'IPv6' }, ['none', 'IPv6', '<unset>', '<unset>', '60m']],
  ['clusterrole — default convertor prints the creation time', 'rbac.authorization.k8s.io', 'clusterroles', {
    metadata: { name: 'admin', creationTimestamp: '2024-05-30T08:15:00Z' },
  }, ['admin', '2024-05-30T08:15:00Z']],
  ['rolebinding — role ref and subjects', 'rbac.authorization.k8s.io', 'rolebindings', {
    metadata: meta('read'), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
    subjects: [{ kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs' }, { kind: 'User', name: 'bob' },
      { kind: 'ServiceAccount', namespace: 'kube-system', name: 'default' }],
  }, ['read', 'Role/reader', '60m', 'alice, bob', 'devs', 'kube-system/default']],
  ['clusterrolebinding — no subjects', 'rbac.authorization.k8s.io', 'clusterrolebindings', {
    metadata: meta('system:basic-user'), roleRef: { kind: 'ClusterRole', name: 'system:basic-user' },
  }, ['system:basic-user', 'ClusterRole/system:basic-user', '60m', '', '', '']],
  ['lease — holder', 'coordination.k8s.io', 'leases', { metadata: meta('kube-scheduler'), spec: { holderIdentity: 'cp-1_0b5e' } },
    ['kube-scheduler', 'cp-1_0b5e', '60m']],
  ['pdb — min available', 'policy', 'poddisruptionbudgets', { metadata: meta('coredns'), spec: { minAvailable: 1 }, status: { disruptionsAllowed: 1 } },
    ['coredns', '1', 'N/A', 1, '60m']],
  ['pdb — max unavailable percent', 'policy', 'poddisruptionbudgets', { metadata: meta('web'), spec: { maxUnavailable: '25%' }, status: {} },
    ['web', 'N/A', '25%', 0, '60m']],
  ['priorityclass — value, default, policy', 'scheduling.k8s.io', 'priorityclasses', {
    metadata: meta('system-cluster-critical'), value: 2000000000, globalDefault: false, preemptionPolicy: 'PreemptLowerPriority',
  }, ['system-cluster-critical', 2000000000, false, '60m', 'PreemptLowerPriority']],
  ['fallback — name and age', 'example.com', 'widgets', { metadata: meta('w') }, ['w', '60m']],
  ['fallback — missing creation time', 'example.com', 'widgets', { metadata: { name: 'w' } }, ['w', '<unknown>']],
];

describe('other printers', () => {
  it.each(cases)('%s', (_name, group, resource, obj, want) => {
    expect(printerFor(group, resource).row(obj, now)).toEqual(want);
  });
});
