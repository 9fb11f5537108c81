// The datastore checkpoint in aws-node's format (pkg/ipamd/datastore: CheckpointData, version
// "vpc-cni-ipam/1", written to /var/run/aws-node/ipam.json): the pod allocations only. ENIs and their
// addresses are not in it — on restart they are read back from EC2 (DescribeNetworkInterfaces) and the
// allocations re-attached to them, as aws-node does.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const CHECKPOINT_FORMAT_VERSION = 'vpc-cni-ipam/1';

/** ipamd's IPAMKey: the CNI spec's (network name, CNI_CONTAINERID, CNI_IFNAME). */
export interface IpamKey {
  readonly networkName: string;
  readonly containerID: string;
  readonly ifName: string;
}

export interface IpamMetadata {
  readonly k8sPodNamespace?: string;
  readonly k8sPodName?: string;
  readonly interfacesCount?: number;
}

/** One row (CheckpointEntry: the IPAMKey fields inline, then the address). */
export interface CheckpointEntry extends IpamKey {
  readonly ipv4?: string;
  readonly ipv6?: string;
  /** Unix nanoseconds (Go's UnixNano). */
  readonly allocationTimestamp: number;
  readonly metadata: IpamMetadata;
}

export interface CheckpointData {
  readonly version: string;
  readonly allocations: readonly CheckpointEntry[];
}

/** `network/container/ifname`, IPAMKey.String(); the datastore's pod key. */
export function keyString(k: IpamKey): string {
  return `${k.networkName}/${k.containerID}/${k.ifName}`;
}

/** A checkpoint that cannot be read back (ipamd: "failed ipam state recovery due to unexpected checkpointVersion"). */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  readonly retryable = false;
}

/**
 * One node's ipam.json under `dir/<node>/`. Written synchronously (temp file, fsync, rename) before an
 * AddNetwork is answered, so a SIGKILL at any point leaves either the old or the new file, never a torn one.
 */
export class CheckpointFile {
  readonly path: string;

  constructor(
    readonly dir: string,
    readonly nodeName: string,
    private readonly fsync = true,
  ) {
    this.path = join(dir, encodeURIComponent(nodeName), 'ipam.json');
  }

  /** The stored allocations; none when the file does not exist (a new node). */
  read(): CheckpointData {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: CHECKPOINT_FORMAT_VERSION, allocations: [] };
      throw err;
    }
    const data = JSON.parse(text) as CheckpointData;
    if (data.version !== CHECKPOINT_FORMAT_VERSION) {
      throw new CheckpointError(`failed ipam state recovery due to unexpected checkpointVersion: ${String(data.version)}/${CHECKPOINT_FORMAT_VERSION}`);
    }
    return { version: data.version, allocations: data.allocations ?? [] };
  }

  write(allocations: readonly CheckpointEntry[]): void {
    const dir = join(this.dir, encodeURIComponent(this.nodeName));
    mkdirSync(dir, { recursive: true });
    const tmp = `${this.path}.tmp${process.pid}`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, `${JSON.stringify({ version: CHECKPOINT_FORMAT_VERSION, allocations } satisfies CheckpointData)}\n`);
      if (this.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }

  /** Forgets the node (RemoveNode). */
  remove(): void {
    rmSync(join(this.dir, encodeURIComponent(this.nodeName)), { recursive: true, force: true });
  }
}
