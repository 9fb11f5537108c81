import { useEtcdCluster } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TooOldResourceVersionError } from './errors.js';
import { keyFor } from './keys.js';
import { EtcdStore } from './store.js';
import type { StoredObject } from './types.js';
import { WatchReader } from './watch-test-util.js';

const key = (name: string): string => keyFor({ group: '', resource: 'secrets', namespace: 'compacted', name });
const prefix = '/core/secrets/compacted/';

describe('EtcdStore after compaction', () => {
  const etcd = useEtcdCluster({ members: 3 });
  let store: EtcdStore;
  beforeAll(() => {
    store = new EtcdStore({ endpoints: etcd().endpoints });
  });
  afterAll(() => store.close());

  it('compaction — (e) list at, continue from and watch from a compacted revision give TooOldResourceVersionError (410 Expired)', async () => {
    for (let i = 0; i < 5; i++) await store.create(key(`s${i}`), { metadata: { name: `s${i}` }, data: { v: String(i) } });
    const firstPage = await store.list(prefix, { limit: 2 });
    const old = firstPage.resourceVersion;
    expect(firstPage.continue).toBeDefined();
    // Before compaction the old revision is readable: list, continue and watch all work.
    expect((await store.list(prefix, { resourceVersion: old })).items).toHaveLength(5);
    const beforeWatch = await store.watch(prefix, { fromRevision: old, progressNotify: false });
    beforeWatch.close();

    for (let i = 0; i < 5; i++) await store.create(key(`t${i}`), { metadata: { name: `t${i}` } });
    const latest = await store.currentRevision();
    await store.compact(latest);

    const listErr = await store.list(prefix, { resourceVersion: old }).catch((e: unknown) => e);
    expect(listErr).toBeInstanceOf(TooOldResourceVersionError);
    expect(listErr).toMatchObject({ reason: 'Expired', code: 410, retryable: false, resourceVersion: old });

    const continueErr = await store.list(prefix, { limit: 2, continue: firstPage.continue! }).catch((e: unknown) => e);
    expect(continueErr).toBeInstanceOf(TooOldResourceVersionError);

    const watchErr = await store
      .watch(prefix, { fromRevision: old, progressNotify: false })
      .then((w) => new WatchReader(w).next(5_000))
      .catch((e: unknown) => e);
    expect(watchErr).toBeInstanceOf(TooOldResourceVersionError);
    expect(watchErr).toMatchObject({ code: 410, resourceVersion: old, compactRevision: latest });

    // At the compaction revision itself everything still works.
    expect((await store.list(prefix, { resourceVersion: latest })).items).toHaveLength(10);
    const fresh = await store.watch(prefix, { fromRevision: latest, progressNotify: false });
    const reader = new WatchReader(fresh);
    const written = await store.create<StoredObject>(key('after'), { metadata: { name: 'after' } });
    expect((await reader.changes(1))[0]?.resourceVersion).toBe(written.metadata!.resourceVersion);
    fresh.close();
  });
});
