import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** Runs the docker CLI; rejects with its stderr when it fails. */
export async function docker(...args: string[]): Promise<string> {
  try {
    const { stdout } = await exec('docker', args, { maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`docker ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

export const appImage = `${process.env['EKSLAB_APP_IMAGE'] ?? 'ekslab/app'}:${process.env['EKSLAB_IMAGE_TAG'] ?? 'dev'}`;

/** Fails with a clear message when the app image was not built (`make images`). */
export async function requireImage(image: string): Promise<void> {
  await docker('image', 'inspect', '--format', '{{.Id}}', image).catch(() => {
    throw new Error(`image ${image} is missing: run \`make images\``);
  });
}
