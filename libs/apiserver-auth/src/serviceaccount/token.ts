import { createHash, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { serviceAccountUserPrefix } from '../user.js';
import { keyIdOf, signJws } from './jws.js';

/** An object a token names or is bound to: `kubernetes.io.{serviceaccount,pod,secret,node}` of the claims. */
export interface ObjectRef {
  readonly name: string;
  readonly uid: string;
}

/** The private claims kube-apiserver puts in a service-account token (pkg/serviceaccount/claims.go). */
export interface KubernetesClaims {
  readonly namespace: string;
  readonly serviceaccount: ObjectRef;
  readonly pod?: ObjectRef;
  readonly secret?: ObjectRef;
  readonly node?: ObjectRef;
  /** Unix seconds after which the apiserver logs that a stale (extended) token is still in use. */
  readonly warnafter?: number;
}

export interface ServiceAccountClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: readonly string[];
  readonly exp: number;
  readonly iat: number;
  readonly nbf: number;
  readonly jti: string;
  readonly 'kubernetes.io': KubernetesClaims;
}

export interface TokenClaimsInput {
  readonly issuer: string;
  readonly namespace: string;
  readonly serviceAccount: ObjectRef;
  readonly audiences: readonly string[];
  readonly expirationSeconds: number;
  /** When set, the `warnafter` claim: the lifetime the client asked for before the apiserver extended it. */
  readonly warnAfterSeconds?: number;
  /** At most one of pod (optionally with its node), secret, node: what the token is bound to. */
  readonly pod?: ObjectRef;
  readonly secret?: ObjectRef;
  readonly node?: ObjectRef;
  /** Unix milliseconds. */
  readonly now: number;
}

/** `system:serviceaccount:<namespace>:<name>`, the `sub` claim and the username. */
export const serviceAccountUsername = (namespace: string, name: string): string => `${serviceAccountUserPrefix}${namespace}:${name}`;

/**
 * The claims of a bound service-account token as kube-apiserver's TokenRequest builds them: `sub`, `aud`,
 * `iat` = `nbf` = now, `exp` = now + expirationSeconds, a random `jti`, and `kubernetes.io` with the
 * namespace, the account and the bound object.
 */
export function serviceAccountClaims(input: TokenClaimsInput): ServiceAccountClaims {
  if (input.secret && (input.pod || input.node)) throw new Error('internal error, token can only be bound to one object type');
  const now = Math.floor(input.now / 1000);
  const kubernetes: KubernetesClaims = {
    namespace: input.namespace,
    serviceaccount: input.serviceAccount,
    ...(input.pod ? { pod: input.pod } : {}),
    ...(input.secret ? { secret: input.secret } : {}),
    ...(input.node ? { node: input.node } : {}),
    ...(input.warnAfterSeconds ? { warnafter: now + input.warnAfterSeconds } : {}),
  };
  return {
    aud: [...input.audiences],
    exp: now + input.expirationSeconds,
    iat: now,
    iss: input.issuer,
    jti: randomUUID(),
    'kubernetes.io': kubernetes,
    nbf: now,
    sub: serviceAccountUsername(input.namespace, input.serviceAccount.name),
  };
}

/** Signs service-account tokens (kube-apiserver --service-account-signing-key-file), RS256 with a `kid`. */
export class ServiceAccountTokenSigner {
  readonly keyId: string;
  constructor(private readonly privateKey: KeyObject, publicKey: KeyObject) {
    this.keyId = keyIdOf(publicKey);
  }

  sign(claims: ServiceAccountClaims): string {
    return signJws(claims as unknown as Record<string, unknown>, this.privateKey, this.keyId);
  }
}

/**
 * The lab's default issuer, shaped like an EKS cluster's OIDC issuer:
 * `https://oidc.eks.<region>.amazonaws.com/id/<32 upper-case hex>`, the id taken from the SHA-256 of the
 * CA certificate so every replica (and every restart with the same cert dir) derives the same issuer.
 */
export function eksIssuerUrl(caCertPem: string, region = 'us-east-1'): string {
  const der = new X509Certificate(caCertPem).raw;
  const id = createHash('sha256').update(der).digest('hex').slice(0, 32).toUpperCase();
  return `https://oidc.eks.${region}.amazonaws.com/id/${id}`;
}
