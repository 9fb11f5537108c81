import { describe, expect, it } from 'vitest';
import { InvalidObjectError } from './errors.js';
import { absoluteKey, collectionKeyFor, keyFor } from './keys.js';

describe('keys', () => {
  it.each([
    { ref: { group: '', resource: 'pods', namespace: 'default', name: 'web-0' }, want: '/core/pods/default/web-0' },
    { ref: { group: 'core', resource: 'pods', namespace: 'default', name: 'web-0' }, want: '/core/pods/default/web-0' },
    { ref: { group: 'apps', resource: 'deployments', namespace: 'kube-system', name: 'coredns' }, want: '/apps/deployments/kube-system/coredns' },
    { ref: { group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'ip-10-0-1-2.ec2.internal' }, want: '/coordination.k8s.io/leases/kube-node-lease/ip-10-0-1-2.ec2.internal' },
    { ref: { group: '', resource: 'nodes', name: 'node-1' }, want: '/core/nodes/node-1' },
    { ref: { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'system:controller:node' }, want: '/rbac.authorization.k8s.io/clusterroles/system:controller:node' },
  ])('keys — keyFor $ref.group/$ref.resource is $want', ({ ref, want }) => {
    expect(keyFor(ref)).toBe(want);
  });

  it.each([
    { ref: { group: '', resource: 'pods' }, want: '/core/pods/' },
    { ref: { group: '', resource: 'pods', namespace: 'a' }, want: '/core/pods/a/' },
    { ref: { group: 'apps', resource: 'replicasets', namespace: 'ab' }, want: '/apps/replicasets/ab/' },
  ])('keys — collectionKeyFor $ref is $want', ({ ref, want }) => {
    expect(collectionKeyFor(ref)).toBe(want);
  });

  it.each([
    { what: 'empty name', ref: { group: '', resource: 'pods', namespace: 'default', name: '' } },
    { what: 'dot-dot name', ref: { group: '', resource: 'pods', namespace: 'default', name: '..' } },
    { what: 'slash in name', ref: { group: '', resource: 'pods', namespace: 'default', name: 'a/b' } },
    { what: 'percent in name', ref: { group: '', resource: 'pods', namespace: 'default', name: 'a%2f' } },
    { what: 'upper-case namespace', ref: { group: '', resource: 'pods', namespace: 'Default', name: 'x' } },
    { what: 'slash in namespace', ref: { group: '', resource: 'pods', namespace: 'a/b', name: 'x' } },
    { what: 'empty namespace', ref: { group: '', resource: 'pods', namespace: '', name: 'x' } },
    { what: 'bad group', ref: { group: 'Apps/', resource: 'deployments', name: 'x' } },
    { what: 'bad resource', ref: { group: 'apps', resource: 'Deployments', name: 'x' } },
  ])('keys — rejects $what', ({ ref }) => {
    expect(() => keyFor(ref)).toThrow(InvalidObjectError);
  });

  it.each([
    { prefix: '/registry', key: '/core/pods/default/x', want: '/registry/core/pods/default/x' },
    { prefix: '/ekslab/cloud', key: '/vpcs/vpc-1', want: '/ekslab/cloud/vpcs/vpc-1' },
    { prefix: '/', key: '/a', want: '/a' },
  ])('keys — absoluteKey($prefix, $key) is $want', ({ prefix, key, want }) => {
    expect(absoluteKey(prefix, key)).toBe(want);
  });

  it.each([
    { prefix: '/registry/', key: '/a' },
    { prefix: 'registry', key: '/a' },
    { prefix: '/registry', key: 'a' },
    { prefix: '/registry', key: '/core/../secrets/x' },
  ])('keys — absoluteKey rejects prefix $prefix with key $key', ({ prefix, key }) => {
    expect(() => absoluteKey(prefix, key)).toThrow(InvalidObjectError);
  });
});
