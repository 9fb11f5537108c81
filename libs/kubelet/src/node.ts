// The v1 Node a kubelet on an EKS-optimized AL2023 node registers (plus the labels the EKS node group and
// the AWS cloud provider add), built from the instance's facts. Pure: no clock, no I/O.

import { createHash } from 'node:crypto';
import { type NodeCondition, type NodeHealth, healthyNode, nodeConditions } from './conditions.js';
import { GiB, MiB, formatBinarySI, formatMillicores } from './quantity.js';
import { type NodeResources, type Reservations, allocatable, eksReservations } from './reserved.js';

/** The instance-type facts the kubelet needs (a subset of @ekslab/cloud's InstanceType; kubelet may not import cloud). */
export interface InstanceTypeFacts {
  readonly name: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
}

export type CapacityType = 'ON_DEMAND' | 'SPOT';
export type Architecture = 'amd64' | 'arm64';

/** What the node image reports in nodeInfo. Defaults: the EKS AL2023 AMI of late 2024. */
export interface NodeImage {
  readonly osImage: string;
  /** Without the `.x86_64`/`.aarch64` suffix; the architecture adds it. */
  readonly kernelVersion: string;
  readonly containerdVersion: string;
  /** The `-eks-<hash>` build tag after the kubelet's semver. */
  readonly eksBuild: string;
}

export const defaultNodeImage: NodeImage = {
  osImage: 'Amazon Linux 2023.6.20241212',
  kernelVersion: '6.1.119-129.201.amzn2023',
  containerdVersion: '1.7.23',
  eksBuild: 'eks-5ca49cb',
};

export interface NodeInput {
  readonly instanceId: string;
  readonly instanceType: InstanceTypeFacts;
  /** The VPC CNI max pods for the type (eni-max-pods.txt or the calculator); capacity.pods and kubeReserved use it. */
  readonly maxPods: number;
  readonly region: string;
  readonly availabilityZone: string;
  readonly privateIp: string;
  readonly nodegroup: string;
  /** The node group's AMI id (label `eks.amazonaws.com/nodegroup-image`). */
  readonly amiId: string;
  readonly capacityType?: CapacityType | undefined;
  readonly architecture?: Architecture | undefined;
  readonly clusterName: string;
  /** The apiserver's gitVersion, e.g. `v1.31.4`; the kubelet reports the same version with the EKS build tag. */
  readonly kubernetesVersion: string;
  /** Root volume size in GiB; ephemeral-storage capacity. Default 20 (managed node group default). */
  readonly rootVolumeGiB?: number | undefined;
  readonly image?: NodeImage | undefined;
  readonly health?: NodeHealth | undefined;
  /** RFC 3339 (seconds) time for the conditions' heartbeat/transition times. */
  readonly now: string;
  /** Conditions from the last status, so unchanged ones keep their lastTransitionTime. */
  readonly previousConditions?: readonly NodeCondition[] | undefined;
}

type Quantities = Record<'cpu' | 'memory' | 'pods' | 'ephemeral-storage' | 'hugepages-1Gi' | 'hugepages-2Mi', string>;

export interface Node {
  readonly apiVersion: 'v1';
  readonly kind: 'Node';
  readonly metadata: { readonly name: string; readonly labels: Record<string, string>; readonly annotations: Record<string, string> };
  readonly spec: { readonly providerID: string };
  readonly status: {
    readonly capacity: Quantities;
    readonly allocatable: Quantities;
    readonly conditions: NodeCondition[];
    readonly addresses: Array<{ readonly type: 'InternalIP' | 'InternalDNS' | 'Hostname'; readonly address: string }>;
    readonly daemonEndpoints: { readonly kubeletEndpoint: { readonly Port: number } };
    readonly nodeInfo: {
      readonly machineID: string;
      readonly systemUUID: string;
      readonly bootID: string;
      readonly kernelVersion: string;
      readonly osImage: string;
      readonly containerRuntimeVersion: string;
      readonly kubeletVersion: string;
      readonly operatingSystem: 'linux';
      readonly architecture: Architecture;
    };
  };
}

/** The kubelet's read-only/authenticated port, in daemonEndpoints. */
export const KUBELET_PORT = 10250;

/**
 * EC2's private DNS name for an address: `ip-10-0-1-23.us-west-2.compute.internal`, `….ec2.internal` in
 * us-east-1. EKS AL2023 nodes register under this name.
 */
export function privateDnsName(privateIp: string, region: string): string {
  const host = `ip-${privateIp.replaceAll('.', '-')}`;
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

/** `v1.31.4` + `eks-5ca49cb` → `v1.31.4-eks-5ca49cb` (EKS kubelets carry the apiserver's version and a build tag). */
export function kubeletVersion(kubernetesVersion: string, eksBuild: string): string {
  const v = /^v?(\d+\.\d+\.\d+)/.exec(kubernetesVersion);
  if (v === null) throw new RangeError(`not a Kubernetes version: ${kubernetesVersion}`);
  return `v${v[1]}-${eksBuild}`;
}

function hex(seed: string, n: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, n);
}

function uuid(h: string): string {
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function quantities(r: NodeResources): Quantities {
  return {
    cpu: formatMillicores(r.cpuMillicores),
    'ephemeral-storage': formatBinarySI(r.ephemeralStorageBytes),
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: formatBinarySI(r.memoryBytes),
    pods: String(r.pods),
  };
}

/** Capacity as the kubelet reports it. Simplification: memory is the type's full memory (a real node shows MemTotal, ~3–5 % less) and ephemeral storage the whole root volume (a real one shows the filesystem size). */
export function nodeCapacity(input: Pick<NodeInput, 'instanceType' | 'maxPods' | 'rootVolumeGiB'>): NodeResources {
  return {
    cpuMillicores: input.instanceType.vcpus * 1000,
    memoryBytes: input.instanceType.memoryMiB * MiB,
    ephemeralStorageBytes: (input.rootVolumeGiB ?? 20) * GiB,
    pods: input.maxPods,
  };
}

/** The reservations and resulting allocatable for the input (see reserved.ts). */
export function nodeAllocatable(input: Pick<NodeInput, 'instanceType' | 'maxPods' | 'rootVolumeGiB'>): {
  readonly capacity: NodeResources;
  readonly reservations: Reservations;
  readonly allocatable: NodeResources;
} {
  const capacity = nodeCapacity(input);
  const reservations = eksReservations(input.instanceType.vcpus, input.maxPods);
  return { capacity, reservations, allocatable: allocatable(capacity, reservations) };
}

/**
 * The Node the kubelet registers and keeps up to date. `k8s.io/cloud-provider-aws` carries an opaque
 * per-cluster hash in the real label; here it is a sha256 prefix of the cluster name (stable, not AWS's).
 * Not modelled: node.kubernetes.io/not-ready taints (the node lifecycle controller's, not the kubelet's),
 * images, volumes, attachable-volumes capacity.
 */
export function nodeObject(input: NodeInput): Node {
  const name = privateDnsName(input.privateIp, input.region);
  const arch = input.architecture ?? 'amd64';
  const image = input.image ?? defaultNodeImage;
  const capacityType = input.capacityType ?? 'ON_DEMAND';
  const { capacity, allocatable: alloc } = nodeAllocatable(input);
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/instance-type': input.instanceType.name,
    'beta.kubernetes.io/os': 'linux',
    'eks.amazonaws.com/capacityType': capacityType,
    'eks.amazonaws.com/nodegroup': input.nodegroup,
    'eks.amazonaws.com/nodegroup-image': input.amiId,
    'failure-domain.beta.kubernetes.io/region': input.region,
    'failure-domain.beta.kubernetes.io/zone': input.availabilityZone,
    'k8s.io/cloud-provider-aws': hex(input.clusterName, 32),
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': input.instanceType.name,
    'topology.kubernetes.io/region': input.region,
    'topology.kubernetes.io/zone': input.availabilityZone,
  };
  const idHash = hex(input.instanceId, 64);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels,
      annotations: {
        'alpha.kubernetes.io/provided-node-ip': input.privateIp,
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: { providerID: `aws:///${input.availabilityZone}/${input.instanceId}` },
    status: {
      capacity: quantities(capacity),
      allocatable: quantities(alloc),
      conditions: nodeConditions(input.health ?? healthyNode, input.now, input.previousConditions),
      addresses: [
        { type: 'InternalIP', address: input.privateIp },
        { type: 'InternalDNS', address: name },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
      nodeInfo: {
        machineID: idHash.slice(0, 32),
        systemUUID: uuid(`ec2${idHash.slice(3, 32)}`),
        bootID: uuid(idHash.slice(32, 64)),
        kernelVersion: `${image.kernelVersion}.${arch === 'arm64' ? 'aarch64' : 'x86_64'}`,
        osImage: image.osImage,
        containerRuntimeVersion: `containerd://${image.containerdVersion}`,
        kubeletVersion: kubeletVersion(input.kubernetesVersion, image.eksBuild),
        operatingSystem: 'linux',
        architecture: arch,
      },
    },
  };
}
