import { createHash } from 'node:crypto';

const hex64 = (seed: string): string => createHash('sha256').update(seed).digest('hex');

/** The sandbox ID of a pod's `attempt`-th sandbox (deterministic, so a restarted agent can recognise it). */
export const sandboxIdFor = (uid: string, attempt: number): string => hex64(`${uid}/sandbox/${attempt}`);

/** A container ID: derived from its sandbox, so the sandbox of a running container can be recovered. */
export const containerIdFor = (sandboxId: string, init: boolean, name: string, instance: number): string =>
  hex64(`${sandboxId}/${init ? 'init' : 'c'}/${name}/${instance}`);
