import type { Money } from '../api/types';

const fractionDigits = (currency: string): number => {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
};

/** Money is integer minor units; the currency says how many of them make one unit. */
export function formatMoney(money: Money): string {
  const digits = fractionDigits(money.currency);
  const value = money.amount / 10 ** digits;
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency: money.currency, minimumFractionDigits: digits }).format(value);
  } catch {
    return `${value.toFixed(digits)} ${money.currency}`;
  }
}

export const toMinorUnits = (major: number, currency: string): number => Math.round(major * 10 ** fractionDigits(currency));
export const toMajorUnits = (minor: number, currency: string): number => minor / 10 ** fractionDigits(currency);

export function formatDuration(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return hours ? `${hours}h ${String(rest).padStart(2, '0')}m` : `${rest}m`;
}

/** "14:05" from a local wall time such as "2026-03-29T14:05:00". */
export const localClock = (local: string): string => local.slice(11, 16);

/** "Sun 29 Mar" from a local wall time, read as a calendar date (no zone conversion). */
export function localDay(local: string): string {
  const [year, month, day] = local.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1));
  return new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }).format(date);
}

/** The zone's short name at that instant, e.g. "CET" or "GMT-4". */
export function zoneAbbreviation(instant: string, timeZone: string): string {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(new Date(instant));
    return parts.find((part) => part.type === 'timeZoneName')?.value ?? timeZone;
  } catch {
    return timeZone;
  }
}

/** Days between two local dates, for "+1" on arrivals after midnight. */
export function dayShift(fromLocal: string, toLocal: string): number {
  const day = (local: string) => Date.parse(`${local.slice(0, 10)}T00:00:00Z`);
  return Math.round((day(toLocal) - day(fromLocal)) / 86_400_000);
}

/**
 * The UTC instant of a wall time in an IANA zone (for admin forms that speak the airport's local
 * time). Two passes settle the offset around daylight-saving changes.
 */
export function zonedWallTimeToUtc(wallTime: string, timeZone: string): Date {
  const asUtc = Date.parse(`${wallTime.length === 16 ? `${wallTime}:00` : wallTime}Z`);
  let guess = asUtc;
  for (let pass = 0; pass < 2; pass += 1) guess = asUtc - offsetMs(guess, timeZone);
  return new Date(guess);
}

function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

export function formatInstant(instant: string): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(instant));
}
