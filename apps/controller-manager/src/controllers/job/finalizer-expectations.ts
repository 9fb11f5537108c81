/**
 * kube's uidTrackingExpectations for the job-tracking finalizer: the pods (by uid) whose finalizer the
 * controller asked to remove and has not yet seen removed. A sync treats them as counted already, so a
 * pod is never counted twice while its update is on the way.
 */
export class FinalizerExpectations {
  private readonly byJob = new Map<string, Set<string>>();

  expected(jobKey: string): ReadonlySet<string> {
    return this.byJob.get(jobKey) ?? new Set();
  }

  expectRemoved(jobKey: string, uids: readonly string[]): void {
    const set = this.byJob.get(jobKey) ?? new Set<string>();
    for (const uid of uids) set.add(uid);
    this.byJob.set(jobKey, set);
  }

  /** The pod was seen without the finalizer, or gone, or the removal failed. */
  observed(jobKey: string, uid: string): void {
    const set = this.byJob.get(jobKey);
    if (!set) return;
    set.delete(uid);
    if (set.size === 0) this.byJob.delete(jobKey);
  }

  delete(jobKey: string): void {
    this.byJob.delete(jobKey);
  }
}
