import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { connect, createServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientCertificateError, InvalidBearerTokenError, UnauthenticatedError } from '../errors.js';
import type { CertKeyPair } from '../pki/issue.js';
import { generateCa, issueClientCert } from '../pki/issue.js';
import type { LabPki } from '../pki/lab-pki.js';
import { ensureLabPki } from '../pki/lab-pki.js';
import { Authenticator, bearerToken } from './authenticator.js';
import { ClientCertAuthenticator } from './client-cert.js';
import { NodeTokens, generateNodeTokenSecret } from './node-tokens.js';
import { TokenFileAuthenticator } from './token-file.js';

const tokens = TokenFileAuthenticator.fromText('admintoken,kubernetes-admin,uid-1,system:masters\nschedtoken,system:kube-scheduler,,\n');
const nodes = new NodeTokens(generateNodeTokenSecret());

describe('Authenticator — bearer tokens and anonymous', () => {
  const authn = new Authenticator({ tokens: [tokens, nodes] });

  it.each([
    ['token file user', 'Bearer admintoken', { username: 'kubernetes-admin', uid: 'uid-1', groups: ['system:masters', 'system:authenticated'] }],
    ['scheme is case-insensitive', 'bearer schedtoken', { username: 'system:kube-scheduler', groups: ['system:authenticated'] }],
    ['node token', `Bearer ${nodes.addNodeToken('n1')}`, { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] }],
    ['no header is anonymous', undefined, { username: 'system:anonymous', groups: ['system:unauthenticated'] }],
    ['basic auth is ignored → anonymous', 'Basic YWRtaW46YWRtaW4=', { username: 'system:anonymous', groups: ['system:unauthenticated'] }],
    ['empty bearer is ignored → anonymous', 'Bearer ', { username: 'system:anonymous', groups: ['system:unauthenticated'] }],
  ])('accept — %s', async (_name, authorization, user) => {
    const result = await authn.authenticate(authorization === undefined ? {} : { authorization });
    expect(result).toMatchObject({ user });
    expect('user' in result && result.user).toEqual(user);
  });

  it.each([
    ['unknown token', 'Bearer nope'],
    ['forged node token', `Bearer ${new NodeTokens(generateNodeTokenSecret()).addNodeToken('n1')}`],
  ])('reject — %s is 401 and never anonymous', async (_name, authorization) => {
    const result = await authn.authenticate({ authorization });
    expect('error' in result && result.error).toBeInstanceOf(InvalidBearerTokenError);
    expect('error' in result && result.error.code).toBe(401);
  });

  it('reject — anonymous off: no credentials is 401', async () => {
    const result = await new Authenticator({ tokens: [tokens], anonymous: false }).authenticate({});
    expect('error' in result && result.error).toBeInstanceOf(UnauthenticatedError);
  });

  it.each([
    ['Bearer abc', 'abc'],
    ['Bearer abc def', 'abc'],
    ['Bearer  abc', undefined],
    ['Token abc', undefined],
    ['  Bearer abc  ', 'abc'],
  ])('bearerToken — %j → %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe('Authenticator — client certificates over a real TLS connection', () => {
  let dir: string;
  let pki: LabPki;
  let authn: Authenticator;
  let port: number;
  let close: () => Promise<void>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ekslab-authn-'));
    pki = await ensureLabPki(dir, { sans: { dns: [], ips: [] } });
    authn = new Authenticator({ clientCerts: new ClientCertAuthenticator(pki.ca.certPem), tokens: [tokens] });
    // As the apiserver: ask for a client certificate, but let authentication (not TLS) decide.
    const server = createServer(
      { key: pki.serving.keyPem, cert: pki.serving.certPem, ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: false },
      (socket: TLSSocket) => {
        socket.once('data', (authorization: Buffer) => {
          const header = authorization.toString();
          void authn.authenticate({
            peerCertificate: socket.getPeerCertificate(true),
            ...(header === '-' ? {} : { authorization: header }),
          }).then((result) => socket.end(JSON.stringify('user' in result ? { user: result.user, method: result.method } : { error: result.error.name })));
        });
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    close = () => new Promise((r) => server.close(() => r()));
  });
  afterAll(async () => {
    await close();
    await rm(dir, { recursive: true, force: true });
  });

  function request(client: CertKeyPair | undefined, authorization = '-'): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca: pki.ca.certPem,
        ...(client ? { cert: client.certPem, key: client.keyPem } : {}),
      });
      let body = '';
      socket.on('secureConnect', () => socket.write(authorization));
      socket.on('data', (d: Buffer) => (body += d.toString()));
      socket.on('end', () => resolve(JSON.parse(body) as Record<string, unknown>));
      socket.on('error', reject);
    });
  }

  it('x509 — CN is the username, each O a group, plus system:authenticated', async () => {
    const cert = await issueClientCert(pki.ca, { user: 'kubernetes-admin', groups: ['system:masters', 'ops,team'] });
    expect(await request(cert)).toEqual({
      user: { username: 'kubernetes-admin', groups: ['system:masters', 'ops,team', 'system:authenticated'] },
      method: 'x509',
    });
  });

  it('x509 — no certificate and no token is anonymous', async () => {
    expect(await request(undefined)).toEqual({ user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, method: 'anonymous' });
  });

  it('x509 — a certificate from another CA is rejected (401), not anonymous', async () => {
    const foreign = await issueClientCert(await generateCa(), { user: 'mallory', groups: ['system:masters'] });
    expect(await request(foreign)).toEqual({ error: 'ClientCertificateError' });
  });

  it('x509 — a bad certificate does not stop a valid token (union)', async () => {
    const foreign = await issueClientCert(await generateCa(), { user: 'mallory' });
    expect(await request(foreign, 'Bearer schedtoken')).toMatchObject({ user: { username: 'system:kube-scheduler' }, method: 'token' });
  });

  it('x509 — a serving (serverAuth-only) certificate is not accepted as a client certificate', () => {
    const result = new ClientCertAuthenticator(pki.ca.certPem).authenticate(pki.serving.certPem);
    expect(result).toBeInstanceOf(ClientCertificateError);
    expect((result as ClientCertificateError).message).toMatch(/incompatible key usage/);
  });

  it('x509 — an expired certificate is rejected', async () => {
    const old = await issueClientCert(pki.ca, { user: 'alice', now: new Date(Date.now() - 400 * 24 * 3600 * 1000) });
    const result = new ClientCertAuthenticator(pki.ca.certPem).authenticate(old.certPem);
    expect((result as ClientCertificateError).message).toMatch(/expired or is not yet valid/);
  });
});
