import { resources, type ResourceInfo } from './resources.js';
import { definitionOf, definitions } from './schemas/definitions.js';
import type { Schema } from './schemas/schema.js';

/**
 * The OpenAPI v2 document in the two encodings kube-apiserver serves at /openapi/v2: JSON, and the gnostic
 * `openapi.v2.Document` protobuf that kubectl (≤ 1.29 for validation and `explain`, all versions for
 * apply's patch-strategy lookups) asks for. It lists every resource's paths with their operations, the
 * `x-kubernetes-group-version-kind` extension and the query parameters, which is how kubectl learns that
 * the server validates fields itself (`fieldValidation`), and the definitions of every served kind.
 * Both encodings are built once per gitVersion.
 */
interface Op { operationId: string; params: string[]; gvk: { group: string; version: string; kind: string }; body?: string | undefined; response?: string | undefined }
interface PathDoc { path: string; ops: Partial<Record<'get' | 'put' | 'post' | 'delete' | 'patch', Op>> }

function paths(): PathDoc[] {
  return resources.flatMap((info: ResourceInfo) => {
    const gvk = { group: info.group, version: info.version, kind: info.kind };
    const base = `/${info.group ? `apis/${info.group}` : 'api'}/${info.version}${info.namespaced ? '/namespaces/{namespace}' : ''}/${info.resource}`;
    const kind = definitionOf(info.group, info.version, info.kind);
    const list = definitionOf(info.group, info.version, `${info.kind}List`);
    const op = (verb: string, extra: string[], body?: string, response?: string): Op => ({ operationId: `${verb}${info.kind}`, params: ['dryRun', 'fieldManager', ...extra], gvk, body, response });
    return [
      { path: base, ops: { get: op('list', [], undefined, list), post: op('create', ['fieldValidation'], kind, kind) } },
      { path: `${base}/{name}`, ops: { get: op('read', [], undefined, kind), put: op('replace', ['fieldValidation'], kind, kind), patch: op('patch', ['fieldValidation', 'force'], undefined, kind), delete: op('delete', []) } },
    ];
  });
}

const ref = (name: string) => ({ $ref: `#/definitions/${name}` });

function buildJson(gitVersion: string): unknown {
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: gitVersion },
    paths: Object.fromEntries(paths().map((p) => [p.path, Object.fromEntries(Object.entries(p.ops).map(([verb, op]) => [verb, {
      operationId: op.operationId,
      parameters: [
        ...(op.body ? [{ name: 'body', in: 'body', required: true, schema: ref(op.body) }] : []),
        ...op.params.map((name) => ({ name, in: 'query', type: 'string', uniqueItems: true })),
      ],
      responses: { '200': { description: 'OK', ...(op.response ? { schema: ref(op.response) } : {}) } },
      'x-kubernetes-group-version-kind': op.gvk,
    }]))])),
    definitions,
  };
}

const jsonCache = new Map<string, string>();

/** The JSON document, serialized. */
export function openApiV2Json(gitVersion: string): string {
  let body = jsonCache.get(gitVersion);
  if (body === undefined) jsonCache.set(gitVersion, (body = JSON.stringify(buildJson(gitVersion))));
  return body;
}

// --- protobuf encoding (field numbers of gnostic's openapiv2/OpenAPIv2.proto) ---
class Writer {
  private readonly parts: Buffer[] = [];
  private varint(n: number): void {
    const bytes: number[] = [];
    while (n > 0x7f) {
      bytes.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    bytes.push(n);
    this.parts.push(Buffer.from(bytes));
  }
  bytes(field: number, value: Buffer): this {
    this.varint((field << 3) | 2);
    this.varint(value.length);
    this.parts.push(value);
    return this;
  }
  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }
  message(field: number, build: (w: Writer) => void): this {
    const w = new Writer();
    build(w);
    return this.bytes(field, w.finish());
  }
  bool(field: number, value: boolean): this {
    this.varint(field << 3);
    this.varint(value ? 1 : 0);
    return this;
  }
  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const verbField = { get: 2, put: 3, post: 4, delete: 5, patch: 8 } as const;

/** A vendor extension: NamedAny(name, Any.yaml). JSON is YAML, which is how kubectl reads the value. */
const extension = (w: Writer, field: number, name: string, value: unknown): Writer =>
  w.message(field, (na) => na.string(1, name).message(2, (any) => any.string(2, `${JSON.stringify(value)}\n`)));

/** openapi.v2.Schema. */
function writeSchema(w: Writer, s: Schema): void {
  if (s.$ref) w.string(1, s.$ref);
  if (s.format) w.string(2, s.format);
  if (s.description) w.string(4, s.description);
  for (const r of s.required ?? []) w.string(19, r);
  if (s.additionalProperties) w.message(21, (ap) => ap.message(1, (as) => writeSchema(as, s.additionalProperties!)));
  if (s.type) w.message(22, (t) => t.string(1, s.type!));
  if (s.items) w.message(23, (it) => it.message(1, (is) => writeSchema(is, s.items!)));
  if (s.properties) {
    w.message(25, (ps) => {
      for (const [name, p] of Object.entries(s.properties!)) ps.message(1, (ns) => ns.string(1, name).message(2, (v) => writeSchema(v, p)));
    });
  }
  for (const [key, value] of Object.entries(s)) if (key.startsWith('x-')) extension(w, 31, key, value);
}

const protobufCache = new Map<string, Buffer>();

export function openApiV2Protobuf(gitVersion: string): Buffer {
  let body = protobufCache.get(gitVersion);
  if (!body) protobufCache.set(gitVersion, (body = buildProtobuf(gitVersion)));
  return body;
}

function buildProtobuf(gitVersion: string): Buffer {
  const doc = new Writer().string(1, '2.0').message(2, (info) => info.string(1, 'Kubernetes').string(2, gitVersion));
  doc.message(8, (ps) => {
    for (const p of paths()) {
      ps.message(2, (named) => named.string(1, p.path).message(2, (item) => {
        for (const [verb, op] of Object.entries(p.ops) as Array<[keyof typeof verbField, Op]>) {
          item.message(verbField[verb], (o) => {
            o.string(5, op.operationId);
            for (const name of op.params) {
              // ParametersItem.parameter → Parameter.non_body_parameter → NonBodyParameter.query_parameter_sub_schema
              o.message(8, (pi) => pi.message(1, (par) => par.message(2, (nb) => nb.message(3, (q) => q.string(2, 'query').string(4, name).string(6, 'string').bool(20, true)))));
            }
            // Responses.response_code → NamedResponseValue(name, ResponseValue.response → Response.description)
            o.message(9, (rs) => rs.message(1, (nr) => nr.string(1, '200').message(2, (rv) => rv.message(1, (r) => r.string(1, 'OK')))));
            // vendor_extension: NamedAny(name, Any.yaml)
            o.message(13, (na) => na.string(1, 'x-kubernetes-group-version-kind').message(2, (any) => any.string(2, `group: "${op.gvk.group}"\nkind: ${op.gvk.kind}\nversion: ${op.gvk.version}\n`)));
          });
        }
      }));
    }
  });
  // Definitions: NamedSchema(name, Schema) entries.
  doc.message(9, (ds) => {
    for (const [name, schema] of Object.entries(definitions)) ds.message(1, (ns) => ns.string(1, name).message(2, (v) => writeSchema(v, schema)));
  });
  return doc.finish();
}

/** As kube-apiserver labels it (kubectl asks with an `@`, which is not valid in a Content-Type). */
export const openApiV2ProtobufType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
