import { describe, expect, it } from 'vitest';
import { instanceFromProto, loadBalancerFromProto, networkInterfaceFromProto, subnetFromProto } from './client.js';

describe('cloud client adapters', () => {
  it('subnets — the view keeps exactly the DescribeSubnets fields `ekslab cloud subnets -o json` prints', () => {
    const view = subnetFromProto({ subnetId: 'subnet-1', vpcId: 'vpc-1', availabilityZone: 'us-east-1a', cidrBlock: '10.0.0.0/19', availableIpAddressCount: 8187, public: false, tags: { Name: 'x' } });
    expect(view).toEqual({ subnetId: 'subnet-1', availabilityZone: 'us-east-1a', cidrBlock: '10.0.0.0/19', availableIpAddressCount: 8187, public: false });
  });

  it('instances, ENIs, load balancers — wire strings become the view unions; an attachment names its instance', () => {
    expect(
      instanceFromProto({ instanceId: 'i-1', instanceType: 'm5.large', availabilityZone: 'us-east-1b', subnetId: 's', state: 'running', privateIpAddress: '10.0.32.4', privateDnsName: 'ip-10-0-32-4.ec2.internal', lifecycle: 'spot', launchTime: 't', tags: {} }),
    ).toMatchObject({ instanceId: 'i-1', lifecycle: 'spot', state: 'running' });
    const eni = { networkInterfaceId: 'eni-1', subnetId: 's', vpcId: 'v', availabilityZone: 'us-east-1a', description: '', status: 'in-use', privateIpAddress: '10.0.0.5', privateIpAddresses: ['10.0.0.5', '10.0.0.6'], ipv4Prefixes: [], tags: {} };
    expect(networkInterfaceFromProto({ ...eni, attachment: { attachmentId: 'a', instanceId: 'i-1', deviceIndex: 1, deleteOnTermination: true } })).toMatchObject({ instanceId: 'i-1', deviceIndex: 1, privateIpAddresses: ['10.0.0.5', '10.0.0.6'] });
    expect(networkInterfaceFromProto(eni)).not.toHaveProperty('instanceId');
    expect(loadBalancerFromProto({ loadBalancerArn: 'arn', loadBalancerName: 'lb', dnsName: 'd', canonicalHostedZoneId: 'z', type: 'network', scheme: 'internal', state: 'provisioning', availabilityZones: [], createdTime: 't' })).toEqual({
      loadBalancerName: 'lb',
      type: 'network',
      state: 'provisioning',
      dnsName: 'd',
      scheme: 'internal',
    });
  });
});
