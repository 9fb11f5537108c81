import { describe, expect, it } from 'vitest';
import { runFilters } from './filters.js';
import { fitError, preemptionMessage } from './fit-error.js';
import { node, pod, snap } from './test-objects.js';
import type { FilterStatus, Pod } from './types.js';

const cpu = (): FilterStatus => ({ code: 'Unschedulable', plugin: 'NodeResourcesFit', reasons: ['Insufficient cpu'] });
const taint = (): FilterStatus => ({ code: 'UnschedulableAndUnresolvable', plugin: 'TaintToleration', reasons: ['node(s) had untolerated taint {node-role: x}'] });
const both = (): FilterStatus => ({ code: 'Unschedulable', plugin: 'NodeResourcesFit', reasons: ['Insufficient cpu', 'Insufficient memory'] });
const statuses = (...s: FilterStatus[]) => new Map(s.map((st, i) => [`n${i}`, st]));
const p = pod('p');

describe('scheduler — fitError message', () => {
  it.each([
    ['one reason, preemption finds no victims', 3, statuses(cpu(), cpu(), cpu()), {},
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.'],
    ['the brief’s example: reasons sorted, unresolvable nodes not helped by preemption', 3, statuses(cpu(), taint(), taint()), {},
      '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role: x}. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.'],
    ['a node with two reasons counts in both; the count is part of the sort key', 2, statuses(both(), cpu()), {},
      '0/2 nodes are available: 1 Insufficient memory, 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.'],
    ['sorted as strings (Go sort.Strings): "10 …" before "2 …"', 12,
      statuses(...Array.from({ length: 10 }, taint), cpu(), cpu()), { preemption: false },
      '0/12 nodes are available: 10 node(s) had untolerated taint {node-role: x}, 2 Insufficient cpu.'],
    ['without preemption configured there is no suffix', 1, statuses(cpu()), { preemption: false },
      '0/1 nodes are available: 1 Insufficient cpu.'],
    ['nodes without a status are not helped by preemption', 3, statuses(cpu()), {},
      '0/3 nodes are available: 1 Insufficient cpu. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.'],
    ['a PreFilter rejection replaces the histogram', 3, statuses(), { preFilterMessage: 'pod has unbound immediate PersistentVolumeClaims' },
      '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.'],
    ['no nodes at all', 0, statuses(), {}, 'no nodes available to schedule pods'],
  ] as const)('%s', (_n, count, st, opts, want) => expect(fitError(p, count, st, opts)).toBe(want));

  it('preemptionPolicy Never is not eligible', () => {
    const never: Pod = pod('p', { preemptionPolicy: 'Never' });
    expect(fitError(never, 1, statuses(cpu()))).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
    );
    expect(preemptionMessage(never, 1, statuses(cpu()))).toBe('preemption: not eligible due to preemptionPolicy=Never.');
  });
});

describe('scheduler — fitError over real filter results (issue 5: one m5.large, pods beyond 29)', () => {
  it('a full node says Too many pods; a tainted one names its untolerated taint (1.33 wording)', () => {
    const full = snap(node('full', { allocatable: { cpu: '1930m', memory: '7220Mi', pods: '29' } }),
      Array.from({ length: 29 }, (_, i) => pod(`p${i}`)));
    const tainted = snap(node('tainted', { spec: { taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }] } }));
    const incoming = pod('incoming', {}, { cpu: '100m' });
    const st = new Map<string, FilterStatus>();
    for (const s of [full, tainted]) {
      const r = runFilters(incoming, s);
      if (r) st.set(s.node.metadata.name, r);
    }
    expect(fitError(incoming, 2, st)).toBe(
      '0/2 nodes are available: 1 Too many pods, 1 node(s) had untolerated taint {dedicated: batch}. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
    );
  });
});
