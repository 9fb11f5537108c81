// @ekslab/ipamd — the VPC CNI IPAM daemon's logic: warm pools (WARM_ENI_TARGET, WARM_IP_TARGET, MINIMUM_IP_TARGET, WARM_PREFIX_TARGET) and address bookkeeping per node.
export {};
