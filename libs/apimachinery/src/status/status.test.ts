// Messages and codes from k8s.io/apimachinery/pkg/api/errors/errors.go (and errors_test.go).
import { describe, expect, it } from 'vitest';
import { fieldInvalid, fieldRequired } from '../validation/field-errors.js';
import {
  newAlreadyExists,
  newBadRequest,
  newConflict,
  newForbidden,
  newGenerateNameConflict,
  newGone,
  newInternalError,
  newInvalid,
  newMethodNotSupported,
  newNotFound,
  newRequestEntityTooLarge,
  newResourceExpired,
  newServerTimeout,
  newServiceUnavailable,
  newTimeout,
  newTooManyRequests,
  newTooOldResourceVersion,
  newUnauthorized,
  newUnsupportedMediaType,
  optimisticLockErrorMsg,
} from './builders.js';
import { forbiddenMessage, newGenericServerResponse, StatusError, statusFrom } from './status-error.js';
import type { Status } from './types.js';

const pods = { group: '', resource: 'pods' };
const deployments = { group: 'apps', resource: 'deployments' };
const base = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure' } as const;

describe('status — builders produce the apiserver JSON', () => {
  it.each<[string, Status, Omit<Status, keyof typeof base>]>([
    ['not found', newNotFound(pods, 'x'), { message: 'pods "x" not found', reason: 'NotFound', details: { name: 'x', kind: 'pods' }, code: 404 }],
    ['not found with group', newNotFound(deployments, 'web'), { message: 'deployments.apps "web" not found', reason: 'NotFound', details: { name: 'web', group: 'apps', kind: 'deployments' }, code: 404 }],
    ['already exists', newAlreadyExists(pods, 'x'), { message: 'pods "x" already exists', reason: 'AlreadyExists', details: { name: 'x', kind: 'pods' }, code: 409 }],
    [
      'generateName conflict',
      newGenerateNameConflict(pods, 'web-abcde', 1),
      { message: 'pods "web-abcde" already exists, the server was not able to generate a unique name for the object', reason: 'AlreadyExists', details: { name: 'web-abcde', kind: 'pods', retryAfterSeconds: 1 }, code: 409 },
    ],
    [
      'conflict',
      newConflict(deployments, 'web', optimisticLockErrorMsg),
      {
        message: 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
        reason: 'Conflict',
        details: { name: 'web', group: 'apps', kind: 'deployments' },
        code: 409,
      },
    ],
    ['unauthorized', newUnauthorized('Unauthorized'), { message: 'Unauthorized', reason: 'Unauthorized', code: 401 }],
    ['unauthorized default', newUnauthorized(), { message: 'not authorized', reason: 'Unauthorized', code: 401 }],
    [
      'forbidden',
      newForbidden(pods, 'x', forbiddenMessage({ user: 'u', verb: 'get', resource: 'pods', apiGroup: '', namespace: 'default' })),
      { message: 'pods "x" is forbidden: User "u" cannot get resource "pods" in API group "" in the namespace "default"', reason: 'Forbidden', details: { name: 'x', kind: 'pods' }, code: 403 },
    ],
    [
      'forbidden list at cluster scope',
      newForbidden(deployments, '', forbiddenMessage({ user: 'u', verb: 'list', resource: 'deployments', apiGroup: 'apps' })),
      { message: 'deployments.apps is forbidden: User "u" cannot list resource "deployments" in API group "apps" at the cluster scope', reason: 'Forbidden', details: { group: 'apps', kind: 'deployments' }, code: 403 },
    ],
    ['forbidden without resource', newForbidden({ group: '', resource: '' }, '', 'User "u" cannot get path "/metrics"'), { message: 'forbidden: User "u" cannot get path "/metrics"', reason: 'Forbidden', details: {}, code: 403 }],
    ['gone', newGone('gone'), { message: 'gone', reason: 'Gone', code: 410 }],
    ['expired', newResourceExpired('x'), { message: 'x', reason: 'Expired', code: 410 }],
    ['too old resource version', newTooOldResourceVersion(5, 10), { message: 'too old resource version: 5 (10)', reason: 'Expired', code: 410 }],
    ['bad request', newBadRequest('nope'), { message: 'nope', reason: 'BadRequest', code: 400 }],
    ['too many requests', newTooManyRequests('slow down', 3), { message: 'slow down', reason: 'TooManyRequests', details: { retryAfterSeconds: 3 }, code: 429 }],
    ['service unavailable', newServiceUnavailable('down'), { message: 'down', reason: 'ServiceUnavailable', code: 503 }],
    ['method not supported', newMethodNotSupported(pods, 'deletecollection'), { message: 'deletecollection is not supported on resources of kind "pods"', reason: 'MethodNotAllowed', details: { kind: 'pods' }, code: 405 }],
    [
      'server timeout',
      newServerTimeout(pods, 'create', 2),
      { message: 'The create operation against pods could not be completed at this time, please try again.', reason: 'ServerTimeout', details: { name: 'create', kind: 'pods', retryAfterSeconds: 2 }, code: 500 },
    ],
    ['internal error', newInternalError(new Error('boom')), { message: 'Internal error occurred: boom', reason: 'InternalError', details: { causes: [{ message: 'boom' }] }, code: 500 }],
    ['timeout', newTimeout('request did not complete within 60s', 0), { message: 'Timeout: request did not complete within 60s', reason: 'Timeout', details: {}, code: 504 }],
    ['entity too large', newRequestEntityTooLarge('limit is 3145728'), { message: 'Request entity too large: limit is 3145728', reason: 'RequestEntityTooLarge', code: 413 }],
    [
      'unsupported media type',
      newUnsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']),
      {
        message: 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
        reason: 'UnsupportedMediaType',
        code: 415,
      },
    ],
    ['generic 422', newGenericServerResponse(422), { message: 'the server rejected our request due to an error in our request', reason: 'Invalid', details: {}, code: 422 }],
    ['generic 404 with resource', newGenericServerResponse(404, 'GET', pods, 'x'), { message: 'the server could not find the requested resource (get pods x)', reason: 'NotFound', details: { kind: 'pods', name: 'x' }, code: 404 }],
  ])('%s', (_name, got, want) => {
    expect(got).toEqual({ ...base, ...want });
  });
});

describe('status — newInvalid', () => {
  const gk = { group: '', kind: 'Pod' };
  it.each([
    ['no errors', [], 'Pod "x" is invalid', undefined],
    ['one error', [fieldRequired('spec.containers')], 'Pod "x" is invalid: spec.containers: Required value', [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }]],
    [
      'several errors',
      [fieldInvalid('metadata.name', 'Foo', 'bad'), fieldRequired('spec.containers')],
      'Pod "x" is invalid: [metadata.name: Invalid value: "Foo": bad, spec.containers: Required value]',
      [
        { reason: 'FieldValueInvalid', message: 'Invalid value: "Foo": bad', field: 'metadata.name' },
        { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' },
      ],
    ],
  ])('%s', (_name, errs, message, causes) => {
    const s = newInvalid(gk, 'x', errs);
    expect(s).toEqual({ ...base, message, reason: 'Invalid', details: { name: 'x', kind: 'Pod', ...(causes ? { causes } : {}) }, code: 422 });
  });
  it('group in kind', () => expect(newInvalid({ group: 'apps', kind: 'Deployment' }, 'web', []).message).toBe('Deployment.apps "web" is invalid'));
});

describe('status — StatusError', () => {
  it.each([
    [newNotFound(pods, 'x'), 404, false],
    [newConflict(pods, 'x', optimisticLockErrorMsg), 409, true],
    [newAlreadyExists(pods, 'x'), 409, false],
    [newTooManyRequests('x', 1), 429, true],
    [newServiceUnavailable('x'), 503, true],
    [newTimeout('x', 1), 504, true],
    [newInternalError('x'), 500, false],
    [newInvalid({ group: '', kind: 'Pod' }, 'x', []), 422, false],
  ])('%# → code %s, retryable %s', (status, code, retryable) => {
    const err = new StatusError(status);
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(retryable);
    expect(err.message).toBe(status.message);
    expect(err.status).toBe(status);
    expect(err).toBeInstanceOf(Error);
  });
});

describe('status — statusFrom', () => {
  it.each([
    [{ reason: 'NotFound', message: 'pods "x" not found' }, 404, 'NotFound'],
    [{ reason: 'Conflict', code: 409, message: 'm' }, 409, 'Conflict'],
    [{ message: 'plain error' }, 500, undefined],
    [{ reason: 'Weird', message: 'm' }, 500, undefined],
    [{ reason: 'toString', message: 'm' }, 500, undefined],
  ])('%j', (err, code, reason) => {
    const s = statusFrom(err);
    expect(s.code).toBe(code);
    expect(s.reason).toBe(reason);
    expect(s.message).toBe(err.message);
  });
});
