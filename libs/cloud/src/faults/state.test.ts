import { describe, expect, it } from 'vitest';
import { insufficientInstanceCapacity, requestLimitExceeded, ruleFor, TokenBucket, validateLatency, validateThrottle } from './state.js';

describe('fault state rules', () => {
  it('token bucket — spends the burst at once, then admits at the rate', () => {
    const b = new TokenBucket({ ratePerSecond: 2, burst: 3 }, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.take(400)).toBe(false); // 0.8 tokens
    expect(b.take(500)).toBe(true); // 1.0 token
    expect(b.take(500)).toBe(false);
    // Refill stops at the burst.
    expect([b.take(60_000), b.take(60_000), b.take(60_000), b.take(60_000)]).toEqual([true, true, true, false]);
  });

  it('token bucket — rate 0 admits only the burst, forever', () => {
    const b = new TokenBucket({ ratePerSecond: 0, burst: 1 }, 0);
    expect([b.take(0), b.take(1_000_000)]).toEqual([true, false]);
  });

  it('rules — an API’s own rule wins over the * rule; no rule, no fault', () => {
    const rules = { '*': 1, RunInstances: 2 };
    expect(ruleFor(rules, 'RunInstances')).toEqual({ key: 'RunInstances', rule: 2 });
    expect(ruleFor(rules, 'DescribeInstances')).toEqual({ key: '*', rule: 1 });
    expect(ruleFor({ RunInstances: 2 }, 'DescribeInstances')).toBeUndefined();
  });

  it('errors — AWS codes, wording and retryability', () => {
    const t = requestLimitExceeded();
    expect([t.code, t.message, t.retryable]).toEqual(['RequestLimitExceeded', 'Request limit exceeded.', true]);
    const c = insufficientInstanceCapacity('m5.large', 'us-east-1a', ['us-east-1b', 'us-east-1c']);
    expect(c.code).toBe('InsufficientInstanceCapacity');
    expect(c.retryable).toBe(true);
    expect(c.message).toBe(
      'We currently do not have sufficient m5.large capacity in the Availability Zone you requested (us-east-1a). Our system will be working on provisioning additional capacity. You can currently get m5.large capacity by not specifying an Availability Zone in your request or choosing us-east-1b, us-east-1c.',
    );
  });

  it.each([
    ['throttle without api', () => validateThrottle('', 1, 1), 'api must name an API or be "*"'],
    ['negative rate', () => validateThrottle('*', -1, 1), 'ratePerSecond must be ≥ 0, got -1'],
    ['latency too long', () => validateLatency('*', 600_001, 0), 'fixedMs must be between 0 and 600000, got 600001'],
  ])('validation — %s', (_name, fn, message) => {
    expect(fn).toThrow(message);
  });
});
