import { Counter, Gauge, type Registry } from 'prom-client';

/** The watch cache's Prometheus metrics, named as kube-apiserver names its own where it has one. */
export interface CacheMetrics {
  readonly eventsReceived: Counter<'resource'>;
  readonly eventsDispatched: Counter<'resource'>;
  readonly terminatedWatchers: Counter<'resource'>;
  readonly initializations: Counter<'resource'>;
  readonly consistentReads: Counter<'resource' | 'success' | 'fallback'>;
  readonly capacity: Gauge<'resource'>;
  readonly objects: Gauge<'resource'>;
  readonly resourceVersion: Gauge<'resource'>;
  readonly watchers: Gauge<'resource'>;
}

export function cacheMetrics(registry: Registry): CacheMetrics {
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> => new Counter({ name, help, labelNames, registers });
  const gauge = (name: string, help: string): Gauge<'resource'> => new Gauge({ name, help, labelNames: ['resource'] as const, registers });
  return {
    eventsReceived: counter('apiserver_watch_cache_events_received_total', 'Events the watch cache received from etcd', ['resource']),
    eventsDispatched: counter('apiserver_watch_cache_events_dispatched_total', 'Events the watch cache handed to watchers (one per watcher)', ['resource']),
    terminatedWatchers: counter('apiserver_terminated_watchers_total', 'Watchers closed by the cache (too slow, or a re-list)', ['resource']),
    initializations: counter('apiserver_watch_cache_initializations_total', 'Lists the watch cache (re)started from', ['resource']),
    consistentReads: counter('apiserver_watch_cache_consistent_read_total', 'Consistent lists served from the cache, or by etcd after the cache did not catch up in time', ['resource', 'success', 'fallback']),
    capacity: gauge('apiserver_watch_cache_capacity', 'Capacity of the watch cache event window'),
    objects: gauge('apiserver_watch_cache_objects', 'Objects held by the watch cache'),
    resourceVersion: gauge('apiserver_watch_cache_resource_version', 'Revision the watch cache is fresh up to'),
    watchers: gauge('apiserver_registered_watchers', 'Watches served from the cache'),
  };
}
