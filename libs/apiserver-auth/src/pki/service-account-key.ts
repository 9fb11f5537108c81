import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PkiCorruptError } from '../errors.js';
import { ensureFileContent, publishExclusive, readIfExists } from './files.js';

const generateRsa = promisify(generateKeyPair);

/** The service-account token signing key pair (kube-apiserver --service-account-signing-key-file / --service-account-key-file). */
export interface ServiceAccountKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
  readonly paths: { readonly key: string; readonly pub: string };
}

/**
 * Makes sure `dir` holds `sa.key` (RSA 2048, PKCS#8 PEM, 0600) and `sa.pub` (its public key, PKIX PEM,
 * 0644), as kubeadm lays them out next to the CA. The private key is created once with a create-exclusive
 * link, so replicas starting together all sign with the first one's key; `sa.pub` is always rewritten from
 * it. An existing `sa.key` that does not parse as an RSA private key is a PkiCorruptError.
 */
export async function ensureServiceAccountKey(dir: string): Promise<ServiceAccountKey> {
  const keyPath = join(dir, 'sa.key');
  const pubPath = join(dir, 'sa.pub');
  let pem = await readIfExists(keyPath);
  if (pem === undefined) {
    const { privateKey } = await generateRsa('rsa', { modulusLength: 2048 });
    pem = (await publishExclusive(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600)).content;
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (err) {
    throw new PkiCorruptError(keyPath, 'unparsable service-account signing key', { cause: err });
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw new PkiCorruptError(keyPath, 'the service-account signing key must be an RSA key');
  const publicKey = createPublicKey(privateKey);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  await ensureFileContent(pubPath, publicKeyPem, 0o644);
  return { privateKey, publicKey, privateKeyPem: pem, publicKeyPem, paths: { key: keyPath, pub: pubPath } };
}
