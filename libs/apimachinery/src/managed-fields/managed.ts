// Field ownership as kube-apiserver records it in metadata.managedFields (k8s.io/apimachinery's
// managedfields and structured-merge-diff's merge.Updater): who set which field, with which operation,
// and server-side apply with its conflicts.
import type { JsonObject } from '../patch/json-patch.js';
import { failure } from '../status/builders.js';
import { StatusError } from '../status/status-error.js';
import { cloneJson } from '../clone.js';
import { FieldPathError, pathString, type Path } from './path.js';
import type { TypeNode } from './schema.js';
import { FieldSet, type FieldsV1 } from './set.js';
import { compare, jsonEqual, merge, removeItems, toFieldSet } from './typed.js';

export type ManagedFieldsOperation = 'Apply' | 'Update';

/** `metav1.ManagedFieldsEntry`, with its JSON field names. */
export interface ManagedFieldsEntry {
  readonly manager?: string;
  readonly operation?: ManagedFieldsOperation;
  readonly apiVersion?: string;
  readonly time?: string;
  readonly fieldsType?: string;
  readonly fieldsV1?: FieldsV1;
  readonly subresource?: string;
}

/** One field another manager owns with a different value than the one being written. */
export interface Conflict {
  /** The owner as Kubernetes identifies it: manager, operation, apiVersion (updates only), subresource. */
  readonly owner: ManagedFieldsEntry;
  readonly path: Path;
}

export interface ManagedFieldsOptions {
  /** The type of the object (typeForKind), which decides what is a struct, a map, a keyed list. */
  readonly type: TypeNode;
  /** apiVersion recorded in the entry, e.g. `apps/v1`. */
  readonly apiVersion: string;
  /** RFC 3339 time recorded for the acting manager. */
  readonly time: string;
  /** `status` or `scale` when writing through a subresource. */
  readonly subresource?: string;
  /**
   * Fields this endpoint resets and nobody owns through it (GetResetFields): `.status` for the main
   * resource of a kind with a status subresource, `.spec` for its status subresource.
   */
  readonly ignored?: FieldSet;
}

export interface ApplyOptions extends ManagedFieldsOptions {
  /** Take over conflicting fields instead of failing. */
  readonly force?: boolean;
}

export type ApplyResult =
  | { readonly ok: true; readonly object: JsonObject; readonly managedFields: ManagedFieldsEntry[]; readonly changed: boolean }
  | { readonly ok: false; readonly conflicts: Conflict[] };

interface Owned {
  readonly owner: ManagedFieldsEntry;
  set: FieldSet;
  time?: string;
}

/** Fields nobody owns (internal/stripmeta.go): type meta and server-set metadata. */
const stripped = FieldSet.of(
  [{ field: 'apiVersion' }], [{ field: 'kind' }], [{ field: 'metadata' }],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']
    .map((f) => [{ field: 'metadata' }, { field: f }]),
);

/** BuildManagerIdentifier: the entry without time and fields; appliers without apiVersion either. */
function ownerOf(manager: string, operation: ManagedFieldsOperation, apiVersion: string, subresource: string | undefined): ManagedFieldsEntry {
  return { manager, operation, ...(operation === 'Update' ? { apiVersion } : {}), ...(subresource ? { subresource } : {}) };
}
const idOf = (o: ManagedFieldsEntry): string => JSON.stringify([o.manager ?? '', o.operation ?? '', o.operation === 'Apply' ? '' : o.apiVersion ?? '', o.subresource ?? '']);

/**
 * Reads managedFields. Entries that do not parse are dropped (kube-apiserver resets managedFields it
 * cannot decode rather than failing the write); FieldPathError is never thrown from here.
 */
export function decodeManagedFields(entries: unknown): Map<string, Owned> {
  const out = new Map<string, Owned>();
  if (!Array.isArray(entries)) return out;
  for (const e of entries as ManagedFieldsEntry[]) {
    if (typeof e !== 'object' || e === null || !e.manager && !e.operation) continue;
    let set: FieldSet;
    try {
      set = FieldSet.fromFieldsV1(e.fieldsV1 ?? {});
    } catch (err) {
      if (err instanceof FieldPathError) continue;
      throw err;
    }
    const owner = ownerOf(e.manager ?? '', e.operation ?? 'Update', e.apiVersion ?? '', e.subresource);
    const entry: Owned = { owner: { ...owner, apiVersion: e.apiVersion ?? '' }, set, ...(e.time ? { time: e.time } : {}) };
    const prev = out.get(idOf(owner));
    if (prev) prev.set = prev.set.union(set);
    else out.set(idOf(owner), entry);
  }
  return out;
}

/** DefaultMaxUpdateManagers: Update entries past this many are folded, oldest first, into `ancient-changes`. */
export const maxUpdateManagers = 10;
const ancientChanges = 'ancient-changes';

/**
 * capManagersManager: keeps at most `maxUpdateManagers` Update entries by merging the oldest into one
 * `ancient-changes` entry per apiVersion (taking the merged entry's time). Appliers are never merged.
 */
function capUpdateManagers(owned: Map<string, Owned>): void {
  const updaters = [...owned.entries()].filter(([, o]) => o.owner.operation === 'Update' && !o.set.isEmpty())
    .sort(([, a], [, b]) => Date.parse(a.time ?? '1970-01-01T00:00:00Z') - Date.parse(b.time ?? '1970-01-01T00:00:00Z'));
  let excess = updaters.length - maxUpdateManagers;
  for (const [id, o] of updaters) {
    if (excess <= 0) return;
    const bucket = ownerOf(ancientChanges, 'Update', o.owner.apiVersion ?? '', undefined);
    const bucketId = idOf(bucket);
    if (id === bucketId) continue;
    const existing = owned.get(bucketId);
    owned.delete(id);
    if (existing) {
      existing.set = existing.set.union(o.set);
      if (o.time) existing.time = o.time;
      excess--;
    } else {
      owned.set(bucketId, { owner: { ...bucket, apiVersion: o.owner.apiVersion ?? '' }, set: o.set, ...(o.time ? { time: o.time } : {}) });
    }
  }
}

/** managedFields in Kubernetes' order: by operation (Apply first), time, manager, apiVersion, subresource. */
export function encodeManagedFields(owned: Map<string, Owned>): ManagedFieldsEntry[] {
  capUpdateManagers(owned);
  const entries = [...owned.values()].filter((o) => !o.set.isEmpty()).map((o): ManagedFieldsEntry => ({
    manager: o.owner.manager ?? '',
    operation: o.owner.operation ?? 'Update',
    apiVersion: o.owner.apiVersion ?? '',
    ...(o.time ? { time: o.time } : {}),
    fieldsType: 'FieldsV1',
    fieldsV1: o.set.toFieldsV1(),
    ...(o.owner.subresource ? { subresource: o.owner.subresource } : {}),
  }));
  const seconds = (t: string | undefined): number => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return entries.sort((p, q) => cmp(p.operation!, q.operation!) || seconds(p.time) - seconds(q.time) || cmp(p.manager!, q.manager!)
    || cmp(p.apiVersion!, q.apiVersion!) || cmp(p.subresource ?? '', q.subresource ?? ''));
}

/** The object without managedFields, as the merge and diff walks see it (a copy the walks may change). */
function withoutManagedFields(obj: JsonObject | undefined): JsonObject {
  const out = cloneJson(obj ?? {});
  const meta = out['metadata'];
  if (meta && typeof meta === 'object' && !Array.isArray(meta)) delete meta['managedFields'];
  return out;
}

/**
 * The object without managedFields for walks that only read it (compare, jsonEqual): a shallow view that
 * shares everything but the top level and metadata with `obj`, so it must not be changed.
 */
function readOnlyWithoutManagedFields(obj: JsonObject | undefined): JsonObject {
  if (!obj) return {};
  const meta = obj['metadata'];
  if (!meta || typeof meta !== 'object' || Array.isArray(meta) || !Object.hasOwn(meta, 'managedFields')) return obj;
  const { managedFields: _managedFields, ...rest } = meta;
  return { ...obj, metadata: rest };
}

const owns = (set: FieldSet, opts: ManagedFieldsOptions): FieldSet => {
  const s = set.difference(stripped);
  return opts.ignored ? s.recursiveDifference(opts.ignored) : s;
};

/**
 * Records a non-apply write (create, update, patch) of `next` over `old` (undefined for a create):
 * every field it added or changed is owned by `manager` (operation Update) and no longer by anyone
 * else; fields it removed are owned by nobody. Never conflicts.
 */
export function update(old: JsonObject | undefined, next: JsonObject, manager: string, managedFields: unknown, opts: ManagedFieldsOptions): ManagedFieldsEntry[] {
  const owned = decodeManagedFields(managedFields);
  // Only read below: no copies of the objects are needed.
  const before = readOnlyWithoutManagedFields(old);
  const after = readOnlyWithoutManagedFields(next);
  const diff = compare(before, after, opts.type);
  // The set operations below copy whole trees; the empty ones (every create: nothing modified or removed,
  // nobody owning anything yet) are skipped, which leaves the result as it is (owns is idempotent).
  const changed = owns(diff.modified.isEmpty() ? diff.added : diff.modified.union(diff.added), opts);
  const removed = owns(diff.removed, opts);
  const self = ownerOf(manager, 'Update', opts.apiVersion, opts.subresource);
  const selfId = idOf(self);
  const dropRemoved = !removed.isEmpty();
  for (const [id, o] of owned) {
    if (id === selfId) continue;
    o.set = o.set.difference(changed);
    if (dropRemoved) o.set = o.set.difference(removed);
  }
  const mine = owned.get(selfId);
  const set = mine ? owns((dropRemoved ? mine.set.difference(removed) : mine.set).union(changed), opts) : changed;
  const touched = !mine || !jsonEqual(before, after);
  owned.set(selfId, { owner: { ...self, apiVersion: opts.apiVersion }, set, ...(touched ? { time: opts.time } : mine.time ? { time: mine.time } : {}) });
  return encodeManagedFields(owned);
}

/**
 * Server-side apply of the configuration `applied` by `manager` onto `live` (undefined when the object
 * does not exist yet). The fields `applied` sets become the manager's (operation Apply); fields it applied
 * last time and no longer does are removed unless another manager owns them; a field another manager owns
 * is a conflict when this apply changes its value, unless `force`, which takes it over.
 */
export function apply(live: JsonObject | undefined, applied: JsonObject, manager: string, managedFields: unknown, opts: ApplyOptions): ApplyResult {
  const owned = decodeManagedFields(managedFields);
  const before = withoutManagedFields(live);
  const config = withoutManagedFields(applied);
  const merged = (merge(before, config, opts.type) ?? {}) as JsonObject;
  const self = ownerOf(manager, 'Apply', opts.apiVersion, opts.subresource);
  const selfId = idOf(self);
  const last = owned.get(selfId);
  const set = owns(toFieldSet(config, opts.type), opts);
  if (last) {
    // Prune: what this manager applied last time, no longer applies, and nobody else owns.
    let gone = last.set.difference(set);
    for (const [id, o] of owned) if (id !== selfId) gone = gone.difference(o.set);
    removeItems(merged, withoutParentsOfOwned(gone, [set, ...[...owned].filter(([id]) => id !== selfId).map(([, o]) => o.set)]), opts.type);
  }
  const diff = compare(before, merged, opts.type);
  const notIgnored = (set: FieldSet): FieldSet => (opts.ignored ? set.recursiveDifference(opts.ignored) : set);
  const changed = notIgnored(diff.modified.union(diff.added));
  const removed = notIgnored(diff.removed);
  const conflicts: Conflict[] = [];
  for (const [id, o] of owned) {
    if (id === selfId) continue;
    for (const path of o.set.intersection(changed).paths()) conflicts.push({ owner: o.owner, path });
  }
  if (conflicts.length > 0 && !opts.force) return { ok: false, conflicts };
  for (const [id, o] of owned) {
    if (id === selfId) continue;
    o.set = o.set.difference(changed).difference(removed);
  }
  const isChanged = !jsonEqual(before, merged);
  const time = isChanged || !last?.time ? opts.time : last.time;
  owned.set(selfId, { owner: { ...self, apiVersion: opts.apiVersion }, set, time });
  return { ok: true, object: merged, managedFields: encodeManagedFields(owned), changed: isChanged };
}

/**
 * Drops from `gone` every path that is a parent of a path someone still owns: a set may name a map or list
 * itself (`f:labels: {".": {}}`, as kubectl's client-side-apply upgrade writes it) while the new apply names
 * only its members; removing the parent would take the owned members with it (structured-merge-diff adds
 * such items back after pruning).
 */
function withoutParentsOfOwned(gone: FieldSet, kept: readonly FieldSet[]): FieldSet {
  const prefixes = new Set<string>();
  for (const s of kept) {
    for (const path of s.paths()) for (let n = 1; n < path.length; n++) prefixes.add(pathString(path.slice(0, n)));
  }
  return FieldSet.of(...gone.paths().filter((p) => !prefixes.has(pathString(p))));
}

/** printManager: `"kubectl"`, `"kubectl-client-side-apply" using apps/v1`, `"x" with subresource "scale" using apps/v1`. */
function printOwner(o: ManagedFieldsEntry): string {
  let s = JSON.stringify(o.manager ?? '');
  if (o.subresource) s += ` with subresource ${JSON.stringify(o.subresource)}`;
  return o.operation === 'Update' ? `${s} using ${o.apiVersion ?? ''}` : s;
}

/** The message of an apply conflict, worded as internal/conflict.go words it. */
export function conflictMessage(conflicts: readonly Conflict[]): string {
  if (conflicts.length === 1) return `Apply failed with 1 conflict: conflict with ${printOwner(conflicts[0]!.owner)}: ${pathString(conflicts[0]!.path)}`;
  const byOwner = new Map<string, { owner: ManagedFieldsEntry; paths: Path[] }>();
  for (const c of conflicts) {
    const id = idOf(c.owner);
    const group = byOwner.get(id) ?? { owner: c.owner, paths: [] };
    group.paths.push(c.path);
    byOwner.set(id, group);
  }
  const lines: string[] = [];
  for (const id of [...byOwner.keys()].sort()) {
    const { owner, paths } = byOwner.get(id)!;
    lines.push(`conflicts with ${printOwner(owner)}:`, ...paths.map((p) => `- ${pathString(p)}`));
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** 409 Conflict with one FieldManagerConflict cause per field (errors.NewApplyConflict). Not retryable: the caller must force or drop the field. */
export class ApplyConflictError extends StatusError {
  override readonly name = 'ApplyConflictError';
  constructor(readonly conflicts: readonly Conflict[]) {
    super(failure(409, 'Conflict', conflictMessage(conflicts), {
      causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printOwner(c.owner)}`, field: pathString(c.path) })),
    }));
  }
  override readonly retryable = false;
}

