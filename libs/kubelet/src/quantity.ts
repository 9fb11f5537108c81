// Kubernetes resource.Quantity rendering for the two forms a kubelet writes: byte counts (BinarySI) and
// millicores (DecimalSI). Only non-negative integers; enough for Node capacity/allocatable.

const binarySuffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;

/**
 * A byte count as the apiserver prints a BinarySI quantity: the largest power-of-1024 suffix that divides it
 * exactly (`8589934592` → `8Gi`, `7883194368` → `7518Mi`), otherwise the plain number.
 */
export function formatBinarySI(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`not a byte count: ${bytes}`);
  if (bytes === 0) return '0';
  let value = bytes;
  let i = 0;
  while (i < binarySuffixes.length - 1 && value % 1024 === 0) {
    value /= 1024;
    i++;
  }
  return `${value}${binarySuffixes[i]}`;
}

/** Millicores as a DecimalSI quantity: whole cores plain (`2000` → `2`), otherwise `1930m`. */
export function formatMillicores(millicores: number): string {
  if (!Number.isSafeInteger(millicores) || millicores < 0) throw new RangeError(`not millicores: ${millicores}`);
  return millicores % 1000 === 0 ? `${millicores / 1000}` : `${millicores}m`;
}

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
