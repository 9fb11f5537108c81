/**
 * Events, for both core/v1 and events.k8s.io/v1. kube-apiserver prints both from the internal Event,
 * so an events.k8s.io object is read through the field names its conversion maps (`regarding` is
 * `involvedObject`, `note` is `message`, `deprecatedCount` is `count`, …).
 */
import { col } from './columns.js';
import { since } from './duration.js';
import { num, rec, str, type Json } from './fields.js';
import type { KubeObject, Printer } from './types.js';

/** The internal Event fields the printer reads. */
interface EventView {
  firstTimestamp: unknown; lastTimestamp: unknown; eventTime: unknown; count: number; series: Json | null;
  involvedObject: Json; source: Json; reportingController: string; reportingInstance: string;
  type: string; reason: string; message: string;
}

function coreView(e: Json): EventView {
  return {
    firstTimestamp: e['firstTimestamp'], lastTimestamp: e['lastTimestamp'], eventTime: e['eventTime'],
    count: num(e['count']), series: e['series'] === undefined || e['series'] === null ? null : rec(e['series']),
    involvedObject: rec(e['involvedObject']), source: rec(e['source']),
    // core/v1 spells ReportingController `reportingComponent` on the wire.
    reportingController: str(e['reportingComponent']), reportingInstance: str(e['reportingInstance']),
    type: str(e['type']), reason: str(e['reason']), message: str(e['message']),
  };
}

function eventsV1View(e: Json): EventView {
  return {
    firstTimestamp: e['deprecatedFirstTimestamp'], lastTimestamp: e['deprecatedLastTimestamp'], eventTime: e['eventTime'],
    count: num(e['deprecatedCount']), series: e['series'] === undefined || e['series'] === null ? null : rec(e['series']),
    involvedObject: rec(e['regarding']), source: rec(e['deprecatedSource']),
    reportingController: str(e['reportingController']), reportingInstance: str(e['reportingInstance']),
    type: str(e['type']), reason: str(e['reason']), message: str(e['note']),
  };
}

/** `component, host`, falling back to reportingController / reportingInstance. */
function eventSource(v: EventView): string {
  const component = str(v.source['component']) || v.reportingController;
  const instance = str(v.source['host']) || v.reportingInstance;
  return instance === '' ? component : `${component}, ${instance}`;
}

function isSet(timestamp: unknown): boolean {
  return typeof timestamp === 'string' && timestamp !== '';
}

function eventRow(obj: KubeObject, v: EventView, now: number): (string | number)[] {
  const first = isSet(v.firstTimestamp) ? since(v.firstTimestamp, now) : since(v.eventTime, now);
  let last = isSet(v.lastTimestamp) ? since(v.lastTimestamp, now) : first;
  let count = v.count;
  if (v.series !== null) {
    last = since(v.series['lastObservedTime'], now);
    count = num(v.series['count']);
  } else if (count === 0) {
    count = 1; // singleton events of the new API carry no count
  }
  const kind = str(v.involvedObject['kind']).toLowerCase();
  const involved = str(v.involvedObject['name']);
  const target = involved === '' ? kind : `${kind}/${involved}`;
  return [
    last, v.type, v.reason, target, str(v.involvedObject['fieldPath']), eventSource(v), v.message.trim(),
    first, count, obj.metadata?.name ?? '',
  ];
}

const eventColumns = [
  col('Last Seen', 'string', 'event.lastTimestamp'),
  col('Type', 'string', 'event.type'),
  col('Reason', 'string', 'event.reason'),
  col('Object', 'string', 'event.involvedObject'),
  col('Subobject', 'string', 'objectReference.fieldPath', 1),
  col('Source', 'string', 'event.source', 1),
  col('Message', 'string', 'event.message'),
  col('First Seen', 'string', 'event.firstTimestamp', 1),
  col('Count', 'string', 'event.count', 1),
  // The only printer whose Name column is wide-only (and last).
  col('Name', 'string', 'objectMeta.name', 1, 'name'),
];

export const coreEventPrinter: Printer = {
  columns: eventColumns,
  row: (obj, now) => eventRow(obj, coreView(obj), now),
};

export const eventsV1EventPrinter: Printer = {
  columns: eventColumns,
  row: (obj, now) => eventRow(obj, eventsV1View(obj), now),
};
