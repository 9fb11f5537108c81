// The fault state every cloud replica applies, as stored in etcd (one object, CAS-updated), and the pure
// rules that turn it into a decision for one API call.
import type { ObjectMeta } from '@ekslab/storage';
import { CloudApiError } from '../ports.js';

/** Applies to every API without a rule of its own. */
export const allApis = '*';

export interface ThrottleRule {
  /** Calls per second each API may make (token refill rate). */
  readonly ratePerSecond: number;
  /** Calls that may be made at once before the rate applies (bucket size); ≥ 1. */
  readonly burst: number;
}

export interface LatencyRule {
  readonly fixedMs: number;
  /** Up to this much more, uniformly at random. */
  readonly jitterMs: number;
}

export interface FaultState {
  metadata?: ObjectMeta;
  /** By API name (`RunInstances`) or `*`. */
  throttles: Record<string, ThrottleRule>;
  latencies: Record<string, LatencyRule>;
  /** Impaired AZ → when it was marked (RFC 3339). */
  impairedAzs: Record<string, string>;
  [field: string]: unknown;
}

export const emptyFaultState = (): FaultState => ({ throttles: {}, latencies: {}, impairedAzs: {} });

/** The rule for `api`: its own, else the `*` rule. */
export function ruleFor<R>(rules: Readonly<Record<string, R>>, api: string): { key: string; rule: R } | undefined {
  const own = rules[api];
  if (own) return { key: api, rule: own };
  const all = rules[allApis];
  return all ? { key: allApis, rule: all } : undefined;
}

/** EC2's throttling error (the SDKs retry it with backoff). */
export function requestLimitExceeded(): CloudApiError {
  return new CloudApiError('RequestLimitExceeded', 'Request limit exceeded.', true);
}

/** EC2's answer to RunInstances in an AZ without capacity, worded as AWS words it. */
export function insufficientInstanceCapacity(instanceType: string, az: string, otherAzs: readonly string[]): CloudApiError {
  const type = instanceType || 'instance';
  const alternatives = otherAzs.length > 0 ? ` or choosing ${otherAzs.join(', ')}` : '';
  return new CloudApiError(
    'InsufficientInstanceCapacity',
    `We currently do not have sufficient ${type} capacity in the Availability Zone you requested (${az}). Our system will be working on provisioning additional capacity. You can currently get ${type} capacity by not specifying an Availability Zone in your request${alternatives}.`,
    true,
  );
}

/** A token bucket: `take()` spends one token if there is one, refilling at `rate` per second up to `burst`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(readonly rule: ThrottleRule, now: number) {
    this.tokens = rule.burst;
    this.last = now;
  }

  take(now: number): boolean {
    this.tokens = Math.min(this.rule.burst, this.tokens + ((now - this.last) / 1000) * this.rule.ratePerSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Validation of fault settings; messages name the field, as EC2's InvalidParameterValue does. */
export class InvalidFaultError extends CloudApiError {
  constructor(message: string) {
    super('InvalidParameterValue', message);
  }
}

export function validateThrottle(api: string, ratePerSecond: number, burst: number): void {
  if (!api) throw new InvalidFaultError('api must name an API or be "*"');
  if (!Number.isFinite(ratePerSecond) || ratePerSecond < 0) throw new InvalidFaultError(`ratePerSecond must be ≥ 0, got ${ratePerSecond}`);
  if (!Number.isFinite(burst) || burst < 0) throw new InvalidFaultError(`burst must be ≥ 0, got ${burst}`);
}

export function validateLatency(api: string, fixedMs: number, jitterMs: number): void {
  if (!api) throw new InvalidFaultError('api must name an API or be "*"');
  if (!Number.isFinite(fixedMs) || fixedMs < 0 || fixedMs > 600_000) throw new InvalidFaultError(`fixedMs must be between 0 and 600000, got ${fixedMs}`);
  if (!Number.isFinite(jitterMs) || jitterMs < 0 || jitterMs > 600_000) throw new InvalidFaultError(`jitterMs must be between 0 and 600000, got ${jitterMs}`);
}
