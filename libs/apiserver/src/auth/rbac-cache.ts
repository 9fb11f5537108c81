import { InMemoryRbacSource, type RbacSource } from '@ekslab/apiserver-auth';
import type { Logger } from '@ekslab/runtime';
import { sleep } from '@ekslab/runtime';
import { collectionKeyFor, type EtcdStore } from '@ekslab/storage';
import type { KubeObject } from '../rest/objects.js';

type Kind = 'ClusterRole' | 'ClusterRoleBinding' | 'Role' | 'RoleBinding';
const kinds: ReadonlyArray<{ kind: Kind; resource: string }> = [
  { kind: 'ClusterRole', resource: 'clusterroles' },
  { kind: 'ClusterRoleBinding', resource: 'clusterrolebindings' },
  { kind: 'Role', resource: 'roles' },
  { kind: 'RoleBinding', resource: 'rolebindings' },
];

/**
 * The RBAC objects in memory, kept current by one list + watch per kind from etcd (each replica has its
 * own). Authorization reads it synchronously. Not guaranteed: that a binding written through another
 * replica is seen at once — it arrives with the watch, usually within milliseconds.
 */
export class RbacCache {
  readonly source = new InMemoryRbacSource();
  private readonly synced = new Set<Kind>();
  private readonly ready: Promise<void>;
  private markReady: () => void = () => undefined;

  constructor(private readonly store: EtcdStore, private readonly log: Logger) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  get rbac(): RbacSource {
    return this.source;
  }

  /** Resolves once every kind has been listed. */
  waitForSync(): Promise<void> {
    return this.ready;
  }

  hasSynced(): boolean {
    return this.synced.size === kinds.length;
  }

  /** Runs until `signal` aborts, re-listing after any watch failure. */
  async start(signal: AbortSignal): Promise<void> {
    await Promise.all(kinds.map((k) => this.run(k.kind, k.resource, signal)));
  }

  private async run(kind: Kind, resource: string, signal: AbortSignal): Promise<void> {
    const prefix = collectionKeyFor({ group: 'rbac.authorization.k8s.io', resource });
    while (!signal.aborted) {
      try {
        const listed = await this.store.list<KubeObject>(prefix, { signal });
        const seen = new Set<string>();
        for (const o of listed.items) {
          this.source.put(kind, o as never);
          seen.add(`${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`);
        }
        this.synced.add(kind);
        if (this.hasSynced()) this.markReady();
        const watch = await this.store.watch<KubeObject>(prefix, { fromRevision: listed.resourceVersion, progressNotify: false, signal });
        for await (const e of watch) {
          if (e.type === 'BOOKMARK') continue;
          if (e.type === 'DELETED') this.source.delete(kind, e.object.metadata.name ?? '', e.object.metadata.namespace ?? '');
          else this.source.put(kind, e.object as never);
        }
      } catch (err) {
        if (signal.aborted) return;
        this.log.warn({ err, kind }, 'RBAC cache watch ended; re-listing');
        await sleep(1_000, signal).catch(() => undefined);
      }
    }
  }
}
