import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A lab command needs the repository (its scripts and compose file); there is none above `from`. */
export class RepoNotFoundError extends Error {
  override readonly name = 'RepoNotFoundError';
  readonly retryable = false;
  constructor(from: string) {
    super(`cannot find the ekslab repository (infra/scripts) above ${from}; set EKSLAB_REPO_ROOT`);
  }
}

/** The repository root: `EKSLAB_REPO_ROOT`, else the nearest directory above `from` holding infra/scripts. */
export function repoRoot(from: string = import.meta.dirname, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['EKSLAB_REPO_ROOT'];
  if (fromEnv) return fromEnv;
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, 'infra/scripts/lab-up.sh'))) return dir;
    if (dirname(dir) === dir) throw new RepoNotFoundError(from);
  }
}
