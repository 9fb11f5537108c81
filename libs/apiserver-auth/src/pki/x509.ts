// reflect-metadata must be evaluated before @peculiar/x509 (ESM evaluates imports in order):
// @peculiar/x509's ASN.1 schema decorators need the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

// @peculiar/x509 works on WebCrypto; Node exposes it as globalThis.crypto.
x509.cryptoProvider.set(globalThis.crypto);

export { x509 };
