import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf, isKubernetesProtobuf } from './index.js';
import { kubectlCaptures } from './kubectl-1.33.fixture.js';

describe('kubectl 1.33 bodies', () => {
  it.each(kubectlCaptures.map((c) => [c.name, c] as const))('kubectl 1.33 bodies — %s', (_name, capture) => {
    const got = decodeKubernetesProtobuf(Buffer.from(capture.hex, 'hex'));
    expect(got.object).toStrictEqual(capture.want);
    expect([got.apiVersion, got.kind]).toEqual([capture.want['apiVersion'], capture.want['kind']]);
    expect(got.unknownFields).toEqual([]);
  });

  it('kubectl 1.33 bodies — decoded JSON survives JSON.stringify unchanged', () => {
    for (const capture of kubectlCaptures) {
      const { object } = decodeKubernetesProtobuf(Buffer.from(capture.hex, 'hex'));
      expect(JSON.parse(JSON.stringify(object))).toStrictEqual(object);
    }
  });
});

describe('isKubernetesProtobuf', () => {
  it.each([
    ['kubectl header', 'application/vnd.kubernetes.protobuf', true],
    ['with parameters and case', 'Application/VND.Kubernetes.Protobuf; charset=binary', true],
    ['json', 'application/json', false],
    ['protobuf-like prefix', 'application/vnd.kubernetes.protobuf-extra', false],
    ['absent', undefined, false],
  ])('isKubernetesProtobuf — %s', (_name, header, want) => {
    expect(isKubernetesProtobuf(header)).toBe(want);
  });
});
