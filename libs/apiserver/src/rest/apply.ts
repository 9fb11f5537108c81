// Field managers and server-side apply for the REST and gRPC pipelines: every write records who set
// which field in metadata.managedFields (operation Update), and `application/apply-patch+yaml` is a real
// apply (operation Apply) with ownership, pruning and 409 conflicts (see @ekslab/apimachinery).
import {
  apply, ApplyConflictError, fieldForbidden, fieldInvalid, fieldRequired, fieldTooLong, FieldSet, newInvalid, StatusError, typeForKind, update,
  type FieldError, type JsonObject,
} from '@ekslab/apimachinery';
import { failure } from '../http/status.js';
import { apiVersionOf, type ResourceInfo } from '../resources.js';
import { timestamp, type KubeObject } from './objects.js';

/** metav1's FieldManagerMaxLength. */
const maxFieldManagerLength = 128;

/** Who writes: the manager recorded in managedFields for a non-apply write. */
export interface FieldManager {
  readonly name: string;
  /** The subresource written through when the registry is handed the main object (`scale`). */
  readonly subresource?: string;
}

type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

function invalidOptions(kind: OptionsKind, errs: FieldError[]): StatusError {
  return new StatusError(newInvalid({ group: 'meta.k8s.io', kind }, '', errs));
}

/** ValidateFieldManager: at most 128 bytes, printable characters only. */
function fieldManagerErrors(manager: string): FieldError[] {
  const errs: FieldError[] = [];
  if (Buffer.byteLength(manager) > maxFieldManagerLength) errs.push(fieldTooLong('fieldManager', maxFieldManagerLength));
  let at = 0;
  for (const ch of manager) {
    if (/\p{C}/u.test(ch)) errs.push(fieldInvalid('fieldManager', manager, `invalid character U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} (at position ${at})`));
    at += Buffer.byteLength(ch);
  }
  return errs;
}

/**
 * The manager of a write: the `fieldManager` option, else the User-Agent up to its first `/` (as
 * kube-apiserver derives it: `kubectl/v1.33.0 (linux/amd64) …` → `kubectl`). A bad explicit one is 422.
 */
export function fieldManagerOf(kind: 'CreateOptions' | 'UpdateOptions', explicit: string | null | undefined, userAgent: string | undefined): FieldManager {
  if (explicit) {
    const errs = fieldManagerErrors(explicit);
    if (errs.length > 0) throw invalidOptions(kind, errs);
    return { name: explicit };
  }
  const prefix = (userAgent ?? '').split('/')[0] ?? '';
  return { name: [...prefix].filter((c) => !/\p{C}/u.test(c)).join('').slice(0, maxFieldManagerLength) };
}

export interface PatchManager {
  readonly manager: FieldManager;
  /** Apply only: take over conflicting fields. */
  readonly force: boolean;
}

/**
 * ValidatePatchOptions: apply needs a `fieldManager` (422 `fieldManager: Required value: is required for
 * apply patch`), `force` is for apply only (422 `force: Forbidden: may not be specified for non-apply patch`).
 */
export function patchManagerOf(isApply: boolean, explicit: string | null | undefined, force: boolean | undefined, userAgent: string | undefined): PatchManager {
  const errs: FieldError[] = [];
  if (!isApply && force !== undefined) errs.push(fieldForbidden('force', 'may not be specified for non-apply patch'));
  if (isApply && !explicit) errs.push(fieldRequired('fieldManager', 'is required for apply patch'));
  if (explicit) errs.push(...fieldManagerErrors(explicit));
  if (errs.length > 0) throw invalidOptions('PatchOptions', errs);
  return { manager: fieldManagerOf('UpdateOptions', explicit, userAgent), force: force ?? false };
}

/** The `force` query parameter: absent, `true` or `false` (strconv.ParseBool's spellings). */
export function forceParam(query: URLSearchParams): boolean | undefined {
  const v = query.get('force');
  if (v === null) return undefined;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False', ''].includes(v)) return false;
  throw failure(400, 'BadRequest', `strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

interface Endpoint {
  readonly info: ResourceInfo;
  readonly subresource?: string | undefined;
}

/** GetResetFields: what a write through this endpoint never owns (status on the main resource, spec on /status). */
function ignoredFields(e: Endpoint): FieldSet | undefined {
  if (e.subresource === 'status') return FieldSet.of([{ field: 'spec' }]);
  if (!e.subresource && e.info.subresources?.['status']) return FieldSet.of([{ field: 'status' }]);
  return undefined;
}

const optionsFor = (e: Endpoint, now: number) => {
  const ignored = ignoredFields(e);
  return {
    type: typeForKind(e.info.group, e.info.kind), apiVersion: apiVersionOf(e.info), time: timestamp(now),
    ...(e.subresource ? { subresource: e.subresource } : {}), ...(ignored ? { ignored } : {}),
  };
};

/** `managedFields: [{}]` from a client clears managedFields (as kube-apiserver allows). */
const isReset = (mf: unknown): boolean => Array.isArray(mf) && mf.length === 1 && typeof mf[0] === 'object' && mf[0] !== null && Object.keys(mf[0] as object).length === 0;

/**
 * Sets `next.metadata.managedFields` for a non-apply write of `next` over `old` (undefined: a create).
 * managedFields the client sent are used when present (so it can rewrite them); otherwise the stored ones.
 */
export function recordUpdate(e: Endpoint, old: KubeObject | undefined, next: KubeObject, manager: FieldManager, now: number): void {
  const given = next.metadata.managedFields;
  if (isReset(given)) {
    delete next.metadata.managedFields;
    return;
  }
  const base = Array.isArray(given) && given.length > 0 ? given : old?.metadata.managedFields;
  const endpoint = manager.subresource ? { ...e, subresource: manager.subresource } : e;
  const mf = update(old as unknown as JsonObject | undefined, next as unknown as JsonObject, manager.name, base, optionsFor(endpoint, now));
  if (mf.length > 0) next.metadata.managedFields = mf;
  else delete next.metadata.managedFields;
}

/**
 * Server-side apply of `config` by `manager` over `current` (undefined when the object does not exist
 * yet). Returns the object to store, managedFields included. 400 for an apply configuration of another
 * apiVersion or one carrying managedFields; 409 (ApplyConflictError) for conflicts unless `force`.
 */
export function applyConfiguration(e: Endpoint, current: KubeObject | undefined, config: Record<string, unknown>, pm: PatchManager, now: number): KubeObject {
  const want = apiVersionOf(e.info);
  const version = typeof config['apiVersion'] === 'string' ? config['apiVersion'] : '';
  if (version !== want) {
    throw failure(400, 'BadRequest', `Incorrect version specified in apply patch. Specified patch version: ${version}, expected: ${want}`);
  }
  const meta = config['metadata'];
  if (meta && typeof meta === 'object' && (meta as Record<string, unknown>)['managedFields'] !== undefined) {
    throw failure(400, 'BadRequest', 'metadata.managedFields must be nil');
  }
  const result = apply(current as unknown as JsonObject | undefined, config as JsonObject, pm.manager.name, current?.metadata.managedFields, { ...optionsFor(e, now), force: pm.force });
  if (!result.ok) throw new ApplyConflictError(result.conflicts);
  const obj = result.object as unknown as KubeObject;
  obj.metadata ??= {};
  const annotationSynced = syncLastApplied(obj, current, config, pm.manager.name);
  // A no-op apply leaves the stored object byte for byte as it is, so nothing is written.
  if (current && !result.changed && !annotationSynced && JSON.stringify(result.managedFields) === JSON.stringify(current.metadata.managedFields ?? [])) return current;
  if (result.managedFields.length > 0) obj.metadata.managedFields = result.managedFields;
  else delete obj.metadata.managedFields;
  return obj;
}

const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

/** JSON with sorted object keys and Go's trailing newline, as runtime.Encode writes an unstructured object. */
function goJson(v: unknown): string {
  const sort = (x: unknown): unknown => (Array.isArray(x) ? x.map(sort)
    : x !== null && typeof x === 'object' ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])])) : x);
  return `${JSON.stringify(sort(v))}\n`;
}

/**
 * lastAppliedUpdater: when the manager is `kubectl` and the stored object carries a client-side apply
 * annotation, the annotation is rewritten to this apply's configuration, so a later client-side apply
 * diffs against what was really applied. Returns true when it changed the annotation.
 */
function syncLastApplied(obj: KubeObject, current: KubeObject | undefined, config: Record<string, unknown>, manager: string): boolean {
  const before = current?.metadata.annotations?.[lastAppliedAnnotation];
  if (manager !== 'kubectl' || before === undefined) return false;
  const applied = structuredClone(config) as { metadata?: { annotations?: Record<string, string> } };
  if (applied.metadata?.annotations) delete applied.metadata.annotations[lastAppliedAnnotation];
  const value = goJson(applied);
  obj.metadata.annotations = { ...obj.metadata.annotations, [lastAppliedAnnotation]: value };
  return value !== before;
}
