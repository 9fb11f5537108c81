// Images as containerd on a node sees them: normalized references, a per-node cache, simulated pull times.
import { createHash } from 'node:crypto';

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * The fully qualified reference containerd reports (`nginx` → `docker.io/library/nginx:latest`,
 * `ghcr.io/a/b` → `ghcr.io/a/b:latest`). Digests are kept as given.
 */
export function normalizeImage(image: string): string {
  let ref = image.trim();
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) ref = slash < 0 ? `docker.io/library/${ref}` : `docker.io/${ref}`;
  if (ref.includes('@')) return ref;
  const lastSlash = ref.lastIndexOf('/');
  return ref.slice(lastSlash).includes(':') ? ref : `${ref}:latest`;
}

/** The repository path without registry and tag (`docker.io/missing/app:1` → `missing/app`). */
function repositoryPath(normalized: string): string {
  const noRegistry = normalized.slice(normalized.indexOf('/') + 1);
  return noRegistry.replace(/[@:][^/]*$/, '');
}

/** Images that simulate a registry answering "not found": the repository starts with `missing/`. */
export function imageMarkedMissing(image: string): boolean {
  const path = repositoryPath(normalizeImage(image));
  return path.startsWith('missing/') || path.startsWith('library/missing');
}

/** The pull policy the API defaults (`:latest` or no tag → Always, else IfNotPresent) when the spec has none. */
export function pullPolicyOf(image: string, given: string | undefined): PullPolicy {
  if (given === 'Always' || given === 'IfNotPresent' || given === 'Never') return given;
  const tail = image.slice(image.lastIndexOf('/') + 1);
  if (image.includes('@')) return 'IfNotPresent';
  return !tail.includes(':') || tail.endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

/** `docker.io/library/nginx@sha256:…`: the repo digest containerd reports as imageID (stable per reference). */
export function imageIdOf(image: string): string {
  const n = normalizeImage(image);
  if (n.includes('@')) return n;
  return `${n.replace(/:[^/:]*$/, '')}@sha256:${sha256(n)}`;
}

/** A stable simulated compressed size, 20–200 MiB, from the reference. */
export function imageSizeBytes(image: string): number {
  const h = Number.parseInt(sha256(normalizeImage(image)).slice(0, 8), 16);
  return 20 * 1024 * 1024 + (h % (180 * 1024 * 1024));
}

/** The rpc error containerd returns for an image the registry does not have (the event and waiting message). */
export function imageNotFoundError(image: string): string {
  const n = normalizeImage(image);
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${n}": failed to resolve reference "${n}": ${n}: not found`;
}

/** The images one node holds (containerd's content store). Pulls that complete add to it. */
export class ImageCache {
  private readonly images = new Map<string, number>();

  has(image: string): boolean {
    return this.images.has(normalizeImage(image));
  }

  add(image: string, sizeBytes: number): void {
    this.images.set(normalizeImage(image), sizeBytes);
  }

  get size(): number {
    return this.images.size;
  }
}
