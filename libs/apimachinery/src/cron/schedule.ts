// Cron schedules as kube's CronJob controller reads them (robfig/cron/v3 ParseStandard): five fields
// `minute hour day-of-month month day-of-week` with `*`, `?`, lists, ranges, steps and names (jan–dec,
// sun–sat); the descriptors @yearly/@annually, @monthly, @weekly, @daily/@midnight, @hourly and
// `@every <duration>`; an optional `TZ=<zone>` / `CRON_TZ=<zone>` prefix. Times are computed in the
// schedule's time zone (IANA names through Intl), UTC by default.

/** A parsed schedule: `next(t)` is the first activation strictly after `t` (ms), or undefined within 5 years. */
export interface Schedule {
  next(afterMs: number): number | undefined;
}

/** robfig/cron's parse errors; the message is what kube puts after `unparseable schedule: "<spec>" : `. */
export class CronParseError extends Error {
  override readonly name = 'CronParseError';
}

interface Bounds { min: number; max: number; names?: Record<string, number> }

const months: Bounds = { min: 1, max: 12, names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 } };
const dows: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };
const FIELDS: readonly Bounds[] = [{ min: 0, max: 59 }, { min: 0, max: 23 }, { min: 1, max: 31 }, months, dows];

/** One field: the allowed values, and whether it was `*`/`?` (which changes how day fields combine). */
interface Field { readonly values: ReadonlySet<number>; readonly star: boolean }

const descriptors: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

function parseInt10(s: string): number {
  if (!/^\d+$/.test(s)) throw new CronParseError(`failed to parse int from ${s}: strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

function parseValue(s: string, b: Bounds): number {
  const named = b.names?.[s.toLowerCase()];
  return named ?? parseInt10(s);
}

function parseRange(expr: string, b: Bounds): { values: number[]; star: boolean } {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = parseValue(lowAndHigh[0]!, b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseValue(lowAndHigh[1]!, b);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseInt10(rangeAndStep[1]!);
    if (singleDigit) end = b.max; // "N/step" means "N-max/step"
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronParseError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new CronParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  const values: number[] = [];
  for (let v = start; v <= end; v += step) values.push(v);
  return { values, star };
}

function parseField(field: string, b: Bounds): Field {
  const values = new Set<number>();
  let star = false;
  for (const expr of field.split(',')) {
    const r = parseRange(expr, b);
    for (const v of r.values) values.add(v);
    star ||= r.star;
  }
  return { values, star };
}

/** Whether `zone` is an IANA time zone this runtime knows (kube: time.LoadLocation). */
export function isValidTimeZone(zone: string): boolean {
  if (zone === '' || zone === 'Local') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Parses a schedule (robfig/cron ParseStandard). Throws CronParseError with robfig's wording. */
export function parseSchedule(spec: string): Schedule {
  let s = spec.trim();
  if (s === '') throw new CronParseError('empty spec string');
  let zone = 'UTC';
  const tz = /^(?:CRON_)?TZ=(\S+)/.exec(s);
  if (tz) {
    zone = tz[1]!;
    if (!isValidTimeZone(zone) && zone !== 'UTC') throw new CronParseError(`provided bad location ${zone}: unknown time zone ${zone}`);
    s = s.slice(tz[0].length).trim();
  }
  if (s.startsWith('@')) {
    if (s.startsWith('@every ')) {
      const ms = parseGoDuration(s.slice('@every '.length).trim());
      if (ms === undefined) throw new CronParseError(`failed to parse duration ${s}`);
      const every = Math.max(1000, ms - (ms % 1000));
      return { next: (after) => Math.floor(after / 1000) * 1000 + every };
    }
    const expanded = descriptors[s];
    if (!expanded) throw new CronParseError(`unrecognized descriptor: ${s}`);
    s = expanded;
  }
  const parts = s.split(/\s+/);
  if (parts.length !== 5) throw new CronParseError(`expected exactly 5 fields, found ${parts.length}: [${parts.join(' ')}]`);
  const [minute, hour, dom, month, dow] = parts.map((p, i) => parseField(p, FIELDS[i]!)) as [Field, Field, Field, Field, Field];
  return new SpecSchedule(minute, hour, dom, month, dow, zone);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** robfig's SpecSchedule.Next over wall-clock time in the schedule's zone (wall times held as UTC ms). */
class SpecSchedule implements Schedule {
  constructor(
    private readonly minute: Field, private readonly hour: Field, private readonly dom: Field,
    private readonly month: Field, private readonly dow: Field, private readonly zone: string,
  ) {}

  next(afterMs: number): number | undefined {
    // The first whole minute at least one second after `after` (seconds are always 0 in a standard spec).
    let w = Math.ceil((toWall(Math.floor(afterMs / 1000) * 1000 + 1000, this.zone)) / MINUTE) * MINUTE;
    const limit = new Date(w).getUTCFullYear() + 5;
    for (;;) {
      const d = new Date(w);
      if (d.getUTCFullYear() > limit) return undefined;
      if (!this.month.values.has(d.getUTCMonth() + 1)) {
        w = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
        continue;
      }
      if (!this.dayMatches(d)) {
        w = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) + DAY;
        continue;
      }
      if (!this.hour.values.has(d.getUTCHours())) {
        w = Math.floor(w / HOUR) * HOUR + HOUR;
        continue;
      }
      if (!this.minute.values.has(d.getUTCMinutes())) {
        w += MINUTE;
        continue;
      }
      return fromWall(w, this.zone);
    }
  }

  /** Day-of-month and day-of-week both match when either is `*`; otherwise either one is enough (as cron). */
  private dayMatches(d: Date): boolean {
    const domMatch = this.dom.values.has(d.getUTCDate());
    const dowMatch = this.dow.values.has(d.getUTCDay());
    return this.dom.star || this.dow.star ? domMatch && dowMatch : domMatch || dowMatch;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's wall-clock time at `ms`, expressed as if it were UTC. */
export function toWall(ms: number, zone: string): number {
  if (zone === 'UTC') return ms;
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return Date.UTC(Number(p['year']), Number(p['month']) - 1, Number(p['day']), Number(p['hour']), Number(p['minute']), Number(p['second'])) + (ms % 1000);
}

/**
 * The instant whose wall-clock time in `zone` is `wall`. A wall time skipped by a DST change maps to the
 * instant one offset later (02:30 on a spring-forward night runs at 03:30); a repeated one to its first instance.
 */
export function fromWall(wall: number, zone: string): number {
  if (zone === 'UTC') return wall;
  const guess = wall - (toWall(wall, zone) - wall);
  const second = wall - (toWall(guess, zone) - guess);
  const earlier = Math.min(guess, second);
  return toWall(earlier, zone) === wall ? earlier : Math.max(guess, second);
}

/** A Go duration (`1h30m`, `90s`, `500ms`) in ms. */
function parseGoDuration(s: string): number | undefined {
  const units: Record<string, number> = { ms: 1, s: 1000, m: MINUTE, h: HOUR };
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * units[m[2]!]!;
    end = re.lastIndex;
  }
  return end === s.length && end > 0 ? total : undefined;
}
