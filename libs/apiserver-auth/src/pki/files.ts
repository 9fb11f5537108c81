import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

function tmpName(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
}

async function writeTmp(path: string, content: string, mode: number): Promise<string> {
  const tmp = tmpName(path);
  const file = await open(tmp, 'wx', mode);
  try {
    await file.writeFile(content);
    await file.chmod(mode); // the umask may have narrowed or widened `mode` on create
    await file.sync();
  } finally {
    await file.close();
  }
  return tmp;
}

/**
 * Replaces `path` atomically (temp file + rename): readers see the old or the new content, never a torn
 * file. Last writer wins; use `publishExclusive` when only the first writer may win.
 */
export async function writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
  const tmp = await writeTmp(path, content, mode);
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Like `writeFileAtomic` but skips the write when the file already holds exactly `content`. */
export async function ensureFileContent(path: string, content: string, mode: number): Promise<void> {
  if ((await readIfExists(path)) === content) return;
  await writeFileAtomic(path, content, mode);
}

/**
 * Publishes `content` at `path` only if nothing is there yet, atomically and across processes (a hard
 * link of a complete temp file fails with EEXIST when `path` exists). Returns whichever content won.
 */
export async function publishExclusive(path: string, content: string, mode: number): Promise<{ won: boolean; content: string }> {
  const tmp = await writeTmp(path, content, mode);
  try {
    await link(tmp, path);
    return { won: true, content };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { won: false, content: await readFile(path, 'utf8') };
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** The file's text, or undefined when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export interface FileLockOptions {
  /** Give up after this long (default 30 s). */
  readonly timeoutMs?: number;
  /** A lock file older than this is taken to be left by a crashed holder and broken (default 30 s). */
  readonly staleMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Runs `fn` holding an advisory lock shared by processes on the same filesystem: the lock is the
 * create-exclusive file `lockPath`, removed afterwards. Waiters poll every 10–40 ms.
 * Not guaranteed: breaking a stale lock is best effort — two waiters breaking the same stale lock at the
 * same instant can both proceed. Keep the critical section idempotent and short (well under `staleMs`).
 * Returns undefined (without running `fn`) on timeout.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<{ value: T } | undefined> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const staleMs = options.staleMs ?? 30_000;
  const signal = options.signal ?? new AbortController().signal;
  for (;;) {
    signal.throwIfAborted();
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(`${process.pid}@${hostname()} ${new Date().toISOString()}\n`);
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    await breakIfStale(lockPath, staleMs);
    if (Date.now() > deadline) return undefined;
    await sleep(10 + Math.floor(Math.random() * 30), undefined, { signal });
  }
  try {
    return { value: await fn() };
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function breakIfStale(lockPath: string, staleMs: number): Promise<void> {
  try {
    const s = await stat(lockPath);
    if (Date.now() - s.mtimeMs < staleMs) return;
    const moved = tmpName(`${lockPath}.stale`);
    await rename(lockPath, moved);
    await unlink(moved);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
