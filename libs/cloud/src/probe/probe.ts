// ProbeService: a synthetic API call through the fault gate and one etcd CAS update (see probe.proto).
import type { Server } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ProbeServiceService, type ProbeServiceServer } from '@ekslab/proto';
import { NotFoundError, AlreadyExistsError, type EtcdStore, type StoredObject } from '@ekslab/storage';
import { unaryHandler } from '../grpc/unary.js';
import { CloudApiError, type FaultGate } from '../ports.js';

interface Counter extends StoredObject {
  count: number;
}

const KEY = /^[a-z0-9-]{1,63}$/;

/** Increments `/probe/<key>` with a CAS update; the count after it. */
export async function probe(store: EtcdStore, faults: FaultGate, key: string, signal: AbortSignal): Promise<number> {
  await faults.enter('Probe', {}, signal);
  if (!KEY.test(key)) throw new CloudApiError('InvalidParameterValue', `Invalid probe key: [${key}]; it must match [a-z0-9-]{1,63}`);
  const path = `/probe/${key}`;
  for (;;) {
    try {
      return (await store.guaranteedUpdate<Counter>(path, (c) => ({ ...c, count: c.count + 1 }), { signal })).count;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    try {
      return (await store.create<Counter>(path, { count: 1 }, { signal })).count;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  }
}

export function registerProbeService(server: Server, deps: { store: EtcdStore; faults: FaultGate; log: Logger; replicaId: string }): void {
  const impl: ProbeServiceServer = {
    probe: unaryHandler(deps.log, 'Probe', async (r, signal) => ({ count: await probe(deps.store, deps.faults, r.key, signal), replicaId: deps.replicaId })),
  };
  server.addService(ProbeServiceService, impl);
}
