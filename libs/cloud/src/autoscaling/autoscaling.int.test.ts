import { EtcdStore } from '@ekslab/storage';
import { useEtcdCluster, waitFor } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudApiError } from '../ports.js';
import { FakeEc2, ManualClock, RecordingEvents } from '../ec2.fixture.js';
import { createAutoScaling } from './module.js';
import { createNodegroup } from './nodegroup.js';
import { AutoScalingReconciler } from './reconciler.js';
import { AutoScalingService } from './service.js';
import { AsgStore } from './store.js';

const signal = new AbortController().signal;
const subnets = ['subnet-us-east-1a', 'subnet-us-east-1b', 'subnet-us-east-1c'];

describe('Auto Scaling on real etcd', () => {
  const etcd = useEtcdCluster({ members: 1 });
  let etcdStore: EtcdStore;
  beforeAll(() => {
    etcdStore = new EtcdStore({ endpoints: etcd().endpoints, prefix: '/ekslab-cloud' });
  });
  afterAll(() => etcdStore.close());

  function setup(ec2 = new FakeEc2()) {
    const clock = new ManualClock();
    const events = new RecordingEvents();
    const store = new AsgStore(etcdStore);
    const api = new AutoScalingService({ store, ec2, events, clock });
    const replica = (owner: string) => new AutoScalingReconciler({ store, ec2, events, clock, owner, zoneBackoffMs: 60_000 });
    return { ec2, clock, events, store, api, replica, reconciler: replica('cloud-a') };
  }
  const create = (api: AutoScalingService, name: string, desired: number, extra: { minSize?: number; maxSize?: number } = {}) =>
    api.createAutoScalingGroup({ autoScalingGroupName: name, minSize: extra.minSize ?? 0, maxSize: extra.maxSize ?? 10, desiredCapacity: desired, vpcZoneIdentifier: subnets, instanceTypes: ['m5.large'] }, signal);

  it('autoscaling — desired 6 over 3 AZs → 2 per AZ, one activity per launch with the AWS cause', async () => {
    const { api, ec2, reconciler, events, clock } = setup();
    await create(api, 'six', 6);
    await reconciler.reconcile('six', signal);
    expect(ec2.liveByZone()).toEqual({ 'us-east-1a': 2, 'us-east-1b': 2, 'us-east-1c': 2 });
    const [g] = await api.describeAutoScalingGroups({ autoScalingGroupNames: ['six'] }, signal);
    expect(g!.instances).toHaveLength(6);
    expect(g!.instances.every((i) => i.lifecycleState === 'InService' && i.healthStatus === 'Healthy')).toBe(true);
    const acts = await api.describeScalingActivities({ autoScalingGroupName: 'six' }, signal);
    expect(acts).toHaveLength(6);
    expect(acts.every((a) => a.statusCode === 'Successful' && /^Launching a new EC2 instance: i-[0-9a-f]{17}$/.test(a.description))).toBe(true);
    const t = new Date(clock.t).toISOString().replace('.000', '');
    const first = acts[acts.length - 1]!;
    expect(first.cause).toBe(
      `At ${t} a user request created an AutoScalingGroup changing the desired capacity from 0 to 6.  At ${t} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 0 to 1.`,
    );
    expect(acts[0]!.cause).toBe(`At ${t} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 5 to 6.`);
    const published = events.events.filter((e) => e.kind === 'scaling-activity' && e.autoScalingGroupName === 'six');
    expect(published.filter((e) => e.statusCode === 'Successful')).toHaveLength(6);
    expect(published.filter((e) => e.statusCode === 'InProgress')).toHaveLength(6);
    expect(ec2.instances.get(first.instanceId!)!.tags).toMatchObject({ 'aws:autoscaling:groupName': 'six' });
  });

  it('autoscaling — an impaired AZ: launches go to the others; after recovery the group rebalances to 2/2/2, launching first', async () => {
    const { api, ec2, reconciler, clock } = setup();
    ec2.impaired.add('us-east-1c');
    await create(api, 'impaired', 6);
    await reconciler.reconcile('impaired', signal);
    expect(ec2.liveByZone()).toEqual({ 'us-east-1a': 3, 'us-east-1b': 3, 'us-east-1c': 0 });
    expect((await api.describeScalingActivities({ autoScalingGroupName: 'impaired' }, signal)).every((a) => a.statusCode === 'Successful')).toBe(true);

    // Still impaired after the backoff: the rebalance launch fails (a Failed activity), nothing is terminated.
    clock.t += 60_000;
    await reconciler.reconcile('impaired', signal);
    expect(ec2.liveByZone()).toEqual({ 'us-east-1a': 3, 'us-east-1b': 3, 'us-east-1c': 0 });
    const failed = (await api.describeScalingActivities({ autoScalingGroupName: 'impaired' }, signal))[0]!;
    expect(failed).toMatchObject({ statusCode: 'Failed' });
    expect(failed.statusMessage).toContain('We currently do not have sufficient m5.large capacity in the Availability Zone you requested (us-east-1c).');

    ec2.impaired.delete('us-east-1c');
    clock.t += 60_000;
    await reconciler.reconcile('impaired', signal);
    expect(ec2.liveByZone()).toEqual({ 'us-east-1a': 2, 'us-east-1b': 2, 'us-east-1c': 2 });
    const recent = (await api.describeScalingActivities({ autoScalingGroupName: 'impaired' }, signal)).slice(0, 4).reverse();
    expect(recent.map((a) => [a.description.split(':')[0], a.availabilityZone])).toEqual([
      ['Launching a new EC2 instance', 'us-east-1c'],
      ['Terminating EC2 instance', 'us-east-1a'], // tied with 1b at 3: the oldest instance
      ['Launching a new EC2 instance', 'us-east-1c'],
      ['Terminating EC2 instance', 'us-east-1b'],
    ]);
    expect(recent[0]!.cause).toContain('an instance was started in response to an Availability Zone rebalancing operation, increasing the capacity from 6 to 7.');
    expect(recent[1]!.cause).toContain('an instance was taken out of service in response to an Availability Zone rebalancing operation, shrinking the capacity from 7 to 6.');
  });

  it('autoscaling — SetDesiredCapacity scales in from the fullest AZs with the user request in the cause', async () => {
    const { api, ec2, reconciler, clock } = setup();
    await create(api, 'shrink', 4);
    await reconciler.reconcile('shrink', signal);
    expect(ec2.liveByZone()).toEqual({ 'us-east-1a': 2, 'us-east-1b': 1, 'us-east-1c': 1 });
    await api.setDesiredCapacity({ autoScalingGroupName: 'shrink', desiredCapacity: 3 }, signal);
    await reconciler.reconcile('shrink', signal);
    expect(ec2.liveByZone()).toEqual({ 'us-east-1a': 1, 'us-east-1b': 1, 'us-east-1c': 1 });
    const [last] = await api.describeScalingActivities({ autoScalingGroupName: 'shrink' }, signal);
    const t = new Date(clock.t).toISOString().replace('.000', '');
    expect(last!.cause).toBe(
      `At ${t} a user request explicitly set group desired capacity changing the desired capacity from 4 to 3.  At ${t} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 4 to 3.`,
    );
    await expect(api.setDesiredCapacity({ autoScalingGroupName: 'shrink', desiredCapacity: 11 }, signal)).rejects.toMatchObject({
      code: 'ValidationError',
      message: 'New SetDesiredCapacity value 11 is above max value 10 for the AutoScalingGroup.',
    });
  });

  it('autoscaling — an instance found terminated is replaced; TerminateInstanceInAutoScalingGroup decrements or is replaced', async () => {
    const { api, ec2, reconciler } = setup();
    await create(api, 'heal', 3, { minSize: 2 });
    await reconciler.reconcile('heal', signal);
    const [victim] = [...ec2.instances.values()].filter((i) => i.tags['aws:autoscaling:groupName'] === 'heal');
    await ec2.terminateInstances([victim!.instanceId]);
    await reconciler.reconcile('heal', signal);
    expect(Object.values(ec2.liveByZone())).toEqual([1, 1, 1]);
    const acts = await api.describeScalingActivities({ autoScalingGroupName: 'heal' }, signal);
    expect(acts[1]!.cause).toMatch(/^At \S+Z an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped\.$/);
    expect(acts[1]!.description).toBe(`Terminating EC2 instance: ${victim!.instanceId}`);
    expect(acts[0]!.description).toMatch(/^Launching a new EC2 instance: /);

    const [g] = await api.describeAutoScalingGroups({ autoScalingGroupNames: ['heal'] }, signal);
    const one = g!.instances[0]!.instanceId;
    const act = await api.terminateInstanceInAutoScalingGroup({ instanceId: one, shouldDecrementDesiredCapacity: true }, signal);
    expect(act).toMatchObject({ statusCode: 'Successful', description: `Terminating EC2 instance: ${one}` });
    expect(act.cause).toMatch(new RegExp(`instance ${one} was taken out of service in response to a user request, shrinking the capacity from 3 to 2\\.$`));
    expect(ec2.instances.get(one)!.state).toBe('terminated');
    const two = (await api.describeAutoScalingGroups({ autoScalingGroupNames: ['heal'] }, signal))[0]!;
    expect(two.desiredCapacity).toBe(2);
    await expect(api.terminateInstanceInAutoScalingGroup({ instanceId: two.instances[0]!.instanceId, shouldDecrementDesiredCapacity: true }, signal)).rejects.toMatchObject({
      code: 'ValidationError',
      message: expect.stringMatching(/^Currently, desiredSize equals minSize \(2\)\. Terminating instance without replacement will violate group's min size constraint\./) as unknown,
    });
    await api.terminateInstanceInAutoScalingGroup({ instanceId: two.instances[0]!.instanceId, shouldDecrementDesiredCapacity: false }, signal);
    await reconciler.reconcile('heal', signal);
    expect(Object.values(ec2.liveByZone()).reduce((a, b) => a + b)).toBe(2);
    await expect(api.terminateInstanceInAutoScalingGroup({ instanceId: 'i-0000000000000dead', shouldDecrementDesiredCapacity: false }, signal)).rejects.toMatchObject({
      message: 'Instance Id not found - No managed instance found for instance ID: i-0000000000000dead',
    });
  });

  it('autoscaling — validation errors and names as AWS words them', async () => {
    const { api } = setup();
    const bad = (min: number, max: number, desired: number) =>
      api.createAutoScalingGroup({ autoScalingGroupName: 'bad', minSize: min, maxSize: max, desiredCapacity: desired, vpcZoneIdentifier: subnets, instanceTypes: ['m5.large'] }, signal);
    await expect(bad(1, 3, 5)).rejects.toMatchObject({ code: 'ValidationError', message: 'Desired capacity:5 must be between the specified min size:1 and max size:3' });
    await expect(bad(4, 3, 3)).rejects.toMatchObject({ code: 'ValidationError', message: 'Max bound, 3, must be greater than or equal to min bound, 4' });
    await create(api, 'dup', 0);
    await expect(create(api, 'dup', 0)).rejects.toMatchObject({ code: 'AlreadyExists', message: 'AutoScalingGroup by this name already exists - A group with the name dup already exists' });
    await expect(api.setDesiredCapacity({ autoScalingGroupName: 'nope', desiredCapacity: 1 }, signal)).rejects.toMatchObject({ code: 'ValidationError', message: 'AutoScalingGroup name not found - null' });
    await expect(api.deleteAutoScalingGroup({ autoScalingGroupName: 'nope' }, signal)).rejects.toMatchObject({ message: 'AutoScalingGroup name not found - AutoScalingGroup nope not found' });
    await expect(api.setDesiredCapacity({ autoScalingGroupName: 'nope', desiredCapacity: 1 }, signal)).rejects.toBeInstanceOf(CloudApiError);
    await expect(api.updateAutoScalingGroup({ autoScalingGroupName: 'dup', minSize: 2 }, signal)).resolves.toBeUndefined();
    expect((await api.describeAutoScalingGroups({ autoScalingGroupNames: ['dup'] }, signal))[0]).toMatchObject({ minSize: 2, desiredCapacity: 2 });
  });

  it('autoscaling — delete: ResourceInUse with instances; ForceDelete drains the group and removes it', async () => {
    const { api, ec2, reconciler } = setup();
    await create(api, 'gone', 2);
    await reconciler.reconcile('gone', signal);
    await expect(api.deleteAutoScalingGroup({ autoScalingGroupName: 'gone' }, signal)).rejects.toMatchObject({ code: 'ResourceInUse' });
    await api.deleteAutoScalingGroup({ autoScalingGroupName: 'gone', forceDelete: true }, signal);
    await reconciler.reconcile('gone', signal);
    expect(await api.describeAutoScalingGroups({ autoScalingGroupNames: ['gone'] }, signal)).toEqual([]);
    expect([...ec2.instances.values()].filter((i) => i.tags['aws:autoscaling:groupName'] === 'gone' && i.state === 'running')).toEqual([]);
  });

  it('autoscaling — two replicas reconciling one group at once never exceed desired, and agree', async () => {
    // EC2 that answers slowly, so the two replicas' steps interleave.
    class SlowEc2 extends FakeEc2 {
      maxLive = 0;
      override async runInstances(...args: Parameters<FakeEc2['runInstances']>) {
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
        const out = await super.runInstances(...args);
        this.maxLive = Math.max(this.maxLive, Object.values(this.liveByZone()).reduce((a, b) => a + b));
        return out;
      }
    }
    const ec2 = new SlowEc2();
    const { api, replica } = setup(ec2);
    const a = replica('cloud-a');
    const b = replica('cloud-b');
    await api.createAutoScalingGroup({ autoScalingGroupName: 'pair', minSize: 0, maxSize: 20, desiredCapacity: 9, vpcZoneIdentifier: subnets, instanceTypes: ['m5.large'] }, signal);
    await Promise.all([a.reconcile('pair', signal), b.reconcile('pair', signal), a.reconcile('pair', signal), b.reconcile('pair', signal)]);
    expect(ec2.maxLive).toBe(9);
    expect(ec2.liveByZone()).toEqual({ 'us-east-1a': 3, 'us-east-1b': 3, 'us-east-1c': 3 });
    await api.setDesiredCapacity({ autoScalingGroupName: 'pair', desiredCapacity: 12 }, signal);
    await Promise.all([a.reconcile('pair', signal), b.reconcile('pair', signal)]);
    expect(ec2.maxLive).toBe(12);
    const [g] = await api.describeAutoScalingGroups({ autoScalingGroupNames: ['pair'] }, signal);
    expect(g!.instances).toHaveLength(12);
    expect((await api.describeScalingActivities({ autoScalingGroupName: 'pair' }, signal)).filter((x) => x.statusCode === 'Successful')).toHaveLength(12);
  });

  it('autoscaling — a launch claimed by a replica that died is taken over after its claim expires, without launching twice', async () => {
    const { api, ec2, store, clock, reconciler } = setup();
    await create(api, 'orphan', 1);
    // A replica claimed the launch and EC2 launched the instance, then the replica died before recording it.
    const g = (await store.get('orphan'))!;
    g.pendingLaunches.push({ activityId: 'dead', owner: 'cloud-dead', expiresAt: clock.t + 1000, availabilityZone: 'us-east-1a', cause: '', rebalance: false });
    await store.etcd.update('/autoscaling/groups/orphan', g);
    const [orphan] = await ec2.runInstances({ instanceType: 'm5.large', subnetId: subnets[0]!, tags: { 'aws:autoscaling:groupName': 'orphan' } });
    await reconciler.reconcile('orphan', signal);
    expect((await store.get('orphan'))!.instances).toEqual([]); // the claim still holds
    clock.t += 1000;
    await reconciler.reconcile('orphan', signal);
    const after = (await store.get('orphan'))!;
    expect(after.pendingLaunches).toEqual([]);
    expect(after.instances.map((i) => i.instanceId)).toEqual([orphan!.instanceId]);
    expect(Object.values(ec2.liveByZone()).reduce((x, y) => x + y)).toBe(1);
  });

  it('autoscaling — createNodegroup names the group eks-<nodegroup>-<uuid> and tags its instances as EKS does', async () => {
    const { api, ec2, reconciler } = setup();
    const g = await createNodegroup(
      api,
      { clusterName: 'lab', nodegroupName: 'ng-1', scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 2 }, subnets, instanceTypes: ['m5.large', 'm5.xlarge'], capacityType: 'SPOT', labels: { role: 'web' } },
      signal,
    );
    expect(g.autoScalingGroupName).toMatch(/^eks-ng-1-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    await reconciler.reconcile(g.autoScalingGroupName, signal);
    const mine = [...ec2.instances.values()].filter((i) => i.tags['eks:nodegroup-name'] === 'ng-1');
    expect(mine).toHaveLength(2);
    expect(mine[0]).toMatchObject({
      lifecycle: 'spot',
      instanceType: 'm5.large',
      tags: {
        'eks:cluster-name': 'lab',
        'kubernetes.io/cluster/lab': 'owned',
        'k8s.io/cluster-autoscaler/enabled': 'true',
        'k8s.io/cluster-autoscaler/lab': 'owned',
        'k8s.io/cluster-autoscaler/node-template/label/role': 'web',
        'aws:autoscaling:groupName': g.autoScalingGroupName,
      },
    });
  });

  it('autoscaling — the running loop reacts to API calls at once (kick) and start() resolves when aborted', async () => {
    const ec2 = new FakeEc2();
    let t = Date.UTC(2026, 10, 22, 6, 0, 0);
    // A clock whose sleeps never end: only kicks from API calls can start a pass.
    const clock = { now: () => t, sleep: (_ms: number, s: AbortSignal) => new Promise<void>((_, reject) => s.addEventListener('abort', () => reject(s.reason as Error), { once: true })) };
    const errors: unknown[] = [];
    // Its own prefix: the loop passes over every group, and the other tests' groups live on another (fake) EC2.
    const own = new EtcdStore({ client: etcdStore.client, prefix: '/ekslab-cloud-loop' });
    const { service, reconciler } = createAutoScaling({ etcd: own, ec2, events: new RecordingEvents(), clock, owner: 'cloud-a', tuning: { intervalMs: 3_600_000, onError: (_g, e) => errors.push(e) } });
    const stop = new AbortController();
    const running = reconciler.start(stop.signal);
    const live = () => Object.values(ec2.liveByZone()).reduce((a, b) => a + b);
    await service.createAutoScalingGroup({ autoScalingGroupName: 'looped', minSize: 0, maxSize: 5, desiredCapacity: 3, vpcZoneIdentifier: subnets, instanceTypes: ['m5.large'] }, signal);
    await waitFor(() => live() === 3, { timeoutMs: 10_000, description: '3 instances' });
    t += 1000;
    await service.setDesiredCapacity({ autoScalingGroupName: 'looped', desiredCapacity: 1 }, signal);
    await waitFor(() => live() === 1, { timeoutMs: 10_000, description: '1 instance' });
    stop.abort();
    await expect(running).resolves.toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('autoscaling — instance types are tried in order: the first with capacity is launched, and the AZ is not backed off', async () => {
    const { api, ec2, reconciler, store } = setup();
    ec2.exhaustedTypes.add('m5.large');
    await api.createAutoScalingGroup({ autoScalingGroupName: 'mixed', minSize: 0, maxSize: 5, desiredCapacity: 3, vpcZoneIdentifier: subnets, instanceTypes: ['m5.large', 'm5.xlarge'], capacityType: 'spot' }, signal);
    await reconciler.reconcile('mixed', signal);
    const g = (await store.get('mixed'))!;
    expect(g.instances.map((i) => [i.instanceType, i.lifecycle])).toEqual([['m5.xlarge', 'spot'], ['m5.xlarge', 'spot'], ['m5.xlarge', 'spot']]);
    expect(ec2.liveByZone()).toEqual({ 'us-east-1a': 1, 'us-east-1b': 1, 'us-east-1c': 1 });
    expect(g.zoneBackoff).toEqual({});
  });

  it('autoscaling — a launch whose event cannot be published gives its claim back instead of blocking the group', async () => {
    const { ec2, clock, store } = setup();
    let failing = true;
    const events = { publish: () => (failing ? Promise.reject(new Error('NATS is down')) : Promise.resolve()) };
    const api = new AutoScalingService({ store, ec2, events, clock });
    const r = new AutoScalingReconciler({ store, ec2, events, clock, owner: 'cloud-a' });
    await api.createAutoScalingGroup({ autoScalingGroupName: 'nats-down', minSize: 0, maxSize: 5, desiredCapacity: 2, vpcZoneIdentifier: subnets, instanceTypes: ['m5.large'] }, signal);
    await expect(r.reconcile('nats-down', signal)).rejects.toThrow('NATS is down');
    expect((await store.get('nats-down'))!.pendingLaunches).toEqual([]);
    failing = false;
    await r.reconcile('nats-down', signal);
    expect((await store.get('nats-down'))!.instances).toHaveLength(2);
    expect(Object.values(ec2.liveByZone()).reduce((a, b) => a + b)).toBe(2);
  });

  it('autoscaling — an instance gone from EC2 altogether is replaced too', async () => {
    const { api, ec2, reconciler, store } = setup();
    await create(api, 'vanished', 2);
    await reconciler.reconcile('vanished', signal);
    const [first] = (await store.get('vanished'))!.instances;
    ec2.vanish(first!.instanceId);
    await reconciler.reconcile('vanished', signal);
    const ids = (await store.get('vanished'))!.instances.map((i) => i.instanceId);
    expect(ids).toHaveLength(2);
    expect(ids).not.toContain(first!.instanceId);
    expect(ids.every((id) => ec2.instances.get(id)?.state === 'running')).toBe(true);
  });
});
