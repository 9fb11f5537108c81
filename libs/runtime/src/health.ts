/**
 * Named health checks in the shape of Kubernetes' /healthz, /livez and /readyz: each check returns nothing
 * when healthy and throws (or rejects) with the reason when not. `?verbose` lists every check as
 * `[+]name ok` / `[-]name failed: reason`, as kube-apiserver does.
 */
export type HealthCheck = (signal: AbortSignal) => void | Promise<void>;

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly reason?: string;
}

export class HealthChecks {
  private readonly checks = new Map<string, HealthCheck>();

  constructor(private readonly timeoutMs = 5_000) {}

  add(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  async run(): Promise<CheckResult[]> {
    return Promise.all(
      [...this.checks].map(async ([name, check]): Promise<CheckResult> => {
        const signal = AbortSignal.timeout(this.timeoutMs);
        try {
          await Promise.race([
            Promise.resolve(check(signal)),
            new Promise<never>((_, reject) => {
              signal.addEventListener('abort', () => reject(new Error(`timed out after ${this.timeoutMs}ms`)), { once: true });
            }),
          ]);
          return { name, ok: true };
        } catch (err) {
          return { name, ok: false, reason: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
  }
}

export function renderChecks(results: readonly CheckResult[], verbose: boolean, endpoint: string): string {
  const ok = results.every((r) => r.ok);
  if (!verbose && ok) return 'ok';
  const lines = results.map((r) => (r.ok ? `[+]${r.name} ok` : `[-]${r.name} failed: ${r.reason ?? 'unknown'}`));
  lines.push(ok ? `${endpoint} check passed` : `${endpoint} check failed`);
  return `${lines.join('\n')}\n`;
}
