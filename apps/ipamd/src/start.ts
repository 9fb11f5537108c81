import { readFileSync } from 'node:fs';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { DEFAULT_POOL_CONFIG, type PoolConfig } from '@ekslab/ipamd';
import { ConfigError, untilAborted, withOpsServer, type Logger } from '@ekslab/runtime';
import { info, leaderElected, type Config } from './config.js';
import { GrpcEc2 } from './ec2.js';
import { registerIpamdServices } from './grpc.js';
import { IntrospectionServer } from './introspection.js';
import { IpamdMetrics } from './metrics.js';
import type { IpamSettings } from './node-ipam.js';
import { Nodes } from './nodes.js';

export interface Deps {
  readonly config: Config;
  readonly log: Logger;
}

/** The per-AZ ENIConfig subnets: the JSON file first, then `--eni-config az=subnet` entries over it. */
export function eniConfigMap(config: Pick<Config, 'eniConfig' | 'eniConfigFile'>): Map<string, string> {
  const map = new Map<string, string>();
  if (config.eniConfigFile) {
    const parsed = JSON.parse(readFileSync(config.eniConfigFile, 'utf8')) as Record<string, unknown>;
    for (const [az, subnet] of Object.entries(parsed)) {
      if (typeof subnet !== 'string') throw new ConfigError(`--eni-config-file ${config.eniConfigFile}: ${az} must map to a subnet id`);
      map.set(az, subnet);
    }
  }
  for (const item of config.eniConfig) {
    const [az, subnet] = item.split('=');
    if (!az || !subnet) throw new ConfigError(`--eni-config: "${item}" is not <az>=<subnet-id>`);
    map.set(az.trim(), subnet.trim());
  }
  return map;
}

export function settingsOf(config: Config): IpamSettings {
  const pool: PoolConfig = {
    ...DEFAULT_POOL_CONFIG,
    warmEniTarget: config.warmEniTarget,
    warmIpTarget: config.warmIpTarget,
    minimumIpTarget: config.minimumIpTarget,
    warmPrefixTarget: config.warmPrefixTarget,
    enablePrefixDelegation: config.enablePrefixDelegation,
    ipCooldownMs: config.ipCooldownPeriod,
    minEniLifetimeMs: config.minEniLifetime,
  };
  return {
    pool,
    maxEni: config.maxEni,
    customNetwork: config.customNetworkCfg,
    eniConfig: eniConfigMap(config),
    externalSnat: config.externalSnat,
    excludeSnatCidrs: config.excludeSnatCidrs,
    insufficientCidrCooldownMs: config.insufficientCidrCooldown,
    clusterName: config.clusterName,
  };
}

/** The settings by aws-node variable name, for /v1/env-settings. */
export function envSettings(config: Config, settings: IpamSettings): Record<string, unknown> {
  return {
    WARM_ENI_TARGET: config.warmEniTarget,
    WARM_IP_TARGET: config.warmIpTarget,
    MINIMUM_IP_TARGET: config.minimumIpTarget,
    WARM_PREFIX_TARGET: config.warmPrefixTarget,
    MAX_ENI: config.maxEni,
    ENABLE_PREFIX_DELEGATION: config.enablePrefixDelegation,
    AWS_VPC_K8S_CNI_EXTERNALSNAT: config.externalSnat,
    AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS: config.excludeSnatCidrs.join(','),
    AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: config.customNetworkCfg,
    ENI_CONFIG: Object.fromEntries(settings.eniConfig),
    IP_COOLDOWN_PERIOD: config.ipCooldownPeriod / 1000,
    CLUSTER_NAME: config.clusterName,
  };
}

/**
 * Serves CNIBackend and NodeService on `--grpc-port`, introspection on `--introspection-port` and
 * metrics on the ops port until `signal` aborts. No node is served until a kubelet agent calls EnsureNode;
 * ready once both listeners are up.
 */
export async function start({ config, log }: Deps, signal: AbortSignal): Promise<void> {
  const settings = settingsOf(config);
  await withOpsServer(info.service, config, log, async (ops) => {
    const served: { nodes?: Nodes } = {};
    const metrics = new IpamdMetrics(ops.registry, () => served.nodes?.all() ?? []);
    const ec2 = new GrpcEc2(config.cloudEndpoint, config.cloudRequestTimeout, metrics);
    const nodes = new Nodes({ ec2, settings, checkpointDir: config.checkpointDir, checkpointFsync: config.checkpointFsync, poolMonitorIntervalMs: config.poolMonitorInterval, log, metrics }, signal);
    served.nodes = nodes;
    let serving = false;
    ops.readiness.add('serving', () => {
      if (!serving) throw new Error('the gRPC API is not listening yet');
    });
    const introspection = new IntrospectionServer(nodes, envSettings(config, settings), log);
    const server = new Server();
    registerIpamdServices(server, { nodes, log, metrics, externalSnat: settings.externalSnat, excludeSnatCidrs: settings.excludeSnatCidrs, signal });
    const host = config.bindAddress.includes(':') ? `[${config.bindAddress}]` : config.bindAddress;
    try {
      const introspectionPort = await introspection.listen(config.introspectionAddress, config.introspectionPort);
      const port = await new Promise<number>((resolve, reject) => {
        server.bindAsync(`${host}:${config.grpcPort}`, ServerCredentials.createInsecure(), (err, bound) =>
          err ? reject(new Error(`cannot serve gRPC on ${host}:${config.grpcPort} (port in use?): ${err.message}`, { cause: err })) : resolve(bound),
        );
      });
      serving = true;
      log.info({ address: config.bindAddress, port, introspectionPort, cloudEndpoint: config.cloudEndpoint, checkpointDir: config.checkpointDir, leaderElected, prefixDelegation: settings.pool.enablePrefixDelegation, customNetwork: settings.customNetwork }, 'serving CNIBackend and NodeService over gRPC');
      await untilAborted(signal);
      serving = false;
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, Math.max(0, config.shutdownTimeout - 1_000));
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      await nodes.drained();
    } finally {
      server.forceShutdown();
      await introspection.close();
      ec2.close();
    }
  });
}
