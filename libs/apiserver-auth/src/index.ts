// Public API of @ekslab/apiserver-auth: the apiserver's lab PKI, authentication, request attributes,
// authorization (Node + RBAC + system:masters), the bootstrap RBAC policy and access reviews.
export {
  InvalidBearerTokenError,
  ClientCertificateError,
  UnauthenticatedError,
  TokenFileFormatError,
  PkiCorruptError,
  PkiContentionError,
  RequestInfoError,
  InvalidAccessReviewError,
  ImpersonationForbiddenError,
  InvalidImpersonationError,
} from './errors.js';

export type { UserInfo } from './user.js';
export {
  anonymousUser,
  allAuthenticatedGroup,
  allUnauthenticatedGroup,
  systemMastersGroup,
  nodesGroup,
  nodeUser,
  nodeNameOf,
  serviceAccountUser,
  adminUsername,
  cloudControllerManagerUsername,
} from './user.js';

export { ensureLabPki, loadLabCa, defaultApiserverSans } from './pki/lab-pki.js';
export type { LabPki, LabPkiOptions, Sans } from './pki/lab-pki.js';
export { ensureServiceAccountKey } from './pki/service-account-key.js';
export type { ServiceAccountKey } from './pki/service-account-key.js';
export { issueClientCert, caCommonName } from './pki/issue.js';
export type { CertKeyPair, LabCa } from './pki/issue.js';

export { Authenticator, bearerToken } from './authn/authenticator.js';
export type {
  AuthenticationRequest,
  AuthenticationResult,
  AuthenticationMethod,
  AuthenticatorOptions,
  TokenAuthenticator,
} from './authn/authenticator.js';
export { ClientCertAuthenticator } from './authn/client-cert.js';
export type { PeerCertificateInput } from './authn/client-cert.js';
export { TokenFileAuthenticator, parseTokenFile, formatTokenFile } from './authn/token-file.js';
export type { TokenFileEntry } from './authn/token-file.js';
export { NodeTokens, generateNodeTokenSecret } from './authn/node-tokens.js';
export {
  ensureLabTokens,
  generateLabTokenFile,
  generateToken,
  labIdentities,
  labControllerNames,
} from './authn/lab-tokens.js';
export type { LabTokens, LabIdentityKey, LabControllerName } from './authn/lab-tokens.js';

export {
  ServiceAccountTokenSigner,
  serviceAccountClaims,
  serviceAccountUsername,
  eksIssuerUrl,
} from './serviceaccount/token.js';
export type { ServiceAccountClaims, KubernetesClaims, ObjectRef, TokenClaimsInput } from './serviceaccount/token.js';
export { ServiceAccountTokenAuthenticator, tokenLeewaySeconds, extraKeys } from './serviceaccount/authenticator.js';
export type {
  ObjectLookup,
  LiveObject,
  BoundKind,
  ServiceAccountAuthenticatorOptions,
  ServiceAccountTokenResult,
} from './serviceaccount/authenticator.js';
export { openIdConfiguration, jwks, defaultJwksUri, openIdConfigurationPath, jwksPath } from './serviceaccount/oidc.js';
export { keyIdOf, decodeJws } from './serviceaccount/jws.js';
export { impersonatedUser, splitServiceAccountUsername } from './authn/impersonation.js';
export type { DistinctHeaders } from './authn/impersonation.js';

export { parseRequestInfo } from './request-info.js';
export type { RequestAttributes } from './request-info.js';

export { Authorizer } from './authz/authorizer.js';
export type { AuthorizationAttributes, AuthorizerOptions } from './authz/authorizer.js';
export { InMemoryRbacSource } from './authz/source.js';
export type { RbacSource } from './authz/source.js';
export { ruleAllows } from './authz/rules.js';
export { forbiddenMessage, forbiddenStatus } from './authz/forbidden.js';
export type { ForbiddenStatus } from './authz/forbidden.js';
export { evaluateSelfSubjectAccessReview, accessReviewAttributes } from './authz/access-review.js';
export { subjectRulesReview, rbacRulesFor } from './authz/rules-review.js';
export type { SubjectRulesReviewStatus, ResourceRule, NonResourceRule } from './authz/rules-review.js';
export type {
  SelfSubjectAccessReviewSpec,
  ResourceAttributes,
  NonResourceAttributes,
  SubjectAccessReviewStatus,
} from './authz/access-review.js';
export type {
  PolicyRule,
  Subject,
  RoleRef,
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
  Decision,
  AuthorizationResult,
} from './authz/types.js';

export { bootstrapPolicy, eksClusterRoles } from './bootstrap/bootstrap.js';
export type { BootstrapPolicy } from './bootstrap/bootstrap.js';
export { bootstrapLabels, bootstrapAnnotations } from './bootstrap/builders.js';
