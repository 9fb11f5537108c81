// The ELBv2 API over the stored load balancers and target groups. Errors carry ELBv2's codes and messages
// (LoadBalancerNotFound, DuplicateLoadBalancerName, TargetGroupNotFound, DuplicateListener, InvalidTarget, …).
// Create calls are idempotent as on AWS: the same name with the same settings returns the existing resource.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '@ekslab/runtime';
import { AlreadyExistsError, ConflictError, NotFoundError } from '@ekslab/storage';
import type { EtcdStore } from '@ekslab/storage';
import { CloudApiError } from '../ports.js';
import type { Ec2Port, EventSink } from '../ports.js';
import { targetHealth } from './health.js';
import { canonicalHostedZoneId, checkLoadBalancerName, checkTargetGroupName, dnsName, listenerArn, loadBalancerArn, nameFromArn, targetGroupArn } from './names.js';
import type { Partition } from './names.js';
import type { HealthCheck, Listener, LoadBalancer, LoadBalancerType, Protocol, Scheme, TargetGroup, TargetHealthDescription, TargetType } from './types.js';

export const lbKey = (name: string): string => `/elb/loadbalancers/${name}`;
export const lbPrefix = '/elb/loadbalancers/';
export const tgKey = (name: string): string => `/elb/targetgroups/${name}`;
export const tgPrefix = '/elb/targetgroups/';

export interface ElbServiceOptions {
  readonly etcd: EtcdStore;
  readonly ec2: Ec2Port;
  readonly events: EventSink;
  readonly clock: Clock;
  /** provisioning → active after this long; default 60 s (AWS takes a few minutes). */
  readonly provisioningMs?: number;
  readonly region?: string;
  readonly accountId?: string;
}

export interface CreateLoadBalancerInput {
  readonly name: string;
  /** Default `application`, as the API's. */
  readonly type?: LoadBalancerType;
  /** Default `internet-facing`. */
  readonly scheme?: Scheme;
  readonly subnets: readonly string[];
}

export interface CreateTargetGroupInput {
  readonly name: string;
  readonly protocol: Protocol;
  readonly port: number;
  /** Default `instance`. */
  readonly targetType?: TargetType;
  readonly vpcId?: string;
  readonly healthCheck?: Partial<HealthCheck>;
  readonly deregistrationDelaySeconds?: number;
}

const err = (code: string, message: string): CloudApiError => new CloudApiError(code, message);
const NLB_PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'TCP_UDP', 'TLS'];
const ALB_PROTOCOLS: readonly Protocol[] = ['HTTP', 'HTTPS'];

/** ELBv2's defaults: TCP checks every 30 s (timeout 10 s) for NLB target groups, HTTP `/` every 30 s (timeout 5 s) for ALB ones. */
export function defaultHealthCheck(protocol: Protocol): HealthCheck {
  if (ALB_PROTOCOLS.includes(protocol)) {
    return { protocol, port: 'traffic-port', path: '/', intervalSeconds: 30, timeoutSeconds: 5, healthyThresholdCount: 5, unhealthyThresholdCount: 2, matcher: '200' };
  }
  return { protocol: protocol === 'UDP' || protocol === 'TCP_UDP' ? 'TCP' : protocol === 'TLS' ? 'TCP' : protocol, port: 'traffic-port', intervalSeconds: 30, timeoutSeconds: 10, healthyThresholdCount: 5, unhealthyThresholdCount: 2 };
}

export class ElbService {
  private readonly p: Partition;
  private readonly provisioningMs: number;

  constructor(private readonly o: ElbServiceOptions) {
    this.p = { region: o.region ?? 'us-east-1', accountId: o.accountId ?? '123456789012' };
    this.provisioningMs = o.provisioningMs ?? 60_000;
  }

  async createLoadBalancer(input: CreateLoadBalancerInput, signal: AbortSignal): Promise<LoadBalancer> {
    checkLoadBalancerName(input.name);
    const type = input.type ?? 'application';
    const scheme = input.scheme ?? 'internet-facing';
    const subnets = await this.o.ec2.describeSubnets({ subnetIds: input.subnets }, signal);
    const missing = input.subnets.find((id) => !subnets.some((s) => s.subnetId === id));
    if (missing !== undefined || input.subnets.length === 0) throw err('SubnetNotFound', `The subnet ID '${missing ?? ''}' was not found`);
    const zones = new Map<string, string>();
    for (const id of input.subnets) {
      const az = subnets.find((s) => s.subnetId === id)!.availabilityZone;
      if (zones.has(az)) throw err('InvalidConfigurationRequest', `A load balancer cannot be attached to multiple subnets in the same Availability Zone`);
      zones.set(az, id);
    }
    if (type === 'application' && zones.size < 2) throw err('ValidationError', 'At least two subnets in two different Availability Zones must be specified');

    const now = this.o.clock.now();
    const id = randomBytes(8).toString('hex');
    const arn = loadBalancerArn(this.p, type, input.name, id);
    const lb: LoadBalancer = {
      metadata: { name: input.name, uid: randomUUID() },
      loadBalancerArn: arn,
      loadBalancerName: input.name,
      dnsName: dnsName(this.p, type, scheme, input.name, id),
      canonicalHostedZoneId: canonicalHostedZoneId(type),
      type,
      scheme,
      state: 'provisioning',
      availabilityZones: [...zones].map(([zoneName, subnetId]) => ({ zoneName, subnetId })),
      createdTime: new Date(now).toISOString(),
      activeAt: now + this.provisioningMs,
      listeners: [],
    };
    try {
      const created = await this.o.etcd.create(lbKey(input.name), lb, { signal });
      await this.publishState(created, signal);
      return created;
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
      const existing = await this.o.etcd.get<LoadBalancer>(lbKey(input.name), { signal });
      const same = existing.type === type && existing.scheme === scheme && existing.availabilityZones.map((z) => z.subnetId).sort().join() === [...input.subnets].sort().join();
      if (same) return existing;
      throw err('DuplicateLoadBalancerName', 'A load balancer with the same name exists, but with different settings');
    }
  }

  /** Every load balancer, or the named / ARN'd ones (LoadBalancerNotFound if one is missing). */
  async describeLoadBalancers(input: { names?: readonly string[]; loadBalancerArns?: readonly string[] }, signal: AbortSignal): Promise<LoadBalancer[]> {
    const all = (await this.o.etcd.list<LoadBalancer>(lbPrefix, { signal })).items;
    if (input.names?.length) {
      const missing = input.names.filter((n) => !all.some((lb) => lb.loadBalancerName === n));
      if (missing.length) throw err('LoadBalancerNotFound', `Load balancers '[${missing.join(', ')}]' not found`);
      return all.filter((lb) => input.names!.includes(lb.loadBalancerName));
    }
    if (input.loadBalancerArns?.length) {
      const missing = input.loadBalancerArns.filter((a) => !all.some((lb) => lb.loadBalancerArn === a));
      if (missing.length) throw err('LoadBalancerNotFound', `One or more load balancers not found`);
      return all.filter((lb) => input.loadBalancerArns!.includes(lb.loadBalancerArn));
    }
    return all;
  }

  /** Idempotent as on AWS: deleting a load balancer that does not exist succeeds. Its target groups remain. */
  async deleteLoadBalancer(input: { loadBalancerArn: string }, signal: AbortSignal): Promise<void> {
    const name = nameFromArn(input.loadBalancerArn, 'loadbalancer');
    if (name === undefined) throw err('ValidationError', `'${input.loadBalancerArn}' is not a valid load balancer ARN`);
    let lb: LoadBalancer;
    try {
      lb = await this.o.etcd.get<LoadBalancer>(lbKey(name), { signal });
      if (lb.loadBalancerArn !== input.loadBalancerArn) return;
      lb = await this.o.etcd.delete<LoadBalancer>(lbKey(name), { signal, preconditions: { uid: lb.metadata.uid } });
    } catch (e) {
      if (e instanceof NotFoundError || (e instanceof Error && e.name === 'PreconditionFailedError')) return;
      throw e;
    }
    await this.o.events.publish({ kind: 'load-balancer-state', loadBalancerArn: lb.loadBalancerArn, loadBalancerName: lb.loadBalancerName, dnsName: lb.dnsName, type: lb.type, state: 'deleted' }, signal);
  }

  async createListener(input: { loadBalancerArn: string; port: number; protocol: Protocol; defaultTargetGroupArn: string }, signal: AbortSignal): Promise<Listener> {
    if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) throw err('ValidationError', `1 validation error detected: Value '${input.port}' at 'port' failed to satisfy constraint: Member must have value less than or equal to 65535`);
    const tg = await this.targetGroupByArn(input.defaultTargetGroupArn, signal);
    let listener: Listener | undefined;
    await this.mutateLb(input.loadBalancerArn, signal, async (lb) => {
      const allowed = lb.type === 'network' ? NLB_PROTOCOLS : ALB_PROTOCOLS;
      if (!allowed.includes(input.protocol)) throw err('ValidationError', `Listener protocol '${input.protocol}' must be one of '${allowed.join(', ')}'`);
      const existing = lb.listeners.find((l) => l.port === input.port);
      if (existing) {
        if (existing.protocol === input.protocol && existing.defaultTargetGroupArn === input.defaultTargetGroupArn) return ((listener = existing), lb);
        throw err('DuplicateListener', 'A listener already exists on this port for this load balancer');
      }
      const other = await this.loadBalancersUsing(tg.targetGroupArn, signal);
      if (other.some((o) => o.loadBalancerArn !== lb.loadBalancerArn)) {
        throw err('TargetGroupAssociationLimit', `The following target groups cannot be associated with more than one load balancer: ${tg.targetGroupArn}`);
      }
      listener = { listenerArn: listenerArn(lb.loadBalancerArn, randomBytes(8).toString('hex')), port: input.port, protocol: input.protocol, defaultTargetGroupArn: tg.targetGroupArn };
      lb.listeners.push(listener);
      return lb;
    });
    return listener!;
  }

  async describeListeners(input: { loadBalancerArn: string }, signal: AbortSignal): Promise<Listener[]> {
    return (await this.lbByArn(input.loadBalancerArn, signal)).listeners;
  }

  async deleteListener(input: { listenerArn: string }, signal: AbortSignal): Promise<void> {
    const name = nameFromArn(input.listenerArn, 'listener');
    const lbArn = input.listenerArn.replace(':listener/', ':loadbalancer/').replace(/\/[0-9a-f]+$/, '');
    if (name === undefined) throw err('ListenerNotFound', 'One or more listeners not found');
    await this.mutateLb(lbArn, signal, (lb) => {
      if (!lb.listeners.some((l) => l.listenerArn === input.listenerArn)) throw err('ListenerNotFound', 'One or more listeners not found');
      lb.listeners = lb.listeners.filter((l) => l.listenerArn !== input.listenerArn);
      return lb;
    });
  }

  async createTargetGroup(input: CreateTargetGroupInput, signal: AbortSignal): Promise<TargetGroup> {
    checkTargetGroupName(input.name);
    if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) throw err('ValidationError', `1 validation error detected: Value '${input.port}' at 'port' failed to satisfy constraint: Member must have value less than or equal to 65535`);
    const healthCheck = { ...defaultHealthCheck(input.protocol), ...input.healthCheck };
    const id = randomBytes(8).toString('hex');
    const tg: TargetGroup = {
      metadata: { name: input.name, uid: randomUUID() },
      targetGroupArn: targetGroupArn(this.p, input.name, id),
      targetGroupName: input.name,
      protocol: input.protocol,
      port: input.port,
      targetType: input.targetType ?? 'instance',
      vpcId: input.vpcId ?? 'vpc-0ekslab',
      healthCheck,
      deregistrationDelaySeconds: input.deregistrationDelaySeconds ?? 300,
      targets: [],
    };
    try {
      return await this.o.etcd.create(tgKey(input.name), tg, { signal });
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
      const existing = await this.o.etcd.get<TargetGroup>(tgKey(input.name), { signal });
      const same = existing.protocol === tg.protocol && existing.port === tg.port && existing.targetType === tg.targetType && JSON.stringify(existing.healthCheck) === JSON.stringify(tg.healthCheck);
      if (same) return existing;
      throw err('DuplicateTargetGroupName', `A target group with the same name '${input.name}' exists, but with different settings`);
    }
  }

  async describeTargetGroups(input: { targetGroupArns?: readonly string[]; loadBalancerArn?: string }, signal: AbortSignal): Promise<TargetGroup[]> {
    const all = (await this.o.etcd.list<TargetGroup>(tgPrefix, { signal })).items;
    if (input.targetGroupArns?.length) {
      const missing = input.targetGroupArns.filter((a) => !all.some((t) => t.targetGroupArn === a));
      if (missing.length) throw err('TargetGroupNotFound', `Target groups '[${missing.join(', ')}]' not found`);
      return all.filter((t) => input.targetGroupArns!.includes(t.targetGroupArn));
    }
    if (input.loadBalancerArn) {
      const lb = await this.lbByArn(input.loadBalancerArn, signal);
      return all.filter((t) => lb.listeners.some((l) => l.defaultTargetGroupArn === t.targetGroupArn));
    }
    return all;
  }

  async deleteTargetGroup(input: { targetGroupArn: string }, signal: AbortSignal): Promise<void> {
    const tg = await this.targetGroupByArn(input.targetGroupArn, signal).catch((e: unknown) => {
      if (e instanceof CloudApiError && e.code === 'TargetGroupNotFound') return undefined;
      throw e;
    });
    if (!tg) return;
    if ((await this.loadBalancersUsing(tg.targetGroupArn, signal)).length > 0) {
      throw err('ResourceInUse', `Target group '${tg.targetGroupArn}' is currently in use by a listener or a rule`);
    }
    await this.o.etcd.delete(tgKey(tg.targetGroupName), { signal, preconditions: { uid: tg.metadata.uid } }).catch((e: unknown) => {
      if (!(e instanceof NotFoundError)) throw e;
    });
  }

  /** Instance targets must be existing instances; ip targets IPv4 addresses. Registering again keeps the first registration time. */
  async registerTargets(input: { targetGroupArn: string; targets: ReadonlyArray<{ id: string; port?: number }> }, signal: AbortSignal): Promise<void> {
    const tg0 = await this.targetGroupByArn(input.targetGroupArn, signal);
    if (tg0.targetType === 'instance') {
      const states = await instanceStates(this.o.ec2, input.targets.map((t) => t.id), signal);
      const found = new Set([...states].filter(([, state]) => state !== 'terminated').map(([id]) => id));
      const bad = input.targets.filter((t) => !found.has(t.id)).map((t) => `'${t.id}'`);
      if (bad.length) throw err('InvalidTarget', `The following targets are not valid instances: ${bad.join(', ')}`);
    } else {
      const bad = input.targets.filter((t) => !isIpv4(t.id)).map((t) => `'${t.id}'`);
      if (bad.length) throw err('InvalidTarget', `The IP address ${bad.join(', ')} is not a valid IPv4 address`);
    }
    const now = this.o.clock.now();
    const tg = await this.mutateTg(tg0, signal, (g) => {
      g.targets = prune(g, now);
      for (const t of input.targets) {
        const port = t.port ?? g.port;
        const i = g.targets.findIndex((x) => x.id === t.id && x.port === port);
        if (i >= 0 && g.targets[i]!.deregisteredAt === undefined) continue;
        if (i >= 0) g.targets.splice(i, 1);
        g.targets.push({ id: t.id, port, registeredAt: now });
      }
      return g;
    });
    await this.o.events.publish({ kind: 'targets', targetGroupArn: tg.targetGroupArn, action: 'registered', targets: input.targets.map((t) => ({ id: t.id, port: t.port ?? tg.port })) }, signal);
  }

  /** Deregistered targets drain for the group's deregistration delay (DescribeTargetHealth: draining), then disappear. */
  async deregisterTargets(input: { targetGroupArn: string; targets: ReadonlyArray<{ id: string; port?: number }> }, signal: AbortSignal): Promise<void> {
    const tg0 = await this.targetGroupByArn(input.targetGroupArn, signal);
    const now = this.o.clock.now();
    const tg = await this.mutateTg(tg0, signal, (g) => {
      g.targets = prune(g, now);
      for (const t of input.targets) {
        const x = g.targets.find((r) => r.id === t.id && r.port === (t.port ?? g.port) && r.deregisteredAt === undefined);
        if (!x) throw err('InvalidTarget', `The following targets are not registered in target group '${g.targetGroupArn}': '${t.id}'`);
        if (g.deregistrationDelaySeconds === 0) g.targets = g.targets.filter((r) => r !== x);
        else x.deregisteredAt = now;
      }
      return g;
    });
    await this.o.events.publish({ kind: 'targets', targetGroupArn: tg.targetGroupArn, action: 'deregistered', targets: input.targets.map((t) => ({ id: t.id, port: t.port ?? tg.port })) }, signal);
  }

  async describeTargetHealth(input: { targetGroupArn: string; targets?: ReadonlyArray<{ id: string; port?: number }> }, signal: AbortSignal): Promise<TargetHealthDescription[]> {
    const tg = await this.targetGroupByArn(input.targetGroupArn, signal);
    const lbs = (await this.loadBalancersUsing(tg.targetGroupArn, signal)).filter((lb) => lb.state === 'active');
    const states = tg.targetType === 'instance' && tg.targets.length > 0 ? await instanceStates(this.o.ec2, tg.targets.map((t) => t.id), signal) : new Map<string, InstanceStateOf>();
    return targetHealth(tg, lbs, states, this.o.clock.now(), input.targets);
  }

  /** Moves load balancers whose provisioning time is up to `active` (the CAS winner publishes the event). */
  async activateDue(signal: AbortSignal): Promise<number> {
    const now = this.o.clock.now();
    let n = 0;
    for (const lb of (await this.o.etcd.list<LoadBalancer>(lbPrefix, { signal })).items) {
      if (lb.state !== 'provisioning' || lb.activeAt > now) continue;
      try {
        const active = await this.o.etcd.update(lbKey(lb.loadBalancerName), { ...lb, state: 'active' as const }, { signal });
        await this.publishState(active, signal);
        n++;
      } catch (e) {
        if (!(e instanceof ConflictError || e instanceof NotFoundError)) throw e;
      }
    }
    return n;
  }

  /**
   * Runs {@link activateDue} every `intervalMs` (default 1 s) until `signal` aborts, then resolves. Every replica
   * may run it (no leader election: the activation is a CAS update). A failed pass goes to `onError` and is
   * retried on the next one.
   */
  async start(signal: AbortSignal, intervalMs = 1000, onError?: (err: unknown) => void): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.activateDue(signal);
        await this.o.clock.sleep(intervalMs, signal);
      } catch (e) {
        if (signal.aborted) return;
        onError?.(e);
      }
    }
  }

  private async publishState(lb: LoadBalancer, signal: AbortSignal): Promise<void> {
    await this.o.events.publish({ kind: 'load-balancer-state', loadBalancerArn: lb.loadBalancerArn, loadBalancerName: lb.loadBalancerName, dnsName: lb.dnsName, type: lb.type, state: lb.state }, signal);
  }

  private async lbByArn(arn: string, signal: AbortSignal): Promise<LoadBalancer> {
    const name = nameFromArn(arn, 'loadbalancer');
    const lb = name === undefined ? undefined : await this.o.etcd.get<LoadBalancer>(lbKey(name), { signal }).catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e as Error)));
    if (!lb || lb.loadBalancerArn !== arn) throw err('LoadBalancerNotFound', 'One or more load balancers not found');
    return lb;
  }

  private async targetGroupByArn(arn: string, signal: AbortSignal): Promise<TargetGroup> {
    const name = nameFromArn(arn, 'targetgroup');
    const tg = name === undefined ? undefined : await this.o.etcd.get<TargetGroup>(tgKey(name), { signal }).catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e as Error)));
    if (!tg || tg.targetGroupArn !== arn) throw err('TargetGroupNotFound', `Target groups '${arn}' not found`);
    return tg;
  }

  private async loadBalancersUsing(tgArn: string, signal: AbortSignal): Promise<LoadBalancer[]> {
    return (await this.o.etcd.list<LoadBalancer>(lbPrefix, { signal })).items.filter((lb) => lb.listeners.some((l) => l.defaultTargetGroupArn === tgArn));
  }

  private async mutateLb(arn: string, signal: AbortSignal, change: (lb: LoadBalancer) => LoadBalancer | Promise<LoadBalancer>): Promise<LoadBalancer> {
    const lb = await this.lbByArn(arn, signal);
    return this.o.etcd
      .guaranteedUpdate<LoadBalancer>(
        lbKey(lb.loadBalancerName),
        (cur) => {
          if (cur.loadBalancerArn !== arn) throw err('LoadBalancerNotFound', 'One or more load balancers not found');
          return change(cur);
        },
        { signal },
      )
      .catch((e: unknown) => Promise.reject(e instanceof NotFoundError ? err('LoadBalancerNotFound', 'One or more load balancers not found') : (e as Error)));
  }

  private async mutateTg(tg: TargetGroup, signal: AbortSignal, change: (tg: TargetGroup) => TargetGroup): Promise<TargetGroup> {
    const notFound = (): CloudApiError => err('TargetGroupNotFound', `Target groups '${tg.targetGroupArn}' not found`);
    return this.o.etcd
      .guaranteedUpdate<TargetGroup>(
        tgKey(tg.targetGroupName),
        (cur) => {
          if (cur.targetGroupArn !== tg.targetGroupArn) throw notFound();
          return change(cur);
        },
        { signal },
      )
      .catch((e: unknown) => Promise.reject(e instanceof NotFoundError ? notFound() : (e as Error)));
  }
}

type InstanceStateOf = Awaited<ReturnType<Ec2Port['describeInstances']>>[number]['state'];

/**
 * The state of each instance that exists. EC2 fails a whole DescribeInstances with InvalidInstanceID.NotFound
 * when one id is unknown; then each is asked alone.
 */
async function instanceStates(ec2: Ec2Port, ids: readonly string[], signal: AbortSignal): Promise<Map<string, InstanceStateOf>> {
  const out = new Map<string, InstanceStateOf>();
  const notFound = (e: unknown): boolean => e instanceof CloudApiError && e.code === 'InvalidInstanceID.NotFound';
  try {
    for (const i of await ec2.describeInstances({ instanceIds: ids }, signal)) out.set(i.instanceId, i.state);
  } catch (e) {
    if (!notFound(e)) throw e;
    for (const id of new Set(ids)) {
      const [i] = await ec2.describeInstances({ instanceIds: [id] }, signal).catch((e2: unknown) => (notFound(e2) ? [] : Promise.reject(e2 as Error)));
      if (i) out.set(i.instanceId, i.state);
    }
  }
  return out;
}

/** Drops targets whose draining is over. */
function prune(tg: TargetGroup, now: number): TargetGroup['targets'] {
  return tg.targets.filter((t) => t.deregisteredAt === undefined || t.deregisteredAt + tg.deregistrationDelaySeconds * 1000 > now);
}

function isIpv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}
