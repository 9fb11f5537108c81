import { createHash } from 'node:crypto';
import { apiVersionOf, groupVersions, resources } from './resources.js';
import { definitionOf, definitions, reachable } from './schemas/definitions.js';
import { refPrefix, type Schema } from './schemas/schema.js';

/**
 * OpenAPI v3: the root index and one document per group/version with every resource's paths, their
 * operations (`x-kubernetes-action`, `x-kubernetes-group-version-kind`, the `fieldValidation` parameter
 * kubectl looks for before it lets the server validate), request and response bodies, and the component
 * schemas they reach (what `kubectl explain` prints and client-side apply reads patch strategies from).
 * Documents are built once; each one's hash (the root's `?hash=`) is the SHA-512 of its bytes.
 */
const gvPath = (group: string, version: string): string => (group ? `apis/${group}/${version}` : `api/${version}`);

const param = (name: string, where: 'query' | 'path') => ({ name, in: where, ...(where === 'path' ? { required: true } : {}), schema: { type: 'string', uniqueItems: true } });

const v3Ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A v2-style schema in v3 form: refs into components, a described ref wrapped in allOf as kube does. */
function toV3(s: Schema): Schema {
  if (s.$ref) {
    const ref = v3Ref(s.$ref.slice(refPrefix.length));
    const { $ref: _, ...rest } = s;
    return Object.keys(rest).length === 0 ? ref : { ...rest, allOf: [ref] };
  }
  const out: Schema = { ...s };
  if (s.items) out.items = toV3(s.items);
  if (s.additionalProperties) out.additionalProperties = toV3(s.additionalProperties);
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toV3(v)]));
  return out;
}

const json = (name: string | undefined) => (name ? { content: { 'application/json': { schema: v3Ref(name) } } } : {});

function buildGroupVersion(group: string, version: string): unknown {
  const paths: Record<string, unknown> = {};
  const roots: string[] = [];
  for (const info of resources.filter((r) => r.group === group && r.version === version)) {
    const gvk = { group: info.group, version: info.version, kind: info.kind };
    const kindDef = definitionOf(info.group, info.version, info.kind);
    const listDef = definitionOf(info.group, info.version, `${info.kind}List`);
    roots.push(...[kindDef, listDef].filter((n): n is string => n !== undefined));
    const base = `/${gvPath(info.group, info.version)}${info.namespaced ? '/namespaces/{namespace}' : ''}/${info.resource}`;
    const op = (action: string, extra: string[], body: string | undefined, response: string | undefined, code = '200') => ({
      operationId: `${action}${info.kind}`, 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk,
      parameters: ['dryRun', 'fieldManager', ...extra].map((n) => param(n, 'query')),
      ...(body ? { requestBody: { required: true, ...json(body) } } : {}),
      responses: { [code]: { description: code === '201' ? 'Created' : 'OK', ...json(response) } },
    });
    const patch = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
    paths[base] = { post: op('post', ['fieldValidation'], kindDef, kindDef, '201'), get: op('list', [], undefined, listDef) };
    paths[`${base}/{name}`] = {
      get: op('get', [], undefined, kindDef), put: op('put', ['fieldValidation'], kindDef, kindDef),
      patch: { ...op('patch', ['fieldValidation', 'force'], undefined, kindDef), requestBody: { required: true, content: { 'application/merge-patch+json': { schema: v3Ref(patch) }, 'application/strategic-merge-patch+json': { schema: v3Ref(patch) }, 'application/json-patch+json': { schema: v3Ref(patch) }, 'application/apply-patch+yaml': { schema: v3Ref(patch) } } } },
      delete: op('delete', [], 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', 'io.k8s.apimachinery.pkg.apis.meta.v1.Status'),
    };
  }
  const names = reachable([...roots, 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', 'io.k8s.apimachinery.pkg.apis.meta.v1.Status']);
  const schemas: Record<string, Schema> = Object.fromEntries(names.map((n) => [n, toV3(definitions[n]!)]));
  // As kube's v3 documents have them (kubectl explain then names the type: `<map[string]Quantity>`).
  const q = schemas['io.k8s.apimachinery.pkg.api.resource.Quantity'];
  if (q) schemas['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { ...(q.description ? { description: q.description } : {}), oneOf: [{ type: 'string' }, { type: 'number' }] };
  const ios = schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
  if (ios) schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { ...(ios.description ? { description: ios.description } : {}), oneOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true };
  schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Patch'] = { description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.', type: 'object' };
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: apiVersionOf({ group, version }) }, paths, components: { schemas } };
}

export interface OpenApiDocument {
  /** The serialized document. */
  readonly body: string;
  /** Upper-case hex SHA-512 of `body`: the root's `?hash=` and the ETag. */
  readonly hash: string;
}

let cache: Map<string, OpenApiDocument> | undefined;

function documents(): Map<string, OpenApiDocument> {
  if (!cache) {
    cache = new Map();
    for (const { group, version } of groupVersions()) {
      const body = JSON.stringify(buildGroupVersion(group, version));
      cache.set(gvPath(group, version), { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() });
    }
  }
  return cache;
}

export function openApiV3Root(): unknown {
  return {
    paths: Object.fromEntries([...documents()].map(([path, doc]) => [path, { serverRelativeURL: `/openapi/v3/${path}?hash=${doc.hash}` }])),
  };
}

/** The document of one group/version (`api/v1`, `apis/apps/v1`), or undefined. */
export function openApiV3GroupVersion(path: string): OpenApiDocument | undefined {
  return documents().get(path);
}
