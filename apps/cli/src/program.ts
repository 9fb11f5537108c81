import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { ekslabVersion } from '@ekslab/runtime';
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
  return root;
}
