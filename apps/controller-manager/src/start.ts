import { credentials } from '@grpc/grpc-js';
import { campaignForLease, waitForCredentials } from '@ekslab/client';
import { ResourceServiceClient } from '@ekslab/proto';
import { systemClock, withOpsServer, type Logger } from '@ekslab/runtime';
import { info, type Config } from './config.js';
import { allControllers } from './controllers/index.js';
import type { ControllerDescriptor } from './framework/controller.js';
import { enabledControllers } from './framework/controllers-flag.js';
import { createControllerContext } from './framework/context.js';
import { SharedInformers } from './framework/informers.js';
import { ControllerManagerMetrics } from './metrics.js';

export interface Deps {
  readonly config: Config;
  readonly log: Logger;
}

/** The controller-manager's own identity (its Lease, the shared informers); each controller acts as its service account. */
const managerUser = 'system:kube-controller-manager';
const saUser = (name: string): string => `system:serviceaccount:kube-system:${name}`;

/**
 * Runs until `signal` aborts: serves /healthz, /readyz and /metrics at once, waits for the lab
 * credentials, then campaigns for the `kube-system/kube-controller-manager` Lease and runs the
 * controllers while (and only while) it holds it. A replica that loses the Lease stops its controllers
 * (each returns once the term's signal aborts) and campaigns again. Not a fence (see LeaderElector): two
 * leaders may briefly overlap, which the controllers tolerate by being level-based and writing with
 * resourceVersion preconditions.
 */
export async function start({ config, log }: Deps, signal: AbortSignal): Promise<void> {
  const enabled = enabledControllers(allControllers, config.controllers);
  await withOpsServer(info.service, config, log, async (ops) => {
    const metrics = new ControllerManagerMetrics(ops.registry, config.leaderElectResourceName);
    const users = [managerUser, ...enabled.map((c) => saUser(c.identity))];
    const creds = await waitForCredentials(config.certDir, users, config.leaderElectRetryPeriod, log, signal);
    if (!creds) return;
    const service = new ResourceServiceClient(config.grpcServer, credentials.createSsl(creds.ca));
    const managerToken = creds.tokens.get(managerUser)!;
    const runTerm = async (term: AbortSignal): Promise<void> => {
      const informers = new SharedInformers({ service, token: managerToken, clock: systemClock, log, resyncPeriodMs: config.minResyncPeriod });
      const loops = enabled.map((c: ControllerDescriptor) => {
        const token = creds.tokens.get(saUser(c.identity))!;
        return c.init(createControllerContext({
          name: c.name, identity: c.identity, eventComponent: c.eventComponent, token: () => token, ca: creds.ca,
          service, informers, config, log, clock: systemClock, metrics, signal: term,
        }));
      });
      informers.start(term);
      try {
        await Promise.all(loops.map((loop) => loop(term)));
      } finally {
        await informers.stopped();
      }
    };
    try {
      log.info({ leaderElected: config.leaderElect === 'true', controllers: enabled.map((c) => c.name) }, 'started');
      if (config.leaderElect === 'false') {
        await runTerm(signal);
        return;
      }
      await campaignForLease({
        service, token: managerToken, namespace: config.leaderElectResourceNamespace, name: config.leaderElectResourceName,
        leaseDurationMs: config.leaderElectLeaseDuration, renewDeadlineMs: config.leaderElectRenewDeadline, retryPeriodMs: config.leaderElectRetryPeriod,
        log, work: 'controllers', onLeadingChanged: (leading) => metrics.setLeading(leading),
        onLeading: runTerm,
      }, signal);
    } finally {
      service.close();
    }
  });
}
