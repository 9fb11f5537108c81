import type { EtcdStore } from '@ekslab/storage';
import type { ResourceInfo } from '../resources.js';
import type { KubeObject } from '../rest/objects.js';

/** What the request does, spelled as admission.Attributes.GetOperation() spells it. */
export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

/**
 * One write as admission plugins see it (k8s.io/apiserver admission.Attributes). Plugins run after
 * defaulting and before the write; they may mutate `object` and reject by throwing an ApiStatusError.
 */
export interface AdmissionRequest {
  readonly operation: Operation;
  readonly info: ResourceInfo;
  readonly namespace?: string;
  readonly name: string;
  readonly subresource?: string;
  /** The object about to be stored (after defaulting, mutable); for DELETE the object as it was removed. */
  readonly object: KubeObject;
  /** The stored object an UPDATE replaces. */
  readonly oldObject?: KubeObject;
  /**
   * The body as the client sent it, before defaulting, when the registry has it: plugins that must tell
   * "unset" from "defaulted" (Priority's `spec.priority`) read it. Absent for writes built server-side.
   */
  readonly input?: Readonly<Record<string, unknown>>;
  readonly dryRun: boolean;
  readonly store: EtcdStore;
  /**
   * The watch cache, for lookups kube-apiserver's plugins make through informer listers; absent when the
   * process has none (then plugins read `store`).
   */
  readonly cached?: CachedReads;
  readonly signal: AbortSignal;
}

/** Reads answered from the watch cache: possibly a little stale, never a round trip to etcd. */
export interface CachedReads {
  /** The object at a storage key: `null` when the cache knows it is absent, `undefined` when it cannot say (not synced). */
  get(key: string): KubeObject | null | undefined;
  /** The objects under a prefix ending in `/`; `undefined` when the cache cannot say. Never mutate them. */
  list(prefix: string): readonly KubeObject[] | undefined;
}

/**
 * The side effects of one admitted write (allocations), settled by the registry once it knows whether the
 * write reached etcd: `commit` after it did (releases what the old object held), `revert` when it did not
 * (releases what was allocated for it). Both are idempotent and never throw; they use their own deadline,
 * because the request's signal may already be aborted.
 */
export interface AdmissionOutcome {
  commit(): Promise<void>;
  revert(): Promise<void>;
}

/** One plugin. `admit` runs on CREATE and UPDATE; `deleted` after an object is gone from storage. */
export interface AdmissionPlugin {
  readonly name: string;
  admit?(req: AdmissionRequest): Promise<AdmissionOutcome | void>;
  deleted?(req: AdmissionRequest): Promise<void>;
}

/** The hook the Registry calls (see rest/registry.ts). */
export interface Admission {
  admit(req: AdmissionRequest): Promise<AdmissionOutcome>;
  deleted(req: AdmissionRequest): Promise<void>;
}

export const noOutcome: AdmissionOutcome = { commit: () => Promise.resolve(), revert: () => Promise.resolve() };
