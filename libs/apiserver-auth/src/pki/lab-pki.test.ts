import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect, createServer } from 'node:tls';
import { checkServerIdentity } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PkiCorruptError } from '../errors.js';
import type { LabPki } from './lab-pki.js';
import { defaultApiserverSans, ensureLabPki } from './lab-pki.js';

const repoRoot = resolve(import.meta.dirname, '../../../..');
const lbSans = { dns: ['apiserver.ekslab.local', 'apiserver-a'], ips: ['172.30.0.10', '::1'] };

/** Completes a TLS handshake with a server using `pki.serving`, verifying it for `identity`. */
async function handshake(pki: LabPki, identity: { servername?: string; ip?: string }): Promise<void> {
  const server = createServer({ key: pki.serving.keyPem, cert: pki.serving.certPem }, (s) => s.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((ok, fail) => {
      const socket = connect({
        host: '127.0.0.1',
        port,
        ca: pki.ca.certPem,
        ...(identity.servername ? { servername: identity.servername } : {}),
        ...(identity.ip ? { checkServerIdentity: (_host, cert) => checkServerIdentity(identity.ip!, cert) } : {}),
      });
      socket.once('secureConnect', () => {
        socket.end();
        ok();
      });
      socket.once('error', fail);
    });
  } finally {
    await new Promise((r) => server.close(r));
  }
}

describe('ensureLabPki', () => {
  let dir: string;
  let pki: LabPki;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ekslab-pki-'));
    pki = await ensureLabPki(dir, { sans: lbSans });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generate — a 10-year CA named ekslab-ca and 0600 keys', async () => {
    const ca = new X509Certificate(pki.ca.certPem);
    expect(ca.subject).toBe('CN=ekslab-ca');
    expect(ca.ca).toBe(true);
    const years = (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / (365 * 24 * 3600 * 1000);
    expect(years).toBeGreaterThan(9.9);
    for (const f of ['ca.key', 'apiserver.key', 'ca.pem', 'apiserver.pem', 'sa.key']) expect((await stat(join(dir, f))).mode & 0o777).toBe(0o600);
    expect(await readFile(pki.paths.caCert, 'utf8')).toBe(pki.ca.certPem);
  });

  it('reload — the same CA and serving certificate on the next start', async () => {
    const again = await ensureLabPki(dir, { sans: lbSans });
    expect(again.ca).toEqual(pki.ca);
    expect(again.serving.certPem).toBe(pki.serving.certPem);
    expect(again.serviceAccountKey.privateKeyPem).toBe(pki.serviceAccountKey.privateKeyPem);
  });

  it('service-account key — RSA 2048, sa.pub is its public half', async () => {
    const key = pki.serviceAccountKey;
    expect(key.privateKey.asymmetricKeyType).toBe('rsa');
    expect(key.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(await readFile(join(dir, 'sa.pub'), 'utf8')).toBe(key.publicKeyPem);
    expect((await stat(join(dir, 'sa.pub'))).mode & 0o777).toBe(0o644);
  });

  it.each([...defaultApiserverSans.dns, ...lbSans.dns])('serving — TLS handshake verifies for DNS SAN %s', async (name) => {
    await handshake(pki, { servername: name });
  });

  it.each([...defaultApiserverSans.ips, ...lbSans.ips])('serving — TLS handshake verifies for IP SAN %s', async (ip) => {
    await handshake(pki, { ip });
  });

  it('serving — a name outside the SANs fails verification', async () => {
    await expect(handshake(pki, { servername: 'evil.example.com' })).rejects.toThrow(/altnames|Hostname/);
  });

  it('reissue — new SANs get a certificate with the union, same CA', async () => {
    const more = await ensureLabPki(dir, { sans: { dns: ['apiserver-b'], ips: ['172.30.0.11'] } });
    expect(more.ca).toEqual(pki.ca);
    expect(more.serving.certPem).not.toBe(pki.serving.certPem);
    expect(more.serving.sans.dns).toEqual(expect.arrayContaining([...lbSans.dns, 'apiserver-b']));
    expect(more.serving.sans.ips).toEqual(expect.arrayContaining(['172.30.0.10', '172.30.0.11']));
  });

  it('reissue — renews a serving certificate close to expiry', async () => {
    const current = await ensureLabPki(dir, { sans: lbSans });
    const later = await ensureLabPki(dir, { sans: lbSans, now: () => new Date(Date.now() + 340 * 24 * 3600 * 1000) });
    expect(later.serving.certPem).not.toBe(current.serving.certPem);
    expect(later.ca).toEqual(pki.ca);
  });

  it('concurrency — async callers in one process share one CA and converge on one certificate', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'ekslab-pki-'));
    try {
      const names = ['r1', 'r2', 'r3', 'r4', 'r5'];
      const results = await Promise.all(names.map((n) => ensureLabPki(fresh, { sans: { dns: [n], ips: [] } })));
      expect(new Set(results.map((r) => r.ca.certPem)).size).toBe(1);
      expect(new Set(results.map((r) => r.serviceAccountKey.privateKeyPem)).size).toBe(1);
      for (const [i, r] of results.entries()) expect(r.serving.sans.dns).toContain(names[i]);
      const final = await ensureLabPki(fresh, { sans: { dns: [], ips: [] } });
      expect(final.serving.sans.dns).toEqual(expect.arrayContaining(names));
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it('concurrency — two processes starting together produce one CA', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'ekslab-pki-'));
    try {
      const fixture = join(import.meta.dirname, 'pki-child.fixture.ts');
      const run = (name: string) =>
        promisify(execFile)(process.execPath, ['--import', 'tsx', fixture, fresh, name], { cwd: repoRoot }).then(
          ({ stdout }) => JSON.parse(stdout) as { ca: string; sans: { dns: string[] }; saPub: string },
        );
      const [a, b] = await Promise.all([run('replica-a'), run('replica-b')]);
      expect(a.ca).toBe(b.ca);
      expect(a.saPub).toBe(b.saPub);
      expect(await readFile(join(fresh, 'ca.crt'), 'utf8')).toBe(a.ca);
      const final = await ensureLabPki(fresh, { sans: { dns: ['replica-a', 'replica-b'], ips: [] } });
      expect(final.ca.certPem).toBe(a.ca);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  }, 60_000);

  it('corruption — a key that does not match its certificate is an error, not silently replaced', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'ekslab-pki-'));
    try {
      const other = await ensureLabPki(fresh, { sans: lbSans });
      await writeFile(join(fresh, 'ca.pem'), pki.ca.certPem + other.ca.keyPem);
      await expect(ensureLabPki(fresh, { sans: lbSans })).rejects.toThrow(PkiCorruptError);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });
});
