import type { IncomingHttpHeaders } from 'node:http';
import { failure } from './status.js';

/** What the client asked to get back: the objects themselves, or a meta.k8s.io/v1 Table. */
export type Rendering = { readonly kind: 'object' } | { readonly kind: 'table'; readonly includeObject: 'None' | 'Metadata' | 'Object' };

/**
 * Reads the Accept header as kube-apiserver does for JSON clients: `as=Table;g=meta.k8s.io;v=v1` asks for a
 * Table; protobuf alone cannot be served (406 NotAcceptable); anything JSON-compatible gets JSON.
 */
export function negotiate(headers: IncomingHttpHeaders, query: URLSearchParams): Rendering {
  const accept = headers.accept ?? '*/*';
  const ranges = accept.split(',').map((r) => r.trim().toLowerCase());
  for (const range of ranges) {
    const [type, ...params] = range.split(';').map((s) => s.trim());
    const p = Object.fromEntries(params.map((kv) => kv.split('=') as [string, string]));
    if ((type === 'application/json' || type === '*/*') && p['as'] === 'table' && (p['g'] ?? 'meta.k8s.io') === 'meta.k8s.io') {
      const inc = query.get('includeObject') ?? 'Metadata';
      const includeObject = inc === 'None' || inc === 'Object' ? inc : 'Metadata';
      return { kind: 'table', includeObject };
    }
  }
  const plainOk = ranges.some((r) => /^(application\/json|\*\/\*|application\/\*)/.test(r) && !r.includes('as='));
  if (!plainOk) {
    throw failure(406, 'NotAcceptable', `only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io`);
  }
  return { kind: 'object' };
}
