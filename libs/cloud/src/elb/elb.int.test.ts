import { EtcdStore } from '@ekslab/storage';
import { useEtcdCluster } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeEc2, ManualClock, RecordingEvents } from '../ec2.fixture.js';
import { ElbService } from './service.js';

const signal = new AbortController().signal;
const subnets = ['subnet-us-east-1a', 'subnet-us-east-1b', 'subnet-us-east-1c'];

describe('ELB on real etcd', () => {
  const etcd = useEtcdCluster({ members: 1 });
  let etcdStore: EtcdStore;
  beforeAll(() => {
    etcdStore = new EtcdStore({ endpoints: etcd().endpoints, prefix: '/ekslab-cloud' });
  });
  afterAll(() => etcdStore.close());

  function setup() {
    const clock = new ManualClock();
    const ec2 = new FakeEc2();
    const events = new RecordingEvents();
    const elb = new ElbService({ etcd: etcdStore, ec2, events, clock, provisioningMs: 30_000 });
    return { clock, ec2, events, elb, replica: () => new ElbService({ etcd: etcdStore, ec2, events, clock, provisioningMs: 30_000 }) };
  }

  it('elb — an NLB named by the AWS Load Balancer Controller: ARN, DNS name, provisioning → active with events', async () => {
    const { elb, events, clock, replica } = setup();
    const lb = await elb.createLoadBalancer({ name: 'k8s-default-web-0a1b2c3d4e', type: 'network', scheme: 'internet-facing', subnets }, signal);
    expect(lb.loadBalancerArn).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/net\/k8s-default-web-0a1b2c3d4e\/[0-9a-f]{16}$/);
    expect(lb.dnsName).toMatch(/^k8s-default-web-0a1b2c3d4e-[0-9a-f]{16}\.elb\.us-east-1\.amazonaws\.com$/);
    expect(/-([0-9a-f]{16})\.elb\./.exec(lb.dnsName)?.[1]).toBe(lb.loadBalancerArn.split('/').pop());
    expect(lb).toMatchObject({ state: 'provisioning', type: 'network', scheme: 'internet-facing', canonicalHostedZoneId: 'Z26RNL4JYFTOTI' });
    expect(lb.availabilityZones.map((z) => z.zoneName)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);

    expect(await elb.activateDue(signal)).toBe(0);
    clock.t += 30_000;
    // Two replicas activate at once: exactly one wins and publishes.
    const counts = await Promise.all([elb.activateDue(signal), replica().activateDue(signal)]);
    expect(counts.reduce((a, b) => a + b)).toBe(1);
    const [now] = await elb.describeLoadBalancers({ names: [lb.loadBalancerName] }, signal);
    expect(now!.state).toBe('active');
    const states = events.events.filter((e) => e.kind === 'load-balancer-state' && e.loadBalancerArn === lb.loadBalancerArn).map((e) => e.state);
    expect(states).toEqual(['provisioning', 'active']);

    await elb.deleteLoadBalancer({ loadBalancerArn: lb.loadBalancerArn }, signal);
    await elb.deleteLoadBalancer({ loadBalancerArn: lb.loadBalancerArn }, signal); // idempotent
    await expect(elb.describeLoadBalancers({ names: [lb.loadBalancerName] }, signal)).rejects.toMatchObject({ code: 'LoadBalancerNotFound' });
    expect(events.events.filter((e) => e.kind === 'load-balancer-state' && e.loadBalancerArn === lb.loadBalancerArn).map((e) => e.state)).toEqual(['provisioning', 'active', 'deleted']);
  });

  it('elb — ALB DNS names; duplicate names: same settings are idempotent, different ones DuplicateLoadBalancerName', async () => {
    const { elb } = setup();
    const alb = await elb.createLoadBalancer({ name: 'internal-app', type: 'application', scheme: 'internal', subnets }, signal).catch((e: unknown) => e);
    expect(alb).toMatchObject({ code: 'ValidationError', message: "The load balancer name 'internal-app' cannot begin with 'internal-'" });
    const a = await elb.createLoadBalancer({ name: 'app', type: 'application', scheme: 'internal', subnets: subnets.slice(0, 2) }, signal);
    expect(a.dnsName).toMatch(/^internal-app-\d{10}\.us-east-1\.elb\.amazonaws\.com$/);
    expect(a.loadBalancerArn).toContain(':loadbalancer/app/app/');
    const again = await elb.createLoadBalancer({ name: 'app', type: 'application', scheme: 'internal', subnets: subnets.slice(0, 2) }, signal);
    expect(again.loadBalancerArn).toBe(a.loadBalancerArn);
    await expect(elb.createLoadBalancer({ name: 'app', type: 'network', subnets }, signal)).rejects.toMatchObject({
      code: 'DuplicateLoadBalancerName',
      message: 'A load balancer with the same name exists, but with different settings',
    });
    await expect(elb.createLoadBalancer({ name: 'one-az', type: 'application', subnets: subnets.slice(0, 1) }, signal)).rejects.toMatchObject({
      message: 'At least two subnets in two different Availability Zones must be specified',
    });
    await expect(elb.createLoadBalancer({ name: 'x'.repeat(33), type: 'network', subnets }, signal)).rejects.toMatchObject({ code: 'ValidationError' });
  });

  it('elb — listeners, target groups and target health: initial → healthy after interval × threshold; unused, unhealthy, draining', async () => {
    const { elb, ec2, clock, events } = setup();
    const lb = await elb.createLoadBalancer({ name: 'k8s-shop-cart-1234567890', type: 'network', subnets }, signal);
    const tg = await elb.createTargetGroup({ name: 'k8s-shop-cart-abcdef0123', protocol: 'TCP', port: 30080, targetType: 'instance', healthCheck: { intervalSeconds: 10, healthyThresholdCount: 3 } }, signal);
    expect(tg.targetGroupArn).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup\/k8s-shop-cart-abcdef0123\/[0-9a-f]{16}$/);
    expect(tg.healthCheck).toMatchObject({ protocol: 'TCP', port: 'traffic-port', intervalSeconds: 10, timeoutSeconds: 10, healthyThresholdCount: 3, unhealthyThresholdCount: 2 });
    await expect(elb.createTargetGroup({ name: 'k8s-shop-cart-abcdef0123', protocol: 'TCP', port: 8080 }, signal)).rejects.toMatchObject({ code: 'DuplicateTargetGroupName' });

    const [i1, i2] = await ec2.runInstances({ instanceType: 'm5.large', subnetId: subnets[0]!, count: 2 });
    await elb.registerTargets({ targetGroupArn: tg.targetGroupArn, targets: [{ id: i1!.instanceId }, { id: i2!.instanceId }] }, signal);
    expect(events.events.find((e) => e.kind === 'targets')).toMatchObject({ action: 'registered', targetGroupArn: tg.targetGroupArn, targets: [{ id: i1!.instanceId, port: 30080 }, { id: i2!.instanceId, port: 30080 }] });
    await expect(elb.registerTargets({ targetGroupArn: tg.targetGroupArn, targets: [{ id: 'i-0000000000000beef' }] }, signal)).rejects.toMatchObject({ code: 'InvalidTarget' });

    // Not behind a listener yet.
    expect((await elb.describeTargetHealth({ targetGroupArn: tg.targetGroupArn }, signal)).map((h) => h.reason)).toEqual(['Target.NotInUse', 'Target.NotInUse']);

    const listener = await elb.createListener({ loadBalancerArn: lb.loadBalancerArn, port: 80, protocol: 'TCP', defaultTargetGroupArn: tg.targetGroupArn }, signal);
    expect(listener.listenerArn).toMatch(/:listener\/net\/k8s-shop-cart-1234567890\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    await expect(elb.createListener({ loadBalancerArn: lb.loadBalancerArn, port: 80, protocol: 'UDP', defaultTargetGroupArn: tg.targetGroupArn }, signal)).rejects.toMatchObject({ code: 'DuplicateListener' });
    clock.t = lb.activeAt;
    await elb.activateDue(signal);
    const activeAt = lb.activeAt; // health checks start when the load balancer is active

    const health = async () => (await elb.describeTargetHealth({ targetGroupArn: tg.targetGroupArn }, signal)).map((h) => [h.target.id, h.state, h.reason ?? '']);
    expect(await health()).toEqual([[i1!.instanceId, 'initial', 'Elb.RegistrationInProgress'], [i2!.instanceId, 'initial', 'Elb.RegistrationInProgress']]);
    clock.t = activeAt + 29_999;
    expect((await health())[0]![1]).toBe('initial');
    clock.t = activeAt + 30_000;
    expect(await health()).toEqual([[i1!.instanceId, 'healthy', ''], [i2!.instanceId, 'healthy', '']]);

    await ec2.terminateInstances([i2!.instanceId]);
    expect((await health())[1]).toEqual([i2!.instanceId, 'unhealthy', 'Target.InvalidState']);
    const asked = await elb.describeTargetHealth({ targetGroupArn: tg.targetGroupArn, targets: [{ id: 'i-0000000000000cafe' }] }, signal);
    expect(asked[0]).toMatchObject({ state: 'unused', reason: 'Target.NotRegistered', healthCheckPort: '30080' });

    await elb.deregisterTargets({ targetGroupArn: tg.targetGroupArn, targets: [{ id: i1!.instanceId }] }, signal);
    expect(events.events.filter((e) => e.kind === 'targets').at(-1)).toMatchObject({ action: 'deregistered', targets: [{ id: i1!.instanceId, port: 30080 }] });
    expect((await health())[0]).toEqual([i1!.instanceId, 'draining', 'Target.DeregistrationInProgress']);
    clock.t += 300_000;
    expect((await health()).map((h) => h[0])).toEqual([i2!.instanceId]);

    await expect(elb.deleteTargetGroup({ targetGroupArn: tg.targetGroupArn }, signal)).rejects.toMatchObject({ code: 'ResourceInUse' });
    await elb.deleteListener({ listenerArn: listener.listenerArn }, signal);
    await elb.deleteTargetGroup({ targetGroupArn: tg.targetGroupArn }, signal);
    await expect(elb.describeTargetHealth({ targetGroupArn: tg.targetGroupArn }, signal)).rejects.toMatchObject({ code: 'TargetGroupNotFound' });
  });

  it('elb — ip targets: valid IPv4 only, healthy after the default 30 s × 5', async () => {
    const { elb, clock } = setup();
    const lb = await elb.createLoadBalancer({ name: 'ip-lb', type: 'network', subnets }, signal);
    const tg = await elb.createTargetGroup({ name: 'ip-tg', protocol: 'TCP', port: 8080, targetType: 'ip' }, signal);
    await elb.createListener({ loadBalancerArn: lb.loadBalancerArn, port: 443, protocol: 'TCP', defaultTargetGroupArn: tg.targetGroupArn }, signal);
    await expect(elb.registerTargets({ targetGroupArn: tg.targetGroupArn, targets: [{ id: '10.0.1.300' }] }, signal)).rejects.toMatchObject({ code: 'InvalidTarget' });
    clock.t += 60_000;
    await elb.activateDue(signal);
    await elb.registerTargets({ targetGroupArn: tg.targetGroupArn, targets: [{ id: '10.0.1.23', port: 8080 }] }, signal);
    clock.t += 149_000;
    expect((await elb.describeTargetHealth({ targetGroupArn: tg.targetGroupArn }, signal))[0]!.state).toBe('initial');
    clock.t += 1_000;
    expect((await elb.describeTargetHealth({ targetGroupArn: tg.targetGroupArn }, signal))[0]!.state).toBe('healthy');
  });

  it('elb — concurrent RegisterTargets through two replicas lose no target (CAS updates)', async () => {
    const { elb, replica } = setup();
    const other = replica();
    const tg = await elb.createTargetGroup({ name: 'race-tg', protocol: 'TCP', port: 80, targetType: 'ip' }, signal);
    const ips = Array.from({ length: 20 }, (_, n) => `10.0.2.${n + 10}`);
    await Promise.all(ips.map((id, n) => (n % 2 === 0 ? elb : other).registerTargets({ targetGroupArn: tg.targetGroupArn, targets: [{ id }] }, signal)));
    const [stored] = await elb.describeTargetGroups({ targetGroupArns: [tg.targetGroupArn] }, signal);
    expect(stored!.targets.map((t) => t.id).sort()).toEqual([...ips].sort());
  });
});
