// What an EKS-optimized AMI reserves from a node: kubeReserved and evictionHard as the AMI's bootstrap
// (amazon-eks-ami `bootstrap.sh`, and nodeadm on AL2023) writes them into the kubelet config, and the
// kubelet's own allocatable rule (pkg/kubelet/cm: capacity − kubeReserved − systemReserved − evictionHard).

import { GiB, MiB } from './quantity.js';

/** The kubelet config reservations a node runs with. */
export interface Reservations {
  readonly kubeReserved: { readonly cpuMillicores: number; readonly memoryBytes: number; readonly ephemeralStorageBytes: number };
  readonly evictionHard: { readonly memoryAvailableBytes: number; readonly nodefsAvailablePercent: number };
}

/**
 * kubeReserved memory in MiB: `11 × maxPods + 255` (the AMI's `get_memory_mebibytes_to_reserve`).
 * maxPods is the VPC CNI figure (eni-max-pods.txt), not the kubelet's `maxPods` override.
 */
export function kubeReservedMemoryMiB(maxPods: number): number {
  return 11 * maxPods + 255;
}

/**
 * kubeReserved CPU in millicores from the vCPU count, the GKE ladder the AMI copies: 6 % of the first core,
 * 1 % of the second, 0.5 % of cores 3–4, 0.25 % of every core above 4 (`get_cpu_millicores_to_reserve`).
 * Integer arithmetic in 1/10000ths of a millicore-range, as the bash does; 2 vCPU → 70m, 4 → 80m, 8 → 90m.
 * Not modelled: Bottlerocket's extra 400m when maxPods > 110 (the AL2/AL2023 AMIs do not add it).
 */
export function kubeReservedCpuMillicores(vcpus: number): number {
  const total = vcpus * 1000;
  const ranges: ReadonlyArray<readonly [start: number, end: number, perTenThousand: number]> = [
    [0, 1000, 600],
    [1000, 2000, 100],
    [2000, 4000, 50],
    [4000, Math.max(total, 4000), 25],
  ];
  let reserved = 0;
  for (const [start, end, per] of ranges) {
    const inRange = Math.max(0, Math.min(total, end) - start);
    reserved += Math.floor((inRange * per) / 10000);
  }
  return reserved;
}

/** nodefs.available as the AMI sets it: `10%`. */
export const NODEFS_AVAILABLE_PERCENT = 10;

/** The reservations an EKS AMI node of this size gets. */
export function eksReservations(vcpus: number, maxPods: number): Reservations {
  return {
    kubeReserved: {
      cpuMillicores: kubeReservedCpuMillicores(vcpus),
      memoryBytes: kubeReservedMemoryMiB(maxPods) * MiB,
      ephemeralStorageBytes: 1 * GiB,
    },
    evictionHard: { memoryAvailableBytes: 100 * MiB, nodefsAvailablePercent: NODEFS_AVAILABLE_PERCENT },
  };
}

/**
 * A percentage eviction threshold in bytes as the kubelet computes it: the percentage is a float32
 * (`evictionapi.ThresholdValue.Percentage`), multiplied in float64 and truncated — so 10 % of 20 GiB is
 * 2147483680, not 2147483648.
 */
export function percentOfCapacity(capacityBytes: number, percent: number): number {
  return Math.trunc(capacityBytes * Math.fround(percent / 100));
}

/** Node capacity in base units (millicores, bytes, pod count). */
export interface NodeResources {
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
  readonly ephemeralStorageBytes: number;
  readonly pods: number;
}

/** capacity − kubeReserved − evictionHard, floored at 0 (the kubelet clamps negative allocatable to 0). */
export function allocatable(capacity: NodeResources, r: Reservations): NodeResources {
  return {
    cpuMillicores: Math.max(0, capacity.cpuMillicores - r.kubeReserved.cpuMillicores),
    memoryBytes: Math.max(0, capacity.memoryBytes - r.kubeReserved.memoryBytes - r.evictionHard.memoryAvailableBytes),
    ephemeralStorageBytes: Math.max(
      0,
      capacity.ephemeralStorageBytes -
        r.kubeReserved.ephemeralStorageBytes -
        percentOfCapacity(capacity.ephemeralStorageBytes, r.evictionHard.nodefsAvailablePercent),
    ),
    pods: capacity.pods,
  };
}
