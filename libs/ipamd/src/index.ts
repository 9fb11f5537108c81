// @ekslab/ipamd — the VPC CNI IPAM daemon's logic: warm pools (WARM_ENI_TARGET, WARM_IP_TARGET, MINIMUM_IP_TARGET, WARM_PREFIX_TARGET) and address bookkeeping per node.
export { AddressInUseError, IpamDatastore, NoAvailableAddressError, prefixIps } from './datastore.js';
export { maxPodsFor, planPool, poolTooHigh, poolTooLow, shouldRemoveExtraEnis } from './plan.js';
export { poolStats, targetState, type PoolStats } from './stats.js';
export {
  DEFAULT_POOL_CONFIG,
  IPS_PER_PREFIX,
  type CoolingAddress,
  type EniState,
  type InstanceLimits,
  type NodePoolState,
  type PodAssignment,
  type PoolAction,
  type PoolConfig,
} from './types.js';
