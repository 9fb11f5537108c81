import { failure, type ApiStatusError } from '../http/status.js';
import { qualifiedResource } from '../resources.js';
import type { AdmissionRequest } from './types.js';

/**
 * admission.NewForbidden: 403 `pods "web" is forbidden: <reason>`. The name is the one the client sent
 * (its generateName when it sent only that), as kube-apiserver reports it before names are generated.
 */
export function forbidden(req: AdmissionRequest, reason: string): ApiStatusError {
  const meta = (req.input?.['metadata'] ?? {}) as { name?: string; generateName?: string };
  const name = req.input ? meta.name || meta.generateName || 'Unknown' : req.name;
  const resource = qualifiedResource(req.info);
  return failure(403, 'Forbidden', `${resource} ${JSON.stringify(name)} is forbidden: ${reason}`, {
    name, ...(req.info.group ? { group: req.info.group } : {}), kind: req.info.resource,
  });
}

/** One field.Error of type Invalid. `value` is rendered as apimachinery renders BadValue (JSON for lists). */
export interface FieldInvalid {
  readonly field: string;
  readonly value: unknown;
  readonly detail: string;
}

const render = (value: unknown): string => (typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value));

/** errors.NewInvalid: 422 `Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 30080: <detail>`. */
export function invalid(kind: string, group: string, name: string, errs: readonly FieldInvalid[]): ApiStatusError {
  const causes = errs.map((e) => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${render(e.value)}: ${e.detail}`, field: e.field }));
  const joined = causes.map((c) => `${c.field}: ${c.message}`);
  return failure(422, 'Invalid', `${kind} ${JSON.stringify(name)} is invalid: ${joined.length === 1 ? joined[0]! : `[${joined.join(', ')}]`}`, {
    name, ...(group ? { group } : {}), kind, causes,
  });
}

/** errors.NewInternalError: 500 `Internal error occurred: <message>`. */
export function internal(message: string): ApiStatusError {
  // metav1.StatusCause with an empty reason, which omitempty drops from the JSON.
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message } as { reason: string; message: string }] });
}
