import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { publishExclusive, readIfExists, withFileLock, writeFileAtomic } from '../pki/files.js';
import type { UserInfo } from '../user.js';
import {
  adminUsername,
  cloudControllerManagerUsername,
  kubeControllerManagerUsername,
  kubeSchedulerUsername,
  serviceAccountUser,
  systemMastersGroup,
} from '../user.js';
import { NodeTokens, generateNodeTokenSecret } from './node-tokens.js';
import type { TokenFileEntry } from './token-file.js';
import { TokenFileAuthenticator, formatTokenFile, parseTokenFile } from './token-file.js';

/**
 * The controllers of our controller-manager (BRIEF.md). Each runs with its own service-account identity
 * `system:serviceaccount:kube-system:<name>`, as kube-controller-manager does with
 * `--use-service-account-credentials` (kubeadm's and EKS's setting), so the bootstrap
 * `system:controller:<name>` roles apply unchanged. These identities get static tokens in the token file
 * rather than signed service-account tokens: those need ServiceAccount objects in etcd, which the
 * controllers themselves create.
 */
export const labControllerNames = [
  'deployment-controller',
  'replicaset-controller',
  'daemon-set-controller',
  'job-controller',
  'endpoint-controller',
  'namespace-controller',
  'generic-garbage-collector',
  'node-controller',
  'service-account-controller',
  'cronjob-controller',
  'endpointslice-controller',
  'pod-garbage-collector',
  'ttl-after-finished-controller',
  'root-ca-cert-publisher',
] as const;
export type LabControllerName = (typeof labControllerNames)[number];

/** Which lab component a token belongs to. */
export type LabIdentityKey =
  | 'admin'
  | 'kube-scheduler'
  | 'kube-controller-manager'
  | 'cloud-controller-manager'
  | `controller:${LabControllerName}`;

/** The identities the lab's token file holds (without tokens). */
export function labIdentities(): Record<LabIdentityKey, UserInfo> {
  const controllers = Object.fromEntries(
    labControllerNames.map((name) => [`controller:${name}`, serviceAccountUser('kube-system', name)]),
  ) as Record<`controller:${LabControllerName}`, UserInfo>;
  return {
    admin: { username: adminUsername, groups: [systemMastersGroup] },
    'kube-scheduler': { username: kubeSchedulerUsername, groups: [] },
    'kube-controller-manager': { username: kubeControllerManagerUsername, groups: [] },
    'cloud-controller-manager': { username: cloudControllerManagerUsername, groups: [] },
    ...controllers,
  };
}

/** A fresh bearer token: 32 random bytes, base64url (43 characters, CSV- and header-safe). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A new token file for the lab: one random token and a random uid per identity of `labIdentities()`. */
export function generateLabTokenFile(): string {
  const entries: TokenFileEntry[] = Object.values(labIdentities()).map((user) => ({
    token: generateToken(),
    user: { ...user, uid: randomUUID() },
  }));
  return formatTokenFile(entries);
}

export interface LabTokens {
  /** `tokens.csv`, in `--token-auth-file` format (mode 0600). */
  readonly tokenFilePath: string;
  /** The bearer token of each lab identity (for kubeconfigs and component flags). */
  readonly tokens: Readonly<Record<LabIdentityKey, string>>;
  readonly tokenAuthenticator: TokenFileAuthenticator;
  /** Mints `system:node:<name>` tokens on demand (`addNodeToken`), from `node-token.key`. */
  readonly nodeTokens: NodeTokens;
}

/**
 * Makes sure `dir` holds the lab's `tokens.csv` and `node-token.key`, creating each once (create-exclusive:
 * replicas starting together all end up with the first replica's files). An existing file is reused, even if an
 * operator edited it; lab identities it lacks (a lab created by an older version, before a controller existed)
 * are appended under a file lock, so replicas starting together agree on one token each.
 */
export async function ensureLabTokens(dir: string): Promise<LabTokens> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tokenFilePath = join(dir, 'tokens.csv');
  const file = await publishExclusive(tokenFilePath, generateLabTokenFile(), 0o600);
  const secret = await publishExclusive(join(dir, 'node-token.key'), `${generateNodeTokenSecret()}\n`, 0o600);
  const identities = labIdentities();
  const entries = await addMissingIdentities(tokenFilePath, parseTokenFile(file.content, tokenFilePath), identities);
  const tokens: Partial<Record<LabIdentityKey, string>> = {};
  for (const [key, user] of Object.entries(identities) as [LabIdentityKey, UserInfo][]) {
    const entry = entries.find((e) => e.user.username === user.username);
    if (entry) tokens[key] = entry.token;
  }
  return {
    tokenFilePath,
    tokens: tokens as Record<LabIdentityKey, string>,
    tokenAuthenticator: new TokenFileAuthenticator(entries),
    nodeTokens: new NodeTokens(secret.content.trim()),
  };
}

/** Appends a fresh token for each lab identity the file lacks (under `<file>.lock`); returns the file's entries. */
async function addMissingIdentities(path: string, entries: TokenFileEntry[], identities: Record<LabIdentityKey, UserInfo>): Promise<TokenFileEntry[]> {
  const missing = (list: readonly TokenFileEntry[]): UserInfo[] => Object.values(identities).filter((u) => !list.some((e) => e.user.username === u.username));
  if (missing(entries).length === 0) return entries;
  const result = await withFileLock(`${path}.lock`, async () => {
    const current = parseTokenFile((await readIfExists(path)) ?? '', path);
    const added = missing(current).map((user) => ({ token: generateToken(), user: { ...user, uid: randomUUID() } }));
    if (added.length === 0) return current;
    const all = [...current, ...added];
    await writeFileAtomic(path, formatTokenFile(all), 0o600);
    return all;
  });
  if (!result) throw new Error(`cannot lock ${path}.lock to add the missing lab identities`);
  return result.value;
}
