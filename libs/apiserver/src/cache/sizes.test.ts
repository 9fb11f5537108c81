import { describe, expect, it } from 'vitest';
import { parseWatchCacheSizes, watchCacheResourceName } from './sizes.js';

describe('--watch-cache-sizes', () => {
  it('parses resource[.group]#size settings, ignoring blanks', () => {
    expect([...parseWatchCacheSizes('pods#0, deployments.apps#1000,,events#0')]).toEqual([['pods', 0], ['deployments.apps', 1000], ['events', 0]]);
    expect(parseWatchCacheSizes('').size).toBe(0);
  });

  it('rejects malformed and negative settings with kube-apiserver\'s messages', () => {
    expect(() => parseWatchCacheSizes('pods')).toThrow('invalid value of watch cache size: pods');
    expect(() => parseWatchCacheSizes('pods#ten')).toThrow('invalid value of watch cache size: pods#ten');
    expect(() => parseWatchCacheSizes('#5')).toThrow('invalid value of watch cache size: #5');
    expect(() => parseWatchCacheSizes('pods#-1')).toThrow('watch cache size cannot be negative: pods#-1');
  });

  it('names core resources without a group and others with it', () => {
    expect(watchCacheResourceName({ resource: 'pods', group: '' })).toBe('pods');
    expect(watchCacheResourceName({ resource: 'leases', group: 'coordination.k8s.io' })).toBe('leases.coordination.k8s.io');
  });
});
