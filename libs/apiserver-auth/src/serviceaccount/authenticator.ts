import type { KeyObject } from 'node:crypto';
import type { TokenAuthenticator } from '../authn/authenticator.js';
import type { UserInfo } from '../user.js';
import { serviceAccountUser } from '../user.js';
import { decodeJws, verifyRs256 } from './jws.js';
import type { KubernetesClaims } from './token.js';

/** What the authenticator needs to know of an object a token names: it must still exist with this uid. */
export interface LiveObject {
  readonly uid: string;
  /** RFC 3339, when the object is being deleted. */
  readonly deletionTimestamp?: string;
}

export type BoundKind = 'ServiceAccount' | 'Pod' | 'Secret' | 'Node';

/**
 * Reads an object for the authenticator (the apiserver passes one over its storage); undefined when it
 * does not exist. A rejection fails the authentication (401), as kube-apiserver's getter errors do.
 */
export type ObjectLookup = (kind: BoundKind, namespace: string | undefined, name: string, signal?: AbortSignal) => Promise<LiveObject | undefined>;

export interface ServiceAccountAuthenticatorOptions {
  /** Accepted `iss` values (kube-apiserver --service-account-issuer, repeatable); tokens of other issuers are not ours. */
  readonly issuers: readonly string[];
  /** Keys whose signatures are accepted (--service-account-key-file). */
  readonly publicKeys: readonly KeyObject[];
  /**
   * The apiserver's own audiences (--api-audiences): a token must name at least one. Tokens without `aud`
   * (legacy secret-based tokens) count as naming them all.
   */
  readonly apiAudiences: readonly string[];
  readonly lookup: ObjectLookup;
  /** Unix milliseconds; Date.now by default. */
  readonly now?: () => number;
}

/** The outcome of checking a token: not ours (another authenticator may know it), rejected with why, or a user. */
export type ServiceAccountTokenResult =
  | { readonly kind: 'not-mine' }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'valid'; readonly user: UserInfo };

/** go-jose's jwt.DefaultLeeway, which kube-apiserver uses for exp/nbf/iat and for deleted bound objects. */
export const tokenLeewaySeconds = 60;

/** `authentication.kubernetes.io/…` user extras of a service-account user (pod, node, credential id). */
export const extraKeys = {
  podName: 'authentication.kubernetes.io/pod-name',
  podUid: 'authentication.kubernetes.io/pod-uid',
  nodeName: 'authentication.kubernetes.io/node-name',
  nodeUid: 'authentication.kubernetes.io/node-uid',
  credentialId: 'authentication.kubernetes.io/credential-id',
} as const;

/**
 * kube-apiserver's service-account JWT authenticator: a token whose unverified `iss` is one of ours is
 * checked for an RS256 signature by one of our keys, an audience in common with the API audiences, exp /
 * nbf / iat (60 s leeway), and that the service account — and the pod, secret or node it is bound to —
 * still exists with the uid in the token (an object deleted more than the leeway ago no longer counts).
 * The user is `system:serviceaccount:<ns>:<name>` with uid, groups `system:serviceaccounts` and
 * `system:serviceaccounts:<ns>`, and the pod / node / `JTI=` credential-id extras.
 * Not done (as upstream has no cache here either): results are not cached; each request looks up.
 */
export class ServiceAccountTokenAuthenticator implements TokenAuthenticator {
  private readonly issuers: ReadonlySet<string>;
  private readonly now: () => number;

  constructor(private readonly options: ServiceAccountAuthenticatorOptions) {
    this.issuers = new Set(options.issuers);
    this.now = options.now ?? Date.now;
  }

  async authenticateToken(token: string, signal?: AbortSignal): Promise<UserInfo | undefined> {
    const result = await this.check(token, signal);
    return result.kind === 'valid' ? result.user : undefined;
  }

  async check(token: string, signal?: AbortSignal): Promise<ServiceAccountTokenResult> {
    const jws = decodeJws(token);
    if (!jws || typeof jws.payload['iss'] !== 'string' || !this.issuers.has(jws.payload['iss'])) return { kind: 'not-mine' };
    if (jws.header.alg !== 'RS256') return { kind: 'invalid', reason: `unsupported signing algorithm ${String(jws.header.alg)}` };
    if (!this.options.publicKeys.some((k) => verifyRs256(jws.signingInput, jws.signature, k))) return { kind: 'invalid', reason: 'invalid signature' };
    const claims = jws.payload;
    const tokenAuds = audiencesOf(claims['aud']);
    const auds = tokenAuds.length === 0 ? this.options.apiAudiences : tokenAuds;
    if (this.options.apiAudiences.length > 0 && !auds.some((a) => this.options.apiAudiences.includes(a))) {
      return { kind: 'invalid', reason: `token audiences ${JSON.stringify(auds)} is invalid for the target audiences ${JSON.stringify(this.options.apiAudiences)}` };
    }
    const timeError = this.checkTimes(claims);
    if (timeError) return { kind: 'invalid', reason: timeError };
    const k = claims['kubernetes.io'] as KubernetesClaims | undefined;
    if (!k || typeof k.namespace !== 'string' || typeof k.serviceaccount?.name !== 'string') return { kind: 'invalid', reason: 'service account token claims could not be read' };
    const deletedBefore = this.now() - tokenLeewaySeconds * 1000;
    const live = async (kind: BoundKind, ref: { name: string; uid: string }, namespace: string | undefined): Promise<string | undefined> => {
      const obj = await this.options.lookup(kind, namespace, ref.name, signal);
      if (!obj) return `${kind} ${namespace ? `${namespace}/` : ''}${ref.name} does not exist`;
      if (obj.uid !== ref.uid) return `${kind} UID (${obj.uid}) does not match claim (${ref.uid})`;
      if (obj.deletionTimestamp && Date.parse(obj.deletionTimestamp) < deletedBefore) return `${kind} ${ref.name} has been deleted`;
      return undefined;
    };
    try {
      const problem = (await live('ServiceAccount', k.serviceaccount, k.namespace))
        ?? (k.secret ? await live('Secret', k.secret, k.namespace) : undefined)
        ?? (k.pod ? await live('Pod', k.pod, k.namespace) : undefined)
        ?? (k.node ? await live('Node', k.node, undefined) : undefined);
      if (problem) return { kind: 'invalid', reason: problem };
    } catch (err) {
      return { kind: 'invalid', reason: `cannot look up the token's objects: ${err instanceof Error ? err.message : String(err)}` };
    }
    const base = serviceAccountUser(k.namespace, k.serviceaccount.name, k.serviceaccount.uid);
    const extra: Record<string, string[]> = {};
    if (k.pod?.name && k.pod.uid) Object.assign(extra, { [extraKeys.podName]: [k.pod.name], [extraKeys.podUid]: [k.pod.uid] });
    if (typeof claims['jti'] === 'string' && claims['jti']) extra[extraKeys.credentialId] = [`JTI=${claims['jti']}`];
    if (k.node?.name && k.node.uid) Object.assign(extra, { [extraKeys.nodeName]: [k.node.name], [extraKeys.nodeUid]: [k.node.uid] });
    return { kind: 'valid', user: { ...base, ...(Object.keys(extra).length > 0 ? { extra } : {}) } };
  }

  /** exp / nbf / iat against now with the leeway, worded as kube-apiserver's validator words them. */
  private checkTimes(claims: Record<string, unknown>): string | undefined {
    const now = this.now() / 1000;
    const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
    const exp = num(claims['exp']);
    const nbf = num(claims['nbf']);
    const iat = num(claims['iat']);
    if (exp !== undefined && now > exp + tokenLeewaySeconds) return 'service account token has expired';
    if (nbf !== undefined && now + tokenLeewaySeconds < nbf) return 'service account token is not valid yet';
    if (iat !== undefined && now + tokenLeewaySeconds < iat) return 'service account token is issued in the future';
    return undefined;
  }
}

const audiencesOf = (aud: unknown): string[] =>
  typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
