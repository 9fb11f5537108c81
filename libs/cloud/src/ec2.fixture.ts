// An in-memory Ec2Port for Auto Scaling and ELB tests: three subnets in three AZs, instances that go
// straight to `running` (or stay `pending` with `startPending`), AZs that can be marked impaired
// (RunInstances there throws InsufficientInstanceCapacity), and ClientToken idempotency.
import { CloudApiError } from './ports.js';
import type { Ec2Port, InstanceSummary, RunInstancesInput } from './ports.js';

export interface FakeSubnet {
  subnetId: string;
  availabilityZone: string;
  cidrBlock: string;
  availableIpAddressCount: number;
  public: boolean;
}

export class FakeEc2 implements Ec2Port {
  readonly instances = new Map<string, InstanceSummary & { state: InstanceSummary['state'] }>();
  readonly impaired = new Set<string>();
  /** Instance types without capacity in every AZ. */
  readonly exhaustedTypes = new Set<string>();
  readonly subnets: FakeSubnet[];
  runCalls = 0;
  private next = 1;
  private readonly tokens = new Map<string, string[]>();

  constructor(
    zones: readonly string[] = ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    private readonly now: () => number = Date.now,
  ) {
    this.subnets = zones.map((az, i) => ({ subnetId: `subnet-${az}`, availabilityZone: az, cidrBlock: `10.0.${i}.0/24`, availableIpAddressCount: 251, public: false }));
  }

  runInstances(input: RunInstancesInput): Promise<InstanceSummary[]> {
    this.runCalls++;
    if (input.clientToken) {
      const ids = this.tokens.get(input.clientToken);
      if (ids) return Promise.resolve(ids.map((id) => this.instances.get(id)!));
    }
    const subnet = this.subnets.find((s) => s.subnetId === input.subnetId);
    if (!subnet) return Promise.reject(new CloudApiError('InvalidSubnetID.NotFound', `The subnet ID '${input.subnetId}' does not exist`));
    if (this.impaired.has(subnet.availabilityZone) || this.exhaustedTypes.has(input.instanceType)) {
      return Promise.reject(
        new CloudApiError(
          'InsufficientInstanceCapacity',
          `We currently do not have sufficient ${input.instanceType} capacity in the Availability Zone you requested (${subnet.availabilityZone}). Our system will be working on provisioning additional capacity.`,
          true,
        ),
      );
    }
    const out: InstanceSummary[] = [];
    for (let n = 0; n < (input.count ?? 1); n++) {
      const seq = this.next++;
      const instanceId = `i-${seq.toString(16).padStart(17, '0')}`;
      const ip = `10.0.${this.subnets.indexOf(subnet)}.${10 + seq}`;
      const inst = {
        instanceId,
        instanceType: input.instanceType,
        availabilityZone: subnet.availabilityZone,
        subnetId: subnet.subnetId,
        state: 'running' as InstanceSummary['state'],
        privateIpAddress: ip,
        privateDnsName: `ip-${ip.replaceAll('.', '-')}.ec2.internal`,
        lifecycle: input.lifecycle ?? 'on-demand',
        // Distinct, ordered launch times even when the clock stands still.
        launchTime: new Date(this.now() + seq).toISOString(),
        tags: { ...input.tags },
      };
      this.instances.set(instanceId, inst);
      out.push(inst);
    }
    if (input.clientToken) this.tokens.set(input.clientToken, out.map((i) => i.instanceId));
    return Promise.resolve(out);
  }

  terminateInstances(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const i = this.instances.get(id);
      if (!i) return Promise.reject(new CloudApiError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`));
      i.state = 'terminated';
    }
    return Promise.resolve();
  }

  describeInstances(filter: { instanceIds?: readonly string[]; tags?: Readonly<Record<string, string>> }): Promise<InstanceSummary[]> {
    let list = [...this.instances.values()];
    // As EC2: one unknown id fails the whole call.
    const unknown = filter.instanceIds?.find((id) => !this.instances.has(id));
    if (unknown !== undefined) return Promise.reject(new CloudApiError('InvalidInstanceID.NotFound', `The instance ID '${unknown}' does not exist`));
    if (filter.instanceIds) list = list.filter((i) => filter.instanceIds!.includes(i.instanceId));
    if (filter.tags) list = list.filter((i) => Object.entries(filter.tags!).every(([k, v]) => i.tags[k] === v));
    return Promise.resolve(list.map((i) => ({ ...i })));
  }

  describeSubnets(filter: { subnetIds?: readonly string[] }): Promise<FakeSubnet[]> {
    return Promise.resolve(this.subnets.filter((s) => !filter.subnetIds || filter.subnetIds.includes(s.subnetId)).map((s) => ({ ...s })));
  }

  /** Drops an instance from EC2 altogether (terminated instances disappear from DescribeInstances after a while). */
  vanish(id: string): void {
    this.instances.delete(id);
  }

  /** Running (or pending) instances per AZ. */
  liveByZone(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.subnets) out[s.availabilityZone] = 0;
    for (const i of this.instances.values()) if (i.state === 'running' || i.state === 'pending') out[i.availabilityZone]!++;
    return out;
  }
}

/** An EventSink that keeps what was published. */
export class RecordingEvents {
  readonly events: Array<Record<string, unknown> & { kind: string }> = [];
  publish(event: { kind: string }): Promise<void> {
    this.events.push({ ...event });
    return Promise.resolve();
  }
}

/** A clock whose time moves only when set; sleeps use real timers (the loops under test are driven by hand). */
export class ManualClock {
  constructor(public t = Date.UTC(2026, 10, 22, 5, 0, 0)) {}
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, Math.min(ms, 50));
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      }, { once: true });
    });
  }
}
