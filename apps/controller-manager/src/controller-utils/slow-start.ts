/** kube's SlowStartInitialBatchSize: the first batch of a slow start. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

/**
 * kube's slowStartBatch: calls `fn` `count` times in batches of 1, 2, 4, … run concurrently; stops after
 * the first batch with a failure, so a controller that cannot create (quota, a webhook, a terminating
 * namespace) makes a few calls, not thousands. Returns how many succeeded and the first error.
 */
export async function slowStartBatch(count: number, fn: (index: number) => Promise<void>, initialBatchSize = SLOW_START_INITIAL_BATCH_SIZE): Promise<{ successes: number; error?: unknown }> {
  let successes = 0;
  let index = 0;
  for (let batch = Math.min(count, initialBatchSize); batch > 0; batch = Math.min(2 * batch, count - index)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn(index++)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes, error: failed.reason };
  }
  return { successes };
}
