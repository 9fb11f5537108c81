import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Writes a kubeconfig for `server`, trusting `caPem` and presenting `token`, and returns its path. */
export function writeKubeconfig(server: string, caPem: string, token: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ekslab-kubeconfig-'));
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'ekslab',
    clusters: [{ name: 'ekslab', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'ekslab', context: { cluster: 'ekslab', user: 'admin', namespace: 'default' } }],
  }));
  return path;
}

/** Where the versioned kubectl binaries live (`kubectl.1.27` …); `EKSLAB_KUBECTL_DIR` overrides. */
export const kubectlDir = process.env['EKSLAB_KUBECTL_DIR'] ?? '/usr/lib/google-cloud-sdk/bin';

/** Runs a real kubectl of the given minor version (`kubectl.1.33`) against the kubeconfig. */
export function kubectl(version: string, kubeconfig: string, args: readonly string[], input?: string, env: NodeJS.ProcessEnv = {}): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(join(kubectlDir, `kubectl.${version}`), [...args], {
      env: { ...process.env, KUBECONFIG: kubeconfig, HOME: tmpdir(), KUBECACHEDIR: join(tmpdir(), `ekslab-kubecache-${process.pid}-${version}`), ...env },
      timeout: 30_000,
    }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      if (code !== 0 && process.env['EKSLAB_DEBUG_KUBECTL']) process.stderr.write(`kubectl.${version} ${args.join(' ')} → ${code}: ${stderr}\n`);
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Starts `kubectl get -w` and collects its output lines until stopped. */
export function kubectlWatch(version: string, kubeconfig: string, args: readonly string[]): { lines: string[]; stop: () => void } {
  const child = spawn(join(kubectlDir, `kubectl.${version}`), [...args], { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: tmpdir() } });
  const lines: string[] = [];
  let pending = '';
  child.stdout.on('data', (c: Buffer) => {
    pending += c.toString();
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts);
  });
  return { lines, stop: () => child.kill('SIGKILL') };
}

/** The token of `username` in a kube-apiserver token file (`token,user,uid,"groups"`). */
export function tokenOf(tokenFile: string, username: string): string {
  const line = readFileSync(tokenFile, 'utf8').split('\n').find((l) => l.split(',')[1] === username);
  if (!line) throw new Error(`${username} has no token in ${tokenFile}`);
  return line.split(',')[0]!;
}
