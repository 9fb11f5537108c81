import { X509Certificate as NodeX509 } from 'node:crypto';
import type { DetailedPeerCertificate, PeerCertificate } from 'node:tls';
import { ClientCertificateError } from '../errors.js';
import { x509 } from '../pki/x509.js';
import type { UserInfo } from '../user.js';

/**
 * A client's certificate as the TLS layer hands it over: DER bytes, a PEM string, a node:crypto
 * X509Certificate, `tlsSocket.getPeerCertificate(true)` (its `issuerCertificate` links become
 * intermediates), or a chain `[leaf, ...intermediates]` of those.
 */
export type PeerCertificateInput =
  | Uint8Array
  | string
  | NodeX509
  | PeerCertificate
  | DetailedPeerCertificate
  | readonly (Uint8Array | string | NodeX509 | PeerCertificate)[];

const clientAuthOid = '1.3.6.1.5.5.7.3.2';
const anyEkuOid = '2.5.29.37.0';

function toX509(input: Uint8Array | string | NodeX509 | PeerCertificate): NodeX509 | undefined {
  if (input instanceof NodeX509) return input;
  if (typeof input === 'string' || input instanceof Uint8Array) return new NodeX509(input);
  // A PeerCertificate with no certificate is `{}` (what getPeerCertificate returns when the client sent none).
  return input.raw ? new NodeX509(input.raw) : undefined;
}

function chainOf(input: PeerCertificateInput): NodeX509[] {
  if (Array.isArray(input)) return (input as (Uint8Array | string | NodeX509 | PeerCertificate)[]).flatMap((c) => toX509(c) ?? []);
  const single = input as Uint8Array | string | NodeX509 | DetailedPeerCertificate;
  const leaf = toX509(single);
  if (!leaf) return [];
  const chain = [leaf];
  if (typeof single === 'object' && 'issuerCertificate' in single) {
    // getPeerCertificate(true): follow issuerCertificate until it points at itself (the root).
    for (let c = single.issuerCertificate; c?.raw && c !== c.issuerCertificate && chain.length < 10; c = c.issuerCertificate) {
      chain.push(new NodeX509(c.raw));
    }
  }
  return chain;
}

function describe(cert: NodeX509): string {
  return `SN=${BigInt(`0x${cert.serialNumber}`).toString()}, subject=${JSON.stringify(cert.subject.replaceAll('\n', ', '))}`;
}

/**
 * Verifies client certificates against the lab CA, as kube-apiserver's `--client-ca-file` authenticator:
 * a chain to a trusted root, each certificate within its validity, the leaf's extended key usage allowing
 * clientAuth (or absent), intermediates being CAs. CN becomes the username, each O a group
 * (k8s.io/apiserver x509.CommonNameUserConversion). A certificate with an empty CN gives no opinion.
 */
export class ClientCertAuthenticator {
  private readonly roots: NodeX509[];

  /** `caPems`: one or more PEM certificates (a bundle is split). */
  constructor(caPems: string | readonly string[], private readonly now: () => Date = () => new Date()) {
    const text = typeof caPems === 'string' ? caPems : caPems.join('\n');
    this.roots = [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => new NodeX509(m[0]));
    if (this.roots.length === 0) throw new RangeError('no CA certificate given');
  }

  /**
   * `undefined` when there is no certificate or it has no CN (no opinion); the user on success; a
   * `ClientCertificateError` when a certificate was presented and does not verify.
   */
  authenticate(input: PeerCertificateInput | undefined): UserInfo | ClientCertificateError | undefined {
    const chain = input === undefined ? [] : chainOf(input);
    const leaf = chain[0];
    if (!leaf) return undefined;
    const failure = this.verify(chain);
    if (failure) return new ClientCertificateError(`verifying certificate ${describe(leaf)} failed: x509: ${failure}`);
    const subject = new x509.X509Certificate(leaf.raw).subjectName;
    const commonName = subject.getField('CN').at(-1) ?? '';
    if (commonName === '') return undefined;
    return { username: commonName, groups: subject.getField('O') };
  }

  private verify(chain: NodeX509[]): string | undefined {
    const now = this.now().getTime();
    const leaf = chain[0]!;
    const eku = leaf.keyUsage as string[] | undefined;
    if (eku && eku.length > 0 && !eku.includes(clientAuthOid) && !eku.includes(anyEkuOid)) {
      return 'certificate specifies an incompatible key usage';
    }
    const intermediates = chain.slice(1);
    let current = leaf;
    for (let depth = 0; depth <= intermediates.length; depth++) {
      const expired = validityError(current, now);
      if (expired) return expired;
      const root = this.roots.find((r) => current.checkIssued(r) && current.verify(r.publicKey));
      if (root) return validityError(root, now);
      const next = intermediates.find((i) => i.ca && current.checkIssued(i) && current.verify(i.publicKey));
      if (!next) break;
      current = next;
    }
    return 'certificate signed by unknown authority';
  }
}

function validityError(cert: NodeX509, now: number): string | undefined {
  const from = new Date(cert.validFrom).getTime();
  const to = new Date(cert.validTo).getTime();
  if (now < from || now > to) {
    return `certificate has expired or is not yet valid: current time ${new Date(now).toISOString()} is outside ${new Date(from).toISOString()}..${new Date(to).toISOString()}`;
  }
  return undefined;
}
