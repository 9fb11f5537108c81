// @ekslab/apiserver — the Kubernetes REST API over etcd: routing, discovery, verbs, watch, tables.
export { createApiHandler } from './http/server.js';
export type { ApiServerOptions, ApiHandler } from './http/server.js';
export { resources, findResource, apiVersionOf } from './resources.js';
export type { ResourceInfo, Verb } from './resources.js';
export { RbacCache } from './auth/rbac-cache.js';
export { ensureBootstrapObjects } from './auth/bootstrap.js';
export { listenGrpc, grpcServerCredentials } from './grpc/server.js';
export type { GrpcListener, GrpcListenOptions, GrpcTls } from './grpc/server.js';
export { createAdmission, defaultAdmissionOptions } from './admission/chain.js';
export type { AdmissionOptions } from './admission/chain.js';
export { defaultServiceCidr } from './admission/cidr.js';
export { startKubernetesServiceReconciler, reconcileKubernetesService } from './admission/kubernetes-service.js';
export type { KubernetesServiceOptions } from './admission/kubernetes-service.js';
export { repairServiceAllocations } from './admission/repair.js';
export { serviceAllocators } from './admission/service-allocators.js';
export { NatsAuditSink, auditEvent } from './audit.js';
export type { AuditEvent, AuditSink } from './audit.js';
