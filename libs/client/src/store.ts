import { objectKey } from './types.js';
import type { KubeObject } from './types.js';

/** Computes the index values of an object (client-go's IndexFunc); [] = not indexed. */
export type IndexFunc<T extends KubeObject> = (obj: T) => string[];

/** The built-in index: objects by metadata.namespace ("" for cluster-scoped). */
export const NAMESPACE_INDEX = 'namespace';
export const namespaceIndexFunc: IndexFunc<KubeObject> = (obj) => [obj.metadata.namespace ?? ''];

/**
 * Read-only view of an informer's cache (client-go's Indexer as a lister sees it). Objects are
 * the cache's own: never mutate them — copy (structuredClone) before changing and updating.
 */
export interface CacheReader<T extends KubeObject> {
  get(key: string): T | undefined;
  list(): T[];
  keys(): string[];
  /** Objects whose index `indexName` has `value`. Throws if no such index is registered. */
  byIndex(indexName: string, value: string): T[];
  /** The values an index currently holds. */
  indexValues(indexName: string): string[];
}

/**
 * The cache keyed `namespace/name` with secondary indexes (client-go's threadSafeMap + indexers).
 * JavaScript is single-threaded, so "thread-safe" here means every method is synchronous and
 * leaves indexes consistent with the items before it returns.
 */
export class Store<T extends KubeObject> implements CacheReader<T> {
  private readonly items = new Map<string, T>();
  private readonly indexFuncs = new Map<string, IndexFunc<T>>();
  /** index name → value → keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: namespaceIndexFunc, ...indexers });
  }

  /** Registers indexes, indexing the objects already stored. A name already registered throws. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexFuncs.has(name)) throw new Error(`indexer "${name}" already exists`);
      this.indexFuncs.set(name, fn);
      this.indices.set(name, new Map());
      for (const [key, obj] of this.items) this.indexOne(name, fn, key, obj);
    }
  }

  /** Stores the object under its key; returns the object it replaced. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexFuncs) this.indexOne(name, fn, key, obj);
    return old;
  }

  /** Removes the key; returns the object it held. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  byIndex(indexName: string, value: string): T[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    return [...(index.get(value) ?? [])].map((key) => this.items.get(key) as T);
  }

  indexValues(indexName: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    return [...index.keys()];
  }

  private indexOne(name: string, fn: IndexFunc<T>, key: string, obj: T): void {
    const index = this.indices.get(name) as Map<string, Set<string>>;
    for (const value of new Set(fn(obj))) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexFuncs) {
      const index = this.indices.get(name) as Map<string, Set<string>>;
      for (const value of new Set(fn(obj))) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}
