import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import {
  createAutoScaling,
  defaultVpcSpec,
  Ec2,
  ElbService,
  EtcdFaultGate,
  JetStreamEventSink,
  registerAutoScalingService,
  registerEc2Service,
  registerElbService,
  registerFaultService,
  registerProbeService,
  type AutoScalingService,
  type EventSink,
  type FaultGate,
} from '@ekslab/cloud';
import { sleep, systemClock, untilAborted, withOpsServer, type Logger } from '@ekslab/runtime';
import { EtcdStore } from '@ekslab/storage';
import { registerHealthService } from './health.js';
import { info, leaderElected, type Config } from './config.js';

export interface Deps {
  readonly config: Config;
  readonly log: Logger;
}

/** What every cloud API is built from; one per process, shared by all services. */
export interface CloudContext {
  readonly config: Config;
  readonly log: Logger;
  /** etcd under `--etcd-prefix`: all cloud state, CAS-updated, so replicas agree. */
  readonly store: EtcdStore;
  /** The EKSLAB_CLOUD stream. */
  readonly events: EventSink;
  /** Consult at the start of every API call (throttling, latency, impaired AZs). */
  readonly faults: FaultGate;
  readonly faultGate: EtcdFaultGate;
  /** The ops endpoint's /metrics registry. */
  readonly metrics: Registry;
}

/** The cloud's parts, built once per process from the CloudContext; their loops run on every replica. */
export interface CloudParts {
  readonly ec2: Ec2;
  readonly autoscaling: AutoScalingService;
  readonly elb: ElbService;
  /** Runs the parts' loops (default VPC + instance lifecycle + event outbox, ASG reconciler, ELB activation) until `signal` aborts. */
  run(signal: AbortSignal): Promise<void>;
}

export function createParts(c: CloudContext): CloudParts {
  const { config, log, store, events, faults } = c;
  const ec2 = new Ec2({
    store,
    events,
    faults,
    log: log.child({ component: 'ec2' }),
    timings: { pendingMs: config.instancePendingDuration },
    defaultVpc: { ...defaultVpcSpec, zones: config.availabilityZones },
  });
  const asgLog = log.child({ component: 'autoscaling' });
  const asg = createAutoScaling({
    etcd: store,
    ec2: ec2.instances,
    events,
    clock: systemClock,
    owner: config.replicaId,
    region: config.region,
    tuning: {
      intervalMs: config.asgReconcileInterval,
      zoneBackoffMs: config.asgZoneBackoff,
      onError: (group, err) => asgLog.warn({ err, group }, 'Auto Scaling pass failed; retrying on the next pass'),
    },
  });
  const elb = new ElbService({ etcd: store, ec2: ec2.instances, events, clock: systemClock, provisioningMs: config.elbProvisioningDuration, region: config.region });
  const elbLog = log.child({ component: 'elb' });
  return {
    ec2,
    autoscaling: asg.service,
    elb,
    run: async (signal) => {
      await Promise.all([ec2.start(signal), asg.reconciler.start(signal), elb.start(signal, 1_000, (err) => elbLog.warn({ err }, 'load balancer activation pass failed; retrying'))]);
    },
  };
}

export type RegisterService = (server: Server, cloud: CloudContext, parts: CloudParts) => void;

/**
 * The cloud APIs served on the one gRPC server (`--grpc-port`), by fully-qualified service name (the
 * names the gRPC health service answers for). New services add one line here.
 */
export const services: ReadonlyArray<{ readonly name: string; readonly register: RegisterService }> = [
  { name: 'ekslab.cloud.v1.FaultService', register: (server, c) => registerFaultService(server, c.faultGate, c.log) },
  { name: 'ekslab.cloud.v1.ProbeService', register: (server, c) => registerProbeService(server, { store: c.store, faults: c.faults, log: c.log, replicaId: c.config.replicaId }) },
  { name: 'ekslab.cloud.v1.Ec2Service', register: (server, c, p) => registerEc2Service(server, { vpcs: p.ec2.vpcs, enis: p.ec2.enis, instances: p.ec2.instances, log: c.log }) },
  { name: 'ekslab.cloud.v1.AutoScalingService', register: (server, c, p) => registerAutoScalingService(server, { autoscaling: p.autoscaling, ec2: p.ec2.instances, faults: c.faults, log: c.log }) },
  { name: 'ekslab.cloud.v1.ElasticLoadBalancingService', register: (server, c, p) => registerElbService(server, { elb: p.elb, faults: c.faults, log: c.log }) },
];

/**
 * Serves the cloud APIs over plaintext gRPC on `--grpc-port` until `signal` aborts. Waits for NATS (the
 * event stream) and reads the fault state from etcd before it listens; ready while etcd and NATS answer.
 * Plaintext on purpose: the cloud is reached only on the lab network and 127.0.0.1, as the EC2 metadata
 * and IMDS-like internal endpoints are; callers are lab components, not tenants.
 */
export async function start({ config, log }: Deps, signal: AbortSignal): Promise<void> {
  const store = new EtcdStore({ endpoints: [...config.etcdServers], prefix: config.etcdPrefix.replace(/\/+$/, '') || '/ekslab-cloud', requestTimeoutMs: config.etcdRequestTimeout });
  try {
    await withOpsServer(info.service, config, log, async (ops) => {
      let sink: JetStreamEventSink | undefined;
      let serving = false;
      ops.readiness.add('etcd', async (s) => {
        await store.currentRevision({ signal: s });
      });
      ops.readiness.add('nats', async () => {
        if (!sink) throw new Error('not connected to NATS yet');
        await sink.connection.rtt();
      });
      ops.readiness.add('serving', () => {
        if (!serving) throw new Error('the cloud APIs are not listening yet');
      });
      // Like the apiserver with etcd: wait for NATS rather than exit; /readyz says what is missing.
      for (let attempt = 1; !sink; attempt++) {
        try {
          sink = await JetStreamEventSink.connect({
            servers: config.natsServers, source: config.replicaId, log, registry: ops.registry,
            maxAgeMs: config.eventMaxAge, retryTimeoutMs: config.eventPublishTimeout, ...(config.eventReplicas > 0 ? { replicas: config.eventReplicas } : {}),
          });
        } catch (err) {
          if (signal.aborted) return;
          log.warn({ err, attempt, servers: config.natsServers }, 'cannot reach NATS JetStream yet; retrying');
          await sleep(config.natsRetryInterval, signal).catch(() => undefined);
          if (signal.aborted) return;
        }
      }
      const faultGate = new EtcdFaultGate({ store, events: sink, log, availabilityZones: config.availabilityZones, registry: ops.registry });
      const gateDone = faultGate.start(signal);
      ops.readiness.add('fault-state', () => {
        if (!faultGate.hasSynced()) throw new Error('fault state not read from etcd yet');
      });
      const cloud: CloudContext = { config, log, store, events: sink, faults: faultGate, faultGate, metrics: ops.registry };
      const parts = createParts(cloud);
      const server = new Server({
        'grpc.keepalive_time_ms': 60_000,
        'grpc.keepalive_timeout_ms': 20_000,
        'grpc.keepalive_permit_without_calls': 1,
        'grpc.http2.min_ping_interval_without_data_ms': 10_000,
      });
      const names = new Set(services.map((s) => s.name));
      registerHealthService(server, (name) => (name !== '' && !names.has(name) ? undefined : serving && faultGate.hasSynced() ? 'SERVING' : 'NOT_SERVING'));
      for (const s of services) s.register(server, cloud, parts);
      const host = config.bindAddress.includes(':') ? `[${config.bindAddress}]` : config.bindAddress;
      let port: number;
      try {
        port = await new Promise<number>((resolve, reject) => {
          server.bindAsync(`${host}:${config.grpcPort}`, ServerCredentials.createInsecure(), (err, bound) =>
            err ? reject(new Error(`cannot serve gRPC on ${host}:${config.grpcPort} (port in use?): ${err.message}`, { cause: err })) : resolve(bound),
          );
        });
      } catch (err) {
        await sink.close();
        throw err;
      }
      const partsDone = parts.run(signal);
      serving = true;
      log.info({ address: config.bindAddress, port, services: [...names], replicaId: config.replicaId, region: config.region, etcdPrefix: config.etcdPrefix, leaderElected }, 'serving the cloud APIs over gRPC');
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
      await Promise.all([gateDone, partsDone]);
      await sink.close();
    });
  } finally {
    store.close();
  }
}
