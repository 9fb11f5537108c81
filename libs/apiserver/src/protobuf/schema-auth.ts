import type { SchemaSource } from './schema.js';

/** authorization.k8s.io/v1 self-reviews and authentication.k8s.io/v1 TokenRequest, SelfSubjectReview. Not decoded: ResourceAttributes fieldSelector/labelSelector, TokenRequestSpec attestations (newer than kubectl 1.33). */
export const AUTH_SCHEMA: SchemaSource = {
  SelfSubjectAccessReview: {
    1: 'metadata ObjectMeta',
    2: 'spec SelfSubjectAccessReviewSpec',
    3: 'status SubjectAccessReviewStatus',
  },
  SelfSubjectAccessReviewSpec: {
    1: 'resourceAttributes ResourceAttributes',
    2: 'nonResourceAttributes NonResourceAttributes',
  },
  ResourceAttributes: {
    1: 'namespace string',
    2: 'verb string',
    3: 'group string',
    4: 'version string',
    5: 'resource string',
    6: 'subresource string',
    7: 'name string',
    // 8: fieldSelector (FieldSelectorAttributes) is not decoded
    // 9: labelSelector (LabelSelectorAttributes) is not decoded
  },
  NonResourceAttributes: {
    1: 'path string',
    2: 'verb string',
  },
  SubjectAccessReviewStatus: {},
  SelfSubjectRulesReview: {
    1: 'metadata ObjectMeta',
    2: 'spec SelfSubjectRulesReviewSpec',
    3: 'status SubjectRulesReviewStatus',
  },
  SelfSubjectRulesReviewSpec: {
    1: 'namespace string',
  },
  SubjectRulesReviewStatus: {},
  TokenRequest: {
    1: 'metadata ObjectMeta',
    2: 'spec TokenRequestSpec',
    3: 'status TokenRequestStatus',
  },
  TokenRequestSpec: {
    1: 'audiences []string',
    3: 'boundObjectRef BoundObjectReference',
    4: 'expirationSeconds *int64',
    // 5: attestations is not decoded
  },
  BoundObjectReference: {
    1: 'kind string',
    2: 'apiVersion string',
    3: 'name string',
    4: 'uid string',
  },
  TokenRequestStatus: {},
  SelfSubjectReview: {
    1: 'metadata ObjectMeta',
    2: 'status SelfSubjectReviewStatus',
  },
  SelfSubjectReviewStatus: {},
};
