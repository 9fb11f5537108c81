// The node's pool as ipamd sees it, and the knobs that shape it (aws/amazon-vpc-cni-k8s pkg/ipamd).

/** Addresses in one /28 prefix (ipamd's `numIPsPerPrefix`). */
export const IPS_PER_PREFIX = 16;

/** One attached ENI. `ips` are secondary IPs (secondary-IP mode), `prefixes` /28 CIDRs (prefix mode). */
export interface EniState {
  readonly id: string;
  /** The instance's primary ENI: adopted, never detached, listed first. */
  readonly primary: boolean;
  /** When the ENI was attached (ms); an ENI younger than `minEniLifetimeMs` is never freed. */
  readonly attachedAt: number;
  readonly ips: readonly string[];
  readonly prefixes: readonly string[];
}

/** A pod's address. In prefix mode `prefix` names the /28 the IP was carved from. */
export interface PodAssignment {
  readonly podKey: string;
  readonly eni: string;
  readonly ip: string;
  readonly prefix?: string;
}

/** An address a pod gave back; it is neither reassigned nor released until the cooldown has passed. */
export interface CoolingAddress {
  readonly eni: string;
  readonly ip: string;
  readonly prefix?: string;
  readonly releasedAt: number;
}

/**
 * The instance type's limits as EC2 publishes them. `ipv4PerEni` counts the ENI's own primary address, which
 * ipamd never gives to pods: a pod-usable ENI holds `ipv4PerEni - 1` secondary IPs or that many /28 prefixes.
 */
export interface InstanceLimits {
  readonly maxEnis: number;
  readonly ipv4PerEni: number;
  /** Node's max pods; once the pool holds this many addresses it is never grown. Unset = no cap. */
  readonly maxPods?: number;
}

export interface NodePoolState {
  /** Primary ENI first, then secondary ENIs in attachment order. */
  readonly enis: readonly EniState[];
  readonly assignments: readonly PodAssignment[];
  readonly cooling: readonly CoolingAddress[];
  readonly limits: InstanceLimits;
}

/** aws-node's environment. 0 means "unset" for the IP targets, as in ipamd. */
export interface PoolConfig {
  /** WARM_ENI_TARGET, default 1: keep one ENI's worth of free IPs. Ignored when an IP target is set. */
  readonly warmEniTarget: number;
  /** WARM_IP_TARGET, default 0 (unset). Overrides WARM_ENI_TARGET / WARM_PREFIX_TARGET. */
  readonly warmIpTarget: number;
  /**
   * MINIMUM_IP_TARGET, default 0 (unset): floor of total addresses. Set without WARM_IP_TARGET it is also the
   * ceiling: the pool never grows past it (WARM_ENI_TARGET is ignored once either IP target is set).
   */
  readonly minimumIpTarget: number;
  /** WARM_PREFIX_TARGET; the shipped aws-node manifest sets 1. Used only with prefix delegation. */
  readonly warmPrefixTarget: number;
  /** ENABLE_PREFIX_DELEGATION, default false. */
  readonly enablePrefixDelegation: boolean;
  /** Datastore `addressCoolingPeriod`, 30 s. */
  readonly ipCooldownMs: number;
  /** Datastore `minENILifeTime`, 1 min. */
  readonly minEniLifetimeMs: number;
}

export const DEFAULT_POOL_CONFIG: PoolConfig = {
  warmEniTarget: 1,
  warmIpTarget: 0,
  minimumIpTarget: 0,
  warmPrefixTarget: 1,
  enablePrefixDelegation: false,
  ipCooldownMs: 30_000,
  minEniLifetimeMs: 60_000,
};

/** What ipamd asks EC2 to do. `attach-eni.count` is the IPs (or prefixes) to assign with the new ENI. */
export type PoolAction =
  | { readonly kind: 'attach-eni'; readonly count: number }
  | { readonly kind: 'assign-ips'; readonly eni: string; readonly count: number }
  | { readonly kind: 'assign-prefixes'; readonly eni: string; readonly count: number }
  | { readonly kind: 'release-ips'; readonly eni: string; readonly ips: readonly string[] }
  | { readonly kind: 'release-prefixes'; readonly eni: string; readonly prefixes: readonly string[] }
  | { readonly kind: 'detach-eni'; readonly eni: string };
