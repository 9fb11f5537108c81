import { apiVersionOf, groupVersions, resources, type ResourceInfo } from './resources.js';

/** `/version`: what kubectl prints as the server version. EKS reports e.g. `v1.33.5-eks-3025e55`. */
export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export function versionInfo(gitVersion: string): VersionInfo {
  const m = /^v(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: m?.[1] ?? '1', minor: `${m?.[2] ?? '33'}+`, gitVersion, gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean', buildDate: '2026-11-01T00:00:00Z', goVersion: 'go1.24.6', compiler: 'gc', platform: 'linux/amd64',
  };
}

function apiResource(info: ResourceInfo): Array<Record<string, unknown>> {
  const main = {
    name: info.resource, singularName: info.kind.toLowerCase(), namespaced: info.namespaced, kind: info.kind, verbs: info.verbs,
    ...(info.shortNames ? { shortNames: info.shortNames } : {}), ...(info.categories ? { categories: info.categories } : {}),
  };
  const subs = Object.entries(info.subresources ?? {}).map(([sub, verbs]) => ({
    name: `${info.resource}/${sub}`, singularName: '', namespaced: info.namespaced,
    kind: sub === 'scale' ? 'Scale' : sub === 'binding' ? 'Binding' : sub === 'eviction' ? 'Eviction' : sub === 'token' ? 'TokenRequest' : info.kind,
    ...(sub === 'scale' ? { group: 'autoscaling', version: 'v1' } : sub === 'eviction' ? { group: 'policy', version: 'v1' } : sub === 'token' ? { group: 'authentication.k8s.io', version: 'v1' } : {}),
    verbs,
  }));
  return [main, ...subs];
}

/**
 * Legacy (unaggregated) discovery documents. kubectl ≥ 1.26 asks for aggregated discovery first and
 * falls back to these when the server answers plain `application/json`.
 */
export function discovery(path: string): unknown {
  const clean = path.replace(/\/+$/, '');
  if (clean === '/api') {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }] };
  }
  const groups = new Map<string, string[]>();
  for (const gv of groupVersions()) if (gv.group) groups.set(gv.group, [...(groups.get(gv.group) ?? []), gv.version]);
  const groupDoc = (name: string, versions: string[]) => ({
    name,
    versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${name}/${versions[0]!}`, version: versions[0]! },
  });
  if (clean === '/apis') return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...groups].map(([g, v]) => groupDoc(g, v)) };
  const m = /^\/apis\/([^/]+)$/.exec(clean);
  if (m) {
    const versions = groups.get(m[1]!);
    return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(m[1]!, versions) } : undefined;
  }
  const gv = clean === '/api/v1' ? { group: '', version: 'v1' } : /^\/apis\/([^/]+)\/([^/]+)$/.exec(clean)?.slice(1, 3);
  if (!gv) return undefined;
  const [group, version] = Array.isArray(gv) ? gv : [gv.group, gv.version];
  const list = resources.filter((r) => r.group === group && r.version === version);
  if (list.length === 0) return undefined;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(list[0]!), resources: list.flatMap(apiResource) };
}
