import { credentials } from '@grpc/grpc-js';
import { campaignForLease } from '@ekslab/client';
import { ResourceServiceClient } from '@ekslab/proto';
import { systemClock, withOpsServer, type Logger } from '@ekslab/runtime';
import { info, type Config } from './config.js';
import { NamespaceController } from './controllers/namespace/controller.js';
import { NamespacedResourcesDeleter } from './controllers/namespace/deleter.js';
import { grpcContentApi, grpcNamespaceApi, namespacesClient } from './controllers/namespace/grpc-api.js';
import { waitForCredentials, type LabCredentials } from '@ekslab/client';
import { RestDiscovery } from './kube/discovery.js';
import { ControllerManagerMetrics } from './metrics.js';

export interface Deps {
  readonly config: Config;
  readonly log: Logger;
}

/** The controller-manager's own identity (its Lease); each controller acts as its service account. */
const managerUser = 'system:kube-controller-manager';
const saUser = (name: string): string => `system:serviceaccount:kube-system:${name}`;

/** A controller: started on the leader with a signal that aborts when leadership ends. */
interface Controller {
  readonly needsLeaderElection: boolean;
  start(signal: AbortSignal): Promise<void>;
}

/**
 * Runs until `signal` aborts: serves /healthz, /readyz and /metrics at once, waits for the lab
 * credentials, then campaigns for the `kube-system/kube-controller-manager` Lease and runs the
 * controllers while (and only while) it holds it. A replica that loses the Lease stops its controllers
 * and campaigns again. Not a fence (see LeaderElector): two leaders may briefly overlap, which the
 * controllers tolerate by being level-based and writing with resourceVersion preconditions.
 */
export async function start({ config, log }: Deps, signal: AbortSignal): Promise<void> {
  await withOpsServer(info.service, config, log, async (ops) => {
    const metrics = new ControllerManagerMetrics(ops.registry, config.leaderElectResourceName);
    const nsControllerUser = saUser(NamespaceController.controllerName);
    const creds = await waitForCredentials(config.certDir, [managerUser, nsControllerUser], config.leaderElectRetryPeriod, log, signal);
    if (!creds) return;
    const service = new ResourceServiceClient(config.grpcServer, credentials.createSsl(creds.ca));
    try {
      const controllers = buildControllers(config, log, creds, service, metrics);
      log.info({ leaderElected: config.leaderElect === 'true', controllers: [NamespaceController.controllerName] }, 'started');
      if (config.leaderElect === 'false') {
        await runControllers(controllers, signal);
        return;
      }
      await campaignForLease({
        service, token: creds.tokens.get(managerUser)!, namespace: config.leaderElectResourceNamespace, name: config.leaderElectResourceName,
        leaseDurationMs: config.leaderElectLeaseDuration, renewDeadlineMs: config.leaderElectRenewDeadline, retryPeriodMs: config.leaderElectRetryPeriod,
        log, work: 'controllers', onLeadingChanged: (leading) => metrics.setLeading(leading),
        onLeading: (leading) => runControllers(controllers.filter((c) => c.needsLeaderElection), leading),
      }, signal);
    } finally {
      service.close();
    }
  });
}

function buildControllers(config: Config, log: Logger, creds: LabCredentials, service: ResourceServiceClient, metrics: ControllerManagerMetrics): Controller[] {
  const token = creds.tokens.get(saUser(NamespaceController.controllerName))!;
  const discovery = new RestDiscovery({ server: config.master, ca: creds.ca, token: () => token });
  const api = { service, token };
  const deleter = new NamespacedResourcesDeleter(grpcNamespaceApi(api), grpcContentApi(api, (s) => discovery.serverPreferredNamespacedResources(s)), systemClock);
  return [
    new NamespaceController({
      namespaces: namespacesClient(api), deleter, workers: config.concurrentNamespaceSyncs, resyncPeriodMs: config.namespaceSyncPeriod,
      log: log.child({ controller: NamespaceController.controllerName }), onQueue: (q) => metrics.setQueue('namespace', q),
    }),
  ];
}

async function runControllers(controllers: readonly Controller[], signal: AbortSignal): Promise<void> {
  await Promise.all(controllers.map((c) => c.start(signal)));
}

