import { describe, expect, it } from 'vitest';
import { Writer, envelope } from './encode.fixture.js';
import { ProtobufDecodeError, UnsupportedKindError, decodeKubernetesProtobuf } from './index.js';
import { kubectlCaptures } from './kubectl-1.33.fixture.js';

const deployment = Buffer.from(kubectlCaptures.find((c) => c.name === 'deployment')!.hex, 'hex');
const fromHex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

describe('hostile bodies', () => {
  it.each([
    ['empty body', new Uint8Array(), /does not start with the Kubernetes protobuf prefix/],
    ['JSON instead of protobuf', new TextEncoder().encode('{"kind":"Namespace"}'), /prefix/],
    ['wrong fourth magic byte', fromHex('6b387301 0a00'), /prefix/],
    ['magic only', fromHex('6b387300'), /the envelope has no kind/],
    ['huge length prefix on typeMeta', fromHex('6b387300 0a ffffffff0f 0a'), /length 4294967295 runs past the end/],
    ['truncated varint in the envelope', fromHex('6b387300 0a 80'), /truncated varint/],
    ['gzip content encoding', envelope('v1', 'Namespace', [], (w) => w.string(3, 'gzip')), /unsupported contentEncoding "gzip"/],
    ['metadata sent as a varint', envelope('v1', 'Namespace', new Writer().tag(1, 0).varint(1).bytes), /field metadata has wire type 0, expected 2/],
    ['string sent as fixed64', envelope('v1', 'Namespace', [0x0a, 0x09, 0x09, 1, 2, 3, 4, 5, 6, 7, 8]), /field name has wire type 1/],
    ['IntOrString with an impossible type', envelope('policy/v1', 'PodDisruptionBudget', fromHex('12 04 0a 02 08 07')), /impossible type 7/],
    ['timestamp past year 9999', envelope('v1', 'Namespace', new Writer().len(1, new Writer().len(8, new Writer().tag(1, 0).varint(253402300800).bytes).bytes).bytes), /outside the years 0001–9999/],
    ['map entry value with a wrong wire type', envelope('v1', 'ConfigMap', fromHex('12 05 0a 01 61 10 01')), /map entry field 2 has wire type 0/],
  ])('hostile bodies — %s is a ProtobufDecodeError', (_name, body, message) => {
    let caught: unknown;
    try {
      decodeKubernetesProtobuf(body);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ProtobufDecodeError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as ProtobufDecodeError).status).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('hostile bodies — an unknown kind is an UnsupportedKindError naming it', () => {
    const body = envelope('v1', 'Node', [0x0a, 0x00]);
    expect(() => decodeKubernetesProtobuf(body)).toThrow(UnsupportedKindError);
    expect(() => decodeKubernetesProtobuf(body)).toThrow('no kind "Node" is registered for version "v1"');
    try {
      decodeKubernetesProtobuf(body);
    } catch (err) {
      expect((err as UnsupportedKindError).status).toEqual({
        code: 400,
        reason: 'BadRequest',
        message: 'Node in version "v1" cannot be handled as protobuf: no kind "Node" is registered for version "v1" in the protobuf decoder',
      });
    }
  });

  it('hostile bodies — every truncation of a real body fails cleanly', () => {
    // Cuts on the envelope's field boundaries are valid messages: before raw (no object fields), and after
    // raw, where only the empty contentEncoding (1a 00) and contentType (22 00) are lost.
    const rawAt = 4 + 2 + deployment[5]!;
    const rawEnd = deployment.length - 4;
    const full = decodeKubernetesProtobuf(deployment).object;
    for (let n = 0; n < deployment.length; n++) {
      const cut = deployment.subarray(0, n);
      if (n === rawAt) expect(decodeKubernetesProtobuf(cut).object).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment' });
      else if (n === rawEnd || n === rawEnd + 2) expect(decodeKubernetesProtobuf(cut).object).toEqual(full);
      else expect(() => decodeKubernetesProtobuf(cut), `prefix of ${n} bytes`).toThrow(ProtobufDecodeError);
    }
  });

  it('hostile bodies — random corruption throws only the typed errors', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 3000; i++) {
      const body = Uint8Array.from(deployment);
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++) body[4 + Math.floor(random() * (body.length - 4))] = Math.floor(random() * 256);
      try {
        decodeKubernetesProtobuf(body);
      } catch (err) {
        if (!(err instanceof ProtobufDecodeError || err instanceof UnsupportedKindError)) throw err;
      }
    }
  });

  it('hostile bodies — deeply nested unknown fields are skipped, not recursed into', () => {
    // Field 99 holding field 99 holding … 10 000 levels; headers are built inside-out, then joined once.
    const headers: number[][] = [];
    let size = 0;
    for (let i = 0; i < 10_000; i++) {
      const header = new Writer().tag(99, 2).varint(size).bytes;
      headers.push(header);
      size += header.length;
    }
    const nested = headers.reverse().flat();
    const got = decodeKubernetesProtobuf(envelope('v1', 'Namespace', nested));
    expect(got.object).toEqual({ apiVersion: 'v1', kind: 'Namespace' });
    expect(got.unknownFields).toEqual(['Namespace.99 at .']);
  });

  it('hostile bodies — the unknown-field list is capped', () => {
    const w = new Writer();
    for (let i = 0; i < 500; i++) w.tag(99, 0).varint(i);
    const got = decodeKubernetesProtobuf(envelope('v1', 'Namespace', w.bytes));
    expect(got.unknownFields).toHaveLength(51);
    expect(got.unknownFields.at(-1)).toBe('…and 450 more');
  });

  it('hostile bodies — a __proto__ map key stays a plain key', () => {
    const entry = new Writer().string(1, '__proto__').string(2, 'x').bytes;
    const { object } = decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', new Writer().len(2, entry).bytes));
    const data = object['data'] as Record<string, unknown>;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.keys(data)).toEqual(['__proto__']);
    expect(JSON.stringify(object)).toBe('{"apiVersion":"v1","kind":"ConfigMap","data":{"__proto__":"x"}}');
  });
});
