import './ryuk.js';
import { ImageName, getContainerRuntimeClient } from 'testcontainers';
import { ImageMissingError } from './errors.js';

export type ImageKind = 'etcd' | 'nats';

/**
 * The image the harness runs for `kind`: `EKSLAB_ETCD_IMAGE` / `EKSLAB_NATS_IMAGE` (default `ekslab/<kind>`),
 * tagged with `EKSLAB_IMAGE_TAG` (default `dev`) unless the variable already carries a tag.
 */
export function imageFor(kind: ImageKind, env: NodeJS.ProcessEnv = process.env): string {
  const repo = env[`EKSLAB_${kind.toUpperCase()}_IMAGE`] || `ekslab/${kind}`;
  const lastSegment = repo.slice(repo.lastIndexOf('/') + 1);
  if (lastSegment.includes(':') || repo.includes('@')) return repo;
  return `${repo}:${env['EKSLAB_IMAGE_TAG'] || 'dev'}`;
}

/** Throws {@link ImageMissingError} unless `image` is present locally. Never pulls. */
export async function ensureImage(image: string): Promise<void> {
  const client = await getContainerRuntimeClient();
  if (!(await client.image.exists(ImageName.fromString(image)))) throw new ImageMissingError(image);
}
