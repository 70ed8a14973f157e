import type { SearchAnswer, SearchQuery } from '@aerofly/contracts';
import type { Clock, Db } from '@aerofly/platform';
import { decodeCursor, encodeCursor, invalid } from '../shared/pagination.js';
import type { ReadCache } from '../shared/read-cache.js';
import { addDays, localDateTime, minutesBetween } from '../shared/zones.js';
import { searchRepository as repo, type LegRow } from './search.repository.js';

type Itinerary = SearchAnswer['itineraries'][number];
type Keyed = { itinerary: Itinerary; key: [number, number, string] };
type CursorValue = [string, string, number, number, string];

const isCursor = (value: unknown): value is CursorValue =>
  Array.isArray(value) &&
  value.length === 5 &&
  typeof value[0] === 'string' &&
  typeof value[1] === 'string' &&
  typeof value[2] === 'number' &&
  typeof value[3] === 'number' &&
  typeof value[4] === 'string';

// Zones span UTC-12 to UTC+14: a local date lies within this UTC window, and SQL keeps the exact local date.
const zoneSlackMs = 15 * 3600_000;
const zoneReloadMs = 1000;

/** Canonical cache key of a query: same question, same key, whatever the parameter order. */
const cacheKeyOf = (query: SearchQuery) =>
  Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${String(value)}`)
    .join('&');

export function createSearchService({ db, clock, cache }: { db: Db; clock: Clock; cache: ReadCache }) {
  // Airport zones change rarely (never while flights use the airport): keep them in memory, reload on an unknown code.
  let zones = new Map<string, string>();
  let zonesLoadedAt = -Infinity;
  const zoneOf = async (code: string) => {
    if (!zones.has(code) && Date.now() - zonesLoadedAt > zoneReloadMs) {
      zones = new Map((await repo.airportZones(db)).map((a) => [a.code, a.timeZone]));
      zonesLoadedAt = Date.now();
    }
    return zones.get(code);
  };

  const segmentOf = (leg: LegRow, query: SearchQuery, zoneByCode: Map<string, string>) => {
    const departureTimeZone = zoneByCode.get(leg.from) ?? 'UTC';
    const arrivalTimeZone = zoneByCode.get(leg.to) ?? 'UTC';
    return {
      id: leg.id,
      flightNumber: leg.flightNumber,
      from: leg.from,
      to: leg.to,
      departureAt: leg.departureAt.toISOString(),
      arrivalAt: leg.arrivalAt.toISOString(),
      departureLocal: localDateTime(leg.departureAt, departureTimeZone),
      arrivalLocal: localDateTime(leg.arrivalAt, arrivalTimeZone),
      departureTimeZone,
      arrivalTimeZone,
      durationMinutes: minutesBetween(leg.departureAt, leg.arrivalAt),
      cabin: query.cabin,
      fare: { amount: leg.fareAmount, currency: leg.currency },
    };
  };

  /**
   * Every itinerary of a route, date and cabin with at least one seat, built once and cached, so
   * queries that differ only in passengers, filters, sort or page share one database read.
   */
  const loadCandidates = async (query: SearchQuery): Promise<Itinerary[]> => {
    const key = `${query.from}|${query.to}|${query.date}|${query.cabin}`;
    const cached = await cache.get('search_candidates', key);
    if (cached) return JSON.parse(cached) as Itinerary[];
    const rows = await repo.findCandidates(db, {
      from: query.from,
      to: query.to,
      date: query.date,
      windowStart: new Date(Date.parse(`${query.date}T00:00:00Z`) - zoneSlackMs),
      windowEnd: new Date(Date.parse(`${addDays(query.date, 1)}T00:00:00Z`) + zoneSlackMs),
      cabin: query.cabin,
      passengers: 1,
      now: clock.now(),
      maxStops: 1,
    });
    for (const row of rows) if (row.b) await zoneOf(row.b.from);
    const candidates = rows.map(({ a, b }): Itinerary => {
      const legs = b ? [a, b] : [a];
      const price = legs.reduce((sum, leg) => sum + leg.fareAmount, 0);
      return {
        id: legs.map((leg) => leg.id).join('+'),
        segments: legs.map((leg) => segmentOf(leg, query, zones)),
        stops: legs.length - 1,
        price: { amount: price, currency: a.currency },
        totalPrice: { amount: price, currency: a.currency },
        durationMinutes: minutesBetween(a.departureAt, (b ?? a).arrivalAt),
        seatsAvailable: Math.min(...legs.map((leg) => leg.available)),
      };
    });
    await cache.set('search_candidates', key, JSON.stringify(candidates));
    return candidates;
  };

  const compute = async (query: SearchQuery): Promise<SearchAnswer> => {
    const [fromZone, toZone] = await Promise.all([zoneOf(query.from), zoneOf(query.to)]);
    if (!fromZone) throw invalid('from', 'is not a known airport');
    if (!toZone) throw invalid('to', 'is not a known airport');
    const cursor = query.cursor ? decodeCursor(query.cursor, isCursor) : undefined;
    if (cursor && (cursor[0] !== query.sort || cursor[1] !== query.order)) throw invalid('cursor', 'belongs to another sort order');

    const nowMs = clock.now().getTime();
    const keyed: Keyed[] = [];
    for (const candidate of await loadCandidates(query)) {
      const first = candidate.segments[0];
      const last = candidate.segments[candidate.segments.length - 1];
      if (!first || !last) continue;
      const departureMs = Date.parse(first.departureAt);
      // Cached candidates may be a few seconds old: departed flights and seats gone are filtered again here.
      if (departureMs <= nowMs || candidate.seatsAvailable < query.passengers || candidate.stops > query.maxStops) continue;
      const price = candidate.price.amount;
      if (query.minPrice !== undefined && price < query.minPrice) continue;
      if (query.maxPrice !== undefined && price > query.maxPrice) continue;
      // Time windows compare local time of day: After inclusive, Before exclusive.
      const departs = first.departureLocal.slice(11, 16);
      const arrives = last.arrivalLocal.slice(11, 16);
      if (query.departAfter && departs < query.departAfter) continue;
      if (query.departBefore && departs >= query.departBefore) continue;
      if (query.arriveAfter && arrives < query.arriveAfter) continue;
      if (query.arriveBefore && arrives >= query.arriveBefore) continue;
      const itinerary: Itinerary = { ...candidate, totalPrice: { amount: price * query.passengers, currency: candidate.price.currency } };
      const primary = query.sort === 'price' ? price : query.sort === 'duration' ? candidate.durationMinutes : departureMs;
      keyed.push({ itinerary, key: [primary, departureMs, itinerary.id] });
    }

    // A total order (primary key in the asked direction, then departure, then id) makes keyset pages exact.
    const direction = query.order === 'desc' ? -1 : 1;
    const compare = (x: [number, number, string], y: [number, number, string]) =>
      (x[0] - y[0]) * direction || x[1] - y[1] || (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0);
    keyed.sort((x, y) => compare(x.key, y.key));
    let start = 0;
    if (cursor) {
      const next = keyed.findIndex((item) => compare(item.key, [cursor[2], cursor[3], cursor[4]]) > 0);
      start = next === -1 ? keyed.length : next;
    }
    const page = keyed.slice(start, start + query.limit);
    const last = page[page.length - 1];
    const hasMore = start + query.limit < keyed.length;
    return {
      itineraries: page.map((item) => item.itinerary),
      nextCursor: hasMore && last ? encodeCursor([query.sort, query.order, ...last.key]) : null,
    };
  };

  return {
    compute,
    /** The answer as JSON text, from the short-lived cache when possible. */
    async search(query: SearchQuery): Promise<string> {
      const key = cacheKeyOf(query);
      const cached = await cache.get('search', key);
      if (cached) return cached;
      const body = JSON.stringify(await compute(query));
      await cache.set('search', key, body);
      return body;
    },
  };
}
export type SearchService = ReturnType<typeof createSearchService>;
