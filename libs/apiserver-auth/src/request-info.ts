import { RequestInfoError } from './errors.js';

/**
 * What a request is about, as kube-apiserver's `request.RequestInfo` (endpoints/request/requestinfo.go) and
 * the authorizer's Attributes. For a non-resource request only `path` and `verb` (the lowercase HTTP
 * method: `get`, `post`, `head`, …) matter; the other fields are empty strings.
 */
export interface RequestAttributes {
  readonly isResourceRequest: boolean;
  readonly path: string;
  /** get, list, watch, create, update, patch, delete, deletecollection, proxy — or the HTTP method, lowercase. */
  readonly verb: string;
  /** `api` or `apis` for resource requests, else ''. */
  readonly apiPrefix: string;
  readonly apiGroup: string;
  readonly apiVersion: string;
  readonly namespace: string;
  readonly resource: string;
  readonly subresource: string;
  readonly name: string;
  /** Path parts from the resource on: resource/name/subresource/… */
  readonly parts: readonly string[];
}

/** The prefixes kube-apiserver serves: `/api` (groupless, the core group) and `/apis/<group>`. */
const apiPrefixes = new Set(['api', 'apis']);
const grouplessApiPrefixes = new Set(['api']);
const specialVerbs = new Set(['proxy', 'watch']);
const specialVerbsNoSubresources = new Set(['proxy']);
/** Subresources of a namespace: they tell `/namespaces/x/status` from a resource named `status` in x. */
const namespaceSubresources = new Set(['status', 'finalize']);

const methodVerbs: Readonly<Record<string, string>> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/**
 * Parses `method` + `url` (path with optional `?query`) exactly as kube-apiserver's RequestInfoFactory:
 * `/api/v1/namespaces/x/pods/y/status`, `/apis/apps/v1/deployments`, the `/watch/` and `/proxy/` legacy
 * verb prefixes, `?watch=true|1|…` (anything but `false`/`0`), `fieldSelector=metadata.name=x` on a list or
 * watch giving `name`, DELETE without a name → deletecollection. Everything else is a non-resource request.
 * Throws `RequestInfoError` for `/api/v1/watch` (or `/proxy`) with nothing after it.
 * The path is taken as given (not percent-decoded): pass the raw request path, as Go's URL.Path is decoded
 * but Kubernetes names cannot contain `%` or `/` anyway.
 */
export function parseRequestInfo(method: string, url: string): RequestAttributes {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
  const info = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    parts: [] as string[],
  };

  let parts = splitPath(path);
  if (parts.length < 3 || !apiPrefixes.has(parts[0]!)) return info;
  info.apiPrefix = parts[0]!;
  parts = parts.slice(1);
  if (!grouplessApiPrefixes.has(info.apiPrefix)) {
    // One part (the prefix) is consumed already, so this asks "do we have four parts?"
    if (parts.length < 3) return info;
    info.apiGroup = parts[0]!;
    parts = parts.slice(1);
  }
  info.isResourceRequest = true;
  info.apiVersion = parts[0]!;
  parts = parts.slice(1);

  if (specialVerbs.has(parts[0]!)) {
    if (parts.length < 2) throw new RequestInfoError(url);
    info.verb = parts[0]!;
    parts = parts.slice(1);
  } else {
    info.verb = methodVerbs[method.toUpperCase()] ?? '';
  }

  // /namespaces/{namespace}/{resource}/…: make parts relative to the resource.
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1]!;
      if (parts.length > 2 && !namespaceSubresources.has(parts[2]!)) parts = parts.slice(2);
    }
  }
  info.parts = parts;
  // parts: resource/resourceName/subresource/other/stuff/we/don't/interpret
  if (parts.length >= 3 && !specialVerbsNoSubresources.has(info.verb)) info.subresource = parts[2]!;
  if (parts.length >= 2) info.name = parts[1]!;
  if (parts.length >= 1) info.resource = parts[0]!;

  // No name and a get: a list or a watch (ListOptions decoding of the query).
  if (info.name === '' && info.verb === 'get') {
    const watch = query.getAll('watch');
    const isWatch = watch.length > 0 && watch[0] !== '0' && watch[0]!.toLowerCase() !== 'false';
    info.verb = isWatch ? 'watch' : 'list';
    const selector = query.get('fieldSelector');
    if (selector !== null) {
      const name = exactMatch(selector, 'metadata.name');
      if (name !== undefined && isValidPathSegmentName(name)) info.name = name;
    }
  }
  // No name and a delete: a deletecollection.
  if (info.name === '' && info.verb === 'delete') info.verb = 'deletecollection';
  return info;
}

function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

/**
 * The value `field` must equal under a field selector (`a=b,c==d,e!=f`, `\` escapes), as
 * fields.Selector.RequiresExactMatch; undefined when the selector does not pin it or does not parse.
 */
function exactMatch(selector: string, field: string): string | undefined {
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i]!;
    if (c === '\\' && i + 1 < selector.length) {
      current += c + selector[i + 1];
      i++;
    } else if (c === ',') {
      terms.push(current);
      current = '';
    } else current += c;
  }
  terms.push(current);
  for (const term of terms) {
    if (term === '') continue;
    const m = /^(.*?)(!=|==|=)(.*)$/s.exec(term);
    if (!m) return undefined; // a term without an operator: the selector is invalid
    const [, key, op, raw] = m as unknown as [string, string, string, string];
    const value = unescape(raw);
    if (value === undefined) return undefined;
    if (key.trim() === field && op !== '!=') return value;
  }
  return undefined;
}

function unescape(value: string): string | undefined {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\') {
      const next = value[i + 1];
      if (next !== '\\' && next !== ',' && next !== '=') return undefined; // invalid escape
      out += next;
      i++;
    } else out += c;
  }
  return out;
}

/** apimachinery's path.IsValidPathSegmentName: not `.`/`..`, no `/` or `%`. */
function isValidPathSegmentName(name: string): boolean {
  return name !== '.' && name !== '..' && !name.includes('/') && !name.includes('%');
}
