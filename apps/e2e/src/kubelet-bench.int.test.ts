import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiserver, type ApiserverFixture } from './apiserver-fixture.js';
import { kubectl } from './kubectl.js';
import { repoRoot } from './process.js';

// `ekslab bench kubelet` run small against a fixture apiserver: the built agents, the JSON line, the cleanup.
let fx: ApiserverFixture;

beforeAll(async () => {
  fx = await startApiserver();
}, 120_000);

afterAll(async () => {
  await fx?.dispose();
});

async function count(path: string, prefix: string): Promise<number> {
  const res = await kubectl('1.33', fx.kubeconfig, ['get', '--raw', path]);
  if (res.code !== 0) throw new Error(res.stderr);
  return (JSON.parse(res.stdout) as { items: Array<{ metadata: { name: string } }> }).items.filter((i) => i.metadata.name.startsWith(prefix)).length;
}

describe('ekslab bench kubelet', () => {
  it('bench kubelet — 100 nodes over 2 agents for 20 s: one JSON line with the lease, RSS and write figures; nodes and leases deleted', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      resolve(repoRoot, 'apps/cli/bin/ekslab.mjs'), 'bench', 'kubelet', '-o', 'json', '--nodes', '100', '--agents', '2', '--duration', '20s', '--warmup', '5s',
      '--kubeconfig', fx.kubeconfig, '--cert-dir', fx.certDir, '--grpc-server', fx.grpcAddress,
    ], { cwd: repoRoot, timeout: 150_000 });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!) as { target: string; params: Record<string, unknown>; metrics: Record<string, number>; machine: Record<string, unknown>; agents: unknown[] };
    expect(result.target).toBe('kubelet');
    expect(result.params).toMatchObject({ nodes: 100, agents: 2, durationMs: 20_000, warmupMs: 5_000 });
    expect(result.agents).toHaveLength(2);
    const m = result.metrics;
    // 100 nodes renewing every 10 s for 20 s: about 200 renewals, nearly all on time on an idle fixture.
    expect(m['leaseRenewals']).toBeGreaterThanOrEqual(150);
    expect(m['leaseOnTimeRatio']).toBeGreaterThanOrEqual(0.99);
    expect(m['renewalsPerNodePer10s']).toBeGreaterThan(0.8);
    expect(m['rssBytesPer1000Nodes']).toBeGreaterThan(0);
    expect(m['apiserverWritesPerSecond']).toBeGreaterThan(5);
    expect(m['apiErrors']).toBe(0);
    expect(result.machine).toHaveProperty('cpus');
    expect(await count('/api/v1/nodes', 'bench-kubelet-')).toBe(0);
    expect(await count('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', 'bench-kubelet-')).toBe(0);
  }, 180_000);
});
