import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { definitionsPath, generateDefinitions, renderDefinitions } from './generate.js';
import type { Definitions } from './schema.js';

const generated: Definitions = generateDefinitions();
const prop = (def: string, field: string) => generated[def]?.properties?.[field];

describe('schemas generator', () => {
  it('generator — the committed definitions.json is what the generator writes today', () => {
    expect(readFileSync(definitionsPath, 'utf8')).toBe(renderDefinitions(generated));
  });

  it('generator — kinds carry their description and group/version/kind', () => {
    const pod = generated['io.k8s.api.core.v1.Pod']!;
    expect(pod.description).toMatch(/^Pod is a collection of containers that can run on a host/);
    expect(pod['x-kubernetes-group-version-kind']).toEqual([{ group: '', kind: 'Pod', version: 'v1' }]);
    expect(generated['io.k8s.api.apps.v1.Deployment']!['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    expect(generated['io.k8s.api.apps.v1.DeploymentList']!['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', kind: 'DeploymentList', version: 'v1' }]);
  });

  it('generator — field descriptions come from the doc comments, unescaped', () => {
    expect(prop('io.k8s.api.core.v1.Container', 'args')?.description).toMatch(/^Arguments to the entrypoint. The container image's CMD is used/);
    expect(prop('io.k8s.api.core.v1.Container', 'image')?.description).toMatch(/^Container image name/);
  });

  it('generator — types, formats, refs and required', () => {
    expect(prop('io.k8s.api.core.v1.ContainerPort', 'containerPort')).toMatchObject({ type: 'integer', format: 'int32' });
    expect(generated['io.k8s.api.core.v1.ContainerPort']!.required).toEqual(['containerPort']);
    expect(generated['io.k8s.api.core.v1.Container']!.required).toEqual(['name']);
    expect(prop('io.k8s.api.core.v1.PodSpec', 'containers')).toMatchObject({ type: 'array', items: { $ref: '#/definitions/io.k8s.api.core.v1.Container' } });
    expect(prop('io.k8s.api.apps.v1.DeploymentSpec', 'template')).toMatchObject({ $ref: '#/definitions/io.k8s.api.core.v1.PodTemplateSpec' });
    expect(prop('io.k8s.api.apps.v1.RollingUpdateDeployment', 'maxSurge')).toMatchObject({ $ref: '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString' });
    expect(prop('io.k8s.api.core.v1.ResourceRequirements', 'limits')).toMatchObject({ type: 'object', additionalProperties: { $ref: '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity' } });
    expect(prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'creationTimestamp')).toMatchObject({ $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time' });
    expect(prop('io.k8s.api.core.v1.Event', 'eventTime')).toMatchObject({ $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime' });
    expect(prop('io.k8s.api.core.v1.ConfigMap', 'binaryData')).toMatchObject({ type: 'object', additionalProperties: { type: 'string', format: 'byte' } });
    expect(generated['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({ type: 'string', format: 'int-or-string' });
  });

  it('generator — patch strategies and list types agree with the strategic merge patch table', () => {
    expect(prop('io.k8s.api.core.v1.PodSpec', 'containers')).toMatchObject({
      'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
    });
    expect(prop('io.k8s.api.core.v1.Container', 'ports')).toMatchObject({ 'x-kubernetes-patch-merge-key': 'containerPort' });
    expect(prop('io.k8s.api.core.v1.PodSpec', 'volumes')).toMatchObject({ 'x-kubernetes-patch-strategy': 'merge,retainKeys' });
    expect(prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'finalizers')).toMatchObject({ 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' });
    expect(prop('io.k8s.api.apps.v1.DeploymentSpec', 'strategy')).toMatchObject({ 'x-kubernetes-patch-strategy': 'retainKeys' });
    expect(prop('io.k8s.api.core.v1.PodSpec', 'tolerations')).not.toHaveProperty('x-kubernetes-patch-strategy');
  });

  it('generator — shared types land in their own package', () => {
    expect(generated).toHaveProperty(['io.k8s.api.core.v1.PodTemplateSpec']);
    expect(generated).not.toHaveProperty(['io.k8s.api.apps.v1.PodTemplateSpec']);
    expect(generated).toHaveProperty(['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector']);
    expect(generated).toHaveProperty(['io.k8s.api.discovery.v1.EndpointPort']);
    expect(generated).toHaveProperty(['io.k8s.api.rbac.v1.Subject']);
  });
});
