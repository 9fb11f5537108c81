// Strategic merge patches on built-in kinds, shaped like what `kubectl apply` / `kubectl patch` send.
import { describe, expect, it } from 'vitest';
import { PatchApplyError, PatchDecodeError, StrategicMergePatchError } from './errors.js';
import { patchMetaForKind } from './patch-schema-table.js';
import { applyStrategicMergePatch, strategicMergePatch } from './strategic-merge.js';
import type { JMap } from './smp-lists.js';

const deployment = patchMetaForKind('apps', 'Deployment');

const liveDeployment: JMap = {
  metadata: { name: 'web', labels: { app: 'web', tier: 'fe' }, finalizers: ['a'], ownerReferences: [{ uid: 'u1', name: 'o1' }] },
  spec: {
    replicas: 1,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'web', image: 'nginx:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }] },
          { name: 'sidecar', image: 'envoy' },
        ],
        tolerations: [{ key: 'a' }],
        volumes: [{ name: 'data', emptyDir: {} }],
        nodeSelector: { disk: 'ssd', zone: 'a' },
        affinity: { nodeAffinity: {} },
      },
    },
  },
};

/** Reads a path like `spec.template.spec.containers` out of a result. */
const at = (obj: unknown, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o as JMap | undefined)?.[k], obj);

describe('strategic merge patch — built-in Deployment', () => {
  it.each<[string, JMap, string, unknown]>([
    [
      'kubectl apply: new image, env B removed, env C added, order kept',
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
              containers: [{ '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }], env: [{ name: 'C', value: '3' }, { $patch: 'delete', name: 'B' }], image: 'nginx:2', name: 'web' }],
            },
          },
        },
      },
      'spec.template.spec.containers',
      [
        { name: 'web', image: 'nginx:2', env: [{ name: 'A', value: '1' }, { name: 'C', value: '3' }], ports: [{ containerPort: 80 }] },
        { name: 'sidecar', image: 'envoy' },
      ],
    ],
    [
      '$setElementOrder reorders containers',
      { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'web' }] } } } },
      'spec.template.spec.containers',
      [
        { name: 'sidecar', image: 'envoy' },
        { name: 'web', image: 'nginx:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }] },
      ],
    ],
    ['new container is appended', { spec: { template: { spec: { containers: [{ name: 'log', image: 'busybox' }] } } } }, 'spec.template.spec.containers.length', 3],
    ['$patch: delete removes a container', { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } }, 'spec.template.spec.containers.length', 1],
    ['$patch: replace replaces the list', { spec: { template: { spec: { containers: [{ name: 'x', image: 'y' }, { $patch: 'replace' }] } } } }, 'spec.template.spec.containers', [{ name: 'x', image: 'y' }]],
    ['ports merge by containerPort', { spec: { template: { spec: { containers: [{ name: 'web', ports: [{ containerPort: 443 }] }] } } } }, 'spec.template.spec.containers.0.ports', [{ containerPort: 443 }, { containerPort: 80 }]],
    ['tolerations have no merge key and are replaced', { spec: { template: { spec: { tolerations: [{ key: 'b' }] } } } }, 'spec.template.spec.tolerations', [{ key: 'b' }]],
    ['$retainKeys on the strategy (kubectl: RollingUpdate → Recreate)', { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } }, 'spec.strategy', { type: 'Recreate' }],
    [
      '$retainKeys in a volume swaps its source',
      { spec: { template: { spec: { volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' }, name: 'data' }] } } } },
      'spec.template.spec.volumes',
      [{ name: 'data', configMap: { name: 'cm' } }],
    ],
    ['maps merge recursively, null deletes', { metadata: { labels: { tier: null, env: 'prod' } } }, 'metadata.labels', { app: 'web', env: 'prod' }],
    ['$patch: replace on a map', { spec: { template: { spec: { nodeSelector: { $patch: 'replace', zone: 'b' } } } } }, 'spec.template.spec.nodeSelector', { zone: 'b' }],
    ['$patch: delete on a map leaves it empty', { spec: { template: { spec: { affinity: { $patch: 'delete' } } } } }, 'spec.template.spec.affinity', {}],
    ['finalizers merge as a set (patch items first)', { metadata: { finalizers: ['b', 'a'] } }, 'metadata.finalizers', ['b', 'a']],
    ['finalizers: new item goes first when unrelated', { metadata: { finalizers: ['b'] } }, 'metadata.finalizers', ['b', 'a']],
    ['$deleteFromPrimitiveList removes finalizers', { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, 'metadata.finalizers', []],
    ['ownerReferences merge by uid', { metadata: { ownerReferences: [{ uid: 'u1', controller: true }, { uid: 'u2', name: 'o2' }] } }, 'metadata.ownerReferences', [{ uid: 'u1', name: 'o1', controller: true }, { uid: 'u2', name: 'o2' }]],
    ['null removes a field', { spec: { replicas: null } }, 'spec.replicas', undefined],
    ['new map values drop their nulls', { spec: { paused: { a: null, b: 1 } } }, 'spec.paused', { b: 1 }],
  ])('%s', (_name, patch, path, want) => {
    expect(at(strategicMergePatch(liveDeployment, patch, deployment), path)).toEqual(want);
  });

  it('does not mutate its inputs', () => {
    const before = JSON.stringify(liveDeployment);
    strategicMergePatch(liveDeployment, { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } }, deployment);
    expect(JSON.stringify(liveDeployment)).toBe(before);
  });
});

describe('strategic merge patch — other kinds', () => {
  it.each<[string, string, string, JMap, JMap, string, unknown]>([
    ['Service ports merge by port', '', 'Service', { spec: { ports: [{ port: 80, name: 'http' }] } }, { spec: { ports: [{ port: 443, name: 'https' }] } }, 'spec.ports', [{ port: 443, name: 'https' }, { port: 80, name: 'http' }]],
    ['Pod conditions merge by type', '', 'Pod', { status: { conditions: [{ type: 'Ready', status: 'False' }] } }, { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, 'status.conditions', [{ type: 'Ready', status: 'True' }]],
    ['Node addresses merge by type', '', 'Node', { status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } }, { status: { addresses: [{ type: 'Hostname', address: 'n1' }] } }, 'status.addresses.length', 2],
    ['Node taints are replaced', '', 'Node', { spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] } }, { spec: { taints: [{ key: 'b', effect: 'NoSchedule' }] } }, 'spec.taints', [{ key: 'b', effect: 'NoSchedule' }]],
    ['CronJob reaches the pod spec', 'batch', 'CronJob', { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: '1' }] } } } } } }, { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'b', image: '2' }] } } } } } }, 'spec.jobTemplate.spec.template.spec.containers.length', 2],
    ['ConfigMap data merges', '', 'ConfigMap', { data: { a: '1', b: '2' } }, { data: { b: null, c: '3' } }, 'data', { a: '1', c: '3' }],
    ['unknown kind: lists replaced', 'example.com', 'Widget', { spec: { items: [{ name: 'a' }] } }, { spec: { items: [{ name: 'b' }] } }, 'spec.items', [{ name: 'b' }]],
    ['unknown kind: finalizers still merge', 'example.com', 'Widget', { metadata: { finalizers: ['a'] } }, { metadata: { finalizers: ['b'] } }, 'metadata.finalizers', ['b', 'a']],
  ])('%s', (_name, group, kind, live, patch, path, want) => {
    expect(at(strategicMergePatch(live, patch, patchMetaForKind(group, kind)), path)).toEqual(want);
  });
});

describe('strategic merge patch — errors', () => {
  const live: JMap = { metadata: { finalizers: ['a'] }, spec: { template: { spec: { containers: [{ name: 'web' }] } } } };
  it.each<[string, string, new (...args: never[]) => Error, number, string]>([
    ['body not JSON', '{', PatchDecodeError, 400, ''],
    ['body an array', '[]', PatchDecodeError, 400, 'json: cannot unmarshal array into Go value of type map[string]interface {}'],
    ['merge key missing', '{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}', StrategicMergePatchError, 500, 'map: map[image:x] does not contain declared merge key: name'],
    ['unknown $patch', '{"spec":{"$patch":"frob"}}', StrategicMergePatchError, 500, 'unknown patch type: frob in map: map[$patch:frob]'],
    ['$patch: merge in a list', '{"spec":{"template":{"spec":{"containers":[{"$patch":"merge"}]}}}}', StrategicMergePatchError, 500, 'merging lists cannot yet be specified in the patch'],
    ['bad $deleteFromPrimitiveList key', '{"metadata":{"$deleteFromPrimitiveListfinalizers":["a"]}}', PatchDecodeError, 400, 'invalid patch format of primitive list'],
    ['$retainKeys not a list', '{"spec":{"$retainKeys":"x"}}', PatchDecodeError, 400, 'invalid patch format of retainKeys'],
    ['field outside $retainKeys', '{"spec":{"$retainKeys":["a"],"b":1}}', PatchDecodeError, 400, 'invalid patch format of retainKeys'],
    ['$setElementOrder not a list', '{"spec":{"template":{"spec":{"$setElementOrder/containers":"x"}}}}', StrategicMergePatchError, 500, 'expected a []interface {}, but received a string'],
    ['mixed element types', '{"metadata":{"finalizers":[1]}}', StrategicMergePatchError, 500, 'list element types are not identical: [[a] [1]]'],
  ])('%s', (_name, body, cls, code, message) => {
    const deploy = patchMetaForKind('apps', 'Deployment');
    expect(() => applyStrategicMergePatch(live, body, deploy)).toThrow(cls);
    try {
      applyStrategicMergePatch(live, body, deploy);
    } catch (err) {
      expect((err as PatchDecodeError).status.code).toBe(code);
      if (message) expect((err as Error).message).toBe(message);
    }
  });

  it('a list of lists is 422 Invalid', () => {
    const body = '{"metadata":{"finalizers":[["b"]]}}';
    const meta = patchMetaForKind('apps', 'Deployment');
    expect(() => applyStrategicMergePatch({ metadata: { finalizers: [] } }, body, meta)).toThrow(PatchApplyError);
    expect(() => applyStrategicMergePatch({ metadata: { finalizers: [] } }, body, meta)).toThrow('the server rejected our request due to an error in our request');
  });

  it('null body is an empty patch', () => {
    expect(applyStrategicMergePatch(live, 'null', patchMetaForKind('apps', 'Deployment'))).toEqual(live);
  });
});
