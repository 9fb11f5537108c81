/** Shared clock for the printer tests: every timestamp is relative to one fixed `now`. */
export const now = Date.parse('2024-06-01T12:00:00Z');

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;
export const units = { second, minute, hour, day };

/** The RFC 3339 timestamp `ms` before `now`. */
export function ago(ms: number): string {
  return new Date(now - ms).toISOString().replace('.000Z', 'Z');
}
