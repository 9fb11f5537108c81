// The datastore checkpoint in aws-node's format (pkg/ipamd/datastore: CheckpointData, version
// "vpc-cni-ipam/1", written to /var/run/aws-node/ipam.json): the pod allocations only. ENIs and their
// addresses are not in it — on restart they are read back from EC2 (DescribeNetworkInterfaces) and the
// allocations re-attached to them, as aws-node does.
import { closeSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
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

/** One change since the last compaction, a line of `ipam.journal`. */
export type JournalRecord = { readonly op: 'add'; readonly entry: CheckpointEntry } | { readonly op: 'del'; readonly key: IpamKey };

/**
 * One node's checkpoint under `dir/<node>/`: `ipam.json` in aws-node's format, plus `ipam.journal`, the
 * changes since it was written (JSON lines, appended before an AddNetwork/DelNetwork is answered).
 * Rewriting ipam.json on every AddNetwork, as aws-node does, costs milliseconds on ext4 (the rename over
 * the old file forces its blocks out); an append costs tens of microseconds. `compact` folds the journal
 * into ipam.json (temp file, rename) and empties it; a SIGKILL at any point leaves a state `read` turns
 * into exactly the acknowledged allocations (replay is idempotent; a torn last line is ignored).
 */
export class CheckpointFile {
  readonly path: string;
  readonly journalPath: string;
  private readonly nodeDir: string;
  private journalFd: number | undefined;
  /** Lines appended since the last compaction. */
  journalLength = 0;

  constructor(
    readonly dir: string,
    readonly nodeName: string,
    private readonly fsync = true,
  ) {
    this.nodeDir = join(dir, encodeURIComponent(nodeName));
    this.path = join(this.nodeDir, 'ipam.json');
    this.journalPath = join(this.nodeDir, 'ipam.journal');
  }

  /** The stored allocations (ipam.json with the journal replayed); none for a new node. */
  read(): CheckpointData {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      text = JSON.stringify({ version: CHECKPOINT_FORMAT_VERSION, allocations: [] });
    }
    const data = JSON.parse(text) as CheckpointData;
    if (data.version !== CHECKPOINT_FORMAT_VERSION) {
      throw new CheckpointError(`failed ipam state recovery due to unexpected checkpointVersion: ${String(data.version)}/${CHECKPOINT_FORMAT_VERSION}`);
    }
    const rows = new Map<string, CheckpointEntry>((data.allocations ?? []).map((e) => [keyString(e), e]));
    let journal = '';
    try {
      journal = readFileSync(this.journalPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const line of journal.split('\n')) {
      if (!line.trim()) continue;
      let rec: JournalRecord;
      try {
        rec = JSON.parse(line) as JournalRecord;
      } catch {
        continue; // a line torn by a kill mid-append was never acknowledged
      }
      if (rec.op === 'add') rows.set(keyString(rec.entry), rec.entry);
      else rows.delete(keyString(rec.key));
    }
    return { version: CHECKPOINT_FORMAT_VERSION, allocations: [...rows.values()] };
  }

  /** Appends one change (before the CNI call is answered). */
  append(record: JournalRecord): void {
    if (this.journalFd === undefined) {
      mkdirSync(this.nodeDir, { recursive: true });
      this.journalFd = openSync(this.journalPath, 'a');
    }
    writeSync(this.journalFd, `${JSON.stringify(record)}\n`);
    if (this.fsync) fdatasyncSync(this.journalFd);
    this.journalLength++;
  }

  /** Writes `allocations` as ipam.json and empties the journal. */
  compact(allocations: readonly CheckpointEntry[]): void {
    mkdirSync(this.nodeDir, { recursive: true });
    const tmp = `${this.path}.tmp${process.pid}`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, `${JSON.stringify({ version: CHECKPOINT_FORMAT_VERSION, allocations } satisfies CheckpointData)}\n`);
      if (this.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.closeJournal();
    writeFileSync(this.journalPath, '');
    this.journalLength = 0;
  }

  closeJournal(): void {
    if (this.journalFd !== undefined) closeSync(this.journalFd);
    this.journalFd = undefined;
  }

  /** Forgets the node (RemoveNode). */
  remove(): void {
    this.closeJournal();
    rmSync(this.nodeDir, { recursive: true, force: true });
  }
}
