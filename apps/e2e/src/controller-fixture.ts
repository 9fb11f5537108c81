import { credentials } from '@grpc/grpc-js';
import { ResourceClient, type KubeObject } from '@ekslab/client';
import { ResourceServiceClient, type GroupVersionResource } from '@ekslab/proto';
import { startApiserver, type ApiserverFixture } from './apiserver-fixture.js';
import { FakeIpamd } from './fake-ipamd.js';
import { kubectl } from './kubectl.js';
import { ServiceProcess } from './process.js';

/**
 * A small cluster for controller e2e suites: the built apiserver on etcd, and on demand the built
 * controller-manager (chosen controllers, short leases), the scheduler, and kubelet agents hosting static
 * nodes in chosen zones (pods really run in the simulated runtime and get Ready; addresses from a fake ipamd).
 */
export interface ControllerCluster {
  readonly fx: ApiserverFixture;
  /** Every process started through this fixture (disposed by `dispose`). */
  readonly procs: ServiceProcess[];
  /** A typed admin client of any resource (namespace per call, or `inNamespace`). */
  client<T extends KubeObject>(gvr: GroupVersionResource, namespace?: string): ResourceClient<T>;
  /** Runs kubectl 1.33 as kubernetes-admin. */
  kubectl(args: readonly string[], input?: string): ReturnType<typeof kubectl>;
  /** A controller-manager replica with `--controllers` = `controllers` and 3 s / 2 s / 500 ms leader election. */
  startControllerManager(controllers: readonly string[], extra?: readonly string[]): ServiceProcess;
  /** The scheduler with short pod backoffs. */
  startScheduler(extra?: readonly string[]): ServiceProcess;
  /** A kubelet agent hosting `nodes` static nodes named `<prefix><i>` in `zone` (fast pulls and stops). */
  startAgent(o: { nodes: number; prefix: string; zone: string; offset?: number; extra?: readonly string[] }): ServiceProcess;
  dispose(): Promise<void>;
}

export async function startControllerCluster(apiserverArgs: readonly string[] = []): Promise<ControllerCluster> {
  // Enough addresses for the controller suites' pods (and those still terminating while new ones start).
  const ipamd = new FakeIpamd(240);
  await ipamd.start();
  const fx = await startApiserver(apiserverArgs);
  const service = new ResourceServiceClient(fx.grpcAddress, credentials.createSsl(Buffer.from(fx.ca)));
  const procs: ServiceProcess[] = [];
  const spawn = (name: string, args: readonly string[]): ServiceProcess => {
    const p = new ServiceProcess(name, [...args]);
    procs.push(p);
    return p;
  };
  const common = ['--cert-dir', fx.certDir, '--grpc-server', fx.grpcAddress, '--ops-address', '127.0.0.1', '--ops-port', '0'];
  return {
    fx,
    procs,
    client: <T extends KubeObject>(gvr: GroupVersionResource, namespace?: string) =>
      new ResourceClient<T>({ service, gvr, token: fx.adminToken, ...(namespace ? { namespace } : {}) }),
    kubectl: (args, input) => kubectl('1.33', fx.kubeconfig, args, input),
    startControllerManager: (controllers, extra = []) => spawn('controller-manager', [
      ...common, '--master', fx.server, '--controllers', controllers.join(','),
      '--leader-elect-lease-duration', '3s', '--leader-elect-renew-deadline', '2s', '--leader-elect-retry-period', '500ms', ...extra,
    ]),
    startScheduler: (extra = []) => spawn('scheduler', [...common, '--pod-initial-backoff', '200ms', '--pod-max-backoff', '1s', ...extra]),
    startAgent: (o) => spawn('kubelet', [
      ...common, '--node-source', 'static', '--nodes', String(o.nodes), '--node-name-prefix', o.prefix, '--node-index-offset', String(o.offset ?? 0),
      '--availability-zone', o.zone, '--ipamd-endpoint', `127.0.0.1:${ipamd.port}`, '--kubelet-port', '0', '--advertise-address', '127.0.0.1',
      '--image-pull-mib-per-second', '2000', '--sandbox-retry-period', '1s', '--container-stop-duration', '200ms', ...(o.extra ?? []),
    ]),
    dispose: async () => {
      for (const p of procs) p.dispose();
      service.close();
      ipamd.stop();
      await fx.dispose();
    },
  };
}
