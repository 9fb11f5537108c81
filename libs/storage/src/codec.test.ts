import { describe, expect, it } from 'vitest';
import { jsonCodec, withResourceVersion } from './codec.js';
import { UnknownValueEncodingError } from './errors.js';

describe('codec', () => {
  it('codec — encodes JSON behind the k8s\\0json\\0 prefix and drops resourceVersion', () => {
    const bytes = jsonCodec.encode({ kind: 'Pod', metadata: { name: 'a', resourceVersion: '42', uid: 'u1' } });
    expect(bytes.toString('latin1')).toBe('k8s\0json\0{"kind":"Pod","metadata":{"name":"a","uid":"u1"}}');
  });

  it('codec — does not modify the object it encodes', () => {
    const object = { metadata: { name: 'a', resourceVersion: '42' } };
    jsonCodec.encode(object);
    expect(object.metadata.resourceVersion).toBe('42');
  });

  it.each([
    { what: 'an object', object: { kind: 'ConfigMap', data: { a: 'ü' }, metadata: { name: 'x' } } },
    { what: 'an object without metadata', object: { spec: [1, 2, 3] } },
  ])('codec — round-trips $what', ({ object }) => {
    expect(jsonCodec.decode(jsonCodec.encode(object), '/k')).toEqual(object);
  });

  it.each([
    { what: 'an encrypted value', bytes: 'k8s:enc:aescbc:v1:key1:\x01\x02', message: /encrypted \(k8s:enc:aescbc:v1/ },
    { what: 'raw JSON without the prefix', bytes: '{"a":1}', message: /unknown prefix/ },
    { what: 'Kubernetes protobuf', bytes: 'k8s\0\n\x02v1', message: /unknown prefix/ },
    { what: 'broken JSON', bytes: 'k8s\0json\0{"a":', message: /invalid JSON/ },
    { what: 'a JSON array', bytes: 'k8s\0json\0[1]', message: /not a JSON object/ },
    { what: 'an empty value', bytes: '', message: /unknown prefix/ },
  ])('codec — rejects $what with UnknownValueEncodingError', ({ bytes, message }) => {
    const decode = (): unknown => jsonCodec.decode(Buffer.from(bytes, 'latin1'), '/registry/x');
    expect(decode).toThrow(UnknownValueEncodingError);
    expect(decode).toThrow(message);
  });

  it('codec — withResourceVersion sets metadata.resourceVersion on a copy', () => {
    const object = { metadata: { name: 'a' } };
    expect(withResourceVersion(object, '7')).toEqual({ metadata: { name: 'a', resourceVersion: '7' } });
    expect(object.metadata).toEqual({ name: 'a' });
    expect(withResourceVersion({}, '8')).toEqual({ metadata: { resourceVersion: '8' } });
  });
});
