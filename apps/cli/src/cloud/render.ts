// Rendering of `ekslab cloud …`: kubectl-style tables (upper-case headers, columns three spaces apart)
// or JSON (a pretty-printed array, or object for faults, exactly the view shapes).
import type { FaultsView, InstanceView, LoadBalancerView, NetworkInterfaceView, SubnetView } from './shapes.js';

export type OutputFormat = 'table' | 'json';

interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string;
}

/** Columns padded to their widest cell, three spaces apart, no trailing spaces. */
export function table<T>(columns: ReadonlyArray<Column<T>>, rows: readonly T[]): string {
  const cells = [columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => c.value(r)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  return cells.map((line) => line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]!))).join('   ').trimEnd()).join('\n') + '\n';
}

const orNone = (s: string | undefined): string => (s ? s : '<none>');

export const subnetColumns: ReadonlyArray<Column<SubnetView>> = [
  { header: 'SUBNET-ID', value: (s) => s.subnetId },
  { header: 'AZ', value: (s) => s.availabilityZone },
  { header: 'CIDR', value: (s) => s.cidrBlock },
  { header: 'AVAILABLE-IPS', value: (s) => String(s.availableIpAddressCount) },
  { header: 'PUBLIC', value: (s) => String(s.public) },
];

export const instanceColumns: ReadonlyArray<Column<InstanceView>> = [
  { header: 'INSTANCE-ID', value: (i) => i.instanceId },
  { header: 'TYPE', value: (i) => i.instanceType },
  { header: 'AZ', value: (i) => i.availabilityZone },
  { header: 'STATE', value: (i) => i.state },
  { header: 'PRIVATE-IP', value: (i) => orNone(i.privateIpAddress) },
  { header: 'PRIVATE-DNS', value: (i) => orNone(i.privateDnsName) },
  { header: 'LIFECYCLE', value: (i) => i.lifecycle },
  { header: 'LAUNCHED', value: (i) => i.launchTime },
];

export const networkInterfaceColumns: ReadonlyArray<Column<NetworkInterfaceView>> = [
  { header: 'ENI-ID', value: (e) => e.networkInterfaceId },
  { header: 'SUBNET-ID', value: (e) => e.subnetId },
  { header: 'AZ', value: (e) => e.availabilityZone },
  { header: 'STATUS', value: (e) => e.status },
  { header: 'INSTANCE-ID', value: (e) => orNone(e.instanceId) },
  { header: 'DEVICE', value: (e) => (e.deviceIndex === undefined ? '<none>' : String(e.deviceIndex)) },
  { header: 'IPS', value: (e) => String(e.privateIpAddresses.length) },
  { header: 'PRIMARY-IP', value: (e) => orNone(e.privateIpAddresses[0]) },
  { header: 'PREFIXES', value: (e) => (e.ipv4Prefixes.length ? e.ipv4Prefixes.join(',') : '<none>') },
];

export const loadBalancerColumns: ReadonlyArray<Column<LoadBalancerView>> = [
  { header: 'NAME', value: (l) => l.loadBalancerName },
  { header: 'TYPE', value: (l) => l.type },
  { header: 'SCHEME', value: (l) => l.scheme },
  { header: 'STATE', value: (l) => l.state },
  { header: 'DNS-NAME', value: (l) => l.dnsName },
];

interface FaultRow {
  readonly fault: string;
  readonly target: string;
  readonly setting: string;
}

const faultColumns: ReadonlyArray<Column<FaultRow>> = [
  { header: 'FAULT', value: (f) => f.fault },
  { header: 'TARGET', value: (f) => f.target },
  { header: 'SETTING', value: (f) => f.setting },
];

/** One line per fault: throttles, then latencies, then impaired AZs. */
export function renderFaults(f: FaultsView, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(f, null, 2)}\n`;
  const rows: FaultRow[] = [
    ...f.throttles.map((t) => ({ fault: 'throttle', target: t.api, setting: `${t.ratePerSecond}/s, burst ${t.burst}` })),
    ...f.latencies.map((l) => ({ fault: 'latency', target: l.api, setting: l.jitterMs ? `${l.fixedMs} ms + up to ${l.jitterMs} ms` : `${l.fixedMs} ms` })),
    ...f.impairedAzs.map((z) => ({ fault: 'az-impaired', target: z.availabilityZone, setting: `since ${z.since}` })),
  ];
  return rows.length === 0 ? 'No faults in force.\n' : table(faultColumns, rows);
}

/** A list as a table ("No resources found." when empty, as kubectl says) or as a JSON array. */
export function renderList<T>(columns: ReadonlyArray<Column<T>>, rows: readonly T[], format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  return rows.length === 0 ? 'No resources found.\n' : table(columns, rows);
}
