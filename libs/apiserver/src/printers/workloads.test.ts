import { describe, expect, it } from 'vitest';
import { printerFor } from './index.js';
import { ago, now, units } from './testing.fixture.js';
import type { Cell, KubeObject } from './types.js';

const { second, minute, hour } = units;
const template = { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'log', image: 'busybox' }] } };
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'default', creationTimestamp: ago(hour), ...extra });
const uid = { matchLabels: { 'batch.kubernetes.io/controller-uid': 'c0ffee' } };
const job = (name: string, spec: Record<string, unknown>, status: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject =>
  ({ metadata: meta(name, extra), spec: { template, selector: uid, ...spec }, status });

const cases: [string, string, string, KubeObject, Cell[]][] = [
  ['deployment — 2/3 ready', 'apps', 'deployments', {
    metadata: meta('web'),
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] }, template },
    status: { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
  }, ['web', '2/3', 3, 2, '60m', 'nginx,log', 'nginx:1.25,busybox', 'app=web,tier in (be,fe)']],
  ['deployment — empty selector prints empty', 'apps', 'deployments', { metadata: meta('bare'), spec: { replicas: 0, selector: {}, template: {} }, status: {} },
    ['bare', '0/0', 0, 0, '60m', '', '', '']],
  ['replicaset — counts and selector', 'apps', 'replicasets', {
    metadata: meta('web-5d9c'), spec: { replicas: 3, selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }, { key: 'canary', operator: 'DoesNotExist' }] }, template },
    status: { replicas: 3, readyReplicas: 1 },
  }, ['web-5d9c', 3, 3, 1, '60m', 'nginx,log', 'nginx:1.25,busybox', 'app,!canary']],
  ['replicaset — invalid selector operator', 'apps', 'replicasets', {
    metadata: meta('bad'), spec: { replicas: 1, selector: { matchExpressions: [{ key: 'a', operator: 'Near' }] }, template },
  }, ['bad', 1, 0, 0, '60m', 'nginx,log', 'nginx:1.25,busybox', '<error>']],
  ['daemonset — node selector', 'apps', 'daemonsets', {
    metadata: meta('aws-node'),
    spec: { selector: { matchLabels: { 'k8s-app': 'aws-node' } }, template: { spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
  }, ['aws-node', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '60m', 'nginx,log', 'nginx:1.25,busybox', 'k8s-app=aws-node']],
  ['controllerrevision — owned by a daemonset', 'apps', 'controllerrevisions', {
    metadata: meta('aws-node-5d9c7b', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'aws-node', uid: 'u', controller: true }] }), revision: 3,
  }, ['aws-node-5d9c7b', 'daemonset.apps/aws-node', 3, '60m']],
  ['controllerrevision — no controller', 'apps', 'controllerrevisions', { metadata: meta('loose'), revision: 1 }, ['loose', '<none>', 1, '60m']],
  ['job — complete in 45s', 'batch', 'jobs', job('pi', { completions: 1 }, {
    succeeded: 1, startTime: ago(10 * minute), completionTime: ago(10 * minute - 45 * second),
    conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }],
  }), ['pi', 'Complete', '1/1', '45s', '60m', 'nginx,log', 'nginx:1.25,busybox', 'batch.kubernetes.io/controller-uid=c0ffee']],
  ['job — running with parallelism and no completions', 'batch', 'jobs', job('work', { parallelism: 4 }, { active: 4, startTime: ago(3 * minute) }),
    ['work', 'Running', '0/1 of 4', '3m', '60m', 'nginx,log', 'nginx:1.25,busybox', 'batch.kubernetes.io/controller-uid=c0ffee']],
  ['job — not started has no duration', 'batch', 'jobs', job('later', {}, {}),
    ['later', 'Running', '0/1', '', '60m', 'nginx,log', 'nginx:1.25,busybox', 'batch.kubernetes.io/controller-uid=c0ffee']],
  ['job — failed', 'batch', 'jobs', job('boom', { completions: 3 }, {
    failed: 7, startTime: ago(20 * minute), completionTime: ago(5 * minute), conditions: [{ type: 'FailureTarget', status: 'True' }, { type: 'Failed', status: 'True' }],
  }), ['boom', 'Failed', '0/3', '15m', '60m', 'nginx,log', 'nginx:1.25,busybox', 'batch.kubernetes.io/controller-uid=c0ffee']],
  ['job — suspended', 'batch', 'jobs', job('held', { completions: 2, suspend: true }, { conditions: [{ type: 'Suspended', status: 'True' }] }),
    ['held', 'Suspended', '0/2', '', '60m', 'nginx,log', 'nginx:1.25,busybox', 'batch.kubernetes.io/controller-uid=c0ffee']],
  ['job — terminating beats suspended', 'batch', 'jobs', job('gone', {}, { conditions: [{ type: 'Suspended', status: 'True' }] }, { deletionTimestamp: ago(second) }),
    ['gone', 'Terminating', '0/1', '', '60m', 'nginx,log', 'nginx:1.25,busybox', 'batch.kubernetes.io/controller-uid=c0ffee']],
  ['cronjob — never scheduled', 'batch', 'cronjobs', {
    metadata: meta('nightly'), spec: { schedule: '0 0 * * *', suspend: false, jobTemplate: { spec: { template } } }, status: {},
  }, ['nightly', '0 0 * * *', '<none>', 'False', 0, '<none>', '60m', 'nginx,log', 'nginx:1.25,busybox', '<none>']],
  ['cronjob — time zone, active job, last schedule', 'batch', 'cronjobs', {
    metadata: meta('hourly'), spec: { schedule: '@hourly', timeZone: 'Etc/UTC', jobTemplate: { spec: { template } } },
    status: { active: [{ name: 'hourly-1' }], lastScheduleTime: ago(5 * minute) },
  }, ['hourly', '@hourly', 'Etc/UTC', '<unset>', 1, '5m', '60m', 'nginx,log', 'nginx:1.25,busybox', '<none>']],
];

describe('workload printers', () => {
  it.each(cases)('%s', (_name, group, resource, obj, want) => {
    expect(printerFor(group, resource).row(obj, now)).toEqual(want);
  });
});
