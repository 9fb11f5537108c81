// Simulated container logs, computed from a container instance's life rather than stored: the start lines,
// a heartbeat every interval while it runs, and a last line when it stops. Nothing is buffered and no timer
// runs per container; a follower sleeps until `nextLineAt`.

/** One run of a container (a new one per restart). Times in ms. */
export interface LogInstance {
  readonly startedAt: number;
  readonly startLines: readonly string[];
  /** Heartbeat period; 0 = none. */
  readonly intervalMs: number;
  /** Set once it stopped. */
  finishedAt?: number;
  /** The line printed at `finishedAt`. */
  lastLine?: string;
}

export interface LogLine {
  readonly at: number;
  readonly text: string;
}

/** Upper bound of heartbeat lines materialised for one read (a very long-running container keeps only its latest). */
const MAX_HEARTBEATS = 10_000;

/** The instance's lines up to `now` (inclusive), oldest first. */
export function logLines(i: LogInstance, now: number): LogLine[] {
  const end = Math.min(now, i.finishedAt ?? Number.POSITIVE_INFINITY);
  const out: LogLine[] = [];
  if (i.startedAt > now) return out;
  for (const text of i.startLines) out.push({ at: i.startedAt, text });
  if (i.intervalMs > 0) {
    const count = Math.floor((end - i.startedAt) / i.intervalMs);
    const first = Math.max(1, count - MAX_HEARTBEATS + 1);
    for (let k = first; k <= count; k++) {
      const at = i.startedAt + k * i.intervalMs;
      if (i.finishedAt !== undefined && at >= i.finishedAt) break;
      out.push({ at, text: `heartbeat ${k}: up ${Math.round((k * i.intervalMs) / 1000)}s` });
    }
  }
  if (i.finishedAt !== undefined && i.finishedAt <= now && i.lastLine !== undefined) out.push({ at: i.finishedAt, text: i.lastLine });
  return out;
}

/** When the next line after `after` appears, or undefined if the instance has stopped (no more lines). */
export function nextLineAt(i: LogInstance, after: number): number | undefined {
  if (i.finishedAt !== undefined && i.finishedAt <= after) return undefined;
  const candidates: number[] = [];
  if (i.startedAt > after) candidates.push(i.startedAt);
  if (i.intervalMs > 0) {
    const k = Math.max(1, Math.floor((after - i.startedAt) / i.intervalMs) + 1);
    candidates.push(i.startedAt + k * i.intervalMs);
  }
  if (i.finishedAt !== undefined) candidates.push(i.finishedAt);
  const next = Math.min(...candidates);
  return Number.isFinite(next) ? next : undefined;
}

export interface LogReadOptions {
  readonly tailLines?: number | undefined;
  /** Only lines at or after this time (ms); from sinceSeconds or sinceTime. */
  readonly sinceMs?: number | undefined;
  readonly timestamps?: boolean | undefined;
}

/** RFC 3339 with nanoseconds, as the kubelet prefixes lines with `timestamps=true`. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** Lines filtered by since and tail, rendered with `\n` endings (and timestamps when asked). */
export function renderLines(lines: readonly LogLine[], o: LogReadOptions): string {
  let selected = o.sinceMs === undefined ? lines : lines.filter((l) => l.at >= o.sinceMs!);
  if (o.tailLines !== undefined) selected = o.tailLines === 0 ? [] : selected.slice(-o.tailLines);
  return selected.map((l) => (o.timestamps ? `${rfc3339Nano(l.at)} ${l.text}\n` : `${l.text}\n`)).join('');
}
