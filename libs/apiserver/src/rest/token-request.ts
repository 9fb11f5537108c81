import type { KeyObject } from 'node:crypto';
import { serviceAccountClaims, type ObjectRef, type ServiceAccountTokenSigner } from '@ekslab/apiserver-auth';
import { fieldInvalid, newConflict, newInvalid, StatusError, type FieldError } from '@ekslab/apimachinery';
import { failure } from '../http/status.js';
import { findResource } from '../resources.js';
import type { SubresourceCall } from './binding.js';
import { timestamp, type KubeObject } from './objects.js';

/** How the apiserver issues service-account tokens (kube-apiserver's --service-account-* flags). */
export interface ServiceAccountTokenOptions {
  /** `iss` of every token issued (--service-account-issuer). */
  readonly issuer: string;
  readonly signer: ServiceAccountTokenSigner;
  /** Keys whose tokens are accepted and published at /openid/v1/jwks (--service-account-key-file). */
  readonly publicKeys: readonly KeyObject[];
  /** The default `aud` of a TokenRequest, and what the authenticator requires (--api-audiences). */
  readonly apiAudiences: readonly string[];
  /** `jwks_uri` of the discovery document (--service-account-jwks-uri). */
  readonly jwksUri: string;
  /** Longer requests are shortened to this (--service-account-max-token-expiration); 0 = no cap. */
  readonly maxExpirationSeconds?: number;
  /**
   * Pod-bound tokens asking for exactly 3607 s get a year, with a `warnafter` claim at 3607 s
   * (--service-account-extend-token-expiration, default true), as kubelets' projected tokens do.
   */
  readonly extendExpiration?: boolean;
}

const groupKind = { group: 'authentication.k8s.io', kind: 'TokenRequest' };
/** authentication/v1 defaulting: an hour. */
export const defaultTokenExpirationSeconds = 3600;
/** token.WarnOnlyBoundTokenExpirationSeconds and token.ExpirationExtensionSeconds. */
export const warnOnlyBoundTokenExpirationSeconds = 3607;
export const expirationExtensionSeconds = 24 * 365 * 60 * 60;
const minExpirationSeconds = 10 * 60;
const maxExpirationSeconds = 2 ** 32;

const info = (resource: string) => findResource('', 'v1', resource)!;

/**
 * `POST serviceaccounts/<name>/token` (kube's TokenREST): a TokenRequest answered with a signed JWT in
 * status.token and its status.expirationTimestamp (now + spec.expirationSeconds). Audiences default to
 * the API audiences; expirationSeconds to 3600 (at least 600, at most 2^32). With spec.boundObjectRef the
 * token is bound to a Pod (and the pod's node), a Secret or a Node, which must exist (and a pod must run
 * as this service account); it stops authenticating once that object is gone.
 */
export async function requestToken(call: SubresourceCall, opts: ServiceAccountTokenOptions, namespace: string, name: string, req: Record<string, unknown>): Promise<KubeObject> {
  const meta = (req['metadata'] ?? {}) as { name?: string; namespace?: string };
  if (meta.name && meta.name !== name) {
    throw new StatusError(newInvalid(groupKind, name, [fieldInvalid('metadata.name', meta.name, 'must match the service account name if specified')]));
  }
  if (meta.namespace && meta.namespace !== namespace) {
    throw new StatusError(newInvalid(groupKind, name, [fieldInvalid('metadata.namespace', meta.namespace, 'must match the service account namespace if specified')]));
  }
  const get = (resource: string, objName: string, ns?: string) =>
    call.registry.get({ info: info(resource), ...(ns !== undefined ? { namespace: ns } : {}), name: objName }, call.signal);
  const sa = await get('serviceaccounts', name, namespace);
  const spec = (req['spec'] ?? {}) as { audiences?: string[] | null; expirationSeconds?: number | null; boundObjectRef?: BoundObjectRef | null };
  const audiences = spec.audiences && spec.audiences.length > 0 ? spec.audiences : [...opts.apiAudiences];
  let expirationSeconds = spec.expirationSeconds ?? defaultTokenExpirationSeconds;
  const now = call.now();
  const errs: FieldError[] = [];
  if (expirationSeconds < minExpirationSeconds) errs.push(fieldInvalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes'));
  if (expirationSeconds > maxExpirationSeconds) errs.push(fieldInvalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
  if (errs.length > 0) throw new StatusError(newInvalid(groupKind, '', errs));

  const ref = spec.boundObjectRef ?? undefined;
  const bound: { pod?: ObjectRef; secret?: ObjectRef; node?: ObjectRef } = {};
  if (ref) {
    const [group, version] = (ref.apiVersion ?? '').includes('/') ? (ref.apiVersion ?? '').split('/') : ['', ref.apiVersion ?? ''];
    let obj: KubeObject;
    if (group === '' && ref.kind === 'Pod') {
      obj = await get('pods', ref.name ?? '', namespace);
      if ((obj.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName !== name) {
        throw failure(400, 'BadRequest', `cannot bind token for serviceaccount ${JSON.stringify(name)} to pod running with different serviceaccount name.`);
      }
      bound.pod = refOf(obj);
      const nodeName = (obj.spec as { nodeName?: string }).nodeName;
      // ServiceAccountTokenPodNodeInfo: the pod's node goes into the token too, when it exists.
      const node = nodeName ? await get('nodes', nodeName).then(refOf, () => undefined) : undefined;
      if (node) bound.node = node;
    } else if (group === '' && ref.kind === 'Secret') {
      obj = await get('secrets', ref.name ?? '', namespace);
      bound.secret = refOf(obj);
    } else if (group === '' && ref.kind === 'Node') {
      obj = await get('nodes', ref.name ?? '');
      bound.node = refOf(obj);
    } else {
      throw failure(400, 'BadRequest', `cannot bind token to object of type ${group}/${version ?? ''}, Kind=${ref.kind ?? ''}`);
    }
    if (ref.uid && ref.uid !== obj.metadata.uid) {
      throw new StatusError(newConflict({ group, resource: ref.kind ?? '' }, ref.name ?? '', `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`));
    }
  }
  if (opts.maxExpirationSeconds && expirationSeconds > opts.maxExpirationSeconds) expirationSeconds = opts.maxExpirationSeconds;
  let exp = expirationSeconds;
  let warnAfterSeconds: number | undefined;
  const kubeAudiences = audiences.every((a) => opts.apiAudiences.includes(a));
  if ((opts.extendExpiration ?? true) && bound.pod && expirationSeconds === warnOnlyBoundTokenExpirationSeconds && kubeAudiences) {
    warnAfterSeconds = exp;
    exp = expirationExtensionSeconds;
  }
  const claims = serviceAccountClaims({
    issuer: opts.issuer, namespace, serviceAccount: refOf(sa), audiences, expirationSeconds: exp, now, ...bound,
    ...(warnAfterSeconds ? { warnAfterSeconds } : {}),
  });
  return {
    kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: timestamp(now) },
    spec: { audiences, expirationSeconds, boundObjectRef: ref ?? null },
    status: { token: opts.signer.sign(claims), expirationTimestamp: timestamp(now + expirationSeconds * 1000) },
  };
}

interface BoundObjectRef {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

const refOf = (obj: KubeObject): ObjectRef => ({ name: obj.metadata.name ?? '', uid: obj.metadata.uid ?? '' });
