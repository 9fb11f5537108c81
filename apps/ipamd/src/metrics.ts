// The VPC CNI's Prometheus metrics (amazon-vpc-cni-k8s utils/prometheusmetrics), with a `node` label
// where aws-node, one per instance, needs none: here one ipamd serves many nodes.
import { Counter, Gauge, Summary, type Registry } from 'prom-client';

/** What a node reports to the pool gauges on each scrape. */
export interface NodeGaugeSource {
  readonly nodeName: string;
  gauges(): { enis: number; maxEnis: number; maxIps: number; totalIps: number; assignedIps: number; totalPrefixes: number };
}

export class IpamdMetrics {
  readonly addIpRequests: Counter<'node'>;
  readonly delIpRequests: Counter<'node' | 'reason'>;
  readonly noAvailableIps: Counter<'node'>;
  readonly actionsInProgress: Gauge<'fn' | 'node'>;
  readonly reconcileCount: Counter<'fn' | 'node'>;
  readonly ipamdErrors: Counter<'fn' | 'node'>;
  readonly awsApiLatency: Summary<'api' | 'error' | 'status'>;
  readonly awsApiErrors: Counter<'api' | 'error'>;
  readonly ec2Requests: Counter<'fn'>;
  readonly ec2Errors: Counter<'fn'>;

  constructor(registry: Registry, nodes: () => Iterable<NodeGaugeSource>) {
    const registers = [registry];
    this.addIpRequests = new Counter({ name: 'awscni_add_ip_req_count', help: 'The number of add IP address requests', labelNames: ['node'], registers });
    this.delIpRequests = new Counter({ name: 'awscni_del_ip_req_count', help: 'The number of delete IP address requests', labelNames: ['node', 'reason'], registers });
    this.noAvailableIps = new Counter({ name: 'awscni_no_available_ip_addresses', help: 'The number of pod IP assignments that fail due to no available IP addresses', labelNames: ['node'], registers });
    this.actionsInProgress = new Gauge({ name: 'awscni_ipamd_action_inprogress', help: 'The number of ipamd actions in progress', labelNames: ['fn', 'node'], registers });
    this.reconcileCount = new Counter({ name: 'awscni_reconcile_count', help: 'The number of times ipamd reconciles on ENIs and IP/Prefix addresses', labelNames: ['fn', 'node'], registers });
    this.ipamdErrors = new Counter({ name: 'awscni_ipamd_error_count', help: 'The number of errors encountered in ipamd', labelNames: ['fn', 'node'], registers });
    this.awsApiLatency = new Summary({ name: 'awscni_aws_api_latency_ms', help: 'AWS API call latency in ms', labelNames: ['api', 'error', 'status'], registers });
    this.awsApiErrors = new Counter({ name: 'awscni_aws_api_error_count', help: 'The number of times AWS API returns an error', labelNames: ['api', 'error'], registers });
    this.ec2Requests = new Counter({ name: 'awscni_ec2api_req_count', help: 'The number of requests made to EC2 APIs by CNI', labelNames: ['fn'], registers });
    this.ec2Errors = new Counter({ name: 'awscni_ec2api_error_count', help: 'The number of failed EC2 APIs requests', labelNames: ['fn'], registers });
    // Pool gauges are read from the datastores on each scrape (nothing to keep in step on the hot path).
    const gauge = (name: string, help: string, pick: (g: ReturnType<NodeGaugeSource['gauges']>) => number): Gauge<'node'> =>
      new Gauge({
        name, help, labelNames: ['node'], registers,
        collect(this: Gauge<'node'>) {
          this.reset();
          for (const n of nodes()) this.set({ node: n.nodeName }, pick(n.gauges()));
        },
      });
    gauge('awscni_eni_allocated', 'The number of ENIs allocated', (g) => g.enis);
    gauge('awscni_eni_max', 'The maximum number of ENIs that can be attached to the instance, accounting for unmanaged ENIs', (g) => g.maxEnis);
    gauge('awscni_ip_max', 'The maximum number of IP addresses that can be allocated to the instance', (g) => g.maxIps);
    gauge('awscni_total_ip_addresses', 'The total number of IP addresses', (g) => g.totalIps);
    gauge('awscni_assigned_ip_addresses', 'The number of IP addresses assigned to pods', (g) => g.assignedIps);
    gauge('awscni_total_ipv4_prefixes', 'The total number of IPv4 prefixes', (g) => g.totalPrefixes);
  }

  /** Runs `body` counted in awscni_ipamd_action_inprogress{fn}. */
  async inProgress<T>(fn: string, node: string, body: () => Promise<T>): Promise<T> {
    this.actionsInProgress.inc({ fn, node });
    try {
      return await body();
    } finally {
      this.actionsInProgress.dec({ fn, node });
    }
  }
}
