// Fault controls whose state lives in etcd, so every cloud replica applies the same faults: each replica
// watches one key and keeps the state in memory, so enter() costs no etcd call.
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { FaultChanged } from '@ekslab/cloud-events';
import { NotFoundError, AlreadyExistsError, type EtcdStore } from '@ekslab/storage';
import { systemClock, type Clock } from '@ekslab/runtime';
import type { EventSink, FaultGate } from '../ports.js';
import {
  emptyFaultState, insufficientInstanceCapacity, InvalidFaultError, requestLimitExceeded, ruleFor, TokenBucket, validateLatency, validateThrottle,
  type FaultState, type LatencyRule, type ThrottleRule,
} from './state.js';

/** Key of the fault state, relative to the cloud's store prefix. */
export const faultStateKey = '/faults/state';

/** The fault controls' own calls: never throttled, delayed or failed, so chaos can always undo a fault. */
export const faultControlApis: ReadonlySet<string> = new Set(['SetThrottle', 'SetLatency', 'SetAzImpaired', 'ListFaults', 'ClearAll']);

export interface EtcdFaultGateOptions {
  readonly store: EtcdStore;
  readonly events: EventSink;
  readonly log: Logger;
  /** AZs of the region, named as alternatives in InsufficientInstanceCapacity; default us-east-1a…c. */
  readonly availabilityZones?: readonly string[];
  readonly clock?: Clock;
  /** Uniform in [0, 1): the latency jitter. */
  readonly random?: () => number;
  /** Pause before re-watching after the watch broke; default 1 s. */
  readonly rewatchDelayMs?: number;
  /** Where `ekslab_cloud_fault_injections_total{api,fault}` is registered; none: a private registry. */
  readonly registry?: Registry;
}

/**
 * The FaultGate of every cloud replica. Throttling is a token bucket per replica and per API (a `*` rule
 * gives each API its own bucket at that rate), so with N replicas behind a load balancer the cloud as a
 * whole admits up to N × the rate — as AWS throttles per endpoint host, not globally. Latency and impaired
 * AZs are exact. A change made through one replica reaches the others through an etcd watch (typically
 * milliseconds); the replica that made it applies it at once. Until `start()` has read the state once,
 * enter() applies no faults.
 */
export class EtcdFaultGate implements FaultGate {
  private state: FaultState = emptyFaultState();
  private revision = '0';
  private synced = false;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly injections: Counter<'api' | 'fault'>;

  constructor(private readonly options: EtcdFaultGateOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.injections = new Counter({
      name: 'ekslab_cloud_fault_injections_total', help: 'API calls a fault acted on (throttled, delayed, refused for an impaired AZ), by API and fault',
      labelNames: ['api', 'fault'], registers: options.registry ? [options.registry] : [],
    });
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** The faults in force as this replica sees them. */
  current(): FaultState {
    return structuredClone(this.state);
  }

  async enter(api: string, context: { availabilityZone?: string; instanceType?: string }, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (faultControlApis.has(api)) return;
    const throttle = ruleFor(this.state.throttles, api);
    if (throttle && !this.bucket(`${throttle.key}|${api}`, throttle.rule).take(this.clock.now())) {
      this.injections.inc({ api, fault: 'throttle' });
      throw requestLimitExceeded();
    }
    const latency = ruleFor(this.state.latencies, api);
    if (latency) {
      const ms = latency.rule.fixedMs + Math.floor(this.random() * latency.rule.jitterMs);
      if (ms > 0) {
        this.injections.inc({ api, fault: 'latency' });
        await this.clock.sleep(ms, signal);
      }
    }
    const az = context.availabilityZone;
    if (api === 'RunInstances' && az && this.state.impairedAzs[az]) {
      const others = (this.options.availabilityZones ?? ['us-east-1a', 'us-east-1b', 'us-east-1c']).filter((z) => z !== az && !this.state.impairedAzs[z]);
      this.injections.inc({ api, fault: 'az-impaired' });
      throw insufficientInstanceCapacity(context.instanceType ?? '', az, others);
    }
  }

  /** Throttles `api` (or `*`) to `ratePerSecond` with a bucket of `burst` (0: max(1, rate)); `clear` removes the rule. */
  async setThrottle(api: string, ratePerSecond: number, burst: number, clear: boolean, signal: AbortSignal): Promise<FaultState> {
    validateThrottle(api, ratePerSecond, burst);
    const rule: ThrottleRule = { ratePerSecond, burst: burst > 0 ? burst : Math.max(1, Math.ceil(ratePerSecond)) };
    const next = await this.update((s) => {
      if (clear) delete s.throttles[api];
      else s.throttles[api] = rule;
    }, signal);
    await this.publish({ kind: 'fault', fault: 'throttle', active: !clear, detail: clear ? { api } : { api, ratePerSecond: rule.ratePerSecond, burst: rule.burst } }, signal);
    return next;
  }

  /** Adds `fixedMs` + up to `jitterMs` to every call of `api` (or `*`); `clear` removes the rule. */
  async setLatency(api: string, fixedMs: number, jitterMs: number, clear: boolean, signal: AbortSignal): Promise<FaultState> {
    validateLatency(api, fixedMs, jitterMs);
    const rule: LatencyRule = { fixedMs, jitterMs };
    const next = await this.update((s) => {
      if (clear) delete s.latencies[api];
      else s.latencies[api] = rule;
    }, signal);
    await this.publish({ kind: 'fault', fault: 'latency', active: !clear, detail: clear ? { api } : { api, fixedMs, jitterMs } }, signal);
    return next;
  }

  /** Marks an AZ impaired (RunInstances there fails with InsufficientInstanceCapacity) or recovered. */
  async setAzImpaired(availabilityZone: string, impaired: boolean, signal: AbortSignal): Promise<FaultState> {
    if (!/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/.test(availabilityZone)) {
      throw new InvalidFaultError(`Invalid availability zone: [${availabilityZone}]`);
    }
    const since = new Date(this.clock.now()).toISOString();
    const next = await this.update((s) => {
      if (!impaired) delete s.impairedAzs[availabilityZone];
      else s.impairedAzs[availabilityZone] ??= since;
    }, signal);
    await this.publish({ kind: 'fault', fault: 'az-impaired', active: impaired, detail: { availabilityZone } }, signal);
    return next;
  }

  /** Removes every fault. */
  async clearAll(signal: AbortSignal): Promise<FaultState> {
    const next = await this.update((s) => {
      s.throttles = {};
      s.latencies = {};
      s.impairedAzs = {};
    }, signal);
    await this.publish({ kind: 'fault', fault: 'all', active: false, detail: {} }, signal);
    return next;
  }

  /** The faults in force, read from etcd (linearizable: what every replica converges on). */
  async list(signal: AbortSignal): Promise<FaultState> {
    try {
      return normalize(await this.options.store.get<FaultState>(faultStateKey, { signal }));
    } catch (err) {
      if (err instanceof NotFoundError) return emptyFaultState();
      throw err;
    }
  }

  /** Reads the state, then follows it with a watch until `signal` aborts; re-watches after a break. */
  async start(signal: AbortSignal): Promise<void> {
    const { store, log } = this.options;
    while (!signal.aborted) {
      try {
        const rev = await store.currentRevision({ signal });
        this.apply(await this.list(signal), rev);
        this.synced = true;
        const watch = await store.watch<FaultState>(faultStateKey, { fromRevision: this.revision, signal, progressNotify: false });
        for await (const e of watch) {
          if (e.type === 'BOOKMARK') continue;
          this.apply(e.type === 'DELETED' ? emptyFaultState() : normalize(e.object), e.resourceVersion);
        }
      } catch (err) {
        if (signal.aborted) return;
        log.warn({ err }, 'fault state watch broke; re-reading');
        await this.clock.sleep(this.options.rewatchDelayMs ?? 1_000, signal).catch(() => undefined);
      }
    }
  }

  private apply(state: FaultState, revision: string): void {
    if (BigInt(revision) < BigInt(this.revision)) return;
    this.revision = revision;
    this.state = state;
    // Buckets of rules that are gone or changed start over.
    for (const [key, bucket] of this.buckets) {
      const ruleKey = key.slice(0, key.indexOf('|'));
      const rule = state.throttles[ruleKey];
      if (!rule || rule.ratePerSecond !== bucket.rule.ratePerSecond || rule.burst !== bucket.rule.burst) this.buckets.delete(key);
    }
  }

  private bucket(key: string, rule: ThrottleRule): TokenBucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = new TokenBucket(rule, this.clock.now());
      this.buckets.set(key, b);
    }
    return b;
  }

  private async update(mutate: (s: FaultState) => void, signal: AbortSignal): Promise<FaultState> {
    const { store } = this.options;
    for (;;) {
      try {
        const next = await store.guaranteedUpdate<FaultState>(faultStateKey, (current) => {
          const s = normalize(current);
          mutate(s);
          return s;
        }, { signal });
        this.apply(normalize(next), next.metadata?.resourceVersion ?? this.revision);
        return normalize(next);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        try {
          await store.create<FaultState>(faultStateKey, emptyFaultState(), { signal });
        } catch (createErr) {
          if (!(createErr instanceof AlreadyExistsError)) throw createErr;
        }
      }
    }
  }

  private async publish(event: Omit<FaultChanged, 'time' | 'source'>, signal: AbortSignal): Promise<void> {
    await this.options.events.publish(event, signal);
  }
}

function normalize(s: Partial<FaultState>): FaultState {
  return { ...s, throttles: { ...s.throttles }, latencies: { ...s.latencies }, impairedAzs: { ...s.impairedAzs } };
}
