// FaultService on a grpc-js server.
import type { Server } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { FaultServiceService, Faults, type FaultServiceServer } from '@ekslab/proto';
import { unaryHandler } from '../grpc/unary.js';
import type { EtcdFaultGate } from './etcd-fault-gate.js';
import type { FaultState } from './state.js';

/** The wire form of the fault state, each list sorted by name. */
export function faultsToProto(s: FaultState): Faults {
  const sorted = <T>(r: Record<string, T>): Array<[string, T]> => Object.entries(r).sort(([a], [b]) => a.localeCompare(b));
  return Faults.create({
    throttles: sorted(s.throttles).map(([api, t]) => ({ api, ratePerSecond: t.ratePerSecond, burst: t.burst })),
    latencies: sorted(s.latencies).map(([api, l]) => ({ api, fixedMs: l.fixedMs, jitterMs: l.jitterMs })),
    impairedAzs: sorted(s.impairedAzs).map(([availabilityZone, since]) => ({ availabilityZone, since })),
  });
}

/** Adds FaultService, backed by `gate`, to `server`. Each call passes the gate first (exempt: it is never faulted). */
export function registerFaultService(server: Server, gate: EtcdFaultGate, log: Logger): void {
  const impl: FaultServiceServer = {
    setThrottle: unaryHandler(log, 'SetThrottle', async (r, signal) => {
      await gate.enter('SetThrottle', {}, signal);
      return { faults: faultsToProto(await gate.setThrottle(r.api, r.ratePerSecond, r.burst, r.clear, signal)) };
    }),
    setLatency: unaryHandler(log, 'SetLatency', async (r, signal) => {
      await gate.enter('SetLatency', {}, signal);
      return { faults: faultsToProto(await gate.setLatency(r.api, r.fixedMs, r.jitterMs, r.clear, signal)) };
    }),
    setAzImpaired: unaryHandler(log, 'SetAzImpaired', async (r, signal) => {
      await gate.enter('SetAzImpaired', {}, signal);
      return { faults: faultsToProto(await gate.setAzImpaired(r.availabilityZone, r.impaired, signal)) };
    }),
    listFaults: unaryHandler(log, 'ListFaults', async (_r, signal) => {
      await gate.enter('ListFaults', {}, signal);
      return { faults: faultsToProto(await gate.list(signal)) };
    }),
    clearAll: unaryHandler(log, 'ClearAll', async (_r, signal) => {
      await gate.enter('ClearAll', {}, signal);
      return { faults: faultsToProto(await gate.clearAll(signal)) };
    }),
  };
  server.addService(FaultServiceService, impl);
}
