/** Latency percentile (nearest rank) of a sample in milliseconds; 0 for an empty sample. */
export function percentile(samplesMs: readonly number[], p: number): number {
  if (samplesMs.length === 0) return 0;
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export interface LevelResult {
  readonly concurrency: number;
  readonly ops: number;
  readonly errors: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The first failure's message, when there were failures. */
  readonly firstError?: string;
}

/**
 * Runs `op` with `concurrency` workers until `count` operations have completed and summarises them.
 * Failed operations are counted, not retried, and kept out of the latency sample.
 */
export async function runLevel(concurrency: number, count: number, op: (i: number) => Promise<void>): Promise<LevelResult> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < count; i = next++) {
      const t0 = performance.now();
      try {
        await op(i);
        latencies.push(performance.now() - t0);
      } catch (err) {
        errors += 1;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  return {
    concurrency, ops: latencies.length, errors, seconds: round(seconds),
    perSecond: round(latencies.length / seconds), p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)),
    ...(firstError !== undefined ? { firstError } : {}),
  };
}

const round = (n: number): number => Math.round(n * 100) / 100;

/**
 * The knee: the level with the highest throughput whose p99 stays within the SLO (Kubernetes: mutating
 * calls p99 ≤ 1 s); the first level when none does.
 */
export function knee(levels: readonly LevelResult[], sloMs = 1_000): LevelResult | undefined {
  const within = levels.filter((l) => l.p99Ms <= sloMs && l.errors === 0);
  const pool = within.length > 0 ? within : levels.slice(0, 1);
  return pool.reduce<LevelResult | undefined>((best, l) => (!best || l.perSecond > best.perSecond ? l : best), undefined);
}
