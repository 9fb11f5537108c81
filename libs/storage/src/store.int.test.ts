import { useEtcdCluster } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, ConflictError, InvalidContinueTokenError, NotFoundError, PreconditionFailedError } from './errors.js';
import { collectionKeyFor, keyFor } from './keys.js';
import { EtcdStore } from './store.js';
import type { StoredObject } from './types.js';

interface ConfigMap extends StoredObject {
  metadata: { name: string; namespace: string; uid?: string; resourceVersion?: string };
  data: Record<string, string>;
}

const cm = (namespace: string, name: string, data: Record<string, string> = {}): ConfigMap => ({
  metadata: { name, namespace, uid: `uid-${namespace}-${name}` },
  data,
});
const key = (namespace: string, name: string): string => keyFor({ group: '', resource: 'configmaps', namespace, name });

describe('EtcdStore against a 3-member etcd cluster', () => {
  const etcd = useEtcdCluster({ members: 3 });
  let store: EtcdStore;
  beforeAll(() => {
    store = new EtcdStore({ endpoints: etcd().endpoints });
  });
  afterAll(() => store.close());

  it('store — create sets resourceVersion to the mod revision and stores the value without it', async () => {
    const created = await store.create(key('crud', 'a'), cm('crud', 'a', { x: '1' }));
    const got = await store.get<ConfigMap>(key('crud', 'a'));
    expect(got).toEqual(created);
    expect(Number(got.metadata.resourceVersion)).toBeGreaterThan(0);
    const raw = await store.client.get('/registry/core/configmaps/crud/a').buffer();
    expect(raw?.toString('latin1')).toBe('k8s\0json\0{"metadata":{"name":"a","namespace":"crud","uid":"uid-crud-a"},"data":{"x":"1"}}');
  });

  it('store — an unpaginated list larger than 4 MiB (grpc-js\'s default cap) is read whole, and the next call still works', async () => {
    const big = 'x'.repeat(1024 * 1024); // 1 MiB of data per object, under etcd's 1.5 MiB request limit
    for (let i = 0; i < 6; i++) await store.create(key('big', `b${i}`), cm('big', `b${i}`, { big }));
    const listed = await store.list<ConfigMap>('/core/configmaps/big/');
    expect(listed.items).toHaveLength(6);
    expect(listed.items.every((o) => o.data?.['big']?.length === big.length)).toBe(true);
    expect((await store.get<ConfigMap>(key('big', 'b0'))).metadata.name).toBe('b0');
  });

  it('store — create of an existing key is AlreadyExists; get of a missing key is NotFound', async () => {
    await store.create(key('crud', 'dup'), cm('crud', 'dup'));
    await expect(store.create(key('crud', 'dup'), cm('crud', 'dup'))).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(store.get(key('crud', 'missing'))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('store — (a) concurrent updates of one key: exactly one wins per revision, the rest get Conflict', async () => {
    const k = key('race', 'counter');
    let current = await store.create(k, cm('race', 'counter', { n: '0' }));
    for (let round = 1; round <= 5; round++) {
      const writers = Array.from({ length: 8 }, (_, w) => store.update<ConfigMap>(k, { ...current, data: { n: String(round), writer: String(w) } }));
      const results = await Promise.allSettled(writers);
      const won = results.filter((r): r is PromiseFulfilledResult<ConfigMap> => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(7);
      for (const l of lost) expect(l.reason).toBeInstanceOf(ConflictError);
      const stored = await store.get<ConfigMap>(k);
      expect(stored).toEqual(won[0]!.value);
      expect(Number(stored.metadata.resourceVersion)).toBeGreaterThan(Number(current.metadata.resourceVersion));
      current = stored;
    }
  });

  it('store — guaranteedUpdate retries conflicts so no concurrent increment is lost', async () => {
    const k = key('race', 'guaranteed');
    await store.create(k, cm('race', 'guaranteed', { n: '0' }));
    await Promise.all(
      Array.from({ length: 10 }, () => store.guaranteedUpdate<ConfigMap>(k, (c) => ({ ...c, data: { n: String(Number(c.data['n']) + 1) } }))),
    );
    expect((await store.get<ConfigMap>(k)).data['n']).toBe('10');
  });

  it('store — update of a deleted key is NotFound', async () => {
    const created = await store.create(key('crud', 'gone'), cm('crud', 'gone'));
    await store.delete(key('crud', 'gone'));
    await expect(store.update(key('crud', 'gone'), created)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('store — delete checks uid and resourceVersion preconditions and returns the deleted object', async () => {
    const k = key('crud', 'del');
    const created = await store.create(k, cm('crud', 'del', { v: '1' }));
    await expect(store.delete(k, { preconditions: { uid: 'someone-else' } })).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(store.delete(k, { preconditions: { resourceVersion: '1' } })).rejects.toThrow(/precondition failed: resourceVersion/);
    const deleted = await store.delete<ConfigMap>(k, { preconditions: { uid: 'uid-crud-del', resourceVersion: created.metadata.resourceVersion! } });
    expect(deleted).toEqual(created);
    await expect(store.delete(k)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('store — (f) paginated list is one snapshot even when writes happen between pages', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `item-${String(i).padStart(2, '0')}`);
    for (const n of names) await store.create(key('paged', n), cm('paged', n, { gen: '1' }));
    await store.create(key('paged-other', 'x'), cm('paged-other', 'x'));
    const prefix = collectionKeyFor({ group: '', resource: 'configmaps', namespace: 'paged' });

    const seen: ConfigMap[] = [];
    let page = await store.list<ConfigMap>(prefix, { limit: 6 });
    const snapshot = page.resourceVersion;
    expect(page.remainingItemCount).toBe(14);
    for (let i = 0; page.continue; i++) {
      seen.push(...page.items);
      // Writes between pages: modify a later item, delete one, add one before and one after the cursor.
      const later = await store.get<ConfigMap>(key('paged', names[19 - 2 * i]!));
      await store.update(key('paged', names[19 - 2 * i]!), { ...later, data: { gen: '2' } });
      await store.delete(key('paged', names[18 - 2 * i]!));
      await store.create(key('paged', `item-${i}-new`), cm('paged', `item-${i}-new`));
      await store.create(key('paged', `a-${i}-new`), cm('paged', `a-${i}-new`));
      page = await store.list<ConfigMap>(prefix, { limit: 6, continue: page.continue });
      expect(page.resourceVersion).toBe(snapshot);
    }
    seen.push(...page.items);
    expect(seen.map((o) => o.metadata.name)).toEqual(names);
    expect(seen.every((o) => o.data['gen'] === '1')).toBe(true);
    expect(seen.every((o) => Number(o.metadata.resourceVersion) <= Number(snapshot))).toBe(true);

    const fresh = await store.list<ConfigMap>(prefix);
    expect(fresh.continue).toBeUndefined();
    expect(fresh.items.length).toBeGreaterThan(20);
    expect(Number(fresh.resourceVersion)).toBeGreaterThan(Number(snapshot));
  });

  it('store — list at an exact resourceVersion sees the past', async () => {
    const prefix = collectionKeyFor({ group: '', resource: 'configmaps', namespace: 'past' });
    await store.create(key('past', 'one'), cm('past', 'one'));
    const before = await store.list(prefix);
    await store.create(key('past', 'two'), cm('past', 'two'));
    expect((await store.list(prefix, { resourceVersion: before.resourceVersion })).items).toHaveLength(1);
    expect((await store.list(prefix)).items).toHaveLength(2);
  });

  it('store — a forged continue token is BadRequest', async () => {
    const forged = Buffer.from('{"v":"meta.k8s.io/v1","rv":1,"start":"../../secrets/"}').toString('base64url');
    await expect(store.list('/core/configmaps/', { continue: forged })).rejects.toBeInstanceOf(InvalidContinueTokenError);
  });

  it('store — a separate prefix keeps its own state', async () => {
    const cloud = new EtcdStore({ client: store.client, prefix: '/ekslab-cloud' });
    await cloud.create('/vpcs/vpc-1', { cidr: '10.0.0.0/16' });
    await expect(store.get('/vpcs/vpc-1')).rejects.toBeInstanceOf(NotFoundError);
    expect((await cloud.list('/vpcs/')).items).toHaveLength(1);
  });
});
