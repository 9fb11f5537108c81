// @ekslab/cloud — the simulated AWS side (VPC and subnets, EC2 instances and ENIs, Auto Scaling, ELB,
// fault controls), its state in etcd under the cloud's own prefix so replicas agree and survive restarts.
export { CloudApiError, noFaults } from './ports.js';
export type { EventSink, InstanceSummary, RunInstancesInput, Ec2Port, FaultGate } from './ports.js';
