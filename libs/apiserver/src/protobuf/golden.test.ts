// Byte vectors derived by hand from the field numbers in the upstream generated.proto files (tags written
// as (field << 3) | wireType), so a wrong number or wire type in the schema tables fails here.
import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf } from './index.js';

/** Hex with spaces, `|` and `( … )` allowed for readability; they are stripped. */
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/[\s|()]/g, ''), 'hex'));

/** k8s\0 + Unknown{typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2}. */
const MAGIC = '6b 38 73 00';

describe('golden vectors', () => {
  it.each([
    [
      'Namespace named foo (the envelope byte for byte)',
      `${MAGIC} | 0a 0f (0a 02 76 31) (12 09 4e 61 6d 65 73 70 61 63 65) | 12 07 (0a 05 (0a 03 66 6f 6f))`,
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foo' } },
    ],
    [
      'Deployment: replicas 0 is kept, IntOrString as int and string',
      // spec = 2 { replicas = 1: 0; strategy = 4 { type = 1; rollingUpdate = 2 { maxUnavailable = 1, maxSurge = 2 } } }
      `${MAGIC} | 0a 15 (0a 07 ${ascii('apps/v1')}) (12 0a ${ascii('Deployment')}) | 12 26 (12 24 (08 00)` +
        `(22 20 (0a 0d ${ascii('RollingUpdate')}) (12 0f (0a 04 (08 00 10 01)) (12 07 (08 01 1a 03 ${ascii('25%')})))))`,
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        spec: { replicas: 0, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } } },
      },
    ],
    [
      'Secret: bytes map value becomes base64, type = 3',
      `${MAGIC} | 0a 0c (0a 02 76 31) (12 06 ${ascii('Secret')}) | 12 11 (12 07 (0a 01 6b) (12 02 00 ff)) (1a 06 ${ascii('Opaque')})`,
      { apiVersion: 'v1', kind: 'Secret', data: { k: 'AP8=' }, type: 'Opaque' },
    ],
    [
      'PriorityClass: negative int32 as a 10-byte varint; globalDefault false is omitted',
      `${MAGIC} | 0a 25 (0a 14 ${ascii('scheduling.k8s.io/v1')}) (12 0d ${ascii('PriorityClass')}) | 12 0d (10 fb ff ff ff ff ff ff ff ff 01) (18 00)`,
      { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', value: -5 },
    ],
    [
      'ObjectMeta: creationTimestamp = 8 as RFC 3339, labels = 11, finalizers = 14',
      `${MAGIC} | 0a 0f (0a 02 76 31) (12 09 ${ascii('ConfigMap')}) | 12 1a (0a 18 (42 06 (08 80 e2 cf aa 06))` +
        `(5a 08 (0a 01 61) (12 03 ${ascii('web')})) (72 04 ${ascii('fin1')}))`,
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { creationTimestamp: '2023-11-14T22:13:20Z', labels: { a: 'web' }, finalizers: ['fin1'] },
      },
    ],
    [
      'Eviction: deleteOptions = 2 with gracePeriodSeconds 0 kept',
      `${MAGIC} | 0a 15 (0a 09 ${ascii('policy/v1')}) (12 08 ${ascii('Eviction')}) | 12 0d (0a 07 (0a 05 ${ascii('web-1')})) (12 02 (08 00))`,
      { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-1' }, deleteOptions: { gracePeriodSeconds: 0 } },
    ],
    [
      'Pod: inline volume sources, env secretKeyRef, Quantity limits, inline probe handler',
      `${MAGIC} | 0a 09 (0a 02 76 31) (12 03 ${ascii('Pod')}) | 12 74 (12 72` +
        // volumes = 1: {name = 1 "data", volumeSource = 2 {emptyDir = 2 {}}}, {name "cfg", volumeSource {configMap = 19 {name "cm"}}}
        ` (0a 0a (0a 04 ${ascii('data')}) (12 02 (12 00)))` +
        ` (0a 10 (0a 03 ${ascii('cfg')}) (12 09 (9a 01 06 (0a 04 (0a 02 ${ascii('cm')})))))` +
        // containers = 2: name = 1, image = 2, env = 7, resources = 8 {limits = 1}, livenessProbe = 10
        ` (12 52 (0a 03 ${ascii('app')}) (12 05 ${ascii('nginx')})` +
        ` (3a 1a (0a 08 ${ascii('PASSWORD')}) (1a 0e (22 0c (0a 04 (0a 02 ${ascii('db')})) (12 04 ${ascii('pass')}))))` +
        ` (42 0f (0a 0d (0a 03 ${ascii('cpu')}) (12 06 (0a 04 ${ascii('500m')}))))` +
        ` (52 17 (0a 13 (12 11 (0a 08 ${ascii('/healthz')}) (12 05 (08 00 10 90 3f)))) (10 05))))`,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        spec: {
          volumes: [
            { name: 'data', emptyDir: {} },
            { name: 'cfg', configMap: { name: 'cm' } },
          ],
          containers: [
            {
              name: 'app',
              image: 'nginx',
              env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'pass' } } }],
              resources: { limits: { cpu: '500m' } },
              livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 5 },
            },
          ],
        },
      },
    ],
  ])('golden vectors — %s', (_name, bytes, want) => {
    const got = decodeKubernetesProtobuf(hex(bytes));
    expect(got.object).toStrictEqual(want);
    expect(got.unknownFields).toEqual([]);
  });
});

function ascii(s: string): string {
  return Buffer.from(s, 'latin1').toString('hex');
}
