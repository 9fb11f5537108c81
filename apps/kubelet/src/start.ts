import { credentials } from '@grpc/grpc-js';
import { LEASES_GVR, ResourceClient, isNotFound, type KubeObject } from '@ekslab/client';
import { defaultHeartbeatTiming, privateDnsName, type HeartbeatTiming, type NodeCondition } from '@ekslab/kubelet';
import { ResourceServiceClient } from '@ekslab/proto';
import { systemClock, withOpsServer, type Logger } from '@ekslab/runtime';
import { KubeletAgent, type NodeApi, type NodeSpec, type StoredLease, type StoredNode } from './agent.js';
import { info, type Config } from './config.js';
import { instanceTypes, nodeIp } from './instance-types.js';
import { instanceIdFor, waitForNodeCredentials, type NodeCredentials } from './kube/credentials.js';
import { KubeletMetrics } from './metrics.js';
import { withAgentEndpoint, type AgentEndpoint } from './pods/endpoint.js';
import { startPods } from './pods/start-pods.js';

export interface Deps {
  readonly config: Config;
  readonly log: Logger;
}

const NODES_GVR = { group: '', version: 'v1', resource: 'nodes' } as const;

/**
 * Runs until `signal` aborts: serves the ops endpoint, waits for the lab credentials, then hosts
 * `--nodes` simulated nodes, each acting as `system:node:<name>` (a token minted from the lab's
 * node-token.key, checked by the apiserver's Node authorizer). Stopping stops heartbeats; Nodes stay.
 */
export async function start({ config, log }: Deps, signal: AbortSignal): Promise<void> {
  const type = instanceTypes[config.instanceType];
  if (type === undefined) throw new Error(`unknown --instance-type ${config.instanceType}; known: ${Object.keys(instanceTypes).join(', ')}`);
  const timing: HeartbeatTiming = {
    ...defaultHeartbeatTiming,
    leaseDurationSeconds: config.nodeLeaseDuration / 1000,
    statusUpdateFrequencyMs: config.nodeStatusUpdateFrequency,
    statusReportFrequencyMs: config.nodeStatusReportFrequency,
  };
  await withOpsServer(info.service, config, log, async (ops) => {
    const metrics = new KubeletMetrics(ops.registry, config.leaseRenewalLateThreshold);
    const creds = await waitForNodeCredentials(config.certDir, config.credentialsRetryPeriod, log, signal);
    if (!creds) return;
    const service = new ResourceServiceClient(config.grpcServer, credentials.createSsl(creds.ca));
    const pods = await startPods(config, { service, tokenFor: (n) => creds.nodeToken(n), clock: systemClock, log, registry: ops.registry });
    try {
      const specs = nodeSpecs(config, type, service, creds, pods.endpoint);
      log.info({ nodes: specs.length, first: specs[0]?.name, instanceType: type.name }, 'hosting nodes');
      const agent = new KubeletAgent(specs, {
        clock: systemClock, random: Math.random, timing, concurrency: config.concurrency,
        initialBackoffMs: config.initialBackoff, maxBackoffMs: config.maxBackoff, log, metrics,
        hooks: { nodeStarted: (n) => pods.manager.nodeStarted(n), nodeStopped: (n) => pods.manager.nodeStopped(n) },
      });
      // The pod manager first: it must hold the timer heap before the first node registers.
      await Promise.all([pods.manager.run((at, run) => agent.scheduleTask(at, run), signal), agent.run(signal)]);
      log.info('stopped renewing node leases; nodes left registered');
    } finally {
      await pods.close();
      service.close();
    }
  });
}

function nodeSpecs(
  config: Config, type: (typeof instanceTypes)[string] & object, service: ResourceServiceClient, creds: NodeCredentials, endpoint: AgentEndpoint,
): NodeSpec[] {
  const region = config.region !== '' ? config.region : config.availabilityZone.replace(/[a-z]$/, '');
  return Array.from({ length: config.nodes }, (_, i) => {
    const index = config.nodeIndexOffset + i;
    const privateIp = nodeIp(config.subnetCidrBase, index);
    const name = config.nodeNamePrefix !== '' ? `${config.nodeNamePrefix}${index}` : privateDnsName(privateIp, region);
    return {
      name,
      input: {
        instanceId: instanceIdFor(`${config.clusterName}/${config.nodegroup}/${name}`),
        instanceType: type, maxPods: type.maxPods, architecture: type.architecture,
        region, availabilityZone: config.availabilityZone, privateIp, nodegroup: config.nodegroup, amiId: config.amiId,
        capacityType: config.capacityType, clusterName: config.clusterName, kubernetesVersion: config.kubernetesVersion,
      },
      api: grpcNodeApi(service, name, creds.nodeToken(name), endpoint),
    };
  });
}

type Obj = KubeObject & Record<string, unknown>;

/** The node's calls over the apiserver's gRPC API, authenticated as the node. */
function grpcNodeApi(service: ResourceServiceClient, name: string, token: string, endpoint: AgentEndpoint): NodeApi {
  const nodes = new ResourceClient<Obj>({ service, gvr: NODES_GVR, token });
  const leases = new ResourceClient<Obj>({ service, gvr: LEASES_GVR, namespace: 'kube-node-lease', token });
  const orUndefined = async <T>(p: Promise<T>): Promise<T | undefined> => {
    try {
      return await p;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
  return {
    getNode: async (signal) => (await orUndefined(nodes.get(name, { signal }))) as StoredNode | undefined,
    createNode: async (node, signal) => (await nodes.create(withAgentEndpoint(node, endpoint) as unknown as Obj, { signal })) as StoredNode,
    patchStatusConditions: async (conditions: readonly NodeCondition[], signal) => {
      // Strategic merge: conditions merge by type, as the kubelet's status patch.
      await nodes.patch(name, 'strategic-merge', { status: { conditions } }, { signal, subresource: 'status' });
    },
    getLease: async (signal) => (await orUndefined(leases.get(name, { signal }))) as StoredLease | undefined,
    createLease: async (lease, signal) => (await leases.create(lease as unknown as Obj, { signal })) as StoredLease,
    updateLease: async (lease, resourceVersion, signal) =>
      (await leases.update({ ...lease, metadata: { ...lease.metadata, resourceVersion } }, { signal })) as StoredLease,
  };
}
