import { isConflict, isNotFound, type CacheReader, type Lease, type ResourceClient } from '@ekslab/client';
import type { Clock, Logger } from '@ekslab/runtime';
import { POD_NODE_INDEX, isPodReady, sameTaint, type Condition, type Node, type Pod, type Taint } from '../../controller-utils/index.js';
import type { EventRecorder } from '../../framework/recorder.js';
import type { NodeCollectorMetrics } from '../../metrics.js';
import {
  TAINT_NOT_READY, TAINT_UNREACHABLE, computeZoneState, conditionTaintKeys, evaluateNodeHealth, noScheduleTaintsFor, rfc3339, withTaints,
  zoneEvictionRate, zoneKey, zoneName, type NodeHealth, type ZoneState,
} from './health.js';
import { ZoneTainter } from './zone-tainter.js';

export interface NodeLifecycleSettings {
  /** --node-monitor-period (5 s). */
  readonly monitorPeriodMs: number;
  /** --node-monitor-grace-period (50 s). */
  readonly monitorGraceMs: number;
  /** --node-startup-grace-period (60 s). */
  readonly startupGraceMs: number;
  /** --node-eviction-rate (0.1 nodes/s). */
  readonly evictionRate: number;
  /** --secondary-node-eviction-rate (0.01 nodes/s). */
  readonly secondaryEvictionRate: number;
  /** --large-cluster-size-threshold (50). */
  readonly largeClusterThreshold: number;
  /** --unhealthy-zone-threshold (0.55). */
  readonly unhealthyZoneThreshold: number;
}

export interface NodeLifecycleOptions extends NodeLifecycleSettings {
  readonly nodes: CacheReader<Node>;
  readonly pods: CacheReader<Pod>;
  readonly leases: CacheReader<Lease>;
  /** Nodes and pods as the node-controller identity. */
  readonly nodesApi: ResourceClient<Node>;
  readonly podsApi: ResourceClient<Pod>;
  readonly recorder: EventRecorder;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: NodeCollectorMetrics;
}

/** kube's NodeEvictionPeriod: how often the zone tainters are looked at. */
const TAINTING_PASS_MS = 100;
const noExecute = (key: string): Taint => ({ key, effect: 'NoExecute' });

/**
 * kube's node lifecycle controller (pkg/controller/nodelifecycle) with taint-based eviction:
 *
 * - every --node-monitor-period, each node's health: a node whose Ready heartbeat and Lease have not moved for
 *   --node-monitor-grace-period (startup grace for a node that never reported) gets Ready, MemoryPressure,
 *   DiskPressure and PIDPressure = Unknown ("Kubelet stopped posting node status."), and its pods Ready=False;
 * - a node not Ready gets the `node.kubernetes.io/unreachable` (Unknown) or `not-ready` (False) NoExecute taint
 *   through its zone's rate-limited queue (the opposite one is swapped at once); a Ready node loses both;
 * - per zone (topology.kubernetes.io/zone) the state Normal / PartialDisruption / FullDisruption sets the rate:
 *   --node-eviction-rate, or --secondary-node-eviction-rate (0 in zones of ≤ --large-cluster-size-threshold nodes)
 *   in PartialDisruption; a fully disrupted zone keeps the normal rate while another zone answers;
 * - when every zone is fully disrupted (most likely the control plane is the one cut off) all evictions stop
 *   and the NoExecute taints are taken off every node, until some node is Ready again;
 * - the NoSchedule taints of TaintNodesByCondition follow the conditions.
 *
 * The pods on tainted nodes are deleted by the taint eviction controller (taint-eviction.ts). Needs leader election.
 */
export class NodeLifecycleController {
  private readonly health = new Map<string, NodeHealth>();
  private readonly zoneStates = new Map<string, ZoneState>();
  private readonly tainters = new Map<string, ZoneTainter>();
  /** Serialises the tainting pass with the master-disruption taint removal (neither may interleave the other). */
  private tainting: Promise<void> = Promise.resolve();

  constructor(private readonly o: NodeLifecycleOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.loop(signal, this.o.monitorPeriodMs, (s) => this.monitorNodeHealth(s)), this.loop(signal, TAINTING_PASS_MS, (s) => this.taintingPass(s))]);
  }

  private async loop(signal: AbortSignal, periodMs: number, pass: (s: AbortSignal) => Promise<void>): Promise<void> {
    while (!signal.aborted) {
      try {
        await pass(signal);
      } catch (err) {
        if (signal.aborted) return;
        this.o.log.error({ err }, 'node lifecycle pass failed');
      }
      try {
        await this.o.clock.sleep(periodMs, signal);
      } catch {
        return;
      }
    }
  }

  /** One monitorNodeHealth pass. */
  async monitorNodeHealth(signal: AbortSignal): Promise<void> {
    const nodes = this.o.nodes.list();
    const now = this.o.clock.now();
    const seen = new Set(nodes.map((n) => n.metadata.name ?? ''));
    for (const name of this.health.keys()) {
      if (seen.has(name)) continue;
      this.health.delete(name);
      for (const t of this.tainters.values()) t.remove(name);
    }
    const zoneToConditions = new Map<string, (Condition | undefined)[]>();
    for (const node of nodes) {
      const name = node.metadata.name ?? '';
      const lease = this.o.leases.get(`kube-node-lease/${name}`);
      const verdict = evaluateNodeHealth(node, lease?.spec?.renewTime ?? undefined, this.health.get(name), now, this.o);
      this.health.set(name, verdict.health);
      const zone = zoneKey(node);
      if (!this.tainters.has(zone)) {
        this.tainters.set(zone, new ZoneTainter(this.o.clock, this.o.evictionRate));
        this.zoneStates.set(zone, 'Initial');
      }
      (zoneToConditions.get(zone) ?? zoneToConditions.set(zone, []).get(zone)!).push(verdict.current);
      let current = node;
      if (verdict.newConditions) {
        const written = await this.writeConditions(node, verdict.newConditions, signal);
        if (!written) continue; // changed meanwhile (it still counts in its zone): the rest waits for the next pass
        current = written;
      }
      const ready = verdict.current?.status;
      if (ready !== undefined) await this.processTaintBasedEviction(current, ready, signal);
      if (ready !== undefined && ready !== 'True') {
        if (verdict.observed?.status === 'True') this.o.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
        await this.markPodsNotReady(name, signal);
      }
      await this.syncNoScheduleTaints(current, signal);
    }
    await this.handleDisruption(zoneToConditions, nodes, signal);
  }

  /** A node's NoExecute taint for its Ready status: queued for tainting, swapped at once, or removed. */
  private async processTaintBasedEviction(node: Node, ready: string, signal: AbortSignal): Promise<void> {
    const name = node.metadata.name ?? '';
    const taints = node.spec?.taints ?? [];
    const has = (key: string): boolean => taints.some((t) => sameTaint(t, noExecute(key)));
    const tainter = this.tainters.get(zoneKey(node))!;
    if (ready === 'True') {
      tainter.remove(name);
      if (has(TAINT_UNREACHABLE) || has(TAINT_NOT_READY)) {
        if (await this.updateTaints(name, [], (t) => t.effect === 'NoExecute' && (t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY), signal)) {
          this.o.log.info({ node: name }, 'Node is healthy again, removed all taints');
        }
      }
      return;
    }
    const [want, opposite] = ready === 'False' ? [TAINT_NOT_READY, TAINT_UNREACHABLE] : [TAINT_UNREACHABLE, TAINT_NOT_READY];
    if (has(opposite)) {
      // kube swaps the taints at once (not rate limited): the node was already judged.
      await this.updateTaints(name, [noExecute(want)], (t) => sameTaint(t, noExecute(opposite)), signal);
      return;
    }
    if (!has(want)) tainter.add(name);
  }

  private exclusive(fn: () => Promise<void>): Promise<void> {
    const run = this.tainting.then(fn, fn);
    this.tainting = run.catch(() => undefined);
    return run;
  }

  /** The zones' rate-limited tainting (doNoExecuteTaintingPass). */
  private taintingPass(signal: AbortSignal): Promise<void> {
    return this.exclusive(() => this.taintZones(signal));
  }

  private async taintZones(signal: AbortSignal): Promise<void> {
    for (const [zone, tainter] of this.tainters) {
      for (const name of tainter.take()) {
        const node = this.o.nodes.get(name);
        const ready = node?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
        if (!node || ready === undefined || ready === 'True') continue;
        const [want, opposite] = ready === 'False' ? [TAINT_NOT_READY, TAINT_UNREACHABLE] : [TAINT_UNREACHABLE, TAINT_NOT_READY];
        if (await this.updateTaints(name, [noExecute(want)], (t) => sameTaint(t, noExecute(opposite)), signal)) {
          this.o.metrics.evictions.inc({ zone: zoneName(zone) });
          this.o.log.info({ node: name, taint: want, zone: zoneName(zone) }, 'tainted node for eviction');
        }
      }
    }
  }

  /** kube's handleDisruption: zone states, rates, and the everything-is-down rule. */
  private async handleDisruption(zoneToConditions: Map<string, (Condition | undefined)[]>, nodes: readonly Node[], signal: AbortSignal): Promise<void> {
    const newStates = new Map<string, ZoneState>();
    let allAreFullyDisrupted = true;
    for (const [zone, conditions] of zoneToConditions) {
      const { notReady, state } = computeZoneState(conditions, this.o.unhealthyZoneThreshold);
      const labels = { zone: zoneName(zone) };
      this.o.metrics.zoneSize.set(labels, conditions.length);
      this.o.metrics.zoneHealth.set(labels, 100 - (notReady * 100) / conditions.length);
      this.o.metrics.unhealthyNodes.set(labels, notReady);
      if (state !== 'FullDisruption') allAreFullyDisrupted = false;
      newStates.set(zone, state);
    }
    let allWasFullyDisrupted = true;
    for (const [zone, state] of [...this.zoneStates]) {
      if (!zoneToConditions.has(zone)) {
        this.zoneStates.delete(zone);
        this.tainters.delete(zone);
        for (const m of [this.o.metrics.zoneSize, this.o.metrics.zoneHealth, this.o.metrics.unhealthyNodes]) m.remove({ zone: zoneName(zone) });
        continue;
      }
      if (state !== 'FullDisruption') allWasFullyDisrupted = false;
    }
    if (allAreFullyDisrupted && allWasFullyDisrupted) return;
    const size = (zone: string): number => zoneToConditions.get(zone)?.length ?? 0;
    if (allAreFullyDisrupted) {
      this.o.log.warn('Controller detected that all Nodes are not-Ready. Entering master disruption mode');
      await this.exclusive(async () => {
        // The tainters stop first, so none re-taints a node whose taint was just taken off.
        for (const [zone, tainter] of this.tainters) {
          tainter.swapLimiter(0);
          tainter.clear();
          this.zoneStates.set(zone, 'FullDisruption');
        }
        for (const node of nodes) {
          // Read live: a taint added by the tainting pass a moment ago may not be in the cache yet, and one left
          // behind would evict the node's pods with nobody to take them back off.
          const name = node.metadata.name ?? '';
          await this.updateTaints(name, [], (t) => t.effect === 'NoExecute' && (t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY), signal, true);
        }
      });
      return;
    }
    if (allWasFullyDisrupted) {
      this.o.log.info('Controller detected that some Nodes are Ready. Exiting master disruption mode');
      const now = this.o.clock.now();
      for (const h of this.health.values()) {
        h.probeTimestamp = now;
        h.readyTransitionTimestamp = now;
      }
      for (const [zone, state] of newStates) this.setZoneState(zone, state, size(zone));
      return;
    }
    for (const [zone, state] of newStates) {
      if (this.zoneStates.get(zone) === state) continue;
      this.o.log.info({ zone: zoneName(zone), state }, 'Controller detected that zone is now in new state');
      this.setZoneState(zone, state, size(zone));
    }
  }

  private setZoneState(zone: string, state: ZoneState, zoneSize: number): void {
    this.tainters.get(zone)?.swapLimiter(zoneEvictionRate(state, zoneSize, this.o));
    this.zoneStates.set(zone, state);
  }

  /** The state of each zone, for tests and logs. */
  zoneState(zoneLabel: string): ZoneState | undefined {
    for (const [zone, state] of this.zoneStates) if (zoneName(zone) === zoneLabel) return state;
    return undefined;
  }

  /** nodes/status with the conditions kube writes when a kubelet goes silent; undefined on a conflict. */
  private async writeConditions(node: Node, conditions: Condition[], signal: AbortSignal): Promise<Node | undefined> {
    try {
      return await this.o.nodesApi.update({ ...node, status: { ...node.status, conditions } }, { signal, subresource: 'status' });
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Adds and removes taints on the node (retrying conflicts); true when it changed. The first try starts from the
   * cache (a stale one fails the update's resourceVersion check) unless `live`: a cache that has not seen a taint
   * yet would make a removal look unnecessary.
   */
  private async updateTaints(name: string, add: readonly Taint[], remove: (t: Taint) => boolean, signal: AbortSignal, live = false): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      let node: Node;
      try {
        const cached = attempt === 0 && !live ? this.o.nodes.get(name) : undefined;
        node = cached ?? (await this.o.nodesApi.get(name, { signal }));
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
      const taints = withTaints(node.spec?.taints ?? [], add, remove, this.o.clock.now());
      if (!taints) return false;
      try {
        await this.o.nodesApi.update({ ...node, spec: { ...node.spec, taints } }, { signal });
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        if (!isConflict(err)) throw err;
      }
    }
    return false;
  }

  /** TaintNodesByCondition: the NoSchedule taints follow the node's conditions (not rate limited). */
  private async syncNoScheduleTaints(node: Node, signal: AbortSignal): Promise<void> {
    const want = new Set(noScheduleTaintsFor(node));
    const add = [...want].map((key): Taint => ({ key, effect: 'NoSchedule' }));
    await this.updateTaints(node.metadata.name ?? '', add, (t) => t.effect === 'NoSchedule' && conditionTaintKeys.has(t.key) && !want.has(t.key), signal);
  }

  /** MarkPodsNotReady: every pod on the node whose Ready condition is True gets Ready=False (pods/status). */
  private async markPodsNotReady(nodeName: string, signal: AbortSignal): Promise<void> {
    for (const pod of this.o.pods.byIndex(POD_NODE_INDEX, nodeName)) {
      if (!isPodReady(pod)) continue;
      try {
        await this.o.podsApi.patch(pod.metadata.name ?? '', 'strategic-merge', {
          status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: rfc3339(this.o.clock.now()) }] },
        }, { signal, namespace: pod.metadata.namespace ?? '', subresource: 'status' });
        this.o.recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (!isNotFound(err) && !signal.aborted) this.o.log.warn({ pod: pod.metadata.name, err: (err as Error).message }, 'cannot mark pod not ready');
      }
    }
  }
}
