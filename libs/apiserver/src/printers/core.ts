/** core/v1 printers other than pods and events: namespaces, nodes, services, endpoints, config. */
import { age, ageColumn, col, name, nameColumn } from './columns.js';
import { arr, num, rec, recs, size, str, strMap, type Json } from './fields.js';
import { formatLabels, sortedUnique } from './format.js';
import type { KubeObject, Printer } from './types.js';

export const namespacePrinter: Printer = {
  columns: [nameColumn, col('Status', 'string', 'The status of the namespace'), ageColumn],
  row: (obj, now) => [name(obj), str(rec(obj['status'])['phase']), age(obj, now)],
};

/** Roles from `node-role.kubernetes.io/<role>` label keys and the `kubernetes.io/role` label's value. */
function nodeRoles(obj: KubeObject): string[] {
  const roles: string[] = [];
  for (const [key, value] of Object.entries(obj.metadata?.labels ?? {})) {
    const prefix = 'node-role.kubernetes.io/';
    if (key.startsWith(prefix)) {
      if (key.length > prefix.length) roles.push(key.slice(prefix.length));
    } else if (key === 'kubernetes.io/role' && value !== '') {
      roles.push(value);
    }
  }
  return sortedUnique(roles);
}

/** `Ready`, `NotReady` or `Unknown` from the Ready condition, then `,SchedulingDisabled` if cordoned. */
function nodeStatus(node: Json): string {
  const status: string[] = [];
  const ready = recs(rec(node['status'])['conditions']).filter((c) => str(c['type']) === 'Ready').at(-1);
  if (ready !== undefined) status.push(str(ready['status']) === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (rec(node['spec'])['unschedulable'] === true) status.push('SchedulingDisabled');
  return status.join(',');
}

function nodeAddress(node: Json, type: string): string {
  const found = recs(rec(node['status'])['addresses']).find((a) => str(a['type']) === type);
  return found === undefined ? '<none>' : str(found['address']);
}

export const nodePrinter: Printer = {
  columns: [
    nameColumn,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    ageColumn,
    col('Version', 'string', 'nodeSystemInfo.kubeletVersion'),
    col('Internal-IP', 'string', 'nodeStatus.addresses', 1),
    col('External-IP', 'string', 'nodeStatus.addresses', 1),
    col('OS-Image', 'string', 'nodeSystemInfo.osImage', 1),
    col('Kernel-Version', 'string', 'nodeSystemInfo.kernelVersion', 1),
    col('Container-Runtime', 'string', 'nodeSystemInfo.containerRuntimeVersion', 1),
  ],
  row(obj, now) {
    const node = obj as Json;
    const info = rec(rec(node['status'])['nodeInfo']);
    const roles = nodeRoles(obj).join(',');
    return [
      name(obj), nodeStatus(node), roles || '<none>', age(obj, now), str(info['kubeletVersion']),
      nodeAddress(node, 'InternalIP'), nodeAddress(node, 'ExternalIP'),
      str(info['osImage']) || '<unknown>', str(info['kernelVersion']) || '<unknown>', str(info['containerRuntimeVersion']) || '<unknown>',
    ];
  },
};

/** Load-balancer ingress IPs (or hostnames), de-duplicated and sorted; never clipped (the server prints wide). */
export function loadBalancerAddresses(status: unknown): string {
  const ingress = recs(rec(status)['ingress']);
  return sortedUnique(ingress.map((i) => str(i['ip']) || str(i['hostname'])).filter((s) => s !== '')).join(',');
}

function externalIP(svc: Json): string {
  const spec = rec(svc['spec']);
  const externalIPs = arr(spec['externalIPs']).map(str);
  switch (str(spec['type'])) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(rec(svc['status'])['loadBalancer']);
      if (externalIPs.length > 0) return [...(lb === '' ? [] : lb.split(',')), ...externalIPs].join(',');
      return lb === '' ? '<pending>' : lb;
    }
    case 'ExternalName':
      return str(spec['externalName']);
    default:
      return '<unknown>';
  }
}

/** `80/TCP,443:30443/TCP`. A missing protocol reads TCP, the API default. */
function servicePorts(spec: Json): string {
  const ports = recs(spec['ports']).map((p) => {
    const protocol = str(p['protocol']) || 'TCP';
    const nodePort = num(p['nodePort']);
    return nodePort > 0 ? `${num(p['port'])}:${nodePort}/${protocol}` : `${num(p['port'])}/${protocol}`;
  });
  return ports.length === 0 ? '<none>' : ports.join(',');
}

export const servicePrinter: Printer = {
  columns: [
    nameColumn,
    col('Type', 'string', 'serviceSpec.type'),
    col('Cluster-IP', 'string', 'serviceSpec.clusterIP'),
    col('External-IP', 'string', 'serviceSpec.externalIPs'),
    col('Port(s)', 'string', 'serviceSpec.ports'),
    ageColumn,
    col('Selector', 'string', 'serviceSpec.selector', 1),
  ],
  row(obj, now) {
    const svc = obj as Json;
    const spec = rec(svc['spec']);
    const clusterIP = arr(spec['clusterIPs']).map(str)[0] ?? '<none>';
    return [name(obj), str(spec['type']), clusterIP, externalIP(svc), servicePorts(spec), age(obj, now), formatLabels(spec['selector'])];
  },
};

/** `formatEndpoints`: up to three `ip:port` (or bare IPs for port-less subsets), then `+ N more...`. */
function formatEndpoints(subsets: Json[]): string {
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  for (const subset of subsets) {
    const addresses = recs(subset['addresses']).map((a) => str(a['ip']));
    const ports = recs(subset['ports']);
    if (ports.length === 0) {
      count += addresses.length;
      for (const ip of addresses) if (list.length < max) list.push(ip);
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const ip of addresses) if (list.length < max) list.push(joinHostPort(ip, num(port['port'])));
    }
  }
  const ret = list.join(',');
  return count > max ? `${ret} + ${count - max} more...` : ret;
}

/** `net.JoinHostPort`: IPv6 addresses go in brackets. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export const endpointsPrinter: Printer = {
  columns: [nameColumn, col('Endpoints', 'string', 'endpoints.subsets'), ageColumn],
  row: (obj, now) => [name(obj), formatEndpoints(recs(obj['subsets'])), age(obj, now)],
};

export const configMapPrinter: Printer = {
  columns: [nameColumn, col('Data', 'string', 'configMap.data'), ageColumn],
  row: (obj, now) => [name(obj), size(obj['data']) + size(obj['binaryData']), age(obj, now)],
};

export const secretPrinter: Printer = {
  columns: [nameColumn, col('Type', 'string', 'secret.type'), col('Data', 'string', 'secret.data'), ageColumn],
  row: (obj, now) => [name(obj), str(obj['type']), Object.keys(strMap(obj['data'])).length, age(obj, now)],
};

export const serviceAccountPrinter: Printer = {
  columns: [nameColumn, col('Secrets', 'string', 'serviceAccount.secrets'), ageColumn],
  row: (obj, now) => [name(obj), arr(obj['secrets']).length, age(obj, now)],
};
