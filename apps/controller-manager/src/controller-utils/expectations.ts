import type { Clock } from '@ekslab/runtime';

/** kube's ExpectationsTimeout: an expectation older than this counts as satisfied (a missed watch event must not wedge a controller). */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Expectation {
  add: number;
  del: number;
  at: number;
  /** Keys (namespace/name) of the pods whose deletion is expected (UIDTrackingControllerExpectations). */
  deleting: Set<string>;
}

/**
 * kube's (UIDTracking)ControllerExpectations: the creations and deletions a controller has asked for and not
 * yet seen in its informer. A controller syncs a key only when its expectations are satisfied, so it never acts
 * twice on the same stale cache (no duplicate pods after a burst of creates). Deletions are tracked by pod key,
 * so a pod's delete event counts once even when it is seen twice (graceful delete, then the final one).
 */
export class ControllerExpectations {
  private readonly byKey = new Map<string, Expectation>();

  constructor(private readonly clock: Clock, private readonly timeoutMs = EXPECTATIONS_TIMEOUT_MS) {}

  /** True when nothing is pending for `key`: no record, all observed, or the record timed out. */
  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.clock.now() - e.at > this.timeoutMs;
  }

  expectCreations(key: string, n: number): void {
    this.byKey.set(key, { add: n, del: 0, at: this.clock.now(), deleting: new Set() });
  }

  /** Expects these pods (namespace/name keys) to be deleted. */
  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.byKey.set(key, { add: 0, del: podKeys.length, at: this.clock.now(), deleting: new Set(podKeys) });
  }

  /** Expects `creations` pods to appear and these pods (namespace/name keys) to go, at once (SetExpectations). */
  expect(key: string, creations: number, podKeys: readonly string[]): void {
    this.byKey.set(key, { add: creations, del: podKeys.length, at: this.clock.now(), deleting: new Set(podKeys) });
  }

  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e) e.add -= 1;
  }

  /** A pod was deleted (or its deletion failed and will not happen): counted once per pod key. */
  deletionObserved(key: string, podKey: string): void {
    const e = this.byKey.get(key);
    if (e?.deleting.delete(podKey)) e.del -= 1;
  }

  /** Creations that failed (they will never be observed). */
  lowerCreations(key: string, n: number): void {
    const e = this.byKey.get(key);
    if (e) e.add -= n;
  }

  /** Forgets the key (its owner was deleted). */
  delete(key: string): void {
    this.byKey.delete(key);
  }

  /** For logs and tests: what is still pending. */
  pending(key: string): { add: number; del: number } | undefined {
    const e = this.byKey.get(key);
    return e ? { add: e.add, del: e.del } : undefined;
  }
}
