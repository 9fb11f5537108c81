import { apiVersionOf, groupVersions, resources } from './resources.js';

/**
 * A minimal OpenAPI v3 surface: the root index and one document per group/version listing every
 * resource's paths with their operations and the `x-kubernetes-group-version-kind` extension. kubectl
 * reads it to learn that PATCH/POST accept `fieldValidation` (so it validates on the server rather than
 * needing schemas). Not provided yet: the component schemas `kubectl explain` prints.
 */
const gvPath = (group: string, version: string): string => (group ? `apis/${group}/${version}` : `api/${version}`);

export function openApiV3Root(hash: string): unknown {
  return {
    paths: Object.fromEntries(groupVersions().map(({ group, version }) => [gvPath(group, version), { serverRelativeURL: `/openapi/v3/${gvPath(group, version)}?hash=${hash}` }])),
  };
}

const param = (name: string, where: 'query' | 'path') => ({ name, in: where, ...(where === 'path' ? { required: true } : {}), schema: { type: 'string', uniqueItems: true } });

export function openApiV3GroupVersion(path: string): unknown {
  const gv = groupVersions().find(({ group, version }) => gvPath(group, version) === path);
  if (!gv) return undefined;
  const paths: Record<string, unknown> = {};
  for (const info of resources.filter((r) => r.group === gv.group && r.version === gv.version)) {
    const gvk = { group: info.group, version: info.version, kind: info.kind };
    const base = `/${gvPath(info.group, info.version)}${info.namespaced ? '/namespaces/{namespace}' : ''}/${info.resource}`;
    const op = (action: string, extra: string[] = []) => ({
      operationId: `${action}${info.kind}`, 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk,
      parameters: ['dryRun', 'fieldManager', ...extra].map((n) => param(n, 'query')),
      responses: { '200': { description: 'OK' } },
    });
    paths[base] = { post: op('post', ['fieldValidation']), get: op('list') };
    paths[`${base}/{name}`] = { get: op('get'), put: op('put', ['fieldValidation']), patch: op('patch', ['fieldValidation', 'force']), delete: op('delete') };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: apiVersionOf(gv) }, paths, components: { schemas: {} } };
}
