import { describe, expect, it } from 'vitest';
import type { CloudReader } from './client.js';
import { NotServedYetError } from './client.js';
import { cloudList } from './command.js';
import { instanceColumns, networkInterfaceColumns, renderFaults, renderList, subnetColumns } from './render.js';
import type { FaultsView, SubnetView } from './shapes.js';

const subnets: SubnetView[] = [
  { subnetId: 'subnet-0a1b2c3d4e5f60001', availabilityZone: 'us-east-1a', cidrBlock: '10.0.0.0/19', availableIpAddressCount: 8187, public: false },
  { subnetId: 'subnet-0a1b2c3d4e5f60002', availabilityZone: 'us-east-1b', cidrBlock: '10.0.96.0/28', availableIpAddressCount: 11, public: true },
];

function reader(overrides: Partial<CloudReader>): CloudReader & { closed: boolean } {
  const r = {
    closed: false,
    subnets: () => Promise.resolve(subnets),
    instances: () => Promise.resolve([]),
    networkInterfaces: () => Promise.resolve([]),
    loadBalancers: () => Promise.resolve([]),
    faults: () => Promise.resolve({ throttles: [], latencies: [], impairedAzs: [] }),
    close: () => {
      r.closed = true;
    },
    ...overrides,
  };
  return r;
}

async function run(kind: Parameters<typeof cloudList>[0], format: string, r: CloudReader): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await cloudList(kind, format, r, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe('ekslab cloud rendering', () => {
  it('subnets -o json — an array with exactly the documented fields', async () => {
    const { code, out } = await run('subnets', 'json', reader({}));
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as unknown[];
    expect(parsed).toEqual(subnets);
    expect(Object.keys(parsed[0] as object).sort()).toEqual(['availabilityZone', 'availableIpAddressCount', 'cidrBlock', 'public', 'subnetId']);
  });

  it('subnets table — upper-case headers, columns aligned three spaces apart', () => {
    expect(renderList(subnetColumns, subnets, 'table')).toBe(
      [
        'SUBNET-ID                  AZ           CIDR           AVAILABLE-IPS   PUBLIC',
        'subnet-0a1b2c3d4e5f60001   us-east-1a   10.0.0.0/19    8187            false',
        'subnet-0a1b2c3d4e5f60002   us-east-1b   10.0.96.0/28   11              true',
        '',
      ].join('\n'),
    );
  });

  it('empty list — kubectl’s "No resources found." in a table, [] in JSON', () => {
    expect(renderList(instanceColumns, [], 'table')).toBe('No resources found.\n');
    expect(renderList(instanceColumns, [], 'json')).toBe('[]\n');
  });

  it('enis table — a detached ENI shows <none> for instance and device', () => {
    const text = renderList(networkInterfaceColumns, [
      { networkInterfaceId: 'eni-1', subnetId: 'subnet-1', availabilityZone: 'us-east-1a', status: 'available', privateIpAddresses: ['10.0.0.10', '10.0.0.11'], ipv4Prefixes: [] },
    ], 'table');
    expect(text.split('\n')[1]).toBe('eni-1    subnet-1    us-east-1a   available   <none>        <none>   2     10.0.0.10    <none>');
  });

  it('faults — one row per fault in a table; the whole state in JSON; a note when there are none', () => {
    const f: FaultsView = {
      throttles: [{ api: 'RunInstances', ratePerSecond: 2, burst: 2 }],
      latencies: [{ api: '*', fixedMs: 100, jitterMs: 50 }],
      impairedAzs: [{ availabilityZone: 'us-east-1a', since: '2026-11-22T05:00:00.000Z' }],
    };
    expect(renderFaults(f, 'table')).toBe(
      [
        'FAULT         TARGET         SETTING',
        'throttle      RunInstances   2/s, burst 2',
        'latency       *              100 ms + up to 50 ms',
        'az-impaired   us-east-1a     since 2026-11-22T05:00:00.000Z',
        '',
      ].join('\n'),
    );
    expect(JSON.parse(renderFaults(f, 'json'))).toEqual(f);
    expect(renderFaults({ throttles: [], latencies: [], impairedAzs: [] }, 'table')).toBe('No faults in force.\n');
  });

  it('errors — an unknown format as kubectl words it; an API not served yet exits 1 with the reason; the client is closed', async () => {
    const unused = reader({});
    const bad = await run('subnets', 'yaml', unused);
    expect(unused.closed).toBe(true);
    expect(bad).toEqual({ code: 1, out: '', err: 'error: unable to match a printer suitable for the output format "yaml", allowed formats are: json,table\n' });
    const r = reader({ loadBalancers: () => Promise.reject(new NotServedYetError('DescribeLoadBalancers (ELB)')) });
    const res = await run('load-balancers', 'table', r);
    expect(res).toEqual({ code: 1, out: '', err: 'error: the cloud service does not serve DescribeLoadBalancers (ELB) yet\n' });
    expect(r.closed).toBe(true);
  });
});
