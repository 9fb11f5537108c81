// @ekslab/testing — real etcd and NATS clusters in containers for integration tests (*.int.test.ts),
// with fault injection (kill, stop/start, pause, network isolation) and polling waits instead of sleeps.
// Needs Docker and the local images from `make images`; never pulls; runs without Ryuk (cleanup() is yours).
export { waitFor } from './wait.js';
export type { WaitForOptions } from './wait.js';
export { ImageMissingError, WaitTimeoutError } from './errors.js';
export { imageFor, ensureImage } from './images.js';
export type { ImageKind } from './images.js';
export { ContainerMember } from './member.js';
export type { MemberStatus } from './member.js';
export { ContainerGroup, HARNESS_LABEL } from './group.js';
export { EtcdCluster, startEtcdCluster } from './etcd-cluster.js';
export type { EtcdClusterOptions, EtcdMemberStatus } from './etcd-cluster.js';
export { NatsCluster, startNats } from './nats-cluster.js';
export type { NatsClusterOptions } from './nats-cluster.js';
export { useEtcdCluster, useNatsCluster } from './vitest.js';
export { freePorts } from './ports.js';
