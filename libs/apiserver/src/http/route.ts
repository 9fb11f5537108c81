import { findResource, type ResourceInfo } from '../resources.js';

/** What a URL names, once it is known to be a resource request the server serves. */
export interface ResourceRoute {
  readonly kind: 'resource';
  readonly info: ResourceInfo;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
  /** `/api/v1/watch/...` (deprecated prefix) or `?watch=true`. */
  readonly watch: boolean;
}

export type Route =
  | ResourceRoute
  | { readonly kind: 'discovery'; readonly path: string }
  | { readonly kind: 'unknown-resource'; readonly group: string; readonly version: string; readonly resource: string }
  | { readonly kind: 'not-found' };

/**
 * Parses `/api/v1/namespaces/ns/pods/name/status` and friends the way kube-apiserver's RequestInfoFactory
 * does: an optional `watch` segment after the version, then `namespaces/<ns>` (unless the resource itself is
 * `namespaces`), then resource, name, subresource.
 */
export function route(pathname: string, query: URLSearchParams): Route {
  const parts = pathname.split('/').filter((p) => p.length > 0).map(decodeURIComponent);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length <= 2) return { kind: 'discovery', path: pathname };
    group = '';
    rest = parts.slice(1);
  } else if (parts[0] === 'apis') {
    if (parts.length <= 3) return { kind: 'discovery', path: pathname };
    group = parts[1]!;
    rest = parts.slice(2);
  } else {
    return { kind: 'not-found' };
  }
  const version = rest[0]!;
  let segments = rest.slice(1);
  let watch = query.get('watch') === 'true' || query.get('watch') === '1';
  if (segments[0] === 'watch') {
    watch = true;
    segments = segments.slice(1);
  }
  let namespace: string | undefined;
  if (segments[0] === 'namespaces' && segments.length > 1) {
    namespace = segments[1];
    // `/namespaces/foo/status` and `/namespaces/foo/finalize` are the namespace's own subresources.
    if (segments.length > 2 && segments[2] !== 'status' && segments[2] !== 'finalize') segments = segments.slice(2);
  }
  const [resource, name, subresource, ...extra] = segments;
  if (!resource || extra.length > 0) return { kind: 'not-found' };
  const info = findResource(group, version, resource);
  if (!info) return { kind: 'unknown-resource', group, version, resource };
  return {
    kind: 'resource',
    info,
    ...(info.namespaced && namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
    watch,
  };
}
