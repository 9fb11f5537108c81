import { describe, expect, it } from 'vitest';
import { AddressInUseError, IpamDatastore, NoAvailableAddressError, prefixIps } from './datastore.js';
import { DEFAULT_POOL_CONFIG, type NodePoolState } from './types.js';

const LIMITS = { maxEnis: 3, ipv4PerEni: 4 };

function store(prefix = false): IpamDatastore {
  const ds = new IpamDatastore(LIMITS, { ...DEFAULT_POOL_CONFIG, enablePrefixDelegation: prefix });
  ds.addEni({ id: 'eni-1', primary: false, attachedAt: 0 });
  ds.addEni({ id: 'eni-0', primary: true, attachedAt: 0 });
  if (prefix) {
    ds.addPrefixes('eni-0', ['10.0.0.16/28']);
  } else {
    ds.addIps('eni-1', ['10.0.1.10']);
    ds.addIps('eni-0', ['10.0.0.10', '10.0.0.11']);
  }
  return ds;
}

describe('ipamd — datastore', () => {
  it('keeps the primary ENI first and assigns from it first', () => {
    const ds = store();
    expect(ds.snapshot().enis.map((e) => e.id)).toEqual(['eni-0', 'eni-1']);
    expect(ds.assign('ns/a', 0)).toEqual({ podKey: 'ns/a', eni: 'eni-0', ip: '10.0.0.10' });
    expect(ds.assign('ns/b', 0).ip).toBe('10.0.0.11');
    expect(ds.assign('ns/c', 0)).toMatchObject({ eni: 'eni-1', ip: '10.0.1.10' });
    expect(() => ds.assign('ns/d', 0)).toThrow(NoAvailableAddressError);
  });

  it('a retried AddNetwork gets the same address; DelNetwork is idempotent', () => {
    const ds = store();
    const first = ds.assign('ns/a', 0);
    expect(ds.assign('ns/a', 5)).toEqual(first);
    expect(ds.snapshot().assignments).toHaveLength(1);
    expect(ds.unassign('ns/a', 10)).toEqual(first);
    expect(ds.unassign('ns/a', 11)).toBeUndefined();
    expect(ds.unassign('ns/never', 11)).toBeUndefined();
  });

  it('does not hand out an address within its 30 s cooldown', () => {
    const ds = store();
    ds.assign('ns/a', 0);
    ds.assign('ns/b', 0);
    ds.assign('ns/c', 0);
    ds.unassign('ns/a', 1_000); // 10.0.0.10 cools until 31 s
    expect(() => ds.assign('ns/d', 30_999)).toThrow(NoAvailableAddressError);
    expect(ds.assign('ns/d', 31_000).ip).toBe('10.0.0.10');
  });

  it('refuses to drop an address or ENI a pod holds, and the primary ENI', () => {
    const ds = store();
    ds.assign('ns/a', 0);
    ds.assign('ns/b', 0);
    ds.assign('ns/c', 0);
    expect(() => ds.removeIps('eni-0', ['10.0.0.10'])).toThrow(AddressInUseError);
    expect(() => ds.removeEni('eni-1')).toThrow(AddressInUseError);
    expect(() => ds.removeEni('eni-0')).toThrow(/primary/);
    ds.unassign('ns/c', 0);
    ds.removeEni('eni-1');
    expect(ds.snapshot().enis.map((e) => e.id)).toEqual(['eni-0']);
    expect(ds.snapshot().cooling).toEqual([]);
  });

  it('prefix mode carves pod IPs out of the /28 in order', () => {
    const ds = store(true);
    expect(prefixIps('10.0.0.16/28')).toHaveLength(16);
    expect(prefixIps('10.0.0.240/28').at(-1)).toBe('10.0.0.255');
    expect(ds.assign('ns/a', 0)).toEqual({ podKey: 'ns/a', eni: 'eni-0', ip: '10.0.0.16', prefix: '10.0.0.16/28' });
    expect(ds.assign('ns/b', 0).ip).toBe('10.0.0.17');
    expect(() => ds.removePrefixes('eni-0', ['10.0.0.16/28'])).toThrow(AddressInUseError);
  });

  it('restores from a snapshot (checkpoint) without losing or double-assigning', () => {
    const ds = store();
    ds.assign('ns/a', 0);
    ds.assign('ns/b', 0);
    ds.unassign('ns/a', 0);
    const again = IpamDatastore.restore(JSON.parse(JSON.stringify(ds.snapshot())) as NodePoolState, ds.config);
    expect(again.get('ns/b')).toEqual(ds.get('ns/b'));
    expect(again.assign('ns/c', 1).ip).toBe('10.0.1.10'); // 10.0.0.10 still cooling, 10.0.0.11 taken
  });
});
