// The status conditions kube's namespace controller maintains on a Terminating namespace
// (pkg/controller/namespace/deletion/status_condition_utils.go): each type is False with an "ok" reason
// unless this pass found a problem of that type.

export type NamespaceConditionType =
  | 'NamespaceDeletionDiscoveryFailure'
  | 'NamespaceDeletionGroupVersionParsingFailure'
  | 'NamespaceDeletionContentFailure'
  | 'NamespaceContentRemaining'
  | 'NamespaceFinalizersRemaining';

export interface NamespaceCondition {
  type: NamespaceConditionType;
  status: 'True' | 'False';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** In kube's order (the order conditions are first added to a namespace's status). */
export const conditionTypes: readonly NamespaceConditionType[] = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
];

const ok: Record<NamespaceConditionType, { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
};

/** What one deletion pass found, from which the failing conditions are derived. */
export interface PassOutcome {
  /** Discovery failed (partly or wholly). */
  discoveryError?: string;
  /** Errors deleting content, one per resource. */
  contentErrors: readonly string[];
  /** `<resource>.<group>` → objects left. */
  remaining: ReadonlyMap<string, number>;
  /** finalizer → objects still carrying it. */
  finalizers: ReadonlyMap<string, number>;
}

type Failing = Omit<NamespaceCondition, 'lastTransitionTime' | 'status'>;

/** The conditions of this pass that are True, with kube's reasons and messages. */
export function failingConditions(outcome: PassOutcome): Failing[] {
  const out: Failing[] = [];
  if (outcome.discoveryError !== undefined) {
    out.push({ type: 'NamespaceDeletionDiscoveryFailure', reason: 'DiscoveryFailed', message: outcome.discoveryError });
  }
  if (outcome.contentErrors.length > 0) {
    const msgs = [...outcome.contentErrors].sort();
    out.push({ type: 'NamespaceDeletionContentFailure', reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(', ')}` });
  }
  const remaining = [...outcome.remaining].filter(([, n]) => n > 0).map(([gr, n]) => `${gr} has ${n} resource instances`).sort();
  if (outcome.remaining.size > 0) {
    out.push({ type: 'NamespaceContentRemaining', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${remaining.join(', ')}` });
  }
  const byFinalizer = [...outcome.finalizers].filter(([, n]) => n > 0).map(([f, n]) => `${f} in ${n} resource instances`).sort();
  if (outcome.finalizers.size > 0) {
    out.push({ type: 'NamespaceFinalizersRemaining', reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${byFinalizer.join(', ')}` });
  }
  return out;
}

/**
 * The namespace's conditions after this pass: every maintained type present, True for the failing ones
 * and False ("ok") otherwise. lastTransitionTime moves only when a condition's status flips; other
 * conditions in `current` are kept. `changed` is false when nothing would be written.
 */
export function updateConditions(current: readonly NamespaceCondition[], failing: readonly Failing[], now: string): { conditions: NamespaceCondition[]; changed: boolean } {
  const conditions = current.map((c) => ({ ...c }));
  let changed = false;
  for (const type of conditionTypes) {
    const f = failing.find((c) => c.type === type);
    const wanted: NamespaceCondition = f ? { ...f, status: 'True', lastTransitionTime: now } : { type, status: 'False', lastTransitionTime: now, ...ok[type] };
    const old = conditions.find((c) => c.type === type);
    if (!old) {
      conditions.push(wanted);
      changed = true;
    } else if (old.status !== wanted.status || old.reason !== wanted.reason || old.message !== wanted.message) {
      if (old.status !== wanted.status) old.lastTransitionTime = now;
      old.status = wanted.status;
      old.reason = wanted.reason;
      old.message = wanted.message;
      changed = true;
    }
  }
  return { conditions, changed };
}
