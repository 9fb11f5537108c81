// The `fieldValidation` query parameter of create, update and patch (KEP-2885): unknown and duplicate
// fields are an error (Strict), a warning (Warn, the API's default) or ignored (Ignore). Unknown fields are
// dropped in every mode, as kube-apiserver's typed decoding drops them.
import type { ServerResponse } from 'node:http';
import { StatusError, failure as statusFailure } from '@ekslab/apimachinery';
import { mediaType, readBody } from '../http/body.js';
import { failure } from '../http/status.js';
import type { ResourceInfo } from '../resources.js';
import { definitionOf } from '../schemas/definitions.js';
import { pruneUnknownFields, quote, scanJson, undeclaredFields } from '../schemas/strict.js';
import { decodeBody, type RequestContext } from './request.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';
type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

/** The directive of a request; an unsupported value is 422 Invalid on the verb's options (as kube). */
export function fieldValidationOf(query: URLSearchParams, options: OptionsKind): FieldValidation {
  const v = query.get('fieldValidation') ?? '';
  if (v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw failure(422, 'Invalid', `${options}.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "${v}": supported values: "", "Ignore", "Strict", "Warn"`, {
    group: 'meta.k8s.io', kind: options, causes: [{ reason: 'FieldValueNotSupported', message: `Unsupported value: "${v}": supported values: "", "Ignore", "Strict", "Warn"`, field: 'fieldValidation' }],
  });
}

/** A `Warning` header value (RFC 7234 warn-code 299, agent `-`), quoted as Go's strconv.Quote does for ASCII. */
export const warningHeader = (text: string): string => `299 - "${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;

/** Adds warnings to the response (kept with any already set). */
export function addWarnings(res: ServerResponse, warnings: readonly string[]): void {
  if (warnings.length === 0) return;
  const prior = res.getHeader('warning');
  const list = prior === undefined ? [] : Array.isArray(prior) ? prior : [String(prior)];
  res.setHeader('warning', [...list, ...warnings.map(warningHeader)]);
}

/**
 * Applies a directive to the problems found: Strict throws 400 BadRequest (`prefix` is kube's decode-error
 * context for create and update), Warn returns them as warnings, Ignore returns none.
 */
export function enforce(directive: FieldValidation, problems: readonly string[], prefix = ''): string[] {
  if (problems.length === 0 || directive === 'Ignore') return [];
  if (directive === 'Strict') throw failure(400, 'BadRequest', `${prefix}strict decoding error: ${problems.join(', ')}`);
  return [...problems];
}

/** `Deployment in version "v1" cannot be handled as a Deployment: ` with the kind and version the body names. */
function decodePrefix(info: ResourceInfo, obj: Record<string, unknown>): string {
  const kind = typeof obj['kind'] === 'string' && obj['kind'] !== '' ? obj['kind'] : info.kind;
  const apiVersion = typeof obj['apiVersion'] === 'string' ? obj['apiVersion'] : info.version;
  return `${kind} in version "${apiVersion.slice(apiVersion.lastIndexOf('/') + 1)}" cannot be handled as a ${info.kind}: `;
}

/**
 * Checks a submitted object (create, update) against its kind's schema: removes unknown fields, then
 * enforces the directive (throws under Strict) and returns the warnings. With the object's JSON text,
 * duplicate keys count too and problems come in document order.
 */
export function checkObject(info: ResourceInfo, obj: Record<string, unknown>, directive: FieldValidation, jsonText?: string): string[] {
  const root = definitionOf(info.group, info.version, info.kind);
  if (!root) return [];
  const unknown = pruneUnknownFields(obj, root);
  if (directive === 'Ignore') return [];
  const problems = jsonText !== undefined ? scanJson(jsonText, root) : unknown.map((p) => `unknown field ${quote(p)}`);
  return enforce(directive, problems, decodePrefix(info, obj));
}

/**
 * A server-side apply configuration with fields its kind does not declare fails whatever the
 * directive, as kube-apiserver's field manager fails to type it: 500 with no reason and
 * `failed to create typed patch object (ns/name; apps/v1, Kind=Deployment): .spec.foo: field not declared in schema`.
 */
export function checkApplyConfiguration(info: ResourceInfo, applied: Record<string, unknown>): void {
  const root = definitionOf(info.group, info.version, info.kind);
  const errors = root ? undeclaredFields(applied, root) : [];
  if (errors.length === 0) return;
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  const meta = (applied['metadata'] ?? {}) as { name?: unknown; namespace?: unknown };
  const apiVersion = text(applied['apiVersion']);
  const gv = apiVersion.includes('/') ? apiVersion : `/${apiVersion}`;
  const what = `${text(meta.namespace)}/${text(meta.name)}; ${gv}, Kind=${text(applied['kind'])}`;
  const detail = errors.length === 1 ? errors[0]! : ['errors:', ...errors.map((e) => `  ${e}`)].join('\n');
  throw new StatusError(statusFailure(500, '', `failed to create typed patch object (${what}): ${detail}`));
}

/**
 * Field validation of a patch: duplicate keys of a JSON merge or strategic merge patch (`mergePatchText`)
 * and unknown fields of the patched object, which are removed. `check` runs on every patched result (a
 * retried patch runs it again) and throws under Strict; `warnings` are those of the last run.
 */
export function patchFieldCheck(info: ResourceInfo, directive: FieldValidation, mergePatchText: string | undefined) {
  const root = definitionOf(info.group, info.version, info.kind);
  let duplicates: string[] | undefined;
  let warnings: string[] = [];
  return {
    check<T>(patched: T): T {
      // Scanned once the patch has applied, so the text is known to be JSON.
      duplicates ??= directive !== 'Ignore' && mergePatchText !== undefined ? scanJson(mergePatchText, undefined) : [];
      const unknown = root ? pruneUnknownFields(patched as Record<string, unknown>, root) : [];
      warnings = enforce(directive, [...duplicates, ...unknown.map((p) => `unknown field ${quote(p)}`)]);
      return patched;
    },
    warnings: (): string[] => warnings,
  };
}

/**
 * The body of a create or update, decoded and checked under the request's `fieldValidation` (warnings
 * go to the response); unknown fields are removed from what is returned.
 */
export async function validatedBody(ctx: RequestContext, options: 'CreateOptions' | 'UpdateOptions'): Promise<Record<string, unknown>> {
  const directive = fieldValidationOf(ctx.query, options);
  const body = await readBody(ctx.req, ctx.options.maxRequestBytes);
  const obj = decodeBody(ctx, body);
  const json = ['application/json', ''].includes(mediaType(ctx.req.headers['content-type']));
  addWarnings(ctx.res, checkObject(ctx.route.info, obj, directive, json ? body.toString('utf8') : undefined));
  return obj;
}
