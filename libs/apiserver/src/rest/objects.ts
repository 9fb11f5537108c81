import { randomInt, randomUUID } from 'node:crypto';
import { cloneJson } from '@ekslab/apimachinery';
import { apiVersionOf, qualifiedResource, type ResourceInfo } from '../resources.js';
import { failure } from '../http/status.js';
import { settleTemplateGeneration } from './daemonsets.js';
import { applyDefaults } from './defaults.js';
import { prepareJobForCreate, validateCronJob, validateJob } from './jobs.js';
import { jsonEqual } from './json-equal.js';
import { isNamespaces, settleNamespaceFinalizers } from './namespaces.js';

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: Array<Record<string, unknown>>;
  [field: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [field: string]: unknown;
}

/** RFC 3339 with seconds, as metav1.Time marshals (`2026-11-22T02:02:47Z`). */
export const timestamp = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

// k8s.io/apimachinery/pkg/util/rand: lower-case alphanumerics without vowels and confusable characters.
const alphanums = 'bcdfghjklmnpqrstvwxz2456789';
const suffix = (): string => Array.from({ length: 5 }, () => alphanums[randomInt(alphanums.length)]).join('');

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Resources whose names must be DNS-1123 labels (apimachinery's ValidateNamespaceName / ValidateServiceName). */
const labelNamed = new Set(['namespaces', 'services']);

const labelMessage = `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`;
const subdomainMessage = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;

/** RBAC objects only need a valid path segment (rbac validation's ValidateRBACName), e.g. `system:discovery`. */
const pathSegmentNamed = new Set(['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings']);

/** 422 Invalid for a bad metadata.name, worded as kube-apiserver words it. */
export function validateName(info: ResourceInfo, name: string): void {
  if (pathSegmentNamed.has(info.resource)) {
    const bad = name === '.' || name === '..' ? `may not be '${name}'` : /[/%]/.exec(name) ? `may not contain '${/[/%]/.exec(name)![0]}'` : undefined;
    if (!bad) return;
    throw failure(422, 'Invalid', `${info.kind} ${JSON.stringify(name)} is invalid: metadata.name: Invalid value: ${JSON.stringify(name)}: ${bad}`, {
      name, group: info.group, kind: info.kind, causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(name)}: ${bad}`, field: 'metadata.name' }],
    });
  }
  const asLabel = labelNamed.has(info.resource);
  const max = asLabel ? 63 : 253;
  const problems: string[] = [];
  if (name.length > max) problems.push(`must be no more than ${max} characters`);
  if (!(asLabel ? dns1123Label : dns1123Subdomain).test(name)) problems.push(asLabel ? labelMessage : subdomainMessage);
  if (problems.length === 0) return;
  const causes = problems.map((message) => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(name)}: ${message}`, field: 'metadata.name' }));
  const joined = causes.map((c) => `${c.field}: ${c.message}`);
  throw failure(422, 'Invalid', `${info.kind} ${JSON.stringify(name)} is invalid: ${joined.length === 1 ? joined[0]! : `[${joined.join(', ')}]`}`, {
    name, ...(info.group ? { group: info.group } : {}), kind: info.kind, causes,
  });
}

/** Checks apiVersion/kind of a request body against the URL (kube-apiserver's decoding rules). */
export function checkTypeMeta(info: ResourceInfo, obj: Record<string, unknown>): void {
  const want = apiVersionOf(info);
  if (obj['kind'] !== undefined && obj['kind'] !== info.kind) {
    throw failure(400, 'BadRequest', `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: the kind in the data (${JSON.stringify(obj['kind'])}) does not match the expected kind (${info.kind})`);
  }
  if (obj['apiVersion'] !== undefined && obj['apiVersion'] !== want) {
    throw failure(400, 'BadRequest', `the API version in the data (${JSON.stringify(obj['apiVersion'])}) does not match the expected API version (${want})`);
  }
  const meta = obj['metadata'];
  if (meta !== undefined && (meta === null || typeof meta !== 'object' || Array.isArray(meta))) {
    throw failure(400, 'BadRequest', `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: json: cannot unmarshal ${Array.isArray(meta) ? 'array' : typeof meta} into Go struct field ${info.kind}.metadata of type v1.ObjectMeta`);
  }
}

export interface CreateContext {
  readonly info: ResourceInfo;
  readonly namespace?: string;
  readonly now: number;
}

/** Fills in what the server owns on create: name from generateName, uid, timestamps, generation. */
export function prepareForCreate(ctx: CreateContext, input: Record<string, unknown>): KubeObject {
  checkTypeMeta(ctx.info, input);
  const obj = cloneJson(input) as KubeObject;
  obj.apiVersion = apiVersionOf(ctx.info);
  obj.kind = ctx.info.kind;
  const meta: ObjectMeta = (obj.metadata ??= {});
  if (ctx.info.namespaced) {
    if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== ctx.namespace) {
      throw failure(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    }
    meta.namespace = ctx.namespace;
  } else {
    delete meta.namespace;
  }
  if (!meta.name) {
    if (!meta.generateName) {
      throw failure(422, 'Invalid', `${ctx.info.kind} "" is invalid: metadata.name: Required value: name or generateName is required`, {
        kind: ctx.info.kind, causes: [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }],
      });
    }
    meta.name = `${meta.generateName}${suffix()}`;
  }
  validateName(ctx.info, meta.name);
  meta.uid = randomUUID();
  meta.creationTimestamp = timestamp(ctx.now);
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  if (obj.spec !== undefined) meta.generation = 1;
  else delete meta.generation;
  if (ctx.info.subresources?.['status'] && ctx.info.resource !== 'nodes') delete obj.status;
  applyDefaults(ctx.info.resource, obj);
  if (isBatch(ctx.info, 'jobs')) {
    prepareJobForCreate(obj);
    validateJob(obj);
  } else if (isBatch(ctx.info, 'cronjobs')) validateCronJob(obj);
  if (isDaemonSets(ctx.info)) settleTemplateGeneration(obj);
  return obj;
}

export interface UpdateContext {
  readonly info: ResourceInfo;
  readonly subresource?: string;
}

/**
 * Applies the rules of an update to `next` given the stored `current`: server-owned metadata is kept,
 * `generation` moves only when the spec changed, and the main resource and its `status` subresource
 * each change only their own part.
 */
export function prepareForUpdate(ctx: UpdateContext, current: KubeObject, input: KubeObject): KubeObject {
  checkTypeMeta(ctx.info, input);
  let next = cloneJson(input);
  next.apiVersion = apiVersionOf(ctx.info);
  next.kind = ctx.info.kind;
  next.metadata ??= {};
  if (next.metadata.name !== undefined && next.metadata.name !== current.metadata.name) {
    throw failure(400, 'BadRequest', `the name of the object (${next.metadata.name}) does not match the name on the URL (${String(current.metadata.name)})`);
  }
  if (ctx.subresource === 'status') {
    // Only status (and, as Kubernetes allows, nothing of spec) changes through /status.
    next = { ...cloneJson(current), status: next.status };
    next.metadata.resourceVersion = input.metadata?.resourceVersion ?? current.metadata.resourceVersion;
    // managedFields the writer sent (or server-side apply computed) are kept, as kube's status strategies keep them.
    if (input.metadata?.managedFields !== undefined) next.metadata.managedFields = cloneJson(input.metadata.managedFields);
    // kube's deployment status strategy keeps only spec and labels: the deployment controller writes the
    // deployment.kubernetes.io/revision annotation through /status.
    if (ctx.info.resource === 'deployments' && ctx.info.group === 'apps') {
      if (input.metadata?.annotations === undefined) delete next.metadata.annotations;
      else next.metadata.annotations = cloneJson(input.metadata.annotations);
    }
  } else if (ctx.subresource === 'finalize') {
    // namespaces/finalize changes spec.finalizers only (settled below).
    next = cloneJson(current);
    next.metadata.resourceVersion = input.metadata?.resourceVersion ?? current.metadata.resourceVersion;
  } else if (ctx.info.subresources?.['status']) {
    if (current.status === undefined) delete next.status;
    else next.status = cloneJson(current.status);
  }
  const meta = next.metadata;
  for (const owned of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'namespace', 'name'] as const) {
    if (current.metadata[owned] === undefined) delete meta[owned];
    else (meta as Record<string, unknown>)[owned] = current.metadata[owned];
  }
  applyDefaults(ctx.info.resource, next);
  // Compared after defaulting and regardless of key order, as kube's strategies compare the decoded specs.
  if (current.metadata.generation !== undefined) {
    // kube's deployment strategy also moves it for annotation changes (they are copied to the ReplicaSets).
    const annotationsMove = ctx.subresource === undefined && ctx.info.resource === 'deployments' && ctx.info.group === 'apps'
      && !jsonEqual(current.metadata.annotations ?? {}, meta.annotations ?? {});
    meta.generation = current.metadata.generation + (jsonEqual(current.spec, next.spec) && !annotationsMove ? 0 : 1);
  }
  if (isBatch(ctx.info, 'jobs') && ctx.subresource === undefined) validateJob(next, current);
  else if (isBatch(ctx.info, 'cronjobs') && ctx.subresource === undefined) validateCronJob(next, current);
  if (isDaemonSets(ctx.info) && ctx.subresource === undefined) settleTemplateGeneration(next, current);
  if (isNamespaces(ctx.info)) settleNamespaceFinalizers(ctx.subresource, current, input, next);
  // A finalizer removed from an object that is being deleted may complete the deletion: the caller checks.
  return next;
}

const isBatch = (info: ResourceInfo, resource: 'jobs' | 'cronjobs'): boolean => info.group === 'batch' && info.resource === resource;
const isDaemonSets = (info: ResourceInfo): boolean => info.group === 'apps' && info.resource === 'daemonsets';

/** `pods "x"`-style reference used in Kubernetes' messages. */
export const objectRef = (info: ResourceInfo, name: string): string => `${qualifiedResource(info)} ${JSON.stringify(name)}`;
