// Target health as DescribeTargetHealth reports it — a pure function of the target group, the load balancers
// using it, the instances' states and the time (no health checks are actually sent):
//   - not registered → unused (Target.NotRegistered); deregistered and still draining → draining;
//   - the group is not behind an active load balancer's listener → unused (Target.NotInUse);
//   - an instance target whose instance is not running → unhealthy (Target.InvalidState);
//   - otherwise initial (Elb.RegistrationInProgress) until interval × healthy threshold has passed since it
//     was registered (or since the load balancer became active, if later), then healthy.
import type { InstanceState } from '@ekslab/cloud-events';
import type { LoadBalancer, RegisteredTarget, TargetGroup, TargetHealthDescription } from './types.js';

export function targetHealth(
  tg: TargetGroup,
  lbs: readonly LoadBalancer[],
  instanceStates: ReadonlyMap<string, InstanceState>,
  now: number,
  asked?: ReadonlyArray<{ id: string; port?: number }>,
): TargetHealthDescription[] {
  const live = tg.targets.filter((t) => t.deregisteredAt === undefined || t.deregisteredAt + tg.deregistrationDelaySeconds * 1000 > now);
  const wanted = asked?.length ? asked.map((a) => ({ id: a.id, port: a.port ?? tg.port })) : live.map((t) => ({ id: t.id, port: t.port }));
  const using = lbs.filter((lb) => lb.listeners.some((l) => l.defaultTargetGroupArn === tg.targetGroupArn));
  return wanted.map((target) => {
    const healthCheckPort = tg.healthCheck.port === 'traffic-port' ? String(target.port) : tg.healthCheck.port;
    const base = { target, healthCheckPort };
    const reg = live.find((t) => t.id === target.id && t.port === target.port);
    if (!reg) return { ...base, state: 'unused', reason: 'Target.NotRegistered', description: 'Target is not registered to the target group' };
    if (reg.deregisteredAt !== undefined) return { ...base, state: 'draining', reason: 'Target.DeregistrationInProgress', description: 'Target deregistration is in progress' };
    if (using.length === 0) return { ...base, state: 'unused', reason: 'Target.NotInUse', description: 'Target group is not configured to receive traffic from the load balancer' };
    if (tg.targetType === 'instance') {
      const state = instanceStates.get(target.id) ?? 'terminated';
      if (state !== 'running') return { ...base, state: 'unhealthy', reason: 'Target.InvalidState', description: `Target is in the ${state} state` };
    }
    return healthyAt(reg, tg, using) <= now
      ? { ...base, state: 'healthy' }
      : { ...base, state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress' };
  });
}

/** When a registered target turns healthy: interval × healthy threshold after registration or activation. */
export function healthyAt(t: RegisteredTarget, tg: TargetGroup, using: readonly LoadBalancer[]): number {
  const activeAt = Math.min(...using.map((lb) => lb.activeAt));
  return Math.max(t.registeredAt, activeAt) + tg.healthCheck.intervalSeconds * tg.healthCheck.healthyThresholdCount * 1000;
}
