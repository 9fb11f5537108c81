// @ekslab/cloud — the simulated AWS side (VPC and subnets, EC2 instances and ENIs, Auto Scaling, ELB,
// fault controls), its state in etcd under the cloud's own prefix so replicas agree and survive restarts.
export { CloudApiError, noFaults } from './ports.js';
export type { EventSink, InstanceSummary, RunInstancesInput, Ec2Port, FaultGate } from './ports.js';

// Auto Scaling (and EKS managed node groups on it).
export { createAutoScaling } from './autoscaling/module.js';
export type { AutoScalingDeps } from './autoscaling/module.js';
export { AutoScalingService } from './autoscaling/service.js';
export type { AutoScalingServiceOptions, CreateAutoScalingGroupInput, UpdateAutoScalingGroupInput } from './autoscaling/service.js';
export { AutoScalingReconciler } from './autoscaling/reconciler.js';
export type { ReconcilerOptions as AutoScalingReconcilerOptions } from './autoscaling/reconciler.js';
export { AsgStore } from './autoscaling/store.js';
export { createNodegroup, nodegroupTags, nodegroupAsgName } from './autoscaling/nodegroup.js';
export type { CreateNodegroupInput } from './autoscaling/nodegroup.js';
export { registerAutoScalingService } from './autoscaling/grpc.js';
export type { AutoScalingGrpcDeps } from './autoscaling/grpc.js';
export type { AutoScalingGroup, AsgInstance, ScalingActivityRecord, CapacityType } from './autoscaling/types.js';

// Elastic Load Balancing v2.
export { ElbService, defaultHealthCheck } from './elb/service.js';
export type { ElbServiceOptions, CreateLoadBalancerInput, CreateTargetGroupInput } from './elb/service.js';
export { registerElbService } from './elb/grpc.js';
export type { ElbGrpcDeps } from './elb/grpc.js';
export type { LoadBalancer, Listener, TargetGroup, TargetHealthDescription, LoadBalancerType, Scheme, Protocol, TargetType } from './elb/types.js';

// EC2: VPCs and subnets with exact address accounting, ENIs, instances, and their gRPC service.
export { instanceType, instanceTypes, eniMaxPods, maxPodsCalculator } from './ec2/instance-types.js';
export type { InstanceType } from './ec2/instance-types.js';
export { Vpcs, ensureDefaultVpc, defaultVpcSpec, availabilityZones } from './ec2/vpc.js';
export type { VpcRecord, SubnetDescription, CreateSubnetInput, DefaultVpcSpec, VpcDeps } from './ec2/vpc.js';
export { NetworkInterfaces } from './ec2/eni.js';
export type { EniDeps } from './ec2/eni.js';
export type { EniRecord, EniAttachment } from './ec2/records.js';
export { Instances, defaultInstanceTimings, MAX_RUN_COUNT } from './ec2/instances.js';
export type { InstanceDeps, InstanceTimings } from './ec2/instances.js';
export { Ec2 } from './ec2/ec2.js';
export type { Ec2Context } from './ec2/ec2.js';
export { registerEc2Service, createEc2Service } from './ec2/grpc.js';
export type { Ec2ServiceDeps } from './ec2/grpc.js';
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
// Serving cloud APIs on grpc-js: AbortSignal per call, CloudApiError → gRPC status with the AWS code
// (the one wire format: @ekslab/proto's cloud-error.ts; clients read it with cloudErrorFromServiceError).
export { unaryHandler, gatedUnaryHandler, toServiceError } from './grpc/unary.js';
export type { ErrorLog } from './grpc/unary.js';
// A synthetic API call (fault gate + one etcd CAS) for benchmarks and chaos checks.
export { probe, registerProbeService } from './probe/probe.js';
