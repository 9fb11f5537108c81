import { describe, expect, it } from 'vitest';
import { printerFor } from './index.js';
import { ago, now, units } from './testing.fixture.js';
import type { Cell, KubeObject } from './types.js';

const { second, minute, hour } = units;
const printer = printerFor('', 'pods');

function pod(name: string, spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', creationTimestamp: ago(10 * minute), ...meta }, spec, status };
}

const two = { containers: [{ name: 'app', image: 'app:1' }, { name: 'proxy', image: 'envoy:1' }], nodeName: 'ip-10-0-1-5' };
const one = { containers: [{ name: 'app', image: 'app:1' }] };
const running = { running: { startedAt: ago(9 * minute) } };
const withInit = {
  initContainers: [{ name: 'migrate', image: 'm:1' }, { name: 'seed', image: 's:1' }],
  containers: [{ name: 'app', image: 'app:1' }],
};

const cases: [string, KubeObject, Cell[]][] = [
  ['pod — running, 2 containers, 1 ready, 3 restarts 5m ago', pod('web', two, {
    phase: 'Running', podIP: '10.0.1.17', podIPs: [{ ip: '10.0.1.17' }],
    containerStatuses: [
      { name: 'app', ready: true, restartCount: 3, state: running, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * minute) } } },
      { name: 'proxy', ready: false, restartCount: 0, state: running },
    ],
  }), ['web', '1/2', 'Running', '3 (5m ago)', '10m', '10.0.1.17', 'ip-10-0-1-5', '<none>', '<none>']],
  ['pod — pending, not yet scheduled', pod('queued', one, { phase: 'Pending' }),
    ['queued', '0/1', 'Pending', '0', '10m', '<none>', '<none>', '<none>', '<none>']],
  ['pod — pending, scheduling gated', pod('gated', one, {
    phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
  }), ['gated', '0/1', 'SchedulingGated', '0', '10m', '<none>', '<none>', '<none>', '<none>']],
  ['pod — pending, container creating', pod('pulling', { ...one, nodeName: 'n1' }, {
    phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }],
  }), ['pulling', '0/1', 'ContainerCreating', '0', '10m', '<none>', 'n1', '<none>', '<none>']],
  ['pod — terminating while running', pod('leaving', one, {
    phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
  }, { deletionTimestamp: ago(10 * second) }), ['leaving', '1/1', 'Terminating', '0', '10m', '<none>', '<none>', '<none>', '<none>']],
  ['pod — deleted on a lost node is Unknown', pod('lost', one, { phase: 'Running', reason: 'NodeLost' }, { deletionTimestamp: ago(minute) }),
    ['lost', '0/1', 'Unknown', '0', '10m', '<none>', '<none>', '<none>', '<none>']],
  ['pod — crash loop with last restart 2m ago', pod('crashy', one, {
    phase: 'Running',
    containerStatuses: [{
      name: 'app', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(2 * minute) } },
    }],
  }), ['crashy', '0/1', 'CrashLoopBackOff', '5 (2m ago)', '10m', '<none>', '<none>', '<none>', '<none>']],
  ['pod — terminated without reason shows the exit code', pod('exited', one, {
    phase: 'Running', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 137 } } }],
  }), ['exited', '0/1', 'ExitCode:137', '0', '10m', '<none>', '<none>', '<none>', '<none>']],
  ['pod — second of two init containers running', pod('init', withInit, {
    phase: 'Pending',
    initContainerStatuses: [
      { name: 'migrate', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      { name: 'seed', ready: false, restartCount: 0, state: running },
    ],
    containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
  }), ['init', '0/1', 'Init:1/2', '0', '10m', '<none>', '<none>', '<none>', '<none>']],
  ['pod — first init container not started yet', pod('init0', withInit, {
    phase: 'Pending',
    initContainerStatuses: [
      { name: 'migrate', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
      { name: 'seed', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
    ],
  }), ['init0', '0/1', 'Init:0/2', '0', '10m', '<none>', '<none>', '<none>', '<none>']],
  ['pod — init container crash looping counts its restarts', pod('initcrash', withInit, {
    phase: 'Pending',
    initContainerStatuses: [{
      name: 'migrate', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 1, finishedAt: ago(30 * second) } },
    }],
  }), ['initcrash', '0/1', 'Init:CrashLoopBackOff', '4 (30s ago)', '10m', '<none>', '<none>', '<none>', '<none>']],
  ['pod — init container failed with an exit code', pod('initfail', withInit, {
    phase: 'Failed',
    initContainerStatuses: [{ name: 'migrate', ready: false, restartCount: 0, state: { terminated: { exitCode: 2 } } }],
  }), ['initfail', '0/1', 'Init:ExitCode:2', '0', '10m', '<none>', '<none>', '<none>', '<none>']],
  ['pod — started sidecar counts as a ready container', pod('sidecar', {
    initContainers: [{ name: 'log', image: 'fluent:1', restartPolicy: 'Always' }], containers: [{ name: 'app', image: 'app:1' }],
  }, {
    phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
    initContainerStatuses: [{ name: 'log', ready: true, started: true, restartCount: 1, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(hour) } } }],
    containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
  }), ['sidecar', '2/2', 'Running', '1 (60m ago)', '10m', '<none>', '<none>', '<none>', '<none>']],
  ['pod — completed job pod', pod('job-abc12', one, {
    phase: 'Succeeded',
    containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: ago(minute) } } }],
  }), ['job-abc12', '0/1', 'Completed', '0', '10m', '<none>', '<none>', '<none>', '<none>']],
  ['pod — completed container beside a running one reads NotReady', pod('half', two, {
    phase: 'Running',
    containerStatuses: [
      { name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      { name: 'proxy', ready: true, restartCount: 0, state: running },
    ],
  }), ['half', '1/2', 'NotReady', '0', '10m', '<none>', 'ip-10-0-1-5', '<none>', '<none>']],
  ['pod — readiness gates and nominated node', pod('gates', { ...one, readinessGates: [{ conditionType: 'a/one' }, { conditionType: 'a/two' }] }, {
    phase: 'Pending', nominatedNodeName: 'n2', conditions: [{ type: 'a/one', status: 'True' }, { type: 'a/two', status: 'False' }],
  }), ['gates', '0/1', 'Pending', '0', '10m', '<none>', '<none>', 'n2', '1/2']],
];

describe('pod printer', () => {
  it.each(cases)('%s', (_name, obj, want) => {
    expect(printer.row(obj, now)).toEqual(want);
  });

  it('pod — columns and wide priorities match kube-apiserver', () => {
    expect(printer.columns.map((c) => [c.name, c.type, c.format, c.priority])).toEqual([
      ['Name', 'string', 'name', 0], ['Ready', 'string', '', 0], ['Status', 'string', '', 0], ['Restarts', 'string', '', 0],
      ['Age', 'string', '', 0], ['IP', 'string', '', 1], ['Node', 'string', '', 1], ['Nominated Node', 'string', '', 1],
      ['Readiness Gates', 'string', '', 1],
    ]);
  });
});
