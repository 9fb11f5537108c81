import { describe, expect, it } from 'vitest';
import { imageFor } from './images.js';

describe('imageFor', () => {
  it.each([
    { env: {}, kind: 'etcd', want: 'ekslab/etcd:dev' },
    { env: { EKSLAB_IMAGE_TAG: 'v1' }, kind: 'nats', want: 'ekslab/nats:v1' },
    { env: { EKSLAB_ETCD_IMAGE: 'registry:5000/my/etcd' }, kind: 'etcd', want: 'registry:5000/my/etcd:dev' },
    { env: { EKSLAB_ETCD_IMAGE: 'my/etcd:3.5', EKSLAB_IMAGE_TAG: 'v1' }, kind: 'etcd', want: 'my/etcd:3.5' },
  ] as const)('imageFor — $kind with $env is $want', ({ env, kind, want }) => {
    expect(imageFor(kind, env)).toBe(want);
  });
});

