// Public surface of @ekslab/proto: the wire types generated from proto/ (see proto/buf.gen.yaml)
// plus the conventions that go with them. Generated files are never imported directly.
// Each message name is both an interface and its codec (encode/decode/create/fromPartial/fromJSON).
// Each proto enum is a const object of numbers plus a union type of those numbers (no TS `enum`).
// Hazard: build messages with `X.create({...})` or `X.fromPartial(...)` unless every field is
// given; encode() trusts the type, so a literal missing a string field (via a cast) sends "undefined".

// ekslab.apiserver.v1 — the internal resource API.
export {
  ResourceServiceClient,
  ResourceServiceService,
  CreateRequest,
  CreateResponse,
  GetRequest,
  GetResponse,
  ListRequest,
  ListResponse,
  UpdateRequest,
  UpdateResponse,
  PatchRequest,
  PatchResponse,
  DeleteRequest,
  DeleteResponse,
  DeleteCollectionRequest,
  DeleteCollectionResponse,
  WatchRequest,
  WatchResponse,
  WatchEvent,
  WatchEventType,
  watchEventTypeToJSON,
} from './gen/ekslab/apiserver/v1/resource_service.js';
export type { ResourceServiceServer } from './gen/ekslab/apiserver/v1/resource_service.js';
export { GroupVersionResource, ResourceRef, RawObject } from './gen/ekslab/apiserver/v1/meta.js';
export {
  GetOptions,
  ListOptions,
  CreateOptions,
  UpdateOptions,
  PatchOptions,
  DeleteOptions,
  Preconditions,
  ResourceVersionMatch,
  FieldValidation,
  DeletionPropagation,
  PatchType,
} from './gen/ekslab/apiserver/v1/options.js';
export { Status, StatusDetails, StatusCause } from './gen/ekslab/apiserver/v1/status.js';
export { STATUS_TRAILER_KEY, grpcCodeForStatus, statusToServiceError, statusFromError } from './status.js';
export { toJsonBytes, fromJsonBytes } from './json.js';

// ekslab.ipamd.v1 — the CNI plugin ↔ ipamd API (modelled on aws-node's CNIBackend).
export {
  CNIBackendClient,
  CNIBackendService,
  AddNetworkRequest,
  AddNetworkReply,
  DelNetworkRequest,
  DelNetworkReply,
  IPAddress,
} from './gen/ekslab/ipamd/v1/cni_backend.js';
export type { CNIBackendServer } from './gen/ekslab/ipamd/v1/cni_backend.js';
// ekslab.ipamd.v1 NodeService — a kubelet agent starts and stops the per-node IPAM of the nodes it hosts.
export {
  NodeServiceClient,
  NodeServiceService,
  EnsureNodeRequest,
  EnsureNodeResponse,
  RemoveNodeRequest,
  RemoveNodeResponse,
} from './gen/ekslab/ipamd/v1/node_service.js';
export type { NodeServiceServer } from './gen/ekslab/ipamd/v1/node_service.js';
/** gRPC metadata key naming the node a CNIBackend call is for (one ipamd serves many simulated nodes). */
export const IPAMD_NODE_METADATA_KEY = 'ekslab-node-name';

// ekslab.kubelet.v1 — the node agent's container-log endpoint (the kubelet's /containerLogs).
export {
  LogsServiceClient,
  LogsServiceService,
  ReadRequest as LogsReadRequest,
  ReadResponse as LogsReadResponse,
} from './gen/ekslab/kubelet/v1/logs.js';
export type { LogsServiceServer } from './gen/ekslab/kubelet/v1/logs.js';

// ekslab.cloud.v1 — EC2 Auto Scaling (the simulated cloud's AutoScalingService).
export {
  AutoScalingServiceClient,
  AutoScalingServiceService,
  AutoScalingGroup as AsgAutoScalingGroup,
  AutoScalingInstance,
  Activity as AsgActivity,
  CreateAutoScalingGroupRequest,
  CreateAutoScalingGroupResponse,
  UpdateAutoScalingGroupRequest,
  UpdateAutoScalingGroupResponse,
  SetDesiredCapacityRequest,
  SetDesiredCapacityResponse,
  DeleteAutoScalingGroupRequest,
  DeleteAutoScalingGroupResponse,
  DescribeAutoScalingGroupsRequest,
  DescribeAutoScalingGroupsResponse,
  DescribeScalingActivitiesRequest,
  DescribeScalingActivitiesResponse,
  TerminateInstanceInAutoScalingGroupRequest,
  TerminateInstanceInAutoScalingGroupResponse,
} from './gen/ekslab/cloud/v1/autoscaling.js';
export type { AutoScalingServiceServer } from './gen/ekslab/cloud/v1/autoscaling.js';

// ekslab.cloud.v1 — Elastic Load Balancing v2 (the simulated cloud's ElasticLoadBalancingService).
export {
  ElasticLoadBalancingServiceClient,
  ElasticLoadBalancingServiceService,
  LoadBalancer as ElbLoadBalancer,
  LoadBalancerAvailabilityZone,
  Listener as ElbListener,
  HealthCheck as ElbHealthCheck,
  TargetGroup as ElbTargetGroup,
  Target as ElbTarget,
  TargetHealthDescription as ElbTargetHealthDescription,
  CreateLoadBalancerRequest,
  CreateLoadBalancerResponse,
  DescribeLoadBalancersRequest,
  DescribeLoadBalancersResponse,
  DeleteLoadBalancerRequest,
  DeleteLoadBalancerResponse,
  CreateListenerRequest,
  CreateListenerResponse,
  DescribeListenersRequest,
  DescribeListenersResponse,
  DeleteListenerRequest,
  DeleteListenerResponse,
  CreateTargetGroupRequest,
  CreateTargetGroupResponse,
  DescribeTargetGroupsRequest,
  DescribeTargetGroupsResponse,
  DeleteTargetGroupRequest,
  DeleteTargetGroupResponse,
  RegisterTargetsRequest,
  RegisterTargetsResponse,
  DeregisterTargetsRequest,
  DeregisterTargetsResponse,
  DescribeTargetHealthRequest,
  DescribeTargetHealthResponse,
} from './gen/ekslab/cloud/v1/elb.js';
export type { ElasticLoadBalancingServiceServer } from './gen/ekslab/cloud/v1/elb.js';

// ekslab.cloud.v1 — the simulated EC2 API (VPCs, subnets, instances, ENIs); errors carry the AWS code
// in the `ekslab-aws-error-code` trailer (see ec2.proto). Entity messages are exported with an Ec2 prefix.
export {
  Ec2ServiceClient,
  Ec2ServiceService,
  Vpc as Ec2Vpc,
  Subnet as Ec2Subnet,
  Instance as Ec2Instance,
  InstanceTypeInfo as Ec2InstanceTypeInfo,
  NetworkInterface as Ec2NetworkInterface,
  NetworkInterfaceAttachment as Ec2NetworkInterfaceAttachment,
  CreateVpcRequest,
  CreateVpcResponse,
  AssociateVpcCidrBlockRequest,
  AssociateVpcCidrBlockResponse,
  DescribeVpcsRequest,
  DescribeVpcsResponse,
  CreateSubnetRequest,
  CreateSubnetResponse,
  DescribeSubnetsRequest,
  DescribeSubnetsResponse,
  DescribeInstanceTypesRequest,
  DescribeInstanceTypesResponse,
  RunInstancesRequest,
  RunInstancesResponse,
  TerminateInstancesRequest,
  TerminateInstancesResponse,
  DescribeInstancesRequest,
  DescribeInstancesResponse,
  InterruptSpotInstanceRequest,
  InterruptSpotInstanceResponse,
  CreateNetworkInterfaceRequest,
  CreateNetworkInterfaceResponse,
  AttachNetworkInterfaceRequest,
  AttachNetworkInterfaceResponse,
  DetachNetworkInterfaceRequest,
  DetachNetworkInterfaceResponse,
  DeleteNetworkInterfaceRequest,
  DeleteNetworkInterfaceResponse,
  DescribeNetworkInterfacesRequest,
  DescribeNetworkInterfacesResponse,
  AssignPrivateIpAddressesRequest,
  AssignPrivateIpAddressesResponse,
  UnassignPrivateIpAddressesRequest,
  UnassignPrivateIpAddressesResponse,
  AssignIpv4PrefixesRequest,
  AssignIpv4PrefixesResponse,
  UnassignIpv4PrefixesRequest,
  UnassignIpv4PrefixesResponse,
} from './gen/ekslab/cloud/v1/ec2.js';
export type { Ec2ServiceServer } from './gen/ekslab/cloud/v1/ec2.js';

// ekslab.cloud.v1 — the simulated cloud's APIs, and how their AWS-style errors travel (cloud-error.ts).
export {
  FaultServiceClient,
  FaultServiceService,
  Faults,
  Throttle,
  Latency,
  ImpairedAz,
  SetThrottleRequest,
  SetThrottleResponse,
  SetLatencyRequest,
  SetLatencyResponse,
  SetAzImpairedRequest,
  SetAzImpairedResponse,
  ListFaultsRequest,
  ListFaultsResponse,
  ClearAllRequest,
  ClearAllResponse,
} from './gen/ekslab/cloud/v1/faults.js';
export type { FaultServiceServer } from './gen/ekslab/cloud/v1/faults.js';
export { AWS_ERROR_CODE_KEY, AWS_RETRYABLE_KEY, grpcCodeForCloudError, cloudErrorToServiceError, cloudErrorFromServiceError } from './cloud-error.js';
export { ProbeServiceClient, ProbeServiceService, ProbeRequest, ProbeResponse } from './gen/ekslab/cloud/v1/probe.js';
export type { ProbeServiceServer } from './gen/ekslab/cloud/v1/probe.js';
