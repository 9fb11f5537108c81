import { hostname } from 'node:os';
import { credentials } from '@grpc/grpc-js';
import { campaignForLease, ResourceClient, type KubeObject } from '@ekslab/client';
import { ResourceServiceClient } from '@ekslab/proto';
import { withOpsServer, type Logger } from '@ekslab/runtime';
import { SchedulingQueue } from '@ekslab/scheduler';
import { info, type Config } from './config.js';
import { waitForCredentials } from '@ekslab/client';
import { Scheduler, type ApiNode, type ApiPod } from './scheduler.js';

export interface Deps {
  readonly config: Config;
  readonly log: Logger;
}

/** kube-scheduler's identity in the lab token file (and the subject of the system:kube-scheduler ClusterRoleBinding). */
const schedulerUser = 'system:kube-scheduler';

/**
 * Runs until `signal` aborts: serves the ops endpoints at once, waits for the lab credentials, then campaigns for
 * the `kube-system/kube-scheduler` Lease and schedules while (and only while) it holds it; each term starts fresh
 * informers and an empty queue, as kube-scheduler (which exits on lost leadership) would after a restart.
 */
export async function start({ config, log }: Deps, signal: AbortSignal): Promise<void> {
  await withOpsServer(info.service, config, log, async () => {
    const creds = await waitForCredentials(config.certDir, [schedulerUser], config.leaderElectRetryPeriod, log, signal);
    if (!creds) return;
    const service = new ResourceServiceClient(config.grpcServer, credentials.createSsl(creds.ca));
    try {
      const token = creds.tokens.get(schedulerUser)!;
      const schedule = (s: AbortSignal): Promise<void> => newScheduler(config, log, service, token).run(s);
      log.info({ leaderElected: config.leaderElect === 'true', schedulerName: config.schedulerName }, 'started');
      if (config.leaderElect === 'false') {
        await schedule(signal);
        return;
      }
      await campaignForLease({
        service, token: creds.tokens.get(schedulerUser)!, namespace: config.leaderElectResourceNamespace, name: config.leaderElectResourceName,
        leaseDurationMs: config.leaderElectLeaseDuration, renewDeadlineMs: config.leaderElectRenewDeadline, retryPeriodMs: config.leaderElectRetryPeriod,
        log, work: 'scheduling', onLeading: schedule,
      }, signal);
    } finally {
      service.close();
    }
  });
}

function newScheduler(config: Config, log: Logger, service: ResourceServiceClient, token: string): Scheduler {
  const client = <T extends KubeObject>(group: string, resource: string) =>
    new ResourceClient<T>({ service, gvr: { group, version: 'v1', resource }, token });
  return new Scheduler({
    pods: client<ApiPod>('', 'pods'),
    nodes: client<ApiNode>('', 'nodes'),
    events: client('', 'events'),
    namespaces: client('', 'namespaces'),
    services: client('', 'services'),
    replicaSets: client('apps', 'replicasets'),
    pdbs: client('policy', 'poddisruptionbudgets'),
    schedulerName: config.schedulerName,
    instance: `${config.schedulerName}-${hostname()}`,
    percentageOfNodesToScore: config.percentageOfNodesToScore,
    parallelBindings: config.parallelBindings,
    queue: new SchedulingQueue({
      initialBackoffMs: config.podInitialBackoff, maxBackoffMs: config.podMaxBackoff, maxInUnschedulableMs: config.podMaxInUnschedulable,
    }),
    log,
  });
}
