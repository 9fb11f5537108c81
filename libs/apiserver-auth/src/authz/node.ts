import type { UserInfo } from '../user.js';
import { nodeNameOf } from '../user.js';
import { nodeRules } from '../bootstrap/policy.js';
import type { PartialDecision, RbacAttributes } from './rbac.js';
import { rulesAllow } from './rules.js';

const nodeLeaseNamespace = 'kube-node-lease';

/**
 * kube-apiserver's Node authorizer (plugin/pkg/auth/authorizer/node), simplified. For `system:node:<name>`
 * users in `system:nodes` (anyone else: no opinion):
 * - leases: get/create/update/patch/delete in `kube-node-lease`, only the lease named like the node
 *   (create is not name-checked: the name is in the body);
 * - csinodes: only the node's own;
 * - secrets, configmaps, persistentvolumeclaims, persistentvolumes: single-object reads (get, or list/watch
 *   pinned to one name). NOT like upstream: there is no pod→node graph here, so a node may read any such
 *   object, not only the ones its pods reference;
 * - serviceaccounts/token: create (again without the graph check);
 * - anything else: the `system:node` rules.
 */
export function nodeAuthorize(user: UserInfo, attrs: RbacAttributes): PartialDecision {
  const nodeName = nodeNameOf(user);
  if (nodeName === undefined) return { decision: 'noOpinion', reason: '' };
  if (!attrs.isResourceRequest) return rulesDecision(attrs);

  const group = attrs.apiGroup;
  const resource = attrs.resource;
  if (group === 'coordination.k8s.io' && resource === 'leases' && attrs.subresource === '') return lease(nodeName, attrs);
  if (group === 'storage.k8s.io' && resource === 'csinodes' && attrs.subresource === '') {
    if (attrs.verb !== 'create' && attrs.name !== nodeName) {
      return { decision: 'noOpinion', reason: 'can only access CSINode with the same name as the requesting node' };
    }
    return rulesDecision(attrs);
  }
  if (group === '' && ['secrets', 'configmaps', 'persistentvolumeclaims', 'persistentvolumes'].includes(resource) && attrs.subresource === '') {
    const read = attrs.verb === 'get' || ((attrs.verb === 'list' || attrs.verb === 'watch') && attrs.name !== '');
    if (!read || attrs.name === '') return { decision: 'noOpinion', reason: 'can only read individual resources of this type' };
    return { decision: 'allow', reason: '' };
  }
  if (group === '' && resource === 'serviceaccounts' && attrs.subresource === 'token') {
    if (attrs.verb !== 'create') return { decision: 'noOpinion', reason: 'can only create tokens for individual service accounts' };
    return { decision: 'allow', reason: '' };
  }
  return rulesDecision(attrs);
}

function lease(nodeName: string, attrs: RbacAttributes): PartialDecision {
  if (!['get', 'create', 'update', 'patch', 'delete'].includes(attrs.verb)) {
    return { decision: 'noOpinion', reason: 'can only get, create, update, patch, or delete a node lease' };
  }
  if (attrs.namespace !== nodeLeaseNamespace) {
    return { decision: 'noOpinion', reason: `can only access leases in the "${nodeLeaseNamespace}" system namespace` };
  }
  if (attrs.verb !== 'create' && attrs.name !== nodeName) {
    return { decision: 'noOpinion', reason: 'can only access node lease with the same name as the requesting node' };
  }
  return { decision: 'allow', reason: '' };
}

let cachedRules: ReturnType<typeof nodeRules> | undefined;

function rulesDecision(attrs: RbacAttributes): PartialDecision {
  cachedRules ??= nodeRules();
  return rulesAllow(attrs, cachedRules) ? { decision: 'allow', reason: '' } : { decision: 'noOpinion', reason: '' };
}
