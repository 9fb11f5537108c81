// ElasticLoadBalancingService over gRPC: a thin translation between the wire messages and ElbService.
import type { Server } from '@grpc/grpc-js';
import { ElasticLoadBalancingServiceService } from '@ekslab/proto';
import type { ElasticLoadBalancingServiceServer, ElbHealthCheck, ElbListener, ElbLoadBalancer, ElbTargetGroup } from '@ekslab/proto';
import { gatedUnaryHandler, type ErrorLog } from '../grpc/unary.js';
import { noFaults } from '../ports.js';
import type { FaultGate } from '../ports.js';
import type { ElbService } from './service.js';
import type { HealthCheck, Listener, LoadBalancer, LoadBalancerType, Protocol, Scheme, TargetGroup, TargetType } from './types.js';

export interface ElbGrpcDeps {
  /** Where unexpected failures (not AWS errors) are logged. */
  readonly log: ErrorLog;
  /** Consulted before every call (throttling, latency); default none. */
  readonly faults?: FaultGate;
  readonly elb: ElbService;
}

const targets = (ts: ReadonlyArray<{ id: string; port: number }>): Array<{ id: string; port?: number }> => ts.map((t) => (t.port > 0 ? { id: t.id, port: t.port } : { id: t.id }));

export function createElbServer({ elb, faults = noFaults, log }: ElbGrpcDeps): ElasticLoadBalancingServiceServer {
  return {
    createLoadBalancer: gatedUnaryHandler(log, faults, 'CreateLoadBalancer', async (req, signal) => {
      const lb = await elb.createLoadBalancer(
        {
          name: req.name,
          ...(req.type !== '' ? { type: req.type as LoadBalancerType } : {}),
          ...(req.scheme !== '' ? { scheme: req.scheme as Scheme } : {}),
          subnets: req.subnets,
        },
        signal,
      );
      return { loadBalancer: lbToWire(lb) };
    }),
    describeLoadBalancers: gatedUnaryHandler(log, faults, 'DescribeLoadBalancers', async (req, signal) => ({ loadBalancers: (await elb.describeLoadBalancers({ names: req.names, loadBalancerArns: req.loadBalancerArns }, signal)).map(lbToWire) })),
    deleteLoadBalancer: gatedUnaryHandler(log, faults, 'DeleteLoadBalancer', async (req, signal) => {
      await elb.deleteLoadBalancer({ loadBalancerArn: req.loadBalancerArn }, signal);
      return {};
    }),
    createListener: gatedUnaryHandler(log, faults, 'CreateListener', async (req, signal) => {
      const l = await elb.createListener({ loadBalancerArn: req.loadBalancerArn, port: req.port, protocol: req.protocol as Protocol, defaultTargetGroupArn: req.defaultTargetGroupArn }, signal);
      return { listener: listenerToWire(req.loadBalancerArn, l) };
    }),
    describeListeners: gatedUnaryHandler(log, faults, 'DescribeListeners', async (req, signal) => ({ listeners: (await elb.describeListeners({ loadBalancerArn: req.loadBalancerArn }, signal)).map((l) => listenerToWire(req.loadBalancerArn, l)) })),
    deleteListener: gatedUnaryHandler(log, faults, 'DeleteListener', async (req, signal) => {
      await elb.deleteListener({ listenerArn: req.listenerArn }, signal);
      return {};
    }),
    createTargetGroup: gatedUnaryHandler(log, faults, 'CreateTargetGroup', async (req, signal) => {
      const hc = req.healthCheck;
      const healthCheck: Partial<HealthCheck> = {};
      if (hc) {
        if (hc.protocol) healthCheck.protocol = hc.protocol as Protocol;
        if (hc.port) healthCheck.port = hc.port;
        if (hc.path) healthCheck.path = hc.path;
        if (hc.intervalSeconds) healthCheck.intervalSeconds = hc.intervalSeconds;
        if (hc.timeoutSeconds) healthCheck.timeoutSeconds = hc.timeoutSeconds;
        if (hc.healthyThresholdCount) healthCheck.healthyThresholdCount = hc.healthyThresholdCount;
        if (hc.unhealthyThresholdCount) healthCheck.unhealthyThresholdCount = hc.unhealthyThresholdCount;
        if (hc.matcher) healthCheck.matcher = hc.matcher;
      }
      const tg = await elb.createTargetGroup(
        {
          name: req.name,
          protocol: req.protocol as Protocol,
          port: req.port,
          ...(req.targetType !== '' ? { targetType: req.targetType as TargetType } : {}),
          ...(req.vpcId !== '' ? { vpcId: req.vpcId } : {}),
          healthCheck,
          ...(req.deregistrationDelaySeconds !== undefined ? { deregistrationDelaySeconds: req.deregistrationDelaySeconds } : {}),
        },
        signal,
      );
      return { targetGroup: tgToWire(tg, []) };
    }),
    describeTargetGroups: gatedUnaryHandler(log, faults, 'DescribeTargetGroups', async (req, signal) => {
      const [groups, lbs] = await Promise.all([
        elb.describeTargetGroups({ targetGroupArns: req.targetGroupArns, ...(req.loadBalancerArn !== '' ? { loadBalancerArn: req.loadBalancerArn } : {}) }, signal),
        elb.describeLoadBalancers({}, signal),
      ]);
      return { targetGroups: groups.map((tg) => tgToWire(tg, lbs)) };
    }),
    deleteTargetGroup: gatedUnaryHandler(log, faults, 'DeleteTargetGroup', async (req, signal) => {
      await elb.deleteTargetGroup({ targetGroupArn: req.targetGroupArn }, signal);
      return {};
    }),
    registerTargets: gatedUnaryHandler(log, faults, 'RegisterTargets', async (req, signal) => {
      await elb.registerTargets({ targetGroupArn: req.targetGroupArn, targets: targets(req.targets) }, signal);
      return {};
    }),
    deregisterTargets: gatedUnaryHandler(log, faults, 'DeregisterTargets', async (req, signal) => {
      await elb.deregisterTargets({ targetGroupArn: req.targetGroupArn, targets: targets(req.targets) }, signal);
      return {};
    }),
    describeTargetHealth: gatedUnaryHandler(log, faults, 'DescribeTargetHealth', async (req, signal) => {
      const list = await elb.describeTargetHealth({ targetGroupArn: req.targetGroupArn, targets: targets(req.targets) }, signal);
      return {
        targetHealthDescriptions: list.map((h) => ({ target: { id: h.target.id, port: h.target.port }, healthCheckPort: h.healthCheckPort, state: h.state, reason: h.reason ?? '', description: h.description ?? '' })),
      };
    }),
  };
}

function lbToWire(lb: LoadBalancer): ElbLoadBalancer {
  return {
    loadBalancerArn: lb.loadBalancerArn,
    loadBalancerName: lb.loadBalancerName,
    dnsName: lb.dnsName,
    canonicalHostedZoneId: lb.canonicalHostedZoneId,
    type: lb.type,
    scheme: lb.scheme,
    state: lb.state,
    availabilityZones: lb.availabilityZones,
    createdTime: lb.createdTime,
  };
}

function listenerToWire(loadBalancerArn: string, l: Listener): ElbListener {
  return { listenerArn: l.listenerArn, loadBalancerArn, port: l.port, protocol: l.protocol, defaultTargetGroupArn: l.defaultTargetGroupArn };
}

function tgToWire(tg: TargetGroup, lbs: readonly LoadBalancer[]): ElbTargetGroup {
  const hc: ElbHealthCheck = { ...tg.healthCheck, path: tg.healthCheck.path ?? '', matcher: tg.healthCheck.matcher ?? '' };
  return {
    targetGroupArn: tg.targetGroupArn,
    targetGroupName: tg.targetGroupName,
    protocol: tg.protocol,
    port: tg.port,
    targetType: tg.targetType,
    vpcId: tg.vpcId,
    healthCheck: hc,
    loadBalancerArns: lbs.filter((lb) => lb.listeners.some((l) => l.defaultTargetGroupArn === tg.targetGroupArn)).map((lb) => lb.loadBalancerArn),
    deregistrationDelaySeconds: tg.deregistrationDelaySeconds,
  };
}

/** Adds ElasticLoadBalancingService to `server` (the cloud service's gRPC server). */
export function registerElbService(server: Server, deps: ElbGrpcDeps): void {
  server.addService(ElasticLoadBalancingServiceService, createElbServer(deps));
}
