import { resources, type ResourceInfo } from './resources.js';

/**
 * A minimal OpenAPI v2 document in the two encodings kube-apiserver serves at /openapi/v2: JSON, and the
 * gnostic `openapi.v2.Document` protobuf that kubectl (≤ 1.29 for validation, all versions for apply's
 * openapi lookups) asks for. It lists every resource's paths with their operations, the
 * `x-kubernetes-group-version-kind` extension and the query parameters, which is how kubectl learns that
 * the server validates fields itself (`fieldValidation`). Definitions (schemas) are not included yet.
 */
interface Op { operationId: string; params: string[]; gvk: { group: string; version: string; kind: string } }
interface PathDoc { path: string; ops: Partial<Record<'get' | 'put' | 'post' | 'delete' | 'patch', Op>> }

function paths(): PathDoc[] {
  return resources.flatMap((info: ResourceInfo) => {
    const gvk = { group: info.group, version: info.version, kind: info.kind };
    const base = `/${info.group ? `apis/${info.group}` : 'api'}/${info.version}${info.namespaced ? '/namespaces/{namespace}' : ''}/${info.resource}`;
    const op = (verb: string, extra: string[] = []): Op => ({ operationId: `${verb}${info.kind}`, params: ['dryRun', 'fieldManager', ...extra], gvk });
    return [
      { path: base, ops: { get: op('list'), post: op('create', ['fieldValidation']) } },
      { path: `${base}/{name}`, ops: { get: op('read'), put: op('replace', ['fieldValidation']), patch: op('patch', ['fieldValidation', 'force']), delete: op('delete') } },
    ];
  });
}

export function openApiV2Json(gitVersion: string): unknown {
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: gitVersion },
    paths: Object.fromEntries(paths().map((p) => [p.path, Object.fromEntries(Object.entries(p.ops).map(([verb, op]) => [verb, {
      operationId: op.operationId,
      parameters: op.params.map((name) => ({ name, in: 'query', type: 'string', uniqueItems: true })),
      responses: { '200': { description: 'OK' } },
      'x-kubernetes-group-version-kind': op.gvk,
    }]))])),
  };
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

export function openApiV2Protobuf(gitVersion: string): Buffer {
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
  return doc.finish();
}

/** As kube-apiserver labels it (kubectl asks with an `@`, which is not valid in a Content-Type). */
export const openApiV2ProtobufType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
