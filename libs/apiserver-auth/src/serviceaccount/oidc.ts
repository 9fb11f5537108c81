import type { KeyObject } from 'node:crypto';
import { publicJwk } from './jws.js';

/** Paths kube-apiserver serves for service-account issuer discovery (ServiceAccountIssuerDiscovery, GA 1.21). */
export const openIdConfigurationPath = '/.well-known/openid-configuration';
export const jwksPath = '/openid/v1/jwks';

/**
 * The OIDC discovery document kube-apiserver serves at `/.well-known/openid-configuration`: the issuer,
 * where its keys are, and the only response type, subject type and algorithm it ever uses.
 */
export function openIdConfiguration(issuer: string, jwksUri: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: jwksUri,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  };
}

/** The RFC 7517 key set at `/openid/v1/jwks`: every key whose signatures the apiserver accepts. */
export function jwks(publicKeys: readonly KeyObject[]): { keys: Array<Record<string, string>> } {
  return { keys: publicKeys.map(publicJwk) };
}

/**
 * kube-apiserver's default `jwks_uri`: the apiserver's external address with the JWKS path
 * (--service-account-jwks-uri overrides it).
 */
export function defaultJwksUri(externalHost: string): string {
  return `https://${externalHost}${jwksPath}`;
}
