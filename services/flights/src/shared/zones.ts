const zones = new Set(Intl.supportedValuesOf('timeZone'));
// `UTC` is valid everywhere but not always listed.
zones.add('UTC');

/** Whether the runtime knows this IANA zone (e.g. `Europe/Paris`). */
export const isKnownTimeZone = (zone: string) => zones.has(zone);

const formatters = new Map<string, Intl.DateTimeFormat>();
const formatterFor = (zone: string) => {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
};

/** Local wall time without offset, e.g. `2026-03-29T01:30:00`. */
export function localDateTime(instant: Date, zone: string): string {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(zone).formatToParts(instant)) parts[part.type] = part.value;
  return `${parts['year']}-${parts['month']}-${parts['day']}T${parts['hour']}:${parts['minute']}:${parts['second']}`;
}

export const minutesBetween = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / 60_000);

/** `YYYY-MM-DD` plus `days`, in calendar arithmetic (no time zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

const dayStarts = new Map<string, number>();
const dayStartsMax = 20_000;

/**
 * The first instant (ms) whose local date in `zone` is `date` (or later, when the local midnight is
 * skipped by a clock change). Found by bisection over whole seconds with the exact formatter: zones
 * are UTC-12 to UTC+14, so that instant lies between UTC midnight - 15 h and + 13 h. Cached.
 */
export function startOfLocalDate(date: string, zone: string): number {
  const key = `${zone}|${date}`;
  const cached = dayStarts.get(key);
  if (cached !== undefined) return cached;
  const midnight = Date.parse(`${date}T00:00:00Z`);
  let before = (midnight - 15 * 3600_000) / 1000; // local date is earlier here
  let onOrAfter = (midnight + 13 * 3600_000) / 1000; // and on or after `date` here
  while (onOrAfter - before > 1) {
    const middle = Math.floor((before + onOrAfter) / 2);
    if (localDateTime(new Date(middle * 1000), zone).slice(0, 10) < date) before = middle;
    else onOrAfter = middle;
  }
  if (dayStarts.size >= dayStartsMax) dayStarts.clear();
  dayStarts.set(key, onOrAfter * 1000);
  return onOrAfter * 1000;
}

const spans = new Map<string, [number, number]>();

/** The instants [start, end) of a local date in `zone` (23, 24 or 25 hours long), cached. */
export function localDateSpan(date: string, zone: string): [number, number] {
  const key = `${zone}|${date}`;
  let span = spans.get(key);
  if (!span) {
    span = [startOfLocalDate(date, zone), startOfLocalDate(addDays(date, 1), zone)];
    if (spans.size >= dayStartsMax) spans.clear();
    spans.set(key, span);
  }
  return span;
}

/** UTC offset (local wall time minus UTC, ms) of `zone` at an instant, to the second. */
const offsetAt = (instantMs: number, zone: string) => {
  const second = Math.floor(instantMs / 1000) * 1000;
  return Date.parse(`${localDateTime(new Date(second), zone)}Z`) - second;
};

// Zone offsets per UTC day: the offset at the day's start and, on the rare day the clocks change
// (never twice in one day), the second of the change and the offset after it.
type DayOffsets = { before: number; changeAt: number; after: number };
const dayOffsets = new Map<string, DayOffsets>();
const dayOffsetsMax = 50_000;

function offsetsOfDay(day: number, zone: string): DayOffsets {
  const key = `${zone}|${day}`;
  let offsets = dayOffsets.get(key);
  if (!offsets) {
    const startMs = day * 86_400_000;
    const lastSecondMs = startMs + 86_399_000;
    const before = offsetAt(startMs, zone);
    const after = offsetAt(lastSecondMs, zone);
    let changeAt = Infinity;
    if (after !== before) {
      // Bisect to the first second with the new offset.
      let low = startMs / 1000;
      let high = lastSecondMs / 1000;
      while (high - low > 1) {
        const middle = Math.floor((low + high) / 2);
        if (offsetAt(middle * 1000, zone) === before) low = middle;
        else high = middle;
      }
      changeAt = high * 1000;
    }
    offsets = { before, changeAt, after };
    if (dayOffsets.size >= dayOffsetsMax) dayOffsets.clear();
    dayOffsets.set(key, offsets);
  }
  return offsets;
}

/**
 * `localDateTime` for an instant in ms, through a cache of zone offsets per UTC day: the exact
 * formatter costs microseconds a call, too much for every leg of a search.
 */
export function localDateTimeAt(instantMs: number, zone: string): string {
  const offsets = offsetsOfDay(Math.floor(instantMs / 86_400_000), zone);
  const offset = instantMs < offsets.changeAt ? offsets.before : offsets.after;
  return new Date(instantMs + offset).toISOString().slice(0, 19);
}
