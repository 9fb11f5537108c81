// @ekslab/apiserver — the Kubernetes REST API over etcd: routing, discovery, verbs, watch, tables.
export { createApiHandler } from './http/server.js';
export type { ApiServerOptions, ApiHandler } from './http/server.js';
export { resources, findResource, apiVersionOf } from './resources.js';
export type { ResourceInfo, Verb } from './resources.js';
export { RbacCache } from './auth/rbac-cache.js';
export { ensureBootstrapObjects } from './auth/bootstrap.js';
