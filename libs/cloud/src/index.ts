// @ekslab/cloud — the simulated AWS side (VPC and subnets, EC2 instances and ENIs, Auto Scaling, ELB,
// fault controls), its state in etcd under the cloud's own prefix so replicas agree and survive restarts.
export { CloudApiError, noFaults } from './ports.js';
export type { EventSink, InstanceSummary, RunInstancesInput, Ec2Port, FaultGate } from './ports.js';
// Events on JetStream (the EKSLAB_CLOUD stream).
export { JetStreamEventSink, EventPublishError } from './events/jetstream-sink.js';
export type { JetStreamEventSinkOptions } from './events/jetstream-sink.js';
export { ensureCloudStream, defaultMaxAgeMs } from './events/stream.js';
export type { CloudStreamOptions } from './events/stream.js';
// Fault controls (state in etcd, FaultService on gRPC).
export { EtcdFaultGate, faultStateKey, faultControlApis } from './faults/etcd-fault-gate.js';
export type { EtcdFaultGateOptions } from './faults/etcd-fault-gate.js';
export { registerFaultService, faultsToProto } from './faults/grpc.js';
export { allApis, requestLimitExceeded, insufficientInstanceCapacity, InvalidFaultError } from './faults/state.js';
export type { FaultState, ThrottleRule, LatencyRule } from './faults/state.js';
// Serving cloud APIs on grpc-js: AbortSignal per call, CloudApiError → gRPC status with the AWS code.
export { unaryHandler, toServiceError } from './grpc/unary.js';
// A synthetic API call (fault gate + one etcd CAS) for benchmarks and chaos checks.
export { probe, registerProbeService } from './probe/probe.js';
