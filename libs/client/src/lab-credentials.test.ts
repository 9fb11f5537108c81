import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@ekslab/runtime';
import { describe, expect, it } from 'vitest';
import { CredentialsUnavailableError, loadCredentials, waitForCredentials } from './lab-credentials.js';

const log = createLogger('test', 'fatal', { write: () => undefined });
const tokens = 'tok-admin,kubernetes-admin,u1,"system:masters"\ntok-kcm,system:kube-controller-manager,u2,""\ntok-ns,system:serviceaccount:kube-system:namespace-controller,u3,""\n';

describe('lab credentials', () => {
  it('credentials — the CA and the tokens of the wanted users come from the cert dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kcm-creds-'));
    writeFileSync(join(dir, 'ca.crt'), 'PEM');
    writeFileSync(join(dir, 'tokens.csv'), tokens);
    const creds = await loadCredentials(dir, ['system:kube-controller-manager', 'system:serviceaccount:kube-system:namespace-controller']);
    expect(creds.ca.toString()).toBe('PEM');
    expect(creds.tokens.get('system:kube-controller-manager')).toBe('tok-kcm');
    expect(creds.tokens.get('system:serviceaccount:kube-system:namespace-controller')).toBe('tok-ns');
  });

  it('credentials — a missing file or identity is CredentialsUnavailableError, naming what is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kcm-creds-'));
    await expect(loadCredentials(dir, [])).rejects.toBeInstanceOf(CredentialsUnavailableError);
    writeFileSync(join(dir, 'ca.crt'), 'PEM');
    writeFileSync(join(dir, 'tokens.csv'), tokens);
    await expect(loadCredentials(dir, ['system:kube-scheduler'])).rejects.toThrow(/has no token for system:kube-scheduler/);
  });

  it('credentials — waiting ends with undefined when the signal aborts first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kcm-creds-'));
    const stop = new AbortController();
    const waiting = waitForCredentials(dir, [], 10, log, stop.signal);
    stop.abort();
    await expect(waiting).resolves.toBeUndefined();
  });

  it('credentials — waiting picks the files up once they appear', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kcm-creds-'));
    const waiting = waitForCredentials(dir, ['system:kube-controller-manager'], 10, log, AbortSignal.timeout(5_000));
    writeFileSync(join(dir, 'ca.crt'), 'PEM');
    writeFileSync(join(dir, 'tokens.csv'), tokens);
    expect((await waiting)?.tokens.get('system:kube-controller-manager')).toBe('tok-kcm');
  });
});
