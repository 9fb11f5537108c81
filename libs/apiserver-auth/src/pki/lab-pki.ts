import { X509Certificate as NodeX509, createPrivateKey } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { PkiContentionError, PkiCorruptError } from '../errors.js';
import { ensureFileContent, publishExclusive, readIfExists, withFileLock, writeFileAtomic } from './files.js';
import type { CertKeyPair, LabCa } from './issue.js';
import { generateCa, isIssuedBy, issueServingCert, pemBlocks } from './issue.js';
import { ensureServiceAccountKey, type ServiceAccountKey } from './service-account-key.js';

/** Names and addresses a serving certificate must carry. */
export interface Sans {
  readonly dns: readonly string[];
  readonly ips: readonly string[];
}

/** The SANs every apiserver serving certificate has: the in-cluster service names, localhost and 10.100.0.1. */
export const defaultApiserverSans: Sans = {
  dns: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost'],
  ips: ['127.0.0.1', '10.100.0.1'],
};

export interface LabPkiOptions {
  /** Extra SANs: the load balancer's and every replica's names and IPs. Added to `defaultApiserverSans`. */
  readonly sans: Sans;
  /** Reissue the serving certificate when it expires within this long. Default 30 days. */
  readonly renewBeforeMs?: number;
  /** Aborts waiting for another replica's lock. */
  readonly signal?: AbortSignal;
  /** For tests: the current time. */
  readonly now?: () => Date;
}

export interface LabPki {
  readonly dir: string;
  readonly ca: LabCa;
  /** The serving pair, consistent (read from one file), with the SANs it actually covers (a superset of the request). */
  readonly serving: CertKeyPair & { readonly sans: Sans };
  readonly paths: { readonly caCert: string; readonly caKey: string; readonly servingCert: string; readonly servingKey: string };
  /** The service-account token signing key pair (`sa.key`, `sa.pub`), shared by every replica. */
  readonly serviceAccountKey: ServiceAccountKey;
}

const defaultRenewBeforeMs = 30 * 24 * 60 * 60 * 1000;

/**
 * Makes sure `dir` holds the lab CA and an apiserver serving certificate covering the requested SANs;
 * safe to call from several replicas (processes, containers on a shared volume) at once.
 *
 * - The CA is created once: `ca.pem` (cert + key) is published with a create-exclusive hard link, so two
 *   racing replicas can never end up with two CAs; the loser adopts the winner's. An existing CA is reused
 *   for ever (it is not renewed; 10-year validity).
 * - The serving pair lives in `apiserver.pem` (cert + key, replaced atomically). It is reissued only when it
 *   is missing, not signed by the CA, expiring within `renewBeforeMs`, or does not cover the requested SANs;
 *   a reissue carries the union of the existing and requested SANs. This read-check-write runs under the
 *   lock file `apiserver.lock` (create-exclusive; a lock older than 30 s is taken as left by a crashed
 *   replica and broken), so replicas with different SANs end up with one certificate covering all of them.
 * - `ca.crt`, `ca.key`, `apiserver.crt`, `apiserver.key` are copies for kubeconfigs and tools, written under
 *   the same lock (so the apiserver pair on disk always matches).
 * - `sa.key` / `sa.pub`: the service-account token signing key, created once like the CA (see
 *   `ensureServiceAccountKey`).
 * Keys are written 0600, certificates 0644. Throws `PkiContentionError` (retryable) if the lock cannot be
 * had within 30 s, `PkiCorruptError` if existing files do not parse or a key does not match its certificate.
 */
export async function ensureLabPki(dir: string, options: LabPkiOptions): Promise<LabPki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const now = options.now ?? (() => new Date());
  const ca = await ensureCa(dir, now());
  const want = mergeSans(defaultApiserverSans, options.sans);
  const servingPath = join(dir, 'apiserver.pem');
  const renewBeforeMs = options.renewBeforeMs ?? defaultRenewBeforeMs;

  const paths = {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: join(dir, 'apiserver.crt'),
    servingKey: join(dir, 'apiserver.key'),
  };
  const locked = await withFileLock(
    join(dir, 'apiserver.lock'),
    async () => {
      const current = parsePair(servingPath, await readIfExists(servingPath));
      const usable = current && isIssuedBy(current, ca) ? current : undefined;
      const currentSans = usable ? sansOf(usable.certPem) : undefined;
      let serving: CertKeyPair & { sans: Sans };
      if (usable && currentSans && covers(currentSans, want) && !expiresWithin(usable.certPem, now(), renewBeforeMs)) {
        serving = { ...usable, sans: currentSans };
      } else {
        const sans = currentSans ? mergeSans(currentSans, want) : want;
        serving = { ...(await issueServingCert(ca, sans, now())), sans };
        await writeFileAtomic(servingPath, serving.certPem + serving.keyPem, 0o600);
      }
      await ensureFileContent(paths.caCert, ca.certPem, 0o644);
      await ensureFileContent(paths.caKey, ca.keyPem, 0o600);
      await ensureFileContent(paths.servingCert, serving.certPem, 0o644);
      await ensureFileContent(paths.servingKey, serving.keyPem, 0o600);
      return serving;
    },
    options.signal ? { signal: options.signal } : {},
  );
  if (!locked) throw new PkiContentionError(join(dir, 'apiserver.lock'));
  const serving = locked.value;
  const serviceAccountKey = await ensureServiceAccountKey(dir);
  return { dir, ca, serving, paths, serviceAccountKey };
}

/** Reads the lab CA from `dir` (as written by `ensureLabPki`). */
export async function loadLabCa(dir: string): Promise<LabCa> {
  const path = join(dir, 'ca.pem');
  const ca = parsePair(path, await readIfExists(path));
  if (!ca) throw new PkiCorruptError(path, 'no lab CA; run ensureLabPki first');
  return ca;
}

async function ensureCa(dir: string, now: Date): Promise<LabCa> {
  const path = join(dir, 'ca.pem');
  const existing = parsePair(path, await readIfExists(path));
  if (existing) return existing;
  const fresh = await generateCa(now);
  const published = await publishExclusive(path, fresh.certPem + fresh.keyPem, 0o600);
  const ca = parsePair(path, published.content);
  if (!ca) throw new PkiCorruptError(path, 'empty CA file');
  return ca;
}

/** A "cert + key" PEM file, checked for a matching key; undefined when the file does not exist. */
function parsePair(path: string, text: string | undefined): CertKeyPair | undefined {
  if (text === undefined) return undefined;
  const blocks = pemBlocks(text);
  const cert = blocks.find((b) => b.label === 'CERTIFICATE');
  const key = blocks.find((b) => b.label.endsWith('PRIVATE KEY'));
  if (!cert || !key) throw new PkiCorruptError(path, 'expected a CERTIFICATE and a PRIVATE KEY block');
  try {
    if (!new NodeX509(cert.pem).checkPrivateKey(createPrivateKey(key.pem))) {
      throw new PkiCorruptError(path, 'private key does not match the certificate');
    }
  } catch (err) {
    if (err instanceof PkiCorruptError) throw err;
    throw new PkiCorruptError(path, 'unparsable certificate or key', { cause: err });
  }
  return { certPem: cert.pem, keyPem: key.pem };
}

function normalizeIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

function sansOf(certPem: string): Sans {
  const dns: string[] = [];
  const ips: string[] = [];
  // Node renders e.g. "DNS:kubernetes, IP Address:127.0.0.1"; DNS names and IPs contain no ", ".
  for (const entry of (new NodeX509(certPem).subjectAltName ?? '').split(', ')) {
    if (entry.startsWith('DNS:')) dns.push(entry.slice(4));
    else if (entry.startsWith('IP Address:')) ips.push(normalizeIp(entry.slice(11)));
  }
  return { dns, ips };
}

function mergeSans(a: Sans, b: Sans): Sans {
  const dns = [...new Set([...a.dns, ...b.dns].map((d) => d.toLowerCase()))];
  const ips = [...new Set([...a.ips, ...b.ips].map(normalizeIp))];
  return { dns, ips };
}

function covers(have: Sans, want: Sans): boolean {
  const dns = new Set(have.dns.map((d) => d.toLowerCase()));
  const ips = new Set(have.ips.map(normalizeIp));
  return want.dns.every((d) => dns.has(d.toLowerCase())) && want.ips.every((ip) => ips.has(normalizeIp(ip)));
}

function expiresWithin(certPem: string, now: Date, ms: number): boolean {
  return new Date(new NodeX509(certPem).validTo).getTime() - now.getTime() < ms;
}
