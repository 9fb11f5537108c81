import { describe, expect, it } from 'vitest';
import { encodeKubernetesProtobuf } from './encode.fixture.js';
import { decodeKubernetesProtobuf, supportedKinds } from './index.js';
import { roundTripObjects } from './objects.fixture.js';

describe('round trip', () => {
  it.each(roundTripObjects.map((o) => [`${String(o['apiVersion'])} ${String(o['kind'])}`, o] as const))(
    'round trip — %s decodes to the JSON it was encoded from',
    (_name, object) => {
      const got = decodeKubernetesProtobuf(encodeKubernetesProtobuf(object));
      expect(got.object).toStrictEqual(object);
      expect(got.unknownFields).toEqual([]);
    },
  );

  it('round trip — every supported kind has an object', () => {
    const covered = new Set(roundTripObjects.map((o) => `${String(o['apiVersion'])}/${String(o['kind'])}`));
    const missing = supportedKinds
      .filter((k) => k.kind !== 'DeleteOptions')
      .map((k) => `${k.apiVersion}/${k.kind}`)
      .filter((k) => !covered.has(k));
    expect(missing).toEqual([]);
  });

  it('round trip — zero scalars without `*` are dropped, as omitempty would', () => {
    const object = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: '', generation: 0 }, spec: { paused: false, minReadySeconds: 0 } };
    expect(decodeKubernetesProtobuf(encodeKubernetesProtobuf(object)).object).toStrictEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {},
      spec: {},
    });
  });
});
