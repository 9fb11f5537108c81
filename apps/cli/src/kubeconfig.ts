import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Where `infra/scripts/lab-up.sh` writes the lab's kubeconfig, relative to the repository root. */
export const KUBECONFIG_RELATIVE_PATH = '.ekslab/kubeconfig';

/** The lab's kubeconfig path under repository root `root` (whether or not it exists yet). */
export function kubeconfigPath(root: string): string {
  return resolve(root, KUBECONFIG_RELATIVE_PATH);
}

/** `ekslab kubeconfig` before the lab has written one. */
export class KubeconfigMissingError extends Error {
  override readonly name = 'KubeconfigMissingError';
  readonly retryable = false;
  constructor(readonly path: string) {
    super(`no kubeconfig at ${path}: the lab has not written it yet; start the lab with \`make lab\` (or \`ekslab lab up\`)`);
  }
}

export interface KubeconfigOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * `ekslab kubeconfig [--print]`: prints the path of the lab's kubeconfig, or with `print` its contents.
 * Returns the exit code: 0, or 1 (with a message on stderr) when the lab has not written it yet.
 */
export function kubeconfigCommand(root: string, opts: { readonly print?: boolean }, out: KubeconfigOutput): number {
  const path = kubeconfigPath(root);
  if (!existsSync(path)) {
    out.stderr(`ekslab: ${new KubeconfigMissingError(path).message}\n`);
    return 1;
  }
  if (opts.print) {
    const text = readFileSync(path, 'utf8');
    out.stdout(text.endsWith('\n') ? text : `${text}\n`);
  } else {
    out.stdout(`${path}\n`);
  }
  return 0;
}
