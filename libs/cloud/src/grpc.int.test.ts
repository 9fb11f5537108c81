import { credentials, Server, ServerCredentials, status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { AWS_ERROR_CODE_KEY, AutoScalingServiceClient, cloudErrorFromServiceError, ElasticLoadBalancingServiceClient } from '@ekslab/proto';
import type { CreateAutoScalingGroupResponse, CreateLoadBalancerResponse, CreateTargetGroupResponse, DescribeAutoScalingGroupsResponse, DescribeScalingActivitiesResponse } from '@ekslab/proto';
import { EtcdStore } from '@ekslab/storage';
import { useEtcdCluster } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAutoScalingService } from './autoscaling/grpc.js';
import { createAutoScaling } from './autoscaling/module.js';
import { FakeEc2, ManualClock, RecordingEvents } from './ec2.fixture.js';
import { registerElbService } from './elb/grpc.js';
import { ElbService } from './elb/service.js';
import { CloudApiError } from './ports.js';
import type { FaultGate } from './ports.js';

/** Calls a grpc-js unary client method as a promise. */
function call<Res>(fn: (req: never, cb: (err: ServiceError | null, res: Res) => void) => unknown, req: object): Promise<Res> {
  return new Promise((resolve, reject) => (fn as (r: object, cb: (err: ServiceError | null, res: Res) => void) => unknown)(req, (err, res) => (err ? reject(err) : resolve(res))));
}

describe('Auto Scaling and ELB over gRPC', () => {
  const etcd = useEtcdCluster({ members: 1 });
  let store: EtcdStore;
  let server: Server;
  let asg: AutoScalingServiceClient;
  let elbClient: ElasticLoadBalancingServiceClient;
  const ec2 = new FakeEc2();
  const clock = new ManualClock();
  let reconciler: ReturnType<typeof createAutoScaling>['reconciler'];
  const throttled = new Set<string>();
  const faults: FaultGate = {
    enter: (api) => (throttled.has(api) ? Promise.reject(new CloudApiError('RequestLimitExceeded', 'Request limit exceeded.', true)) : Promise.resolve()),
  };

  beforeAll(async () => {
    store = new EtcdStore({ endpoints: etcd().endpoints, prefix: '/ekslab-cloud' });
    const events = new RecordingEvents();
    const autoscaling = createAutoScaling({ etcd: store, ec2, events, clock, owner: 'cloud-a' });
    reconciler = autoscaling.reconciler;
    server = new Server();
    registerAutoScalingService(server, { autoscaling: autoscaling.service, ec2, faults, log: console });
    registerElbService(server, { elb: new ElbService({ etcd: store, ec2, events, clock }), faults, log: console });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    asg = new AutoScalingServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
    elbClient = new ElasticLoadBalancingServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  });
  afterAll(() => {
    asg?.close();
    elbClient?.close();
    server?.forceShutdown();
    store?.close();
  });

  it('grpc — AutoScalingService: create, reconcile, describe; AWS errors as statuses with the ekslab-aws-error-code trailer', async () => {
    const created = await call<CreateAutoScalingGroupResponse>(asg.createAutoScalingGroup.bind(asg), {
      autoScalingGroupName: 'wire',
      minSize: 1,
      maxSize: 4,
      desiredCapacity: 3,
      vpcZoneIdentifier: 'subnet-us-east-1a, subnet-us-east-1b,subnet-us-east-1c',
      instanceTypes: ['t3.medium'],
      capacityType: '',
      tags: { team: 'lab' },
    });
    expect(created.autoScalingGroup).toMatchObject({ autoScalingGroupName: 'wire', desiredCapacity: 3, capacityType: 'on-demand', availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] });
    await reconciler.reconcile('wire', new AbortController().signal);
    const described = await call<DescribeAutoScalingGroupsResponse>(asg.describeAutoScalingGroups.bind(asg), { autoScalingGroupNames: ['wire'] });
    expect(described.autoScalingGroups[0]!.instances.map((i) => i.availabilityZone).sort()).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    const acts = await call<DescribeScalingActivitiesResponse>(asg.describeScalingActivities.bind(asg), { autoScalingGroupName: 'wire', maxRecords: 2 });
    expect(acts.activities).toHaveLength(2);
    expect(acts.activities[0]!.cause).toMatch(/increasing the capacity from 2 to 3\.$/);

    const err = (await call(asg.setDesiredCapacity.bind(asg), { autoScalingGroupName: 'wire', desiredCapacity: 9, honorCooldown: false }).catch((e: unknown) => e)) as ServiceError;
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toBe('New SetDesiredCapacity value 9 is above max value 4 for the AutoScalingGroup.');
    expect(err.metadata.get(AWS_ERROR_CODE_KEY)).toEqual(['ValidationError']);
    expect(cloudErrorFromServiceError(err)).toMatchObject({ code: 'ValidationError' });

    const dup = (await call<CreateAutoScalingGroupResponse>(asg.createAutoScalingGroup.bind(asg), { autoScalingGroupName: 'wire', minSize: 0, maxSize: 1, vpcZoneIdentifier: 'subnet-us-east-1a', instanceTypes: ['t3.medium'], capacityType: '', tags: {} }).catch((e: unknown) => e)) as ServiceError;
    expect(dup.code).toBe(status.ALREADY_EXISTS);
    expect(dup.metadata.get(AWS_ERROR_CODE_KEY)).toEqual(['AlreadyExists']);
  });

  it('grpc — ElasticLoadBalancingService: create, duplicate name, target group not found', async () => {
    const { loadBalancer } = await call<CreateLoadBalancerResponse>(elbClient.createLoadBalancer.bind(elbClient), { name: 'k8s-default-web-0123456789', type: 'network', scheme: 'internet-facing', subnets: ['subnet-us-east-1a', 'subnet-us-east-1b'] });
    expect(loadBalancer).toMatchObject({ state: 'provisioning', type: 'network' });
    expect(loadBalancer!.dnsName).toMatch(/^k8s-default-web-0123456789-[0-9a-f]{16}\.elb\.us-east-1\.amazonaws\.com$/);
    const dup = (await call<CreateLoadBalancerResponse>(elbClient.createLoadBalancer.bind(elbClient), { name: 'k8s-default-web-0123456789', type: 'network', scheme: 'internal', subnets: ['subnet-us-east-1a'] }).catch((e: unknown) => e)) as ServiceError;
    expect(dup.code).toBe(status.ALREADY_EXISTS);
    expect(dup.metadata.get(AWS_ERROR_CODE_KEY)).toEqual(['DuplicateLoadBalancerName']);
    const missing = (await call(elbClient.describeTargetHealth.bind(elbClient), { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/none/0123456789abcdef', targets: [] }).catch((e: unknown) => e)) as ServiceError;
    expect(missing.code).toBe(status.NOT_FOUND);
    expect(missing.metadata.get(AWS_ERROR_CODE_KEY)).toEqual(['TargetGroupNotFound']);
    const { targetGroup } = await call<CreateTargetGroupResponse>(elbClient.createTargetGroup.bind(elbClient), { name: 'tg-web', protocol: 'TCP', port: 30080, targetType: 'ip', vpcId: '', healthCheck: undefined, deregistrationDelaySeconds: 0 });
    expect(targetGroup).toMatchObject({ targetType: 'ip', deregistrationDelaySeconds: 0, healthCheck: { protocol: 'TCP', intervalSeconds: 30, healthyThresholdCount: 5 } });
  });

  it('grpc — the FaultGate is entered per AWS operation: a throttled API fails with RESOURCE_EXHAUSTED / RequestLimitExceeded', async () => {
    throttled.add('DescribeLoadBalancers');
    try {
      const err = (await call(elbClient.describeLoadBalancers.bind(elbClient), { names: [], loadBalancerArns: [] }).catch((e: unknown) => e)) as ServiceError;
      expect(err.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(err.metadata.get(AWS_ERROR_CODE_KEY)).toEqual(['RequestLimitExceeded']);
      expect(cloudErrorFromServiceError(err)).toMatchObject({ code: 'RequestLimitExceeded', retryable: true });
      // Other operations pass.
      await expect(call(asg.describeAutoScalingGroups.bind(asg), { autoScalingGroupNames: [] })).resolves.toBeDefined();
    } finally {
      throttled.clear();
    }
  });
});
