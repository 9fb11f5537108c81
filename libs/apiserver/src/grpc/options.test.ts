import { DeletionPropagation, PatchType } from '@ekslab/proto';
import { describe, expect, it } from 'vitest';
import type { ApiStatusError } from '../http/status.js';
import { findResource } from '../resources.js';
import { deleteOptionsOf, patchTypeOf, selectorsOf } from './options.js';
import { planWatch } from './watch.js';

const configmaps = findResource('', 'v1', 'configmaps')!;
const statusOfThrown = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as ApiStatusError).status;
  }
  throw new Error('did not throw');
};

describe('grpc options — request options as the REST layer takes them', () => {
  it('patch types map to REST patch types; unspecified is 415', () => {
    expect([PatchType.JSON, PatchType.MERGE, PatchType.STRATEGIC_MERGE, PatchType.APPLY].map(patchTypeOf)).toEqual(['json', 'merge', 'strategic', 'apply']);
    expect(statusOfThrown(() => patchTypeOf(PatchType.UNSPECIFIED))).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
  });

  it('delete options: grace period, propagation, preconditions, dry run', () => {
    expect(deleteOptionsOf(undefined)).toEqual({ dryRun: false });
    expect(deleteOptionsOf({ gracePeriodSeconds: 0, propagationPolicy: DeletionPropagation.FOREGROUND, preconditions: { uid: 'u', resourceVersion: '' }, dryRun: true }))
      .toEqual({ dryRun: true, gracePeriodSeconds: 0, propagationPolicy: 'Foreground', preconditions: { uid: 'u' } });
    expect(statusOfThrown(() => deleteOptionsOf({ gracePeriodSeconds: -1, propagationPolicy: 0, dryRun: false }))).toMatchObject({ code: 400 });
    expect(statusOfThrown(() => deleteOptionsOf({ propagationPolicy: 7 as DeletionPropagation, dryRun: false }))).toMatchObject({ code: 422, reason: 'Invalid' });
  });

  it('selectors: labels and supported fields; an unsupported field is 400', () => {
    const match = selectorsOf(configmaps, { labelSelector: 'app=web', fieldSelector: 'metadata.name=a' } as never);
    expect(match({ metadata: { name: 'a', labels: { app: 'web' } } })).toBe(true);
    expect(match({ metadata: { name: 'b', labels: { app: 'web' } } })).toBe(false);
    expect(statusOfThrown(() => selectorsOf(configmaps, { labelSelector: '', fieldSelector: 'spec.nodeName=x' } as never))).toMatchObject({ code: 400 });
  });
});

describe('grpc watch plan — REST resourceVersion rules', () => {
  const opts = { bookmarkIntervalMs: 1000, minRequestTimeoutMs: 1_800_000 };
  const registry = { prefixOf: () => '/registry/configmaps/' };
  const plan = (options: object) => planWatch(opts, registry, configmaps, { gvr: undefined, namespace: '', options: { labelSelector: '', fieldSelector: '', resourceVersion: '', resourceVersionMatch: 0, limit: 0, continueToken: '', allowWatchBookmarks: false, ...options } }, () => 0.5);

  it('"" and "0" list first; another resourceVersion watches after it', () => {
    expect(plan({})).toMatchObject({ initialEvents: true, initialEventsEndBookmark: false });
    expect(plan({ resourceVersion: '0' })).toMatchObject({ initialEvents: true });
    const from = plan({ resourceVersion: '42' });
    expect(from).toMatchObject({ initialEvents: false, fromRevision: '42' });
  });

  it('timeout: timeoutSeconds, else 1x–2x the minimum request timeout', () => {
    expect(plan({ timeoutSeconds: 5 }).timeoutMs).toBe(5000);
    expect(plan({}).timeoutMs).toBe(2_700_000);
  });

  it('send_initial_events needs NOT_OLDER_THAN and bookmarks (422 otherwise)', () => {
    expect(plan({ sendInitialEvents: true, resourceVersionMatch: 1, allowWatchBookmarks: true })).toMatchObject({ initialEvents: true, initialEventsEndBookmark: true });
    expect(plan({ sendInitialEvents: false, resourceVersionMatch: 1 })).toMatchObject({ initialEvents: false });
    expect(statusOfThrown(() => plan({ sendInitialEvents: true, allowWatchBookmarks: true }))).toMatchObject({ code: 422 });
    expect(statusOfThrown(() => plan({ sendInitialEvents: true, resourceVersionMatch: 1 }))).toMatchObject({ code: 422 });
    expect(statusOfThrown(() => plan({ resourceVersionMatch: 1 }))).toMatchObject({ code: 422 });
  });
});
