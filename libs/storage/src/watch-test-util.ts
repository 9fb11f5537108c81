import type { StorageWatch, WatchEvent } from './watch.js';

/** Test helper: reads events from one watch, each `next` bounded by a timeout (no bare sleeps). */
export class WatchReader<T> {
  private readonly iterator: AsyncIterator<WatchEvent<T>>;
  constructor(watch: StorageWatch<T>) {
    this.iterator = watch[Symbol.asyncIterator]();
  }

  async next(timeoutMs = 10_000): Promise<WatchEvent<T>> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        this.iterator.next(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no watch event within ${timeoutMs}ms`)), timeoutMs);
        }),
      ]);
      if (result.done) throw new Error('watch ended');
      return result.value;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The next `count` events that are not bookmarks. */
  async changes(count: number, timeoutMs = 10_000): Promise<WatchEvent<T>[]> {
    const out: WatchEvent<T>[] = [];
    while (out.length < count) {
      const e = await this.next(timeoutMs);
      if (e.type !== 'BOOKMARK') out.push(e);
    }
    return out;
  }

  /** Skips changes until a bookmark arrives, and returns it. */
  async bookmark(timeoutMs = 10_000): Promise<WatchEvent<T>> {
    for (;;) {
      const e = await this.next(timeoutMs);
      if (e.type === 'BOOKMARK') return e;
    }
  }
}
