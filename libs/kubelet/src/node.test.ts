import { describe, expect, it } from 'vitest';
import { CNI_NOT_READY_MESSAGE, conditionsChanged, nodeConditions } from './conditions.js';
import { type NodeInput, kubeletVersion, nodeAllocatable, nodeObject, privateDnsName } from './node.js';
import { formatBinarySI, formatMillicores } from './quantity.js';
import { kubeReservedCpuMillicores, kubeReservedMemoryMiB, percentOfCapacity } from './reserved.js';

const m5large: NodeInput = {
  instanceId: 'i-0123456789abcdef0',
  instanceType: { name: 'm5.large', vcpus: 2, memoryMiB: 8192 },
  maxPods: 29,
  region: 'us-west-2',
  availabilityZone: 'us-west-2a',
  privateIp: '10.0.1.23',
  nodegroup: 'default',
  amiId: 'ami-0abcdef1234567890',
  clusterName: 'lab',
  kubernetesVersion: 'v1.31.4',
  now: '2026-11-22T06:00:00Z',
};

describe('kubelet — EKS reservations', () => {
  it.each([
    [1, 60],
    [2, 70],
    [3, 75],
    [4, 80],
    [8, 90],
    [16, 110],
    [96, 310],
  ])('kubeReserved cpu for %i vCPU is %im (6 %% / 1 %% / 0.5 %% / 0.25 %% ladder)', (vcpus, millicores) => {
    expect(kubeReservedCpuMillicores(vcpus)).toBe(millicores);
  });

  it.each([
    [17, 442],
    [29, 574],
    [58, 893],
    [110, 1465],
  ])('kubeReserved memory for %i max pods is %i Mi (11 × maxPods + 255)', (pods, mib) => {
    expect(kubeReservedMemoryMiB(pods)).toBe(mib);
  });

  it('takes 10 % of nodefs as the kubelet does, through a float32 percentage', () => {
    expect(percentOfCapacity(20 * 1024 ** 3, 10)).toBe(2147483680);
  });
});

describe('kubelet — capacity and allocatable', () => {
  // memory: capacity 8192 Mi − kubeReserved (11 × 29 + 255 = 574 Mi) − evictionHard 100 Mi = 7518 Mi.
  // ephemeral-storage: 20 Gi − 1 Gi kubeReserved − 10 % (2147483680) = 18253610976 bytes.
  it.each([
    {
      type: { name: 'm5.large', vcpus: 2, memoryMiB: 8192 },
      maxPods: 29,
      capacity: { cpu: '2', memory: '8Gi', pods: '29', 'ephemeral-storage': '20Gi' },
      allocatable: { cpu: '1930m', memory: '7518Mi', pods: '29', 'ephemeral-storage': '18253610976' },
    },
    {
      type: { name: 't3.medium', vcpus: 2, memoryMiB: 4096 },
      maxPods: 17,
      capacity: { cpu: '2', memory: '4Gi', pods: '17', 'ephemeral-storage': '20Gi' },
      allocatable: { cpu: '1930m', memory: '3554Mi', pods: '17', 'ephemeral-storage': '18253610976' },
    },
    {
      type: { name: 'm5.xlarge', vcpus: 4, memoryMiB: 16384 },
      maxPods: 58,
      capacity: { cpu: '4', memory: '16Gi', pods: '58', 'ephemeral-storage': '20Gi' },
      allocatable: { cpu: '3920m', memory: '15391Mi', pods: '58', 'ephemeral-storage': '18253610976' },
    },
  ])('$type.name with $maxPods pods', ({ type, maxPods, capacity, allocatable }) => {
    const node = nodeObject({ ...m5large, instanceType: type, maxPods });
    expect(node.status.capacity).toStrictEqual({ ...capacity, 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' });
    expect(node.status.allocatable).toStrictEqual({ ...allocatable, 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' });
  });

  it('reports the reservations it subtracted', () => {
    const { reservations, allocatable } = nodeAllocatable(m5large);
    expect(reservations.kubeReserved).toStrictEqual({ cpuMillicores: 70, memoryBytes: 574 * 1024 ** 2, ephemeralStorageBytes: 1024 ** 3 });
    expect(reservations.evictionHard).toStrictEqual({ memoryAvailableBytes: 100 * 1024 ** 2, nodefsAvailablePercent: 10 });
    expect(allocatable.memoryBytes).toBe(7518 * 1024 ** 2);
  });

  it('never goes below zero', () => {
    const { allocatable } = nodeAllocatable({ instanceType: { name: 'tiny', vcpus: 1, memoryMiB: 256 }, maxPods: 4 });
    expect(allocatable.memoryBytes).toBe(0);
    expect(allocatable.cpuMillicores).toBe(940);
  });

  it.each([
    [0, '0'],
    [8589934592, '8Gi'],
    [7883194368, '7518Mi'],
    [1024, '1Ki'],
    [1000, '1000'],
    [18253610976, '18253610976'],
  ])('formats %i bytes as %s', (bytes, text) => {
    expect(formatBinarySI(bytes)).toBe(text);
  });

  it.each([
    [2000, '2'],
    [1930, '1930m'],
    [0, '0'],
  ])('formats %i millicores as %s', (m, text) => {
    expect(formatMillicores(m)).toBe(text);
  });
});

describe('kubelet — identity', () => {
  it('names the node by its EC2 private DNS name and labels it as an EKS managed node', () => {
    const node = nodeObject({ ...m5large, capacityType: 'SPOT' });
    expect(node.metadata.name).toBe('ip-10-0-1-23.us-west-2.compute.internal');
    expect(node.spec.providerID).toBe('aws:///us-west-2a/i-0123456789abcdef0');
    expect(node.metadata.labels).toMatchObject({
      'kubernetes.io/hostname': 'ip-10-0-1-23.us-west-2.compute.internal',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/instance-type': 'm5.large',
      'node.kubernetes.io/instance-type': 'm5.large',
      'topology.kubernetes.io/region': 'us-west-2',
      'topology.kubernetes.io/zone': 'us-west-2a',
      'failure-domain.beta.kubernetes.io/region': 'us-west-2',
      'failure-domain.beta.kubernetes.io/zone': 'us-west-2a',
      'eks.amazonaws.com/nodegroup': 'default',
      'eks.amazonaws.com/nodegroup-image': 'ami-0abcdef1234567890',
      'eks.amazonaws.com/capacityType': 'SPOT',
    });
    expect(node.metadata.labels['k8s.io/cloud-provider-aws']).toMatch(/^[0-9a-f]{32}$/);
    expect(nodeObject(m5large).metadata.labels['eks.amazonaws.com/capacityType']).toBe('ON_DEMAND');
    expect(node.status.addresses).toStrictEqual([
      { type: 'InternalIP', address: '10.0.1.23' },
      { type: 'InternalDNS', address: 'ip-10-0-1-23.us-west-2.compute.internal' },
      { type: 'Hostname', address: 'ip-10-0-1-23.us-west-2.compute.internal' },
    ]);
    expect(node.status.daemonEndpoints).toStrictEqual({ kubeletEndpoint: { Port: 10250 } });
  });

  it('uses ec2.internal in us-east-1', () => {
    expect(privateDnsName('192.168.0.5', 'us-east-1')).toBe('ip-192-168-0-5.ec2.internal');
  });

  it('reports an AL2023 node running the apiserver version with an EKS build tag', () => {
    const info = nodeObject(m5large).status.nodeInfo;
    expect(info.kubeletVersion).toMatch(/^v1\.31\.4-eks-[0-9a-f]{7}$/);
    expect(info.containerRuntimeVersion).toMatch(/^containerd:\/\/1\.7\.\d+$/);
    expect(info.osImage).toMatch(/^Amazon Linux 2023/);
    expect(info.kernelVersion).toMatch(/amzn2023\.x86_64$/);
    expect(info.systemUUID).toMatch(/^ec2[0-9a-f]{5}-[0-9a-f]{4}-/);
    expect(info).toMatchObject({ operatingSystem: 'linux', architecture: 'amd64' });
    const arm = nodeObject({ ...m5large, architecture: 'arm64' });
    expect(arm.status.nodeInfo.kernelVersion).toMatch(/\.aarch64$/);
    expect(arm.metadata.labels['kubernetes.io/arch']).toBe('arm64');
    expect(nodeObject({ ...m5large, instanceId: 'i-other' }).status.nodeInfo.machineID).not.toBe(info.machineID);
  });

  it('rejects a version it cannot read', () => {
    expect(() => kubeletVersion('latest', 'eks-1')).toThrow(RangeError);
    expect(kubeletVersion('1.30.0', 'eks-abc1234')).toBe('v1.30.0-eks-abc1234');
  });
});

describe('kubelet — conditions', () => {
  const t0 = '2026-11-22T06:00:00Z';
  const t1 = '2026-11-22T06:00:10Z';

  it('a healthy node posts the kubelet reasons and messages', () => {
    const conds = nodeObject(m5large).status.conditions;
    expect(conds.map((c) => [c.type, c.status, c.reason, c.message])).toStrictEqual([
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
      ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
    ]);
    expect(conds.every((c) => c.lastHeartbeatTime === t0 && c.lastTransitionTime === t0)).toBe(true);
  });

  it('pressure and not-ready use the kubelet wording', () => {
    const conds = nodeConditions({ memoryPressure: true, diskPressure: true, pidPressure: true, notReadyMessage: CNI_NOT_READY_MESSAGE }, t0);
    expect(conds.map((c) => [c.status, c.reason, c.message])).toStrictEqual([
      ['True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available'],
      ['True', 'KubeletHasDiskPressure', 'kubelet has disk pressure'],
      ['True', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available'],
      ['False', 'KubeletNotReady', CNI_NOT_READY_MESSAGE],
    ]);
  });

  it('keeps lastTransitionTime while the status holds and moves it on a flip', () => {
    const before = nodeConditions({ memoryPressure: false, diskPressure: false, pidPressure: false, notReadyMessage: CNI_NOT_READY_MESSAGE }, t0);
    const same = nodeConditions({ memoryPressure: false, diskPressure: false, pidPressure: false, notReadyMessage: CNI_NOT_READY_MESSAGE }, t1, before);
    expect(same.every((c) => c.lastHeartbeatTime === t1 && c.lastTransitionTime === t0)).toBe(true);
    expect(conditionsChanged(same, before)).toBe(false);

    const ready = nodeConditions({ memoryPressure: false, diskPressure: false, pidPressure: false }, t1, before);
    const r = ready.find((c) => c.type === 'Ready');
    expect(r).toMatchObject({ status: 'True', reason: 'KubeletReady', lastTransitionTime: t1, lastHeartbeatTime: t1 });
    expect(ready.find((c) => c.type === 'MemoryPressure')?.lastTransitionTime).toBe(t0);
    expect(conditionsChanged(ready, before)).toBe(true);
  });
});
