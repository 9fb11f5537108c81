import { cpus, freemem, totalmem } from 'node:os';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { cloudErrorFromServiceError, ProbeServiceClient, type ProbeResponse } from '@ekslab/proto';
import { knee, runLevel, type LevelResult } from './stats.js';

export interface CloudBenchOptions {
  /** `host:port` of the cloud's gRPC APIs (the lab's load balancer: 127.0.0.1:50061). */
  readonly address: string;
  /** Concurrency levels, rising. */
  readonly levels: readonly number[];
  /** Operations per level. */
  readonly perLevel: number;
  /**
   * Keys the operations spread over: 1 makes every call contend on one etcd key (as assignments from one
   * subnet do); more keys, less contention.
   */
  readonly keys: number;
  readonly progress: (line: string) => void;
}

export interface CloudBenchResult {
  readonly target: 'cloud';
  readonly at: string;
  readonly params: { address: string; operation: string; levels: readonly number[]; perLevel: number; keys: number };
  readonly metrics: { opsPerSecond: number; p50Ms: number; p99Ms: number; kneeConcurrency: number; errors: number };
  readonly machine: { cpus: number; cpuModel: string; memoryBytes: number; freeMemoryBytes: number; node: string; platform: string };
  readonly levels: LevelResult[];
}

/**
 * The operation measured. LEAD: this is a placeholder — ProbeService.Probe, which takes the path of a
 * state-changing cloud API (fault gate, then one etcd CAS on a shared key) without touching resources.
 * Once EC2 lands, switch it to AssignPrivateIpAddresses (one address per call on an ENI of a bench
 * instance, unassigned after each level) and set `operation` below to 'AssignPrivateIpAddresses'; the
 * levels, figures and JSON stay as they are.
 */
const operation = 'Probe';
function makeOperation(address: string, run: string, keys: number): { op: (i: number) => Promise<void>; close: () => void } {
  const client = new ProbeServiceClient(address, credentials.createInsecure());
  const op = (i: number): Promise<void> =>
    new Promise((resolve, reject) => {
      client.probe({ key: `bench-${run}-${i % keys}` }, new Metadata(), { deadline: Date.now() + 30_000 }, (err: ServiceError | null, _res: ProbeResponse) => {
        if (!err) return resolve();
        const aws = cloudErrorFromServiceError(err);
        reject(new Error(aws ? `${aws.code}: ${aws.message}` : `gRPC ${err.code}: ${err.details}`));
      });
    });
  return { op, close: () => client.close() };
}

/** Calls the cloud at rising concurrency and reports throughput and latency per level and at the knee. */
export async function benchCloud(o: CloudBenchOptions): Promise<CloudBenchResult> {
  const run = Date.now().toString(36);
  const { op, close } = makeOperation(o.address, run, Math.max(1, o.keys));
  const levels: LevelResult[] = [];
  try {
    o.progress(`${operation} through ${o.address}, ${o.perLevel} per level, over ${o.keys} key(s)`);
    for (const concurrency of o.levels) {
      const r = await runLevel(concurrency, o.perLevel, op);
      o.progress(`  concurrency ${String(concurrency).padStart(3)}: ${r.perSecond.toFixed(0).padStart(6)} calls/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  errors ${r.errors}${r.firstError ? ` (first: ${r.firstError})` : ''}`);
      levels.push(r);
    }
  } finally {
    close();
  }
  const best = knee(levels);
  const cpu = cpus();
  return {
    target: 'cloud', at: new Date().toISOString(),
    params: { address: o.address, operation, levels: o.levels, perLevel: o.perLevel, keys: o.keys },
    metrics: { opsPerSecond: best?.perSecond ?? 0, p50Ms: best?.p50Ms ?? 0, p99Ms: best?.p99Ms ?? 0, kneeConcurrency: best?.concurrency ?? 0, errors: levels.reduce((n, l) => n + l.errors, 0) },
    machine: { cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', memoryBytes: totalmem(), freeMemoryBytes: freemem(), node: process.version, platform: `${process.platform}/${process.arch}` },
    levels,
  };
}
