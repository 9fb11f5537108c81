// Pod creates against built apiserver bundles on a throwaway one-member etcd, without the lab: creates/s,
// p99 and the apiserver's own CPU time per create (/proc/<pid>/stat over the timed creates only, so the
// deletecollection after each round is not counted). Several bundles (e.g. a copy of main's build and yours)
// run side by side on the same etcd and are measured in turns, round after round: on a shared machine only
// such interleaved figures compare. `<bundle>@<node-flag>@...` adds node flags, e.g.
// `dist/apps/apiserver/main.mjs@cpu-prof@cpu-prof-dir=/tmp/prof` (profile written when the run ends).
//
//   npx tsx --tsconfig tsconfig.base.json libs/bench/src/apiserver-local.ts <bundle>[,<bundle>...] [concurrency=64] [creates=2000] [rounds=2]
//
// See docs/performance.md. A script (not exported by the library): a measuring aid, not a test.
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:https';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { startEtcdCluster } from '@ekslab/testing';
import { runLevel } from './stats.js';

const [bundlesArg, cArg = '64', nArg = '2000', roundsArg = '2'] = process.argv.slice(2);
const etcd = await startEtcdCluster({ members: 1 });
const certDir = mkdtempSync(join(tmpdir(), 'perf-pki-'));
const call = (server: string, agent: Agent, token: string, method: string, path: string, body?: string): Promise<string> => new Promise((resolve, reject) => {
  const req = request(new URL(path, server), { method, agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' } }, (res) => {
    let text = '';
    res.on('data', (c: Buffer) => (text += c.toString()));
    res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve(text) : reject(new Error(`${res.statusCode} ${text.slice(0, 200)}`))));
  });
  req.on('error', reject);
  req.end(body);
});
const pod = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'ekslab-bench' } },
  spec: { containers: [{ name: 'app', image: 'public.ecr.aws/docker/library/nginx:1.27', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } });
const procs: Array<{ spec: string; child: ReturnType<typeof spawn>; server: string; token: string; ca: string }> = [];
try {
  for (const spec of bundlesArg!.split(',')) {
    const [bundle, ...flags] = spec.split('@');
    const child = spawn(process.execPath, [...flags.map((f) => `--${f}`), bundle!, '--cert-dir', certDir, '--etcd-servers', etcd.endpoints.join(','), '--bind-address', '127.0.0.1', '--secure-port', '0', '--ops-address', '127.0.0.1', '--ops-port', '0', '--grpc-port', '0'],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, EKSLAB_AZ: 'us-east-1a' } });
    const port = await new Promise<number>((res, rej) => {
      let buf = '';
      child.stdout.on('data', (c: Buffer) => { buf += c.toString(); const m = /"port":(\d+)[^\n]*"msg":"serving the Kubernetes API"|"msg":"serving the Kubernetes API"[^\n]*"port":(\d+)/.exec(buf); if (m) res(Number(m[1] ?? m[2])); });
      child.once('exit', (c) => rej(new Error(`exit ${c} ${buf}`)));
    });
    child.stdout.resume();
    const token = readFileSync(join(certDir, 'tokens.csv'), 'utf8').split('\n').find((l) => l.includes('kubernetes-admin'))!.split(',')[0]!;
    procs.push({ spec, child, server: `https://127.0.0.1:${port}`, token, ca: readFileSync(join(certDir, 'ca.crt'), 'utf8') });
  }
  const p0 = procs[0]!;
  await call(p0.server, new Agent({ ca: p0.ca }), p0.token, 'POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: 'bench' } })).catch(() => undefined);
  const cpu = (pid: number): number => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
  const c = Number(cArg);
  for (let round = 0; round < Number(roundsArg); round++) {
    for (const p of procs) {
      const agent = new Agent({ keepAlive: true, maxSockets: c, ca: p.ca });
      await Promise.all(Array.from({ length: c }, () => call(p.server, agent, p.token, 'GET', '/version')));
      const before = cpu(p.child.pid!);
      const la = loadavg()[0]!.toFixed(1);
      const r = await runLevel(c, Number(nArg), async (i) => { await call(p.server, agent, p.token, 'POST', '/api/v1/namespaces/bench/pods', pod(`p-${round}-${procs.indexOf(p)}-${i}`)); });
      const ms = (cpu(p.child.pid!) - before) / r.ops;
      console.log(`round ${round} ${p.spec.padEnd(40)} c=${c}: ${r.perSecond.toFixed(0).padStart(5)} creates/s p99 ${r.p99Ms} ms errors ${r.errors}; apiserver CPU ${ms.toFixed(3)} ms/create; load ${la}`);
      await call(p.server, agent, p.token, 'DELETE', '/api/v1/namespaces/bench/pods?labelSelector=app%3Dekslab-bench');
      agent.destroy();
    }
  }
} finally {
  for (const p of procs) p.child.kill('SIGINT');
  await etcd.cleanup();
}
