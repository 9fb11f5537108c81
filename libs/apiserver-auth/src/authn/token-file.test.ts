import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenFileFormatError } from '../errors.js';
import { ensureLabTokens, labControllerNames } from './lab-tokens.js';
import { NodeTokens, generateNodeTokenSecret } from './node-tokens.js';
import { formatTokenFile, parseTokenFile } from './token-file.js';

describe('parseTokenFile', () => {
  it.each([
    ['three columns', 'abc,alice,1001\n', [{ token: 'abc', user: { username: 'alice', uid: '1001', groups: [] } }]],
    ['quoted groups', 'abc,alice,1001,"g1,g2"\n', [{ token: 'abc', user: { username: 'alice', uid: '1001', groups: ['g1', 'g2'] } }]],
    ['single unquoted group', 'abc,alice,,g1', [{ token: 'abc', user: { username: 'alice', groups: ['g1'] } }]],
    ['extra columns ignored', 'abc,alice,1,g1,extra\r\n', [{ token: 'abc', user: { username: 'alice', uid: '1', groups: ['g1'] } }]],
    ['empty lines skipped', '\nabc,alice,1\n\n', [{ token: 'abc', user: { username: 'alice', uid: '1', groups: [] } }]],
    ['empty token skipped', ',alice,1\nabc,bob,2\n', [{ token: 'abc', user: { username: 'bob', uid: '2', groups: [] } }]],
    ['duplicate token — last wins', 'abc,alice,1\nabc,bob,2\n', [{ token: 'abc', user: { username: 'bob', uid: '2', groups: [] } }]],
    ['escaped quote', 'abc,"a""b",1\n', [{ token: 'abc', user: { username: 'a"b', uid: '1', groups: [] } }]],
  ])('format — %s', (_name, text, entries) => {
    expect(parseTokenFile(text)).toEqual(entries);
  });

  it.each([
    ['two columns', 'abc,alice\n', /must have at least 3 columns \(token, user name, user uid\), found 2/],
    ['a comment is a record', '# tokens\n', /found 1/],
    ['bare quote', 'ab"c,alice,1\n', /bare "/],
    ['unterminated quote', 'abc,"alice,1\n', /extraneous or missing "/],
  ])('errors — %s', (_name, text, message) => {
    expect(() => parseTokenFile(text)).toThrow(TokenFileFormatError);
    expect(() => parseTokenFile(text)).toThrow(message);
  });

  it('format — formatTokenFile round-trips', () => {
    const entries = [
      { token: 't1', user: { username: 'kubernetes-admin', uid: 'u1', groups: ['system:masters', 'x,y'] } },
      { token: 't2', user: { username: 'system:kube-scheduler', groups: [] } },
    ];
    expect(formatTokenFile(entries)).toBe('t1,kubernetes-admin,u1,"system:masters,x,y"\nt2,system:kube-scheduler,,\n');
    expect(parseTokenFile(formatTokenFile(entries))[1]).toEqual(entries[1]);
  });
});

describe('NodeTokens', () => {
  const nodes = new NodeTokens(generateNodeTokenSecret());
  it('tokens — authenticate as system:node:<name> in system:nodes', () => {
    expect(nodes.authenticateToken(nodes.addNodeToken('ip-10-0-1-5.ec2.internal'))).toEqual({
      username: 'system:node:ip-10-0-1-5.ec2.internal',
      groups: ['system:nodes'],
    });
  });
  it.each([
    ['another secret', new NodeTokens(generateNodeTokenSecret()).addNodeToken('n1')],
    ['a renamed node', nodes.addNodeToken('n1').replace(Buffer.from('n1').toString('base64url'), Buffer.from('n2').toString('base64url'))],
    ['garbage', 'ekslab-node.x.y.z'],
    ['not a node token', 'abc'],
  ])('tokens — rejects %s', (_name, token) => {
    expect(nodes.authenticateToken(token)).toBeUndefined();
  });
});

describe('ensureLabTokens', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ekslab-tokens-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lab file — one token per identity, 0600, stable across calls and concurrent callers', async () => {
    const [a, b] = await Promise.all([ensureLabTokens(dir), ensureLabTokens(dir)]);
    const again = await ensureLabTokens(dir);
    expect(a.tokens).toEqual(b.tokens);
    expect(again.tokens).toEqual(a.tokens);
    expect((await stat(a.tokenFilePath)).mode & 0o777).toBe(0o600);
    expect(Object.keys(a.tokens)).toHaveLength(4 + labControllerNames.length);
    expect(a.tokens.admin).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.tokenAuthenticator.authenticateToken(a.tokens.admin)).toMatchObject({ username: 'kubernetes-admin', groups: ['system:masters'] });
    expect(a.tokenAuthenticator.authenticateToken(a.tokens['controller:node-controller'])).toMatchObject({
      username: 'system:serviceaccount:kube-system:node-controller',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system'],
    });
    const text = await readFile(a.tokenFilePath, 'utf8');
    expect(text).toContain(`${a.tokens.admin},kubernetes-admin,`);
    expect(again.nodeTokens.authenticateToken(a.nodeTokens.addNodeToken('n1'))?.username).toBe('system:node:n1');
  });

  it('a file from an older lab (identities missing) gets them appended once, keeping the tokens it had', async () => {
    const old = await mkdtemp(join(tmpdir(), 'ekslab-tokens-old-'));
    try {
      const full = await ensureLabTokens(old);
      const lines = (await readFile(full.tokenFilePath, 'utf8')).split('\n').filter((l) => !l.includes('cronjob-controller'));
      await writeFile(full.tokenFilePath, lines.join('\n'), { mode: 0o600 });
      const [a, b] = await Promise.all([ensureLabTokens(old), ensureLabTokens(old)]);
      expect(a.tokens.admin).toBe(full.tokens.admin);
      expect(a.tokens['controller:cronjob-controller']).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(a.tokens['controller:cronjob-controller']).not.toBe(full.tokens['controller:cronjob-controller']);
      expect(b.tokens).toEqual(a.tokens);
      expect(Object.keys(a.tokens)).toHaveLength(4 + labControllerNames.length);
    } finally {
      await rm(old, { recursive: true, force: true });
    }
  });
});
