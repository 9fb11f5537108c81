// Names, ARNs and DNS names as ELBv2 formats them, and its name rules (ValidationError messages as AWS words them).
import { CloudApiError } from '../ports.js';
import type { LoadBalancerType, Scheme } from './types.js';

export interface Partition {
  readonly region: string;
  readonly accountId: string;
}

/** `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/my-lb/50dc6c495c0c9188`. */
export function loadBalancerArn(p: Partition, type: LoadBalancerType, name: string, id: string): string {
  return `arn:aws:elasticloadbalancing:${p.region}:${p.accountId}:loadbalancer/${type === 'network' ? 'net' : 'app'}/${name}/${id}`;
}

export function listenerArn(lbArn: string, id: string): string {
  return `${lbArn.replace(':loadbalancer/', ':listener/')}/${id}`;
}

/** `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-targets/73e2d6bc24d8a067`. */
export function targetGroupArn(p: Partition, name: string, id: string): string {
  return `arn:aws:elasticloadbalancing:${p.region}:${p.accountId}:targetgroup/${name}/${id}`;
}

/** The name inside a load balancer or target group ARN, or undefined when it is not one. */
export function nameFromArn(arn: string, kind: 'loadbalancer' | 'targetgroup' | 'listener'): string | undefined {
  const m = kind === 'targetgroup' ? /:targetgroup\/([^/]+)\/[0-9a-f]+$/.exec(arn) : new RegExp(`:${kind}/(?:net|app)/([^/]+)/[0-9a-f]+${kind === 'listener' ? '/[0-9a-f]+' : ''}$`).exec(arn);
  return m?.[1];
}

/**
 * DNS names as AWS hands them out: an NLB is `<name>-<16 hex>.elb.<region>.amazonaws.com` (so the AWS Load
 * Balancer Controller's `k8s-<ns>-<name>-<10 hex>` becomes `k8s-<ns>-<name>-<10 hex>-<16 hex>.elb.…`); an ALB
 * is `<name>-<10 digits>.<region>.elb.amazonaws.com`, internal ones prefixed `internal-`.
 */
export function dnsName(p: Partition, type: LoadBalancerType, scheme: Scheme, name: string, id: string): string {
  if (type === 'network') return `${name}-${id}.elb.${p.region}.amazonaws.com`;
  const digits = (BigInt(`0x${id}`) % 10_000_000_000n).toString().padStart(10, '1');
  return `${scheme === 'internal' ? 'internal-' : ''}${name}-${digits}.${p.region}.elb.amazonaws.com`;
}

/** Route 53 hosted zone of the load balancers in us-east-1 (NLB / ALB), as AWS lists them. */
export function canonicalHostedZoneId(type: LoadBalancerType): string {
  return type === 'network' ? 'Z26RNL4JYFTOTI' : 'Z35SXDOTRQ7X7K';
}

const invalid = (message: string): CloudApiError => new CloudApiError('ValidationError', message);

/** Load balancer names: 1–32 alphanumerics or hyphens, not starting or ending with a hyphen, not `internal-…`. */
export function checkLoadBalancerName(name: string): void {
  if (name.length === 0) throw invalid("The load balancer name cannot be empty");
  if (name.length > 32) throw invalid(`The load balancer name '${name}' cannot be longer than '32' characters`);
  if (!/^[A-Za-z0-9-]+$/.test(name)) throw invalid(`The load balancer name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`);
  if (name.startsWith('-') || name.endsWith('-')) throw invalid(`The load balancer name '${name}' cannot begin or end with a hyphen(-)`);
  if (name.startsWith('internal-')) throw invalid(`The load balancer name '${name}' cannot begin with 'internal-'`);
}

/** Target group names: the same rules, without the `internal-` one. */
export function checkTargetGroupName(name: string): void {
  if (name.length === 0 || name.length > 32) throw invalid(`Target group name '${name}' cannot be longer than '32' characters`);
  if (!/^[A-Za-z0-9-]+$/.test(name)) throw invalid(`Target group name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`);
  if (name.startsWith('-') || name.endsWith('-')) throw invalid(`Target group name '${name}' cannot begin or end with '-'`);
}
