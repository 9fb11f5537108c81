import { describe, expect, it } from 'vitest';
import { withDefaultTolerations, type Toleration } from './default-toleration-seconds.js';

const notReady = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
const unreachable = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };

describe('DefaultTolerationSeconds', () => {
  it.each<[string, Toleration[], Toleration[]]>([
    ['none → both added', [], [notReady, unreachable]],
    ['own not-ready kept, unreachable added', [{ key: notReady.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }], [{ key: notReady.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }, unreachable]],
    ['empty key tolerates every NoExecute taint', [{ operator: 'Exists', effect: 'NoExecute' }], [{ operator: 'Exists', effect: 'NoExecute' }]],
    ['tolerate everything', [{ operator: 'Exists' }], [{ operator: 'Exists' }]],
    ['empty effect on the key counts', [{ key: unreachable.key, operator: 'Exists' }], [{ key: unreachable.key, operator: 'Exists' }, notReady]],
    ['NoSchedule does not count', [{ key: notReady.key, operator: 'Exists', effect: 'NoSchedule' }], [{ key: notReady.key, operator: 'Exists', effect: 'NoSchedule' }, notReady, unreachable]],
    ['other keys do not count', [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoExecute' }], [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoExecute' }, notReady, unreachable]],
  ])('tolerations — %s', (_, given, want) => {
    expect(withDefaultTolerations(given, 300, 300)).toEqual(want);
  });

  it('tolerations — the seconds are configurable per taint', () => {
    expect(withDefaultTolerations([], 30, 60).map((t) => t.tolerationSeconds)).toEqual([30, 60]);
  });
});
