import { describe, expect, it } from 'vitest';
import { pruneUnknownFields, scanJson, undeclaredFields } from './strict.js';

const deployment = 'io.k8s.api.apps.v1.Deployment';

describe('strict field checks', () => {
  it('scan — unknown and duplicate fields in document order, with kube paths', () => {
    const text = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","labels":{"x":"1","x":"2"}},
      "spec":{"foo":1,"replicas":1,"replicas":2,"template":{"spec":{"containers":[{"name":"c","image":"i"},{"name":"d","imagePullPolice":"Always","ports":[{"containerPortZ":80}]}]}}}}`;
    expect(scanJson(text, deployment)).toEqual([
      'duplicate field "metadata.labels.x"',
      'unknown field "spec.foo"',
      'duplicate field "spec.replicas"',
      'unknown field "spec.template.spec.containers[1].imagePullPolice"',
      'unknown field "spec.template.spec.containers[1].ports[0].containerPortZ"',
    ]);
  });

  it('scan — nothing inside an unknown field or a free-form object; escapes in keys', () => {
    expect(scanJson('{"spec":{"bogus":{"a":1,"a":2}},"metadata":{"managedFields":[{"fieldsV1":{"f:x":{},"f:x":{}}}]}}', deployment)).toEqual(['unknown field "spec.bogus"']);
    expect(scanJson('{"met\\u0061data":{"n\\"ame":"x"}}', deployment)).toEqual(['unknown field "metadata.n\\"ame"']);
    expect(scanJson('[]', deployment)).toEqual([]);
  });

  it('scan — malformed text ends the scan without throwing', () => {
    for (const bad of ['{"a":', '{"a\\x":1}', '{a:1}', '[1,', '{"spec":{"foo":[{"x":1}', '"']) expect(() => scanJson(bad, deployment)).not.toThrow();
  });

  it('scan — without a schema only duplicates count', () => {
    expect(scanJson('{"spec":{"whatever":1,"replicas":2,"replicas":3}}', undefined)).toEqual(['duplicate field "spec.replicas"']);
  });

  it('prune — removes what the schema does not declare and keeps the rest', () => {
    const obj = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a', labels: { any: 'x' }, bogus: true },
      spec: { replicas: 1, foo: 1, strategy: { rollingUpdate: { maxSurge: '25%' } }, template: { spec: { containers: [{ name: 'c', imagePullPolice: 'x', resources: { limits: { cpu: '1' } } }] } } },
    };
    expect(pruneUnknownFields(obj, deployment)).toEqual(['metadata.bogus', 'spec.foo', 'spec.template.spec.containers[0].imagePullPolice']);
    expect(obj).toEqual({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a', labels: { any: 'x' } },
      spec: { replicas: 1, strategy: { rollingUpdate: { maxSurge: '25%' } }, template: { spec: { containers: [{ name: 'c', resources: { limits: { cpu: '1' } } }] } } },
    });
  });

  it('apply — undeclared fields as structured-merge-diff names them, map-type list items by key', () => {
    const applied = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a', labels: { free: 'x' } },
      spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', imagePullPolice: 'x', ports: [{ containerPort: 80, bogus: 1 }] }], tolerations: [{ key: 'k', nope: 1 }] } } },
    };
    expect(undeclaredFields(applied, deployment)).toEqual([
      '.spec.template.spec.containers[name="web"].imagePullPolice: field not declared in schema',
      '.spec.template.spec.tolerations[0].nope: field not declared in schema',
    ]);
    expect(undeclaredFields({ spec: { foo: 1, bar: 2 } }, deployment)).toEqual(['.spec.foo: field not declared in schema']);
  });
});
