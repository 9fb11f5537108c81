import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../patch/json-patch.js';
import { apply, ApplyConflictError, conflictMessage, update, type ManagedFieldsEntry } from './managed.js';
import { pathString, type Path } from './path.js';
import { deducedType, typeForKind } from './schema.js';
import { FieldSet } from './set.js';
import { compare, toFieldSet } from './typed.js';

const deployType = typeForKind('apps', 'Deployment');
const opts = { type: deployType, apiVersion: 'apps/v1', time: '2026-11-22T05:00:00Z' };
const later = { ...opts, time: '2026-11-22T05:01:00Z' };

const deployment = (spec: JsonObject, labels: Record<string, string> = { app: 'web' }): JsonObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels }, spec,
});
const podSpec = (image: string): JsonObject => ({
  selector: { matchLabels: { app: 'web' } },
  template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }] }] } },
});

function applied(live: JsonObject | undefined, cfg: JsonObject, manager: string, mf: unknown, force = false, o = opts) {
  const r = apply(live, cfg, manager, mf, { ...o, force });
  if (!r.ok) throw new ApplyConflictError(r.conflicts);
  return r;
}
const owners = (mf: readonly ManagedFieldsEntry[]) => mf.map((e) => `${e.manager}/${e.operation}`);

describe('managed fields — FieldsV1 encoding', () => {
  const cases: Array<{ name: string; obj: JsonObject; want: unknown }> = [
    {
      name: 'structs have no self member, list items by key, LabelSelector atomic, ports keyed with protocol default',
      obj: deployment({ replicas: 2, ...podSpec('nginx:1') }),
      want: {
        'f:metadata': { 'f:labels': { 'f:app': {} }, 'f:name': {} },
        'f:spec': {
          'f:replicas': {}, 'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } } } },
          },
        },
        'f:apiVersion': {}, 'f:kind': {},
      },
    },
    {
      name: 'finalizers are a set (v:), tolerations atomic',
      obj: { metadata: { finalizers: ['a', 'b'] }, spec: { tolerations: [{ key: 'k' }] } },
      want: { 'f:metadata': { 'f:finalizers': { 'v:"a"': {}, 'v:"b"': {} } }, 'f:spec': { 'f:tolerations': {} } },
    },
  ];
  for (const c of cases) {
    it(`managed fields — ${c.name}`, () => {
      const type = c.obj['kind'] ? deployType : typeForKind('', 'Pod');
      const got = toFieldSet(c.obj, type).toFieldsV1();
      expect(got).toEqual(c.want);
      expect(JSON.stringify(Object.keys(got))).toBe(JSON.stringify(Object.keys(got).sort()));
      expect(FieldSet.fromFieldsV1(got).equals(toFieldSet(c.obj, type))).toBe(true);
    });
  }

  it('managed fields — without a schema every map entry is owned and every list is atomic (deduced type)', () => {
    expect(toFieldSet({ spec: { a: { b: 1 }, list: [{ name: 'x' }] } }, deducedType).toFieldsV1()).toEqual({ 'f:spec': { '.': {}, 'f:a': { '.': {}, 'f:b': {} }, 'f:list': {} } });
  });

  it('managed fields — paths print as Kubernetes prints them', () => {
    const p: Path = [{ field: 'spec' }, { field: 'containers' }, { key: [['name', 'c']] }, { field: 'ports' }, { key: [['containerPort', 80], ['protocol', 'TCP']] }, { value: 'x' }];
    expect(pathString(p)).toBe('.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"][="x"]');
  });

  it('managed fields — a map added by an update owns itself (".") but a struct does not', () => {
    const d = compare({}, { metadata: { labels: { a: '1' } }, spec: { strategy: { type: 'Recreate' } } }, deployType);
    expect(d.added.toFieldsV1()).toEqual({ 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } }, 'f:spec': { 'f:strategy': { 'f:type': {} } } });
  });
});

describe('managed fields — apply', () => {
  it('managed fields — apply creates and owns what it applied; re-applying changes nothing', () => {
    const cfg = deployment({ replicas: 2, ...podSpec('nginx:1') });
    const first = applied(undefined, cfg, 'kubectl', undefined);
    expect(first.object).toEqual(cfg);
    expect(first.managedFields).toEqual([{ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: opts.time, fieldsType: 'FieldsV1', fieldsV1: expect.any(Object) as unknown }]);
    const again = applied(first.object, cfg, 'kubectl', first.managedFields, false, later);
    expect(again.changed).toBe(false);
    expect(again.managedFields).toEqual(first.managedFields);
  });

  it('managed fields — apply after kubectl\'s client-side-apply upgrade keeps maps and lists whose members it still applies', () => {
    const cfg = deployment({ replicas: 2, ...podSpec('nginx:1') });
    const live = applied(undefined, cfg, 'kubectl-client-side-apply', undefined).object;
    // kubectl moves the client-side-apply fields to the server-side manager, naming maps and lists themselves.
    const upgraded = [{
      manager: 'eks', operation: 'Apply', apiVersion: 'apps/v1', time: opts.time, fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': {
          'f:replicas': {}, 'f:selector': {},
          'f:template': { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:containers': { '.': {}, 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } } } } },
        },
      },
    }];
    const r = applied(live, cfg, 'eks', upgraded, false, later);
    expect(r.object).toEqual(cfg);
    expect(r.changed).toBe(false);
  });

  const scaled = () => {
    const created = applied(undefined, deployment({ replicas: 2, ...podSpec('nginx:1') }), 'kubectl', undefined);
    const live = structuredClone(created.object);
    (live['spec'] as JsonObject)['replicas'] = 5;
    return { live, mf: update(created.object, live, 'kubectl-scale', created.managedFields, { ...later, subresource: 'scale' }) };
  };

  const conflictCases: Array<{ name: string; replicas: number; force: boolean; conflict?: string; replicasAfter: number; managers: string[] }> = [
    { name: 'a different value owned by another manager conflicts', replicas: 3, force: false, conflict: 'Apply failed with 1 conflict: conflict with "kubectl-scale" with subresource "scale" using apps/v1: .spec.replicas', replicasAfter: 5, managers: [] },
    { name: 'force takes the field over', replicas: 3, force: true, replicasAfter: 3, managers: ['kubectl/Apply'] },
    { name: 'the same value is shared, not a conflict', replicas: 5, force: false, replicasAfter: 5, managers: ['kubectl/Apply', 'kubectl-scale/Update'] },
  ];
  for (const c of conflictCases) {
    it(`managed fields — ${c.name}`, () => {
      const { live, mf } = scaled();
      expect(owners(mf)).toEqual(['kubectl/Apply', 'kubectl-scale/Update']);
      const r = apply(live, deployment({ replicas: c.replicas, ...podSpec('nginx:1') }), 'kubectl', mf, { ...later, force: c.force });
      if (c.conflict) {
        expect(r.ok).toBe(false);
        if (r.ok) return;
        const err = new ApplyConflictError(r.conflicts);
        expect(err.status).toEqual({
          kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: c.conflict, reason: 'Conflict', code: 409,
          details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-scale" with subresource "scale" using apps/v1', field: '.spec.replicas' }] },
        });
        return;
      }
      if (!r.ok) throw new ApplyConflictError(r.conflicts);
      expect((r.object['spec'] as JsonObject)['replicas']).toBe(c.replicasAfter);
      expect(owners(r.managedFields)).toEqual(c.managers);
    });
  }

  it('managed fields — a label dropped from the configuration is removed; one set by another manager stays', () => {
    const created = applied(undefined, deployment({ replicas: 1 }, { app: 'web', tier: 'front' }), 'kubectl', undefined);
    const labelled = structuredClone(created.object);
    (labelled['metadata'] as { labels: Record<string, string> }).labels['extra'] = 'yes';
    const mf = update(created.object, labelled, 'kubectl-label', created.managedFields, later);
    const r = applied(labelled, deployment({ replicas: 1 }, { app: 'web' }), 'kubectl', mf);
    expect((r.object['metadata'] as JsonObject)['labels']).toEqual({ app: 'web', extra: 'yes' });
  });

  it('managed fields — a field another applier also applies survives the prune', () => {
    const a = applied(undefined, deployment({ replicas: 1, minReadySeconds: 5 }), 'a', undefined);
    const b = applied(a.object, deployment({ minReadySeconds: 5 }), 'b', a.managedFields);
    const r = applied(b.object, deployment({ replicas: 1 }), 'a', b.managedFields);
    expect((r.object['spec'] as JsonObject)['minReadySeconds']).toBe(5);
    const r2 = applied(r.object, deployment({}), 'b', r.managedFields);
    expect((r2.object['spec'] as JsonObject)['minReadySeconds']).toBeUndefined();
  });

  it('managed fields — containers merge by name; a container dropped from the configuration is removed', () => {
    const two = deployment({ template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } } });
    const r = applied(undefined, two, 'kubectl', undefined);
    const one = deployment({ template: { spec: { containers: [{ name: 'b', image: 'z' }] } } });
    const r2 = applied(r.object, one, 'kubectl', r.managedFields);
    expect(r2.object['spec']).toEqual({ template: { spec: { containers: [{ name: 'b', image: 'z' }] } } });
  });

  it('managed fields — fields the endpoint resets neither conflict nor become owned (apply through /status)', () => {
    const created = applied(undefined, deployment({ replicas: 2 }), 'alice', undefined);
    const status = { ...opts, subresource: 'status', ignored: FieldSet.of([{ field: 'spec' }]) };
    const r = applied(created.object, { ...deployment({ replicas: 9 }), status: { observedGeneration: 1 } }, 'ctrl', created.managedFields, false, status);
    expect(r.managedFields.map((e) => [e.manager, e.subresource, e.fieldsV1])).toEqual([
      ['alice', undefined, { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } }],
      ['ctrl', 'status', { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:status': { 'f:observedGeneration': {} } }],
    ]);
  });

  it('managed fields — several conflicts are listed one per line, grouped by manager', () => {
    const owner = (m: string): ManagedFieldsEntry => ({ manager: m, operation: 'Update', apiVersion: 'apps/v1' });
    expect(conflictMessage([
      { owner: owner('b'), path: [{ field: 'spec' }, { field: 'replicas' }] },
      { owner: owner('a'), path: [{ field: 'spec' }, { field: 'paused' }] },
      { owner: { manager: 'c', operation: 'Apply' }, path: [{ field: 'metadata' }, { field: 'labels' }, { field: 'x' }] },
    ])).toBe('Apply failed with 3 conflicts: conflicts with "a" using apps/v1:\n- .spec.paused\nconflicts with "b" using apps/v1:\n- .spec.replicas\nconflicts with "c":\n- .metadata.labels.x');
  });
});

describe('managed fields — update', () => {
  it('managed fields — changed fields move to the updater; removed ones leave every set', () => {
    const created = applied(undefined, deployment({ replicas: 2, paused: false }), 'kubectl', undefined);
    const next = structuredClone(created.object);
    (next['spec'] as JsonObject)['replicas'] = 4;
    delete (next['spec'] as JsonObject)['paused'];
    const mf = update(created.object, next, 'kubectl-edit', created.managedFields, later);
    expect(mf.map((e) => [e.manager, e.operation, e.fieldsV1])).toEqual([
      ['kubectl', 'Apply', { 'f:metadata': { 'f:labels': { 'f:app': {} } } }],
      ['kubectl-edit', 'Update', { 'f:spec': { 'f:replicas': {} } }],
    ]);
  });

  it('managed fields — a create records every field it set, and the reset fields of the endpoint are owned by nobody', () => {
    const ignored = FieldSet.of([{ field: 'status' }]);
    const mf = update(undefined, { ...deployment({ replicas: 1 }), status: { replicas: 1 } }, 'kubectl-create', undefined, { ...opts, ignored });
    expect(mf).toEqual([{ manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: opts.time, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } } }]);
  });

  it('managed fields — more than 10 update managers fold the oldest into "ancient-changes"', () => {
    let obj: JsonObject = deployment({});
    let mf: ManagedFieldsEntry[] = [];
    for (let i = 0; i < 11; i++) {
      const next = structuredClone(obj);
      (next['metadata'] as { labels: Record<string, string> }).labels[`l${i}`] = 'x';
      mf = update(obj, next, `m${i}`, mf, { ...opts, time: `2026-11-22T05:00:${String(10 + i)}Z` });
      obj = next;
    }
    expect(mf).toHaveLength(10);
    expect(mf[0]).toMatchObject({ manager: 'ancient-changes', operation: 'Update', time: '2026-11-22T05:00:11Z', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:l0': {}, 'f:l1': {} } } } });
    expect(mf.slice(1).map((e) => e.manager)).toEqual(['m2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10']);
  });
});
