// Request validation with EC2 Auto Scaling's error codes and messages (code `ValidationError` unless noted).
import { CloudApiError } from '../ports.js';

const validation = (message: string): CloudApiError => new CloudApiError('ValidationError', message);

/** AWS: 1-255 characters, no colon (a colon would make it look like an ARN). */
export function checkGroupName(name: string): void {
  if (name.length < 1 || name.length > 255) {
    throw validation(`1 validation error detected: Value '${name}' at 'autoScalingGroupName' failed to satisfy constraint: Member must have length less than or equal to 255`);
  }
  if (/[:/\0]/.test(name)) throw validation(`AutoScalingGroup name ${name} is invalid: it must not contain ':' or '/'`);
}

/** min ≤ max, min ≤ desired ≤ max, all ≥ 0 — in the order AWS checks them. */
export function checkSizes(min: number, max: number, desired: number): void {
  for (const [field, v] of [['minSize', min], ['maxSize', max], ['desiredCapacity', desired]] as const) {
    if (!Number.isInteger(v) || v < 0) throw validation(`1 validation error detected: Value '${v}' at '${field}' failed to satisfy constraint: Member must have value greater than or equal to 0`);
  }
  if (max < min) throw validation(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
  if (desired < min || desired > max) throw validation(`Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`);
}

export function checkDesiredAgainst(desired: number, min: number, max: number): void {
  if (desired > max) throw validation(`New SetDesiredCapacity value ${desired} is above max value ${max} for the AutoScalingGroup.`);
  if (desired < min) throw validation(`New SetDesiredCapacity value ${desired} is below min value ${min} for the AutoScalingGroup.`);
}

export const errors = {
  /** DeleteAutoScalingGroup names the group; UpdateAutoScalingGroup and SetDesiredCapacity famously say `null`. */
  notFound: (name: string | null): CloudApiError => validation(`AutoScalingGroup name not found - ${name === null ? 'null' : `AutoScalingGroup ${name} not found`}`),
  alreadyExists: (name: string): CloudApiError => new CloudApiError('AlreadyExists', `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`),
  inUse: (): CloudApiError =>
    new CloudApiError('ResourceInUse', 'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.'),
  deleting: (name: string): CloudApiError => validation(`AutoScalingGroup ${name} is pending delete.`),
  noSubnets: (): CloudApiError => validation('At least one Availability Zone or VPC Subnet is required.'),
  noInstanceTypes: (): CloudApiError => validation('You must use a valid fully-formed launch template. At least one instance type is required.'),
  subnetNotFound: (id: string): CloudApiError => validation(`The subnet ID '${id}' does not exist`),
  instanceNotFound: (id: string): CloudApiError => validation(`Instance Id not found - No managed instance found for instance ID: ${id}`),
  belowMin: (min: number): CloudApiError =>
    validation(
      `Currently, desiredSize equals minSize (${min}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
    ),
};
