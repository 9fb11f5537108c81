// What `ekslab cloud …` shows, as plain shapes independent of the wire types: the client adapter
// (client.ts) maps each API's response onto these, so the rendering does not change when the protos do.
// Field names follow the AWS APIs' (DescribeSubnets, DescribeInstances, DescribeNetworkInterfaces,
// DescribeLoadBalancers), camel-cased as the AWS SDK for JavaScript v3 does.

export interface SubnetView {
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly cidrBlock: string;
  /** Exact: the subnet's size minus AWS's 5 reserved addresses minus every address handed out. */
  readonly availableIpAddressCount: number;
  /** Whether it is a public subnet (MapPublicIpOnLaunch, a route to an internet gateway). */
  readonly public: boolean;
}

export interface InstanceView {
  readonly instanceId: string;
  readonly instanceType: string;
  readonly availabilityZone: string;
  readonly subnetId: string;
  /** pending | running | shutting-down | terminated | stopping | stopped */
  readonly state: string;
  readonly privateIpAddress: string;
  readonly privateDnsName: string;
  readonly lifecycle: 'on-demand' | 'spot';
  /** RFC 3339. */
  readonly launchTime: string;
}

export interface NetworkInterfaceView {
  readonly networkInterfaceId: string;
  readonly subnetId: string;
  readonly availabilityZone: string;
  /** available | in-use */
  readonly status: string;
  readonly instanceId?: string;
  readonly deviceIndex?: number;
  /** The primary address first. */
  readonly privateIpAddresses: readonly string[];
  /** Delegated /28 prefixes (AssignIpv4Prefixes). */
  readonly ipv4Prefixes: readonly string[];
}

export interface LoadBalancerView {
  readonly loadBalancerName: string;
  readonly type: 'network' | 'application';
  /** provisioning | active | active_impaired | failed */
  readonly state: string;
  readonly dnsName: string;
  readonly scheme: 'internet-facing' | 'internal';
}

export interface FaultsView {
  readonly throttles: ReadonlyArray<{ readonly api: string; readonly ratePerSecond: number; readonly burst: number }>;
  readonly latencies: ReadonlyArray<{ readonly api: string; readonly fixedMs: number; readonly jitterMs: number }>;
  readonly impairedAzs: ReadonlyArray<{ readonly availabilityZone: string; readonly since: string }>;
}
