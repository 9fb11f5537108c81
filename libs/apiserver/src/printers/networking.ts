/** networking.k8s.io ingresses and ingressclasses, discovery.k8s.io endpointslices. */
import { age, ageColumn, col, name, nameColumn } from './columns.js';
import { loadBalancerAddresses } from './core.js';
import { num, rec, recs, str } from './fields.js';
import { listWithMore } from './format.js';
import type { Printer } from './types.js';

/** Up to three rule hosts then `+ N more...` (N counts rules, hosts or not); `*` when none has a host. */
function formatHosts(rules: Record<string, unknown>[]): string {
  const max = 3;
  const list: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (list.length === max) more = true;
    if (!more && str(rule['host']) !== '') list.push(str(rule['host']));
  }
  if (list.length === 0) return '*';
  const ret = list.join(',');
  return more ? `${ret} + ${rules.length - max} more...` : ret;
}

export const ingressPrinter: Printer = {
  columns: [
    nameColumn,
    col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    ageColumn,
  ],
  row(obj, now) {
    const spec = rec(obj['spec']);
    return [
      name(obj), str(spec['ingressClassName']) || '<none>', formatHosts(recs(spec['rules'])),
      loadBalancerAddresses(rec(rec(obj['status'])['loadBalancer'])),
      recs(spec['tls']).length > 0 ? '80, 443' : '80', age(obj, now),
    ];
  },
};

export const ingressClassPrinter: Printer = {
  columns: [
    nameColumn,
    col('Controller', 'string', 'Controller that is responsible for handling this class'),
    col('Parameters', 'string', 'A reference to a resource with additional parameters'),
    ageColumn,
  ],
  row(obj, now) {
    const spec = rec(obj['spec']);
    let parameters = '<none>';
    if (spec['parameters'] !== undefined && spec['parameters'] !== null) {
      const p = rec(spec['parameters']);
      const group = typeof p['apiGroup'] === 'string' ? `.${p['apiGroup']}` : '';
      parameters = `${str(p['kind'])}${group}/${str(p['name'])}`;
    }
    return [name(obj), str(spec['controller']), parameters, age(obj, now)];
  },
};

export const endpointSlicePrinter: Printer = {
  columns: [
    nameColumn,
    col('AddressType', 'string', 'endpointSlice.addressType'),
    col('Ports', 'string', 'endpointSlice.ports'),
    col('Endpoints', 'string', 'endpointSlice.endpoints'),
    ageColumn,
  ],
  row(obj, now) {
    // A port without number or name matches every port: `*`.
    const ports = recs(obj['ports']).map((p) =>
      typeof p['port'] === 'number' ? String(num(p['port'])) : typeof p['name'] === 'string' ? p['name'] : '*');
    const addresses = recs(obj['endpoints']).flatMap((e) => (Array.isArray(e['addresses']) ? e['addresses'] : []).map(str));
    return [name(obj), str(obj['addressType']), listWithMore(ports), listWithMore(addresses), age(obj, now)];
  },
};
