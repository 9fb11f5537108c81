import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { ekslabVersion } from '@ekslab/runtime';
import { benchApiserverCommand, benchCloudCommand, benchIpamdCommand, benchKubeletCommand, benchSchedulerCommand, type BenchApiserverFlags, type BenchCloudFlags, type BenchIpamdFlags, type BenchKubeletFlags, type BenchSchedulerFlags } from './bench.js';
import { addCloudCommands, defaultCloudAddress } from './cloud/command.js';
import { kubeconfigCommand } from './kubeconfig.js';
import { repoRoot } from './repo.js';

/** Runs one of the repository's lab scripts with the terminal attached; resolves to its exit code. */
function runScript(script: string, args: readonly string[]): Promise<number> {
  const root = repoRoot();
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [resolve(root, 'infra/scripts', script), ...args], { cwd: root, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, sig) => resolvePromise(code ?? (sig ? 128 : 1)));
  });
}

/** The `ekslab` command tree. Chaos, bench and logs join it as the issues that need them land. */
export function program(): Command {
  const root = new Command('ekslab')
    .description('ekslab: an EKS-shaped control plane as a real distributed system on one machine')
    .version(ekslabVersion);

  const lab = root.command('lab').description('bring the local lab up, down, or show it');
  lab
    .command('up')
    .description('start Docker if needed, build images (cached), start the lab and wait until it is healthy')
    .action(async () => {
      process.exitCode = await runScript('lab-up.sh', []);
    });
  lab
    .command('down')
    .description('stop and remove the lab containers (images and, unless --purge, data volumes are kept)')
    .option('--purge', 'also delete the data volumes')
    .action(async (opts: { purge?: boolean }) => {
      process.exitCode = await runScript('lab-down.sh', opts.purge ? ['--purge'] : []);
    });
  lab
    .command('status')
    .description('show every lab container with its AZ, state and endpoint')
    .action(async () => {
      process.exitCode = await runScript('lab-status.sh', []);
    });

  root
    .command('kubeconfig')
    .description('print the path of the kubeconfig the lab writes (.ekslab/kubeconfig: kubectl → 127.0.0.1:6443)')
    .option('--print', "print the file's contents instead of its path")
    .addHelpText('after', '\nexample:\n  export KUBECONFIG=$(npx ekslab kubeconfig) && kubectl get ns')
    .action((opts: { print?: boolean }) => {
      process.exitCode = kubeconfigCommand(repoRoot(), opts, {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
      });
    });
  addCloudCommands(root);
  const bench = root.command('bench').description('load-test one component against the running lab and print figures (also written as JSON)');
  bench
    .command('apiserver')
    .description('pod creates at rising concurrency through one replica and through the NLB, against raw etcd puts of the same size')
    .option('-o, --output <format>', 'json: print only the final JSON line')
    .option('--levels <list>', 'concurrency levels', '1,4,16,64')
    .option('--per-level <n>', 'creates (and puts) per level', '400')
    .option('--replica <url>', 'one replica, addressed directly', 'https://127.0.0.1:64431')
    .option('--etcd <urls>', 'etcd client URLs for the raw puts', 'http://127.0.0.1:23791,http://127.0.0.1:23792,http://127.0.0.1:23793')
    .action(async (flags: BenchApiserverFlags) => {
      process.exitCode = await benchApiserverCommand(repoRoot(), flags);
    });
  bench
    .command('cloud')
    .description('AssignPrivateIpAddresses (one address per call on ENIs of a bench instance) at rising concurrency through the cloud load balancer')
    .option('-o, --output <format>', 'json: print only the final JSON line')
    .option('--levels <list>', 'concurrency levels', '1,4,16,64')
    .option('--per-level <n>', 'calls per level', '400')
    .option('--operation <op>', 'assign: AssignPrivateIpAddresses; probe: the fault gate + one etcd CAS, no resources', 'assign')
    .option('--keys <n>', 'probe only: etcd keys the calls spread over (1: all contend on one)', '1')
    .option('--server <host:port>', 'the cloud\'s gRPC address (env EKSLAB_CLOUD_ADDRESS)', process.env['EKSLAB_CLOUD_ADDRESS'] || defaultCloudAddress)
    .action(async (flags: BenchCloudFlags) => {
      process.exitCode = await benchCloudCommand(repoRoot(), flags);
    });
  bench
    .command('scheduler')
    .description('scheduler_perf SchedulingBasic: create bench nodes, then pods, and measure first create → last binding (needs a running scheduler)')
    .option('-o, --output <format>', 'json: print only the final JSON line')
    .option('--nodes <n>', 'bench nodes (m5.large allocatable, tainted so only bench pods land on them)', '5000')
    .option('--pods <n>', 'pods to schedule', '10000')
    .option('--concurrency <n>', 'creates in flight', '32')
    .option('--timeout <seconds>', 'give up waiting for bindings after this long', '900')
    .option('--kubeconfig <path>', 'target this cluster instead of the lab (.ekslab/kubeconfig)')
    .action(async (flags: BenchSchedulerFlags) => {
      process.exitCode = await benchSchedulerCommand(repoRoot(), flags);
    });
  bench
    .command('ipamd')
    .description('AddNetwork/DelNetwork through an ipamd on warm pools of bench nodes it EnsureNode\'s (instances launched through the cloud)')
    .option('-o, --output <format>', 'json: print only the final JSON line')
    .option('--server <host:port>', 'ipamd\'s gRPC address (CNIBackend + NodeService; env EKSLAB_IPAMD_ADDRESS)', process.env['EKSLAB_IPAMD_ADDRESS'] || '127.0.0.1:50071')
    .option('--cloud <host:port>', 'the cloud\'s gRPC address, to launch the bench instances (env EKSLAB_CLOUD_ADDRESS)', process.env['EKSLAB_CLOUD_ADDRESS'] || defaultCloudAddress)
    .option('--introspection <url>', 'ipamd\'s introspection URL (the lab\'s ipamd-a), to check its mode and IP cooldown (empty: skip)', 'http://127.0.0.1:61701')
    .option('--prefix-delegation', 'the ipamd runs with ENABLE_PREFIX_DELEGATION=true (checked against /v1/env-settings)')
    .option('--nodes <n>', 'bench nodes (instances)', '8')
    .option('--pods <n>', 'pods per node per round (default: the warm pool ipamd keeps, so every assignment is a warm-pool hit)')
    .option('--instance-type <type>', 'instance type of the bench nodes', 'm5.24xlarge')
    .option('--availability-zone <az>', 'AZ of the bench nodes: the ipamd\'s own (ipamd-a: us-east-1a); empty: any', 'us-east-1a')
    .option('--levels <list>', 'concurrency levels (one assign-all/release-all round each)', '1,8,32')
    .option('--ip-cooldown <seconds>', 'the ipamd\'s IP_COOLDOWN_PERIOD when /v1/env-settings is not readable', '30')
    .action(async (flags: BenchIpamdFlags) => {
      process.exitCode = await benchIpamdCommand(repoRoot(), flags);
    });
  bench
    .command('kubelet')
    .description('built kubelet agents hosting many static nodes against the apiserver: lease renewals on time, RSS per 1000 nodes, writes/s')
    .option('-o, --output <format>', 'json: print only the final JSON line')
    .option('--nodes <n>', 'nodes in all', '5000')
    .option('--agents <k>', 'agent processes the nodes are split over (default: one per 2000 nodes)')
    .option('--duration <d>', 'how long renewals are measured (after the warm-up)', '10m')
    .option('--warmup <d>', 'left out after every node registered (the registration burst\'s backlog)', '60s')
    .option('--concurrency <n>', 'API calls in flight per agent (its --concurrency)', '16')
    .option('--late-threshold <d>', 'a renewal starting later than this after it was due is late', '1s')
    .option('--grpc-server <host:port>', 'the apiserver\'s gRPC resource API (the lab\'s load balancer)', '127.0.0.1:50051')
    .option('--kubeconfig <path>', 'an admin kubeconfig for the cleanup (default: the lab\'s .ekslab/kubeconfig)')
    .option('--cert-dir <dir>', 'a dir with the lab\'s ca.crt and node-token.key (default: copied out of --pki-container)')
    .option('--pki-container <name>', 'the apiserver container whose /var/lib/ekslab/pki holds them', 'ekslab-apiserver-a')
    .option('--bundle <path>', 'the built agent (default: dist/apps/kubelet/main.mjs)')
    .action(async (flags: BenchKubeletFlags) => {
      process.exitCode = await benchKubeletCommand(repoRoot(), flags);
    });
  return root;
}
