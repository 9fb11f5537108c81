import { describe, expect, it } from 'vitest';
import { statusOf } from '../http/status.js';
import { agentAddress } from '../node-agents.js';
import { checkContainerLogStatus, logContainer, podLogOptions, type PodLike } from './pod-log-options.js';

const statusFrom = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return statusOf(err);
  }
  throw new Error('did not throw');
};

const pod = (containers: string[], statuses: PodLike['status'] = {}, init: string[] = []): PodLike => ({
  metadata: { name: 'web' },
  spec: { containers: containers.map((name) => ({ name })), initContainers: init.map((name) => ({ name })), nodeName: 'n1' },
  status: statuses,
});

describe('podLogOptions', () => {
  it('pod log options — query values as the parameter codec converts them', () => {
    const q = new URLSearchParams('container=app&follow=true&previous=0&timestamps=yes&tailLines=10&limitBytes=500&sinceSeconds=60');
    expect(podLogOptions('web', q)).toEqual({ container: 'app', follow: true, previous: false, timestamps: true, tailLines: 10, limitBytes: 500, sinceSeconds: 60 });
    expect(podLogOptions('web', new URLSearchParams(''))).toEqual({ container: '', follow: false, previous: false, timestamps: false });
  });

  it('pod log options — invalid values are 422 with ValidatePodLogOptions wording', () => {
    expect(statusFrom(() => podLogOptions('web', new URLSearchParams('tailLines=-1')))).toMatchObject({
      code: 422, reason: 'Invalid', message: 'PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0',
      details: { name: 'web', kind: 'PodLogOptions', causes: [{ reason: 'FieldValueInvalid', field: 'tailLines' }] },
    });
    expect(statusFrom(() => podLogOptions('web', new URLSearchParams('limitBytes=0&sinceSeconds=0'))).message).toBe(
      'PodLogOptions "web" is invalid: [limitBytes: Invalid value: 0: must be greater than 0, sinceSeconds: Invalid value: 0: must be greater than 0]',
    );
    expect(statusFrom(() => podLogOptions('web', new URLSearchParams('sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z'))).message).toBe(
      'PodLogOptions "web" is invalid: : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified',
    );
    expect(statusFrom(() => podLogOptions('web', new URLSearchParams('tailLines=ten')))).toMatchObject({ code: 400, message: 'strconv.ParseInt: parsing "ten": invalid syntax' });
  });
});

describe('logContainer', () => {
  it('pod log container — the only container is the default; a named one must exist', () => {
    expect(logContainer(pod(['app']), '')).toBe('app');
    expect(logContainer(pod(['app', 'sidecar'], {}, ['init']), 'init')).toBe('init');
    expect(statusFrom(() => logContainer(pod(['app']), 'nope'))).toMatchObject({ code: 400, reason: 'BadRequest', message: 'container nope is not valid for pod web' });
  });

  it('pod log container — several containers need a name, listed in VisitContainers order', () => {
    expect(statusFrom(() => logContainer(pod(['a', 'b'], {}, ['init']), ''))).toMatchObject({
      code: 400, reason: 'BadRequest', message: 'a container name must be specified for pod web, choose one of: [init a b]',
    });
    expect(statusFrom(() => logContainer(pod([]), '')).message).toBe('a container name must be specified for pod web');
  });
});

describe('checkContainerLogStatus', () => {
  const withState = (state: object, lastState: object = {}) => pod(['app'], { containerStatuses: [{ name: 'app', state, lastState }] });

  it('pod log status — running containers, and terminated ones with an ID, have logs', () => {
    expect(() => checkContainerLogStatus(withState({ running: {} }), 'app', false)).not.toThrow();
    expect(() => checkContainerLogStatus(withState({ terminated: { containerID: 'sim://1' } }), 'app', false)).not.toThrow();
    expect(() => checkContainerLogStatus(withState({ running: {} }, { terminated: { containerID: 'sim://0' } }), 'app', true)).not.toThrow();
  });

  it('pod log status — the kubelet\'s refusals, word for word', () => {
    const msg = (p: PodLike, previous = false) => statusFrom(() => checkContainerLogStatus(p, 'app', previous)).message;
    expect(msg(withState({ waiting: { reason: 'ContainerCreating' } }))).toBe('container "app" in pod "web" is waiting to start: ContainerCreating');
    expect(msg(withState({ waiting: { reason: 'ErrImagePull' } }))).toBe('container "app" in pod "web" is waiting to start: image can\'t be pulled');
    expect(msg(withState({ waiting: { reason: 'ImagePullBackOff' } }))).toBe('container "app" in pod "web" is waiting to start: trying and failing to pull image');
    expect(msg(withState({}))).toBe('container "app" in pod "web" is waiting to start - no logs yet');
    expect(msg(withState({ terminated: {} }))).toBe('container "app" in pod "web" is terminated');
    expect(msg(withState({ running: {} }), true)).toBe('previous terminated container "app" in pod "web" not found');
    expect(msg(pod(['app']))).toBe('container "app" in pod "web" is not available');
    expect(statusFrom(() => checkContainerLogStatus(pod(['app']), 'app', false)).code).toBe(400);
  });
});

describe('agentAddress', () => {
  it('node agent — InternalIP and the kubelet endpoint port, 10250 when unset', () => {
    const node = (addresses: Array<{ type: string; address: string }>, port?: number) => ({
      metadata: { name: 'n1' }, status: { addresses, ...(port !== undefined ? { daemonEndpoints: { kubeletEndpoint: { Port: port } } } : {}) },
    });
    expect(agentAddress(node([{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '10.0.1.5' }], 4000))).toBe('10.0.1.5:4000');
    expect(agentAddress(node([{ type: 'InternalIP', address: '10.0.1.5' }], 0))).toBe('10.0.1.5:10250');
    expect(agentAddress(node([{ type: 'InternalIP', address: 'fd00::5' }]))).toBe('[fd00::5]:10250');
    expect(statusFrom(() => agentAddress(node([{ type: 'Hostname', address: 'n1' }])))).toMatchObject({
      code: 500, message: 'no preferred addresses found; known addresses: [{Hostname n1}]',
    });
  });

  it('node agent — the agent-endpoint annotation wins over the InternalIP', () => {
    const n = { metadata: { name: 'n1', annotations: { 'ekslab.io/agent-endpoint': 'kubelet-a:10250' } }, status: { addresses: [{ type: 'InternalIP', address: '10.0.1.5' }] } };
    expect(agentAddress(n)).toBe('kubelet-a:10250');
  });
});
