import { describe, expect, it } from 'vitest';
import { withPodCondition } from './binding.js';

const T = Date.parse('2026-11-22T05:00:00Z');

describe('pod conditions — UpdatePodCondition', () => {
  it('appends a new condition with lastTransitionTime now', () => {
    expect(withPodCondition({ conditions: [{ type: 'Ready', status: 'False' }] }, { type: 'PodScheduled', status: 'True' }, T)).toEqual([
      { type: 'Ready', status: 'False' },
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-11-22T05:00:00Z' },
    ]);
  });

  it('replaces the condition of that type (reason and message go), keeping the transition time when the status is unchanged', () => {
    const old = { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'x' };
    expect(withPodCondition({ conditions: [old] }, { type: 'PodScheduled', status: 'True' }, T)).toEqual([
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' },
    ]);
  });

  it('a status change moves lastTransitionTime to now (Unschedulable → scheduled)', () => {
    const old = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available', lastTransitionTime: '2026-01-01T00:00:00Z' };
    expect(withPodCondition({ conditions: [old] }, { type: 'PodScheduled', status: 'True' }, T)).toEqual([
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-11-22T05:00:00Z' },
    ]);
  });

  it('no status at all', () => {
    expect(withPodCondition(undefined, { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' }, T)).toHaveLength(1);
  });
});
