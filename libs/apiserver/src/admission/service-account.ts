import { keyFor, NotFoundError } from '@ekslab/storage';
import type { KubeObject } from '../rest/objects.js';
import { forbidden } from './errors.js';
import type { AdmissionPlugin } from './types.js';

const mirrorAnnotation = 'kubernetes.io/config.mirror';

interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
  imagePullSecrets?: Array<{ name?: string }>;
}

/**
 * ServiceAccount admission (plugin/pkg/admission/serviceaccount), pod CREATE only:
 * - `spec.serviceAccountName` defaults to `default` (the deprecated `serviceAccount` follows it);
 * - the named ServiceAccount must exist, else 403 `error looking up service account <ns>/<name>:
 *   serviceaccount "<name>" not found`;
 * - a pod without imagePullSecrets gets its ServiceAccount's;
 * - a mirror pod (static pod seen through the API) may not name a ServiceAccount.
 *
 * Deliberate gaps: the projected `kube-api-access-*` token volume is not added yet (no TokenRequest API);
 * `automountServiceAccountToken` is left as sent. And because no ServiceAccount controller creates the
 * `default` ServiceAccount of each namespace yet, a missing `default` is allowed (Kubernetes would refuse
 * the pod until the controller catches up). Other missing ServiceAccounts are refused.
 */
export const serviceAccountAdmission: AdmissionPlugin = {
  name: 'ServiceAccount',
  async admit(req) {
    if (req.info.resource !== 'pods' || req.subresource || req.operation !== 'CREATE') return;
    const pod = req.object;
    const spec = (pod.spec ??= {}) as PodSpec;
    if (pod.metadata.annotations?.[mirrorAnnotation] !== undefined) {
      if (spec.serviceAccountName) throw forbidden(req, 'a mirror pod may not reference service accounts');
      return;
    }
    spec.serviceAccountName ||= 'default';
    spec.serviceAccount = spec.serviceAccountName;
    const name = spec.serviceAccountName;
    const namespace = req.namespace ?? '';
    const key = keyFor({ group: '', resource: 'serviceaccounts', namespace, name });
    // The watch cache first, as the plugin's lister. A missing `default` is admitted anyway, so the cache's
    // word is enough for it; any other name missing from the cache is looked up in etcd (it may be brand new).
    const cached = req.cached?.get(key);
    if (cached === null && name === 'default') return;
    let sa: KubeObject;
    try {
      sa = cached ?? await req.store.get<KubeObject>(key, { signal: req.signal });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      if (name === 'default') return;
      throw forbidden(req, `error looking up service account ${namespace}/${name}: serviceaccount ${JSON.stringify(name)} not found`);
    }
    const pullSecrets = (sa['imagePullSecrets'] as Array<{ name?: string }> | undefined) ?? [];
    if ((spec.imagePullSecrets?.length ?? 0) === 0 && pullSecrets.length > 0) spec.imagePullSecrets = structuredClone(pullSecrets);
  },
};
