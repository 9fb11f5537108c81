import { credentials } from '@grpc/grpc-js';
import { LEASES_GVR, ResourceClient, isAlreadyExists, isNotFound, type KubeObject } from '@ekslab/client';
import { defaultHeartbeatTiming, type HeartbeatTiming, type NodeCondition } from '@ekslab/kubelet';
import { ResourceServiceClient } from '@ekslab/proto';
import { systemClock, withOpsServer, type Logger } from '@ekslab/runtime';
import { KubeletAgent, type NodeApi, type NodeSpec, type StoredLease, type StoredNode } from './agent.js';
import { grpcCloudApi } from './cloud/cloud-api.js';
import { info, nodeSourceOf, type Config } from './config.js';
import { waitForNodeCredentials } from './kube/credentials.js';
import { KubeletMetrics } from './metrics.js';
import { withAgentEndpoint, type AgentEndpoint } from './pods/endpoint.js';
import { startPods } from './pods/start-pods.js';
import { grpcIpamdNodes } from './nodes/ipamd-client.js';
import { NodegroupSource } from './nodes/nodegroup-source.js';
import { staticNodeSpecs } from './nodes/static.js';

export interface Deps {
  readonly config: Config;
  readonly log: Logger;
}

const NODES_GVR = { group: '', version: 'v1', resource: 'nodes' } as const;

/**
 * Runs until `signal` aborts: serves the ops endpoint, waits for the lab credentials, then hosts nodes, each
 * acting as `system:node:<name>` (a token minted from the lab's node-token.key, checked by the apiserver's
 * Node authorizer): the node group's InService instances in this AZ (asg), or `--nodes` static ones.
 * Stopping stops heartbeats; Nodes stay.
 */
export async function start({ config, log }: Deps, signal: AbortSignal): Promise<void> {
  const source = nodeSourceOf(config);
  const region = config.region !== '' ? config.region : config.availabilityZone.replace(/[a-z]$/, '');
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
    const nodeApi = (name: string): NodeApi => grpcNodeApi(service, name, creds.nodeToken(name), pods.endpoint);
    const agentOptions = {
      clock: systemClock, random: Math.random, timing, concurrency: config.concurrency,
      initialBackoffMs: config.initialBackoff, maxBackoffMs: config.maxBackoff, log, metrics,
      hooks: { nodeStarted: pods.manager.nodeStarted.bind(pods.manager), nodeStopped: pods.manager.nodeStopped.bind(pods.manager) },
    };
    try {
      const specs: NodeSpec[] = source === 'static' ? staticNodeSpecs({ ...config, region }, nodeApi) : [];
      const agent = new KubeletAgent(specs, agentOptions);
      // The pod manager first: it must hold the timer heap before the first node registers.
      const podsDone = pods.manager.run((at, run) => agent.scheduleTask(at, run), signal);
      if (source === 'static') {
        log.info({ source, nodes: specs.length, first: specs[0]?.name, instanceType: config.instanceType }, 'hosting nodes');
        await Promise.all([podsDone, agent.run(signal)]);
      } else {
        await Promise.all([podsDone, hostNodegroup(config, region, log, nodeApi, agent, signal)]);
      }
      log.info('stopped renewing node leases; nodes left registered');
    } finally {
      await pods.close();
      service.close();
    }
  });
}

/** asg: the agent hosts what the node group source hands it, until `signal` aborts. */
async function hostNodegroup(config: Config, region: string, log: Logger, nodeApi: (name: string) => NodeApi, agent: KubeletAgent, signal: AbortSignal): Promise<void> {
  const cloud = grpcCloudApi(config.cloudEndpoint, config.cloudCallTimeout);
  const ipamd = config.ipamdEndpoint === '' ? undefined : grpcIpamdNodes(config.ipamdEndpoint, config.cloudCallTimeout);
  const nodes = new NodegroupSource({
    cloud, ipamd, host: agent, nodeApi, clock: systemClock, log,
    nodegroup: {
      clusterName: config.clusterName, nodegroup: config.nodegroup,
      minSize: config.nodegroupMinSize, maxSize: config.nodegroupMaxSize, desiredSize: config.nodegroupDesiredSize,
      instanceTypes: config.instanceType.split(',').filter(Boolean), capacityType: config.capacityType,
      subnetIds: config.subnetIds, vpcName: config.vpcName,
    },
    availabilityZone: config.availabilityZone, region, amiId: config.amiId, kubernetesVersion: config.kubernetesVersion,
    syncPeriodMs: config.nodegroupSyncPeriod, concurrency: config.concurrency,
  });
  log.info({ source: 'asg', cloud: config.cloudEndpoint, ipamd: config.ipamdEndpoint || undefined, nodegroup: config.nodegroup, availabilityZone: config.availabilityZone }, 'hosting the node group\'s instances in this AZ');
  try {
    await Promise.all([agent.run(signal), nodes.run(signal)]);
  } finally {
    cloud.close();
    ipamd?.close();
  }
}

type Obj = KubeObject & Record<string, unknown>;

/** The node's calls over the apiserver's gRPC API, authenticated as the node. */
function grpcNodeApi(service: ResourceServiceClient, name: string, token: string, endpoint: AgentEndpoint): NodeApi {
  const nodes = new ResourceClient<Obj>({ service, gvr: NODES_GVR, token });
  const leases = new ResourceClient<Obj>({ service, gvr: LEASES_GVR, namespace: 'kube-node-lease', token });
  const orUndefined = async <T>(p: Promise<T>, absent: (err: unknown) => boolean = isNotFound): Promise<T | undefined> => {
    try {
      return await p;
    } catch (err) {
      if (absent(err)) return undefined;
      throw err;
    }
  };
  return {
    getNode: async (signal) => (await orUndefined(nodes.get(name, { signal }))) as StoredNode | undefined,
    createNode: async (node, signal) => (await orUndefined(nodes.create(withAgentEndpoint(node, endpoint) as unknown as Obj, { signal }), isAlreadyExists)) as StoredNode | undefined,
    patchStatusConditions: async (conditions: readonly NodeCondition[], signal) => {
      // Strategic merge: conditions merge by type, as the kubelet's status patch.
      await nodes.patch(name, 'strategic-merge', { status: { conditions } }, { signal, subresource: 'status' });
    },
    getLease: async (signal) => (await orUndefined(leases.get(name, { signal }))) as StoredLease | undefined,
    createLease: async (lease, signal) => (await orUndefined(leases.create(lease as unknown as Obj, { signal }), isAlreadyExists)) as StoredLease | undefined,
    updateLease: async (lease, resourceVersion, signal) =>
      (await leases.update({ ...lease, metadata: { ...lease.metadata, resourceVersion } }, { signal })) as StoredLease,
  };
}
