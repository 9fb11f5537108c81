// metav1.Status and its parts (k8s.io/apimachinery/pkg/apis/meta/v1/types.go), as JSON.
import type { FieldErrorType } from '../validation/field-errors.js';

/** `metav1.StatusReason`; '' is StatusReasonUnknown. */
export type StatusReason =
  | ''
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'ServerTimeout'
  | 'StorageReadError'
  | 'Timeout'
  | 'TooManyRequests'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'Expired'
  | 'ServiceUnavailable';

/** `metav1.CauseType`: the field error types plus a few server-side ones. */
export type CauseType = FieldErrorType | 'UnexpectedServerResponse' | 'FieldManagerConflict' | 'ResourceVersionTooLarge' | 'DisruptionBudget';

/** `metav1.StatusCause`. Go's field `Type` is serialized as `reason`. Empty fields are omitted. */
export interface StatusCause {
  readonly reason?: CauseType;
  readonly message?: string;
  readonly field?: string;
}

/** `metav1.StatusDetails`. `kind` holds the *resource* (plural) for most errors, the Kind for Invalid. */
export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

/** `metav1.Status` exactly as the apiserver writes it (empty fields omitted, `metadata` always `{}`). */
export interface Status {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Readonly<Record<string, never>>;
  readonly status: 'Success' | 'Failure';
  readonly message?: string;
  readonly reason?: StatusReason;
  readonly details?: StatusDetails;
  readonly code?: number;
}

/** `schema.GroupResource`: the core group is "". */
export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

/** `schema.GroupKind`. */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** `GroupResource.String()`: `pods`, `deployments.apps`. */
export const groupResourceString = (gr: GroupResource): string => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);
/** `GroupKind.String()`: `Pod`, `Deployment.apps`. */
export const groupKindString = (gk: GroupKind): string => (gk.group ? `${gk.kind}.${gk.group}` : gk.kind);
