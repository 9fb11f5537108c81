import { isConflict, isNotFound, type KubeObject } from '@ekslab/client';
import type { GroupVersionResource } from '@ekslab/proto';
import type { Clock } from '@ekslab/runtime';
import type { ContentApi, DiscoveredResource, Namespace, NamespaceApi } from './api.js';
import { failingConditions, updateConditions } from './conditions.js';

/** The finalizer the namespace controller owns in spec.finalizers (kube's FinalizerKubernetes). */
export const FINALIZER_KUBERNETES = 'kubernetes';
/** kube assumes objects held by finalizers take this long to go (finalizerEstimateSeconds). */
export const FINALIZER_ESTIMATE_SECONDS = 15;

/** Content is still going away; look again in about `estimateSeconds` (kube's ResourcesRemainingError). */
export interface Remaining {
  readonly estimateSeconds: number;
}

/** One or more resources could not be emptied; the pass is retried with backoff. */
export class ContentDeletionError extends Error {
  override readonly name = 'ContentDeletionError';
  readonly retryable = true;
  constructor(readonly errors: readonly Error[]) {
    super(errors.map((e) => e.message).join('; '), { cause: errors[0] });
  }
}

interface GvrOutcome {
  estimateSeconds: number;
  remaining: number;
  finalizers: Map<string, number>;
}

const gvrString = (g: GroupVersionResource): string => `${g.group ? `${g.group}/` : ''}${g.version}, Resource=${g.resource}`;
const isPods = (g: GroupVersionResource): boolean => g.group === '' && g.resource === 'pods';

/**
 * Empties a Terminating namespace and then removes the `kubernetes` finalizer from it, as kube's
 * namespacedResourcesDeleter does: every namespaced resource that discovery says supports `delete`
 * is deleted (deletecollection where supported, else one by one) with propagationPolicy Background,
 * then listed again; what remains (pods in their grace period, objects held by finalizers) makes the
 * pass return an estimate to wait for, and is reported in the namespace's status conditions.
 *
 * Level-based: every pass reads the namespace and the content afresh, so a pass repeated by another
 * leader, or after a crash, converges the same way.
 */
export class NamespacedResourcesDeleter {
  constructor(
    private readonly namespaces: NamespaceApi,
    private readonly content: ContentApi,
    private readonly clock: Clock,
  ) {}

  /** Resolves undefined when done (or nothing to do), Remaining when content is still going away. */
  async delete(name: string, signal: AbortSignal): Promise<Remaining | undefined> {
    let ns: Namespace;
    try {
      ns = await this.namespaces.get(name, signal);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    if (!ns.metadata.deletionTimestamp) return undefined;
    const current = await this.ensureTerminating(ns, signal);
    if (!current?.metadata.deletionTimestamp) return undefined;
    // kube stops when spec.finalizers is empty; stopping once ours is gone spares passes while another
    // finalizer's owner works (that owner empties what it needs to).
    if (!(current.spec?.finalizers ?? []).includes(FINALIZER_KUBERNETES)) return undefined;

    const estimate = await this.deleteAllContent(current, signal);
    if (estimate > 0) return { estimateSeconds: estimate };
    await this.retryOnConflict(current, signal, (n) => this.finalize(n, signal));
    return undefined;
  }

  private async ensureTerminating(ns: Namespace, signal: AbortSignal): Promise<Namespace | undefined> {
    return this.retryOnConflict(ns, signal, async (n) => {
      if (n.status?.phase === 'Terminating') return n;
      return this.namespaces.updateStatus({ ...n, status: { ...n.status, phase: 'Terminating' } }, signal);
    });
  }

  private async finalize(ns: Namespace, signal: AbortSignal): Promise<Namespace> {
    const finalizers = [...new Set((ns.spec?.finalizers ?? []).filter((f) => f !== FINALIZER_KUBERNETES))].sort();
    return this.namespaces.finalize({ ...ns, spec: { ...ns.spec, finalizers } }, signal);
  }

  /** Runs `fn`, re-reading the namespace after each 409 Conflict; undefined once the namespace is gone. */
  private async retryOnConflict(ns: Namespace, signal: AbortSignal, fn: (ns: Namespace) => Promise<Namespace>): Promise<Namespace | undefined> {
    let latest = ns;
    for (;;) {
      try {
        return await fn(latest);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        if (!isConflict(err)) throw err;
      }
      const prev = latest;
      try {
        latest = await this.namespaces.get(ns.metadata.name ?? '', signal);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
      if (latest.metadata.uid !== prev.metadata.uid) throw new Error('namespace uid has changed across retries');
    }
  }

  /** One pass over all content; returns the estimate (s) to wait, or throws when some resource failed. */
  private async deleteAllContent(ns: Namespace, signal: AbortSignal): Promise<number> {
    const name = ns.metadata.name ?? '';
    const deletedAt = Date.parse(ns.metadata.deletionTimestamp ?? '');
    const errors: Error[] = [];
    let discoveryError: string | undefined;
    let resources: DiscoveredResource[] = [];
    try {
      const found = await this.content.discover(signal);
      resources = found.resources;
      if (found.error) {
        errors.push(found.error);
        discoveryError = found.error.message;
      }
    } catch (err) {
      if (signal.aborted) throw err;
      errors.push(err as Error);
      discoveryError = (err as Error).message;
    }
    const contentErrors: string[] = [];
    const remaining = new Map<string, number>();
    const finalizers = new Map<string, number>();
    let estimate = 0;
    for (const r of resources.filter((x) => x.verbs.includes('delete'))) {
      try {
        const out = await this.deleteAllOf(r, name, deletedAt, signal);
        estimate = Math.max(estimate, out.estimateSeconds);
        if (out.remaining > 0) {
          remaining.set(`${r.gvr.resource}.${r.gvr.group}`, out.remaining);
          for (const [f, n] of out.finalizers) finalizers.set(f, (finalizers.get(f) ?? 0) + n);
        }
      } catch (err) {
        if (signal.aborted) throw err;
        errors.push(err as Error);
        contentErrors.push((err as Error).message);
      }
    }
    const { conditions, changed } = updateConditions(ns.status?.conditions ?? [], failingConditions({
      ...(discoveryError !== undefined ? { discoveryError } : {}), contentErrors, remaining, finalizers,
    }), new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    if (changed) {
      // As kube: a failed condition update does not fail the pass (the next pass writes them again).
      await this.namespaces.updateStatus({ ...ns, status: { ...ns.status, conditions } }, signal).catch((err: unknown) => {
        if (signal.aborted) throw err;
      });
    }
    if (errors.length > 0) throw new ContentDeletionError(errors);
    return estimate;
  }

  private async deleteAllOf(r: DiscoveredResource, namespace: string, deletedAt: number, signal: AbortSignal): Promise<GvrOutcome> {
    const listable = r.verbs.includes('list');
    let estimate = 0;
    if (isPods(r.gvr)) estimate = this.podEstimate(await this.content.list(r.gvr, namespace, signal), deletedAt);
    const collected = r.verbs.includes('deletecollection') && (await this.content.deleteCollection(r.gvr, namespace, signal));
    if (!collected && listable) {
      for (const item of await this.content.list(r.gvr, namespace, signal)) await this.content.delete(r.gvr, namespace, item.metadata.name ?? '', signal);
    }
    if (!listable) return { estimateSeconds: estimate, remaining: 0, finalizers: new Map() };
    const left = await this.content.list(r.gvr, namespace, signal);
    if (left.length === 0) return { estimateSeconds: 0, remaining: 0, finalizers: new Map() };
    const finalizers = new Map<string, number>();
    for (const item of left) for (const f of item.metadata.finalizers as string[] | undefined ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
    if (estimate > 0) return { estimateSeconds: estimate, remaining: left.length, finalizers };
    if (finalizers.size > 0) return { estimateSeconds: FINALIZER_ESTIMATE_SECONDS, remaining: left.length, finalizers };
    throw new Error(`unexpected items still remain in namespace: ${namespace} for gvr: ${gvrString(r.gvr)}`);
  }

  /**
   * The longest terminationGracePeriodSeconds of the namespace's running pods, or 0 once that long has
   * passed since the namespace's deletion began (kube's estimateGracefulTerminationForPods).
   */
  private podEstimate(pods: readonly KubeObject[], deletedAt: number): number {
    let estimate = 0;
    for (const pod of pods) {
      const phase = (pod as { status?: { phase?: string } }).status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      const grace = (pod as { spec?: { terminationGracePeriodSeconds?: number } }).spec?.terminationGracePeriodSeconds;
      if (typeof grace === 'number' && grace > estimate) estimate = grace;
    }
    const elapsed = Number.isNaN(deletedAt) ? 0 : this.clock.now() - deletedAt;
    return elapsed >= estimate * 1000 ? 0 : estimate;
  }
}
