/** coordination.k8s.io leases, policy poddisruptionbudgets, scheduling.k8s.io priorityclasses. */
import { age, ageColumn, col, name, nameColumn } from './columns.js';
import { num, rec, str } from './fields.js';
import { intOrString } from './format.js';
import type { Printer } from './types.js';

export const leasePrinter: Printer = {
  columns: [nameColumn, col('Holder', 'string', 'leaseSpec.holderIdentity'), ageColumn],
  row: (obj, now) => [name(obj), str(rec(obj['spec'])['holderIdentity']), age(obj, now)],
};

/** An IntOrString bound, `N/A` when unset. */
function bound(value: unknown): string {
  return value === undefined || value === null ? 'N/A' : intOrString(value);
}

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    nameColumn,
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageColumn,
  ],
  row(obj, now) {
    const spec = rec(obj['spec']);
    return [name(obj), bound(spec['minAvailable']), bound(spec['maxUnavailable']), num(rec(obj['status'])['disruptionsAllowed']), age(obj, now)];
  },
};

export const priorityClassPrinter: Printer = {
  columns: [
    nameColumn,
    col('Value', 'integer', 'priorityClass.value'),
    col('Global-Default', 'boolean', 'priorityClass.globalDefault'),
    ageColumn,
    // Not marked wide (priority 0), unlike most trailing columns.
    col('PreemptionPolicy', 'string', 'priorityClass.preemptionPolicy'),
  ],
  row: (obj, now) => [name(obj), num(obj['value']), obj['globalDefault'] === true, age(obj, now), str(obj['preemptionPolicy'])],
};
