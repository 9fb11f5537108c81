import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../../..');

/** The built bundle of a service (what the app image runs); the test fails clearly when it was not built. */
export function bundleOf(service: string): string {
  const path = resolve(repoRoot, 'dist/apps', service, 'main.mjs');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npx nx run-many -t build\` first`);
  return path;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A service process started from its bundle, with its stdout split into JSON log records. */
export class ServiceProcess {
  readonly logs: Array<Record<string, unknown>> = [];
  stderr = '';
  readonly exited: Promise<Exit>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(service: string, args: readonly string[]) {
    this.child = spawn(process.execPath, [bundleOf(service), ...args], { cwd: repoRoot, env: { ...process.env, EKSLAB_AZ: 'us-east-1a' } });
    let pending = '';
    this.child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.logs.push(JSON.parse(line) as Record<string, unknown>);
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((res) => this.child.once('exit', (code, signal) => res({ code, signal })));
  }

  /** Waits (bounded) for a log record matching `predicate`. */
  async waitForLog(predicate: (rec: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs.find(predicate);
      if (found) return found;
      if (this.child.exitCode !== null) throw new Error(`process exited (${this.child.exitCode}) before the log appeared; stderr: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`no matching log within ${timeoutMs}ms; got ${JSON.stringify(this.logs)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }

  /** Ends the process if a test left it running. */
  dispose(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Runs a bundle to completion (for --help and bad flags). */
export async function runToExit(service: string, args: readonly string[]): Promise<Exit & { stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [bundleOf(service), ...args], { cwd: repoRoot });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = await new Promise<Exit>((res) => proc.once('exit', (code, signal) => res({ code, signal })));
  return { ...exit, stdout, stderr };
}
