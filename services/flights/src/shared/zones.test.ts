import { describe, expect, it } from 'vitest';
import { localDateSpan, localDateTime, localDateTimeAt, startOfLocalDate } from './zones.js';

const hour = 3600_000;
const utc = (iso: string) => Date.parse(iso);

describe('zones', () => {
  it('when local times come from the offset cache, then they equal the exact formatter, around clock changes too', () => {
    const zones = ['America/Chicago', 'Europe/London', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Kolkata', 'Pacific/Chatham', 'UTC'];
    const mismatches: string[] = [];
    for (const zone of zones) {
      // Every 47 min 13 s through 2030 (all minutes of the hour come round), so every change of the year is crossed.
      for (let at = utc('2030-01-01T00:00:00Z'); at < utc('2031-01-01T00:00:00Z'); at += 2_833_000) {
        if (localDateTimeAt(at, zone) !== localDateTime(new Date(at), zone)) mismatches.push(`${zone} ${new Date(at).toISOString()}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(localDateTimeAt(utc('2030-03-10T07:59:59.999Z'), 'America/Chicago')).toBe('2030-03-10T01:59:59');
    expect(localDateTimeAt(utc('2030-03-10T08:00:00Z'), 'America/Chicago')).toBe('2030-03-10T03:00:00');
  });

  it('when a local date has a clock change, then its span is 23 or 25 hours and starts at local midnight', () => {
    expect(localDateSpan('2030-03-05', 'America/Chicago')).toEqual([utc('2030-03-05T06:00:00Z'), utc('2030-03-06T06:00:00Z')]);
    // Spring forward (10 March 2030) and fall back (3 November 2030) in Chicago.
    expect(localDateSpan('2030-03-10', 'America/Chicago')).toEqual([utc('2030-03-10T06:00:00Z'), utc('2030-03-11T05:00:00Z')]);
    const [start, end] = localDateSpan('2030-11-03', 'America/Chicago');
    expect((end - start) / hour).toBe(25);
    // Santiago skips local midnight when its clocks go forward: the date starts at 01:00.
    const skipped = startOfLocalDate('2030-09-08', 'America/Santiago');
    expect(localDateTime(new Date(skipped), 'America/Santiago')).toBe('2030-09-08T01:00:00');
    expect(localDateTime(new Date(skipped - 1000), 'America/Santiago')).toBe('2030-09-07T23:59:59');
    // UTC+14 and UTC-11: the local date lies mostly in another UTC date.
    expect(localDateSpan('2030-03-05', 'Pacific/Kiritimati')).toEqual([utc('2030-03-04T10:00:00Z'), utc('2030-03-05T10:00:00Z')]);
    expect(localDateSpan('2030-03-05', 'Pacific/Pago_Pago')).toEqual([utc('2030-03-05T11:00:00Z'), utc('2030-03-06T11:00:00Z')]);
  });
});
