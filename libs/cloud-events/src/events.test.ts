import { describe, expect, it } from 'vitest';
import { subjectOf } from './events.js';

describe('cloud event subjects', () => {
  it.each([
    [{ kind: 'instance-state', instanceId: 'i-0abc' }, 'ekslab.cloud.instance-state.i-0abc'],
    [{ kind: 'eni', networkInterfaceId: 'eni-1', instanceId: 'i-2' }, 'ekslab.cloud.eni.eni-1'],
    [{ kind: 'scaling-activity', autoScalingGroupName: 'ng-1', instanceId: 'i-3' }, 'ekslab.cloud.scaling-activity.ng-1'],
    [{ kind: 'targets', targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/k8s/abc' }, 'ekslab.cloud.targets.arn_aws_elasticloadbalancing_us-east-1_000000000000_targetgroup_k8s_abc'],
    [{ kind: 'fault', fault: 'throttle' }, 'ekslab.cloud.fault.throttle'],
    [{ kind: 'scaling-activity' }, 'ekslab.cloud.scaling-activity.all'],
  ])('subject — %j → %s', (event, subject) => {
    expect(subjectOf(event as Parameters<typeof subjectOf>[0])).toBe(subject);
  });
});
