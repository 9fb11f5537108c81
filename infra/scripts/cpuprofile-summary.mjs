// CPU profile (node --cpu-prof) of a bundled service, summed by where the time went: each bundle section
// (libs/<lib>, apiserver:<dir>), grpc-js / http2 (the etcd client), node internals, GC. Idle time is left out.
//   node infra/scripts/cpuprofile-summary.mjs <file.cpuprofile> <the bundle it ran, main.mjs>
import { readFileSync } from 'node:fs';
const [prof, bundle] = process.argv.slice(2);
const p = JSON.parse(readFileSync(prof, 'utf8'));
const lines = readFileSync(bundle, 'utf8').split('\n');
const section = []; let cur = '(bundle prelude)';
for (let i = 0; i < lines.length; i++) { const m = /^\/\/ ((?:libs|apps)\/[^/]+\/src\/[^ ]*)/.exec(lines[i]); if (m) cur = m[1].replace(/\/src\//, ':').replace(/\.ts$/, ''); section[i] = cur; }
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const cat = new Map(); let total = 0, idle = 0;
for (let i = 0; i < p.samples.length; i++) {
  const n = byId.get(p.samples[i]); const t = p.timeDeltas[i] ?? 0; const { url, functionName, lineNumber } = n.callFrame;
  if (functionName === '(idle)') { idle += t; continue; }
  total += t;
  let k;
  if (url.endsWith('main.mjs')) { const s = section[lineNumber] ?? '?'; k = s.startsWith('libs/apiserver:') ? 'apiserver:' + s.split(':')[1].split('/')[0] : s.split(':')[0] + (s.includes('managed-fields') ? ' managed-fields' : ''); }
  else if (url.includes('@grpc/grpc-js')) k = 'grpc-js (etcd client)';
  else if (url.includes('etcd3') || url.includes('cockatiel')) k = 'etcd3 + cockatiel';
  else if (url.includes('protobufjs') || url.includes('@protobufjs')) k = 'protobufjs';
  else if (url.includes('pino')) k = 'pino';
  else if (url.includes('node_modules')) k = 'node_modules: ' + url.split('node_modules/')[1].split('/')[0];
  else if (/http2/.test(url)) k = 'node http2 (etcd transport)';
  else if (/_http_|node:http|internal\/http/.test(url)) k = 'node http';
  else if (/tls|crypto/.test(url)) k = 'node tls';
  else if (/stream|net|buffer|events|task_queues|timers|async_hooks/.test(url)) k = 'node streams/net/events/timers';
  else if (url === '') k = functionName.startsWith('(') ? functionName : 'native: ' + functionName;
  else if (/loader|module|cjs|esm/.test(url)) k = 'module loading';
  else k = 'node other';
  cat.set(k, (cat.get(k) ?? 0) + t);
}
console.log(`busy ${(total / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s`);
for (const [k, t] of [...cat].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log((t / 1000).toFixed(0).padStart(7), (100 * t / total).toFixed(1).padStart(5) + '%', k);
