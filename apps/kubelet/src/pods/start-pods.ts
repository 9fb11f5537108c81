// Wiring of the pods module into the agent: the CNI port, the pod manager and the LogsService.
import { defaultRuntimeTiming, type RuntimeTiming } from '@ekslab/kubelet';
import type { ResourceServiceClient } from '@ekslab/proto';
import type { Clock, Logger } from '@ekslab/runtime';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import { GrpcCni, LocalCni, type CniPort } from './cni.js';
import type { AgentEndpoint } from './endpoint.js';
import { LogsServer } from './logs-server.js';
import { PodManager } from './pod-manager.js';
import { KubeletPodMetrics } from './pod-metrics.js';
import { registerResourceMetrics } from './resource-metrics.js';

export function runtimeTiming(config: Config): RuntimeTiming {
  return {
    ...defaultRuntimeTiming,
    crashLoopInitialMs: config.crashLoopBackoff,
    crashLoopMaxMs: config.crashLoopMaxBackoff,
    imagePullInitialMs: config.imagePullBackoff,
    imagePullMaxMs: config.imagePullMaxBackoff,
    sandboxRetryMs: config.sandboxRetryPeriod,
    pullBytesPerSecond: config.imagePullMibPerSecond * 1024 * 1024,
    terminateAfterMs: config.containerStopDuration,
    logIntervalMs: config.logHeartbeatInterval,
  };
}

export interface PodsModule {
  readonly manager: PodManager;
  readonly endpoint: AgentEndpoint;
  close(): Promise<void>;
}

/** Starts the LogsService (so its port is known before nodes register) and builds the pod manager. */
export async function startPods(
  config: Config, deps: { service: ResourceServiceClient; tokenFor: (node: string) => string; clock: Clock; log: Logger; registry: Registry },
): Promise<PodsModule> {
  const cni: CniPort = config.ipamdEndpoint !== '' ? new GrpcCni(config.ipamdEndpoint) : new LocalCni(config.localPodCidr);
  let logs: LogsServer | undefined;
  const endpoint = { host: config.advertiseAddress, port: 0 };
  let workers = (): number => 0;
  const metrics = new KubeletPodMetrics(deps.registry, () => workers());
  const manager = new PodManager({
    metrics,
    service: deps.service, tokenFor: deps.tokenFor, cni, clock: deps.clock, timing: runtimeTiming(config), log: deps.log,
    agentEndpoint: endpoint, initialBackoffMs: config.initialBackoff, maxBackoffMs: config.maxBackoff,
  });
  workers = () => manager.size;
  registerResourceMetrics(deps.registry, {
    clock: deps.clock, usage: (now) => manager.usageSnapshot(now),
    nodeBaseCpuMillicores: config.nodeBaseCpuMillicores, nodeBaseMemoryMib: config.nodeBaseMemoryMib,
  });
  logs = new LogsServer(manager, deps.clock, deps.log);
  try {
    endpoint.port = await logs.listen(config.kubeletPort);
  } catch (err) {
    if (config.kubeletPort === 0) throw err;
    // Several agents on one host (tests, a laptop lab): the published endpoint carries the real port anyway.
    deps.log.warn({ port: config.kubeletPort, err: (err as Error).message }, 'kubelet port taken; serving LogsService on a free port instead');
    endpoint.port = await logs.listen(0);
  }
  deps.log.info({ port: endpoint.port, advertise: config.advertiseAddress, ipamd: config.ipamdEndpoint || 'none (local addresses)' }, 'serving LogsService');
  return {
    manager, endpoint,
    close: async () => {
      await logs?.close();
      logs = undefined;
      cni.close();
    },
  };
}
