// The `fieldValidation` query parameter of create, update and patch (KEP-2885): unknown and duplicate
// fields are an error (Strict), a warning (Warn, the API's default) or ignored (Ignore). Unknown fields are
// dropped in every mode, as kube-apiserver's typed decoding drops them.
import type { ServerResponse } from 'node:http';
import { mediaType, readBody } from '../http/body.js';
import { failure } from '../http/status.js';
import type { ResourceInfo } from '../resources.js';
import { definitionOf } from '../schemas/definitions.js';
import { pruneUnknownFields, quote, scanJson } from '../schemas/strict.js';
import type { KubeObject } from './objects.js';
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
 * context for create and update), Warn answers with one warning each, Ignore says nothing.
 */
export function enforce(ctx: Pick<RequestContext, 'res'>, directive: FieldValidation, problems: readonly string[], prefix = ''): void {
  if (problems.length === 0 || directive === 'Ignore') return;
  if (directive === 'Strict') throw failure(400, 'BadRequest', `${prefix}strict decoding error: ${problems.join(', ')}`);
  addWarnings(ctx.res, problems);
}

/** `Deployment in version "v1" cannot be handled as a Deployment: ` with the kind and version the body names. */
function decodePrefix(info: ResourceInfo, obj: Record<string, unknown>): string {
  const kind = typeof obj['kind'] === 'string' && obj['kind'] !== '' ? obj['kind'] : info.kind;
  const apiVersion = typeof obj['apiVersion'] === 'string' ? obj['apiVersion'] : info.version;
  return `${kind} in version "${apiVersion.slice(apiVersion.lastIndexOf('/') + 1)}" cannot be handled as a ${info.kind}: `;
}

/**
 * The body of a create or update, decoded and checked against the kind's schema under the request's
 * `fieldValidation`; unknown fields are removed from what is returned.
 */
export async function validatedBody(ctx: RequestContext, options: 'CreateOptions' | 'UpdateOptions'): Promise<Record<string, unknown>> {
  const directive = fieldValidationOf(ctx.query, options);
  const body = await readBody(ctx.req, ctx.options.maxRequestBytes);
  const obj = decodeBody(ctx, body);
  const { info } = ctx.route;
  const root = definitionOf(info.group, info.version, info.kind);
  if (!root) return obj;
  const unknown = pruneUnknownFields(obj, root);
  const json = ['application/json', ''].includes(mediaType(ctx.req.headers['content-type']));
  // JSON text also shows duplicate keys, and the order kube reports problems in.
  const problems = directive !== 'Ignore' && json ? scanJson(body.toString('utf8'), root) : unknown.map((p) => `unknown field ${quote(p)}`);
  enforce(ctx, directive, problems, decodePrefix(info, obj));
  return obj;
}

/**
 * Field validation of a patch: duplicate keys in a JSON merge or strategic merge patch and unknown fields
 * of the patched object, which are removed. Call `check` on every patched result (a retried patch calls
 * it again; only the last call's warnings are sent by `finish`).
 */
export function patchValidation(ctx: RequestContext, body: Buffer, isJsonObjectPatch: boolean) {
  const directive = fieldValidationOf(ctx.query, 'PatchOptions');
  const { info } = ctx.route;
  const root = definitionOf(info.group, info.version, info.kind);
  const duplicates = directive !== 'Ignore' && isJsonObjectPatch ? scanJson(body.toString('utf8'), undefined) : [];
  let problems: string[] = [];
  return {
    check(patched: KubeObject): KubeObject {
      const unknown = root ? pruneUnknownFields(patched as unknown as Record<string, unknown>, root) : [];
      problems = [...duplicates, ...unknown.map((p) => `unknown field ${quote(p)}`)];
      if (directive === 'Strict') enforce(ctx, directive, problems);
      return patched;
    },
    finish(): void {
      if (directive === 'Warn') enforce(ctx, directive, problems);
    },
  };
}
