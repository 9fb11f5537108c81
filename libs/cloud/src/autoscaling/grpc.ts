// AutoScalingService over gRPC: a thin translation between the wire messages and AutoScalingService.
import type { Server } from '@grpc/grpc-js';
import { AutoScalingServiceService } from '@ekslab/proto';
import type { AsgActivity, AsgAutoScalingGroup, AutoScalingServiceServer } from '@ekslab/proto';
import { gatedUnaryHandler, type ErrorLog } from '../grpc/unary.js';
import { noFaults } from '../ports.js';
import type { Ec2Port, FaultGate } from '../ports.js';
import type { AutoScalingService } from './service.js';
import type { AutoScalingGroup, CapacityType, ScalingActivityRecord } from './types.js';

export interface AutoScalingGrpcDeps {
  /** Where unexpected failures (not AWS errors) are logged. */
  readonly log: ErrorLog;
  /** Consulted before every call (throttling, latency); default none. */
  readonly faults?: FaultGate;
  readonly autoscaling: AutoScalingService;
  /** For the groups' AZs in DescribeAutoScalingGroups. */
  readonly ec2: Ec2Port;
}

const splitSubnets = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x !== '');
const capacityType = (s: string): CapacityType | undefined => (s === '' ? undefined : s === 'spot' ? 'spot' : 'on-demand');

export function createAutoScalingServer({ autoscaling, ec2, faults = noFaults, log }: AutoScalingGrpcDeps): AutoScalingServiceServer {
  const toWire = async (g: AutoScalingGroup, signal: AbortSignal): Promise<AsgAutoScalingGroup> => {
    const subnets = await ec2.describeSubnets({ subnetIds: g.vpcZoneIdentifier }, signal);
    return {
      autoScalingGroupName: g.autoScalingGroupName,
      autoScalingGroupArn: g.autoScalingGroupArn,
      minSize: g.minSize,
      maxSize: g.maxSize,
      desiredCapacity: g.desiredCapacity,
      vpcZoneIdentifier: g.vpcZoneIdentifier.join(','),
      availabilityZones: [...new Set(subnets.map((s) => s.availabilityZone))].sort(),
      instanceTypes: g.instanceTypes,
      capacityType: g.capacityType,
      tags: g.tags,
      createdTime: g.createdTime,
      status: g.status ?? '',
      instances: g.instances.map((i) => ({
        instanceId: i.instanceId,
        availabilityZone: i.availabilityZone,
        subnetId: i.subnetId,
        instanceType: i.instanceType,
        lifecycle: i.lifecycle,
        lifecycleState: i.lifecycleState,
        healthStatus: i.healthStatus,
        launchTime: i.launchTime,
      })),
    };
  };
  return {
    createAutoScalingGroup: gatedUnaryHandler(log, faults, 'CreateAutoScalingGroup', async (req, signal) => {
      const ct = capacityType(req.capacityType);
      const g = await autoscaling.createAutoScalingGroup(
        {
          autoScalingGroupName: req.autoScalingGroupName,
          minSize: req.minSize,
          maxSize: req.maxSize,
          ...(req.desiredCapacity !== undefined ? { desiredCapacity: req.desiredCapacity } : {}),
          vpcZoneIdentifier: splitSubnets(req.vpcZoneIdentifier),
          instanceTypes: req.instanceTypes,
          ...(ct ? { capacityType: ct } : {}),
          tags: req.tags,
        },
        signal,
      );
      return { autoScalingGroup: await toWire(g, signal) };
    }),
    updateAutoScalingGroup: gatedUnaryHandler(log, faults, 'UpdateAutoScalingGroup', async (req, signal) => {
      const ct = capacityType(req.capacityType);
      await autoscaling.updateAutoScalingGroup(
        {
          autoScalingGroupName: req.autoScalingGroupName,
          ...(req.minSize !== undefined ? { minSize: req.minSize } : {}),
          ...(req.maxSize !== undefined ? { maxSize: req.maxSize } : {}),
          ...(req.desiredCapacity !== undefined ? { desiredCapacity: req.desiredCapacity } : {}),
          ...(req.vpcZoneIdentifier !== '' ? { vpcZoneIdentifier: splitSubnets(req.vpcZoneIdentifier) } : {}),
          ...(req.instanceTypes.length > 0 ? { instanceTypes: req.instanceTypes } : {}),
          ...(ct ? { capacityType: ct } : {}),
        },
        signal,
      );
      return {};
    }),
    setDesiredCapacity: gatedUnaryHandler(log, faults, 'SetDesiredCapacity', async (req, signal) => {
      await autoscaling.setDesiredCapacity({ autoScalingGroupName: req.autoScalingGroupName, desiredCapacity: req.desiredCapacity }, signal);
      return {};
    }),
    deleteAutoScalingGroup: gatedUnaryHandler(log, faults, 'DeleteAutoScalingGroup', async (req, signal) => {
      await autoscaling.deleteAutoScalingGroup({ autoScalingGroupName: req.autoScalingGroupName, forceDelete: req.forceDelete }, signal);
      return {};
    }),
    describeAutoScalingGroups: gatedUnaryHandler(log, faults, 'DescribeAutoScalingGroups', async (req, signal) => {
      const groups = await autoscaling.describeAutoScalingGroups({ autoScalingGroupNames: req.autoScalingGroupNames }, signal);
      return { autoScalingGroups: await Promise.all(groups.map((g) => toWire(g, signal))) };
    }),
    describeScalingActivities: gatedUnaryHandler(log, faults, 'DescribeScalingActivities', async (req, signal) => {
      const list = await autoscaling.describeScalingActivities({ autoScalingGroupName: req.autoScalingGroupName, ...(req.maxRecords > 0 ? { maxRecords: req.maxRecords } : {}) }, signal);
      return { activities: list.map(activityToWire) };
    }),
    terminateInstanceInAutoScalingGroup: gatedUnaryHandler(log, faults, 'TerminateInstanceInAutoScalingGroup', async (req, signal) => {
      const a = await autoscaling.terminateInstanceInAutoScalingGroup({ instanceId: req.instanceId, shouldDecrementDesiredCapacity: req.shouldDecrementDesiredCapacity }, signal);
      return { activity: activityToWire(a) };
    }),
  };
}

function activityToWire(a: ScalingActivityRecord): AsgActivity {
  return {
    activityId: a.activityId,
    autoScalingGroupName: a.autoScalingGroupName,
    description: a.description,
    cause: a.cause,
    startTime: a.startTime,
    endTime: a.endTime ?? '',
    statusCode: a.statusCode,
    statusMessage: a.statusMessage ?? '',
    progress: a.progress,
    details: a.details,
  };
}

/** Adds AutoScalingService to `server` (the cloud service's gRPC server). */
export function registerAutoScalingService(server: Server, deps: AutoScalingGrpcDeps): void {
  server.addService(AutoScalingServiceService, createAutoScalingServer(deps));
}
