import { randomBytes, X509Certificate as NodeX509, createPrivateKey } from 'node:crypto';
import type { webcrypto } from 'node:crypto';
import { x509 } from './x509.js';

/** A certificate and its private key, both PEM (key in PKCS#8, "PRIVATE KEY"). */
export interface CertKeyPair {
  readonly certPem: string;
  readonly keyPem: string;
}

/** The lab CA: ECDSA P-256, CN `ekslab-ca`. Holds its private key: whoever has this can mint any identity. */
export type LabCa = CertKeyPair;

export const caCommonName = 'ekslab-ca';
const keyAlgorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' } as const;
const day = 24 * 60 * 60 * 1000;
/** CA validity: 10 years. */
export const caValidityMs = 3650 * day;
/** Leaf (serving and client) validity: 1 year, as kubeadm's certificates. */
export const leafValidityMs = 365 * day;
/** Certificates are back-dated this much so that a peer whose clock is slightly behind accepts them. */
const backdateMs = 5 * 60 * 1000;

function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f; // positive INTEGER
  return bytes.toString('hex');
}

function toPem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

async function newKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return globalThis.crypto.subtle.generateKey(keyAlgorithm, true, ['sign', 'verify']);
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return toPem('PRIVATE KEY', await globalThis.crypto.subtle.exportKey('pkcs8', key));
}

async function importSigningKey(keyPem: string): Promise<webcrypto.CryptoKey> {
  // Re-encode through node:crypto so SEC1 ("EC PRIVATE KEY") files made by other tools load too.
  const der = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  return globalThis.crypto.subtle.importKey('pkcs8', der, keyAlgorithm, false, ['sign']);
}

/** Generates a new self-signed lab CA (10 years, keyCertSign + cRLSign, basicConstraints CA:true). */
export async function generateCa(now: Date = new Date()): Promise<LabCa> {
  const keys = await newKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [caCommonName] }],
    notBefore: new Date(now.getTime() - backdateMs),
    notAfter: new Date(now.getTime() + caValidityMs),
    keys,
    signingAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyPem(keys.privateKey) };
}

interface LeafSpec {
  readonly subject: x509.JsonName;
  readonly usage: 'serverAuth' | 'clientAuth';
  readonly dns?: readonly string[];
  readonly ips?: readonly string[];
  readonly now?: Date;
}

async function issueLeaf(ca: LabCa, spec: LeafSpec): Promise<CertKeyPair> {
  const now = spec.now ?? new Date();
  const caCert = new x509.X509Certificate(ca.certPem);
  const keys = await newKeyPair();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage[spec.usage]]),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  const names = [
    ...(spec.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(spec.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: spec.subject,
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - backdateMs),
    notAfter: new Date(now.getTime() + leafValidityMs),
    publicKey: keys.publicKey,
    signingKey: await importSigningKey(ca.keyPem),
    signingAlgorithm,
    extensions,
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyPem(keys.privateKey) };
}

/** The apiserver's serving certificate (CN `kube-apiserver`, serverAuth) for exactly these SANs. */
export function issueServingCert(
  ca: LabCa,
  sans: { readonly dns: readonly string[]; readonly ips: readonly string[] },
  now?: Date,
): Promise<CertKeyPair> {
  return issueLeaf(ca, { subject: [{ CN: ['kube-apiserver'] }], usage: 'serverAuth', dns: sans.dns, ips: sans.ips, ...(now ? { now } : {}) });
}

/**
 * A client certificate for kubeconfigs: CN = user, one O per group, clientAuth EKU, 1 year.
 * The x509 authenticator maps it back to `{ username: user, groups }` (plus `system:authenticated`).
 */
export function issueClientCert(
  ca: LabCa,
  identity: { readonly user: string; readonly groups?: readonly string[]; readonly now?: Date },
): Promise<CertKeyPair> {
  const subject: x509.JsonName = [{ CN: [identity.user] }, ...(identity.groups ?? []).map((g) => ({ O: [g] }))];
  return issueLeaf(ca, { subject, usage: 'clientAuth', ...(identity.now ? { now: identity.now } : {}) });
}

/** True when the certificate's key pair matches `keyPem` and it was issued and signed by `ca`. */
export function isIssuedBy(pair: CertKeyPair, ca: LabCa): boolean {
  try {
    const leaf = new NodeX509(pair.certPem);
    const issuer = new NodeX509(ca.certPem);
    return leaf.checkPrivateKey(createPrivateKey(pair.keyPem)) && leaf.checkIssued(issuer) && leaf.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** The PEM blocks of a file, in order, as `{ label, pem }`. */
export function pemBlocks(text: string): { label: string; pem: string }[] {
  const blocks: { label: string; pem: string }[] = [];
  for (const m of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----\n?/g)) {
    blocks.push({ label: m[1]!, pem: m[0].endsWith('\n') ? m[0] : `${m[0]}\n` });
  }
  return blocks;
}
