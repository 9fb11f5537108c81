// Scaling-activity causes and descriptions, worded as EC2 Auto Scaling words them in DescribeScalingActivities.
// A user request that changed the desired capacity is remembered on the group and prefixed (two spaces apart,
// as AWS joins them) to the cause of the activities it started.

/** `2026-11-22T05:00:00Z` — AWS's causes carry seconds, no milliseconds. */
export function causeTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const userCause = {
  created: (t: number, desired: number): string => `At ${causeTime(t)} a user request created an AutoScalingGroup changing the desired capacity from 0 to ${desired}.`,
  updated: (t: number, min: number, max: number, desired: number, from: number): string =>
    `At ${causeTime(t)} a user request update of AutoScalingGroup constraints to min: ${min}, max: ${max}, desired: ${desired} changing the desired capacity from ${from} to ${desired}.`,
  setDesired: (t: number, from: number, to: number): string => `At ${causeTime(t)} a user request explicitly set group desired capacity changing the desired capacity from ${from} to ${to}.`,
  deleted: (t: number, from: number): string => `At ${causeTime(t)} a user request deleted the AutoScalingGroup changing the desired capacity from ${from} to 0.`,
  terminated: (t: number, instanceId: string, decrement: { from: number; to: number } | undefined): string =>
    decrement
      ? `At ${causeTime(t)} instance ${instanceId} was taken out of service in response to a user request, shrinking the capacity from ${decrement.from} to ${decrement.to}.`
      : `At ${causeTime(t)} instance ${instanceId} was taken out of service in response to a user request.`,
};

export const stepCause = {
  launch: (t: number, from: number, to: number): string =>
    `At ${causeTime(t)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${from} to ${to}.`,
  rebalanceLaunch: (t: number, from: number, to: number): string =>
    `At ${causeTime(t)} an instance was started in response to an Availability Zone rebalancing operation, increasing the capacity from ${from} to ${to}.`,
  scaleIn: (t: number, from: number, to: number): string =>
    `At ${causeTime(t)} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${from} to ${to}.`,
  rebalanceTerminate: (t: number, from: number, to: number): string =>
    `At ${causeTime(t)} an instance was taken out of service in response to an Availability Zone rebalancing operation, shrinking the capacity from ${from} to ${to}.`,
  unhealthy: (t: number): string => `At ${causeTime(t)} an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.`,
};

/** Joins a remembered user cause and a step cause as AWS does (two spaces). */
export function joinCauses(user: string | undefined, step: string): string {
  return user ? `${user}  ${step}` : step;
}

export const describe = {
  launching: (instanceId?: string): string => (instanceId ? `Launching a new EC2 instance: ${instanceId}` : 'Launching a new EC2 instance'),
  launchFailed: 'Launching a new EC2 instance.  Status Reason: ',
  terminating: (instanceId: string): string => `Terminating EC2 instance: ${instanceId}`,
};
