import { afterAll, describe, expect, it } from 'vitest';
import { EtcdStore } from '@ekslab/storage';
import { useEtcdCluster } from '@ekslab/testing';
import { CloudApiError, noFaults } from '../ports.js';
import { probe } from './probe.js';

describe('probe (real etcd)', () => {
  const etcd = useEtcdCluster({ members: 1 });
  const stores: EtcdStore[] = [];
  afterAll(() => stores.forEach((s) => s.close()));

  it('probe — concurrent CAS increments through two stores never return the same count', async () => {
    const a = new EtcdStore({ endpoints: etcd().endpoints, prefix: '/ekslab-cloud' });
    const b = new EtcdStore({ endpoints: etcd().endpoints, prefix: '/ekslab-cloud' });
    stores.push(a, b);
    const signal = AbortSignal.timeout(30_000);
    const counts = await Promise.all(Array.from({ length: 40 }, (_, i) => probe(i % 2 ? a : b, noFaults, 'contended', signal)));
    expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('probe — a bad key is InvalidParameterValue; the gate runs first', async () => {
    const s = stores[0]!;
    const err = await probe(s, noFaults, 'Bad_Key', AbortSignal.timeout(5_000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudApiError);
    expect((err as CloudApiError).code).toBe('InvalidParameterValue');
    const gated = await probe(s, { enter: () => Promise.reject(new CloudApiError('RequestLimitExceeded', 'Request limit exceeded.', true)) }, 'x', AbortSignal.timeout(5_000)).catch((e: unknown) => e);
    expect((gated as CloudApiError).code).toBe('RequestLimitExceeded');
  });
});
