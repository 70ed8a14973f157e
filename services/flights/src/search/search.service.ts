import type { CabinClass, SearchQuery } from '@aerofly/contracts';
import type { Clock, Db, Logger } from '@aerofly/platform';
import { decodeCursor, encodeCursor, invalid } from '../shared/pagination.js';
import type { ReadCache } from '../shared/read-cache.js';
import { localDateSpan, localDateTimeAt } from '../shared/zones.js';
import {
  boardOf,
  cabinIndex,
  createDepartureBoards,
  dayMs,
  firstDepartingFrom,
  type Board,
  type BoardSlice,
  type Lane,
} from './departure-boards.js';
import { searchRepository as repo, type LegRow } from './search.repository.js';

/**
 * An itinerary before rendering; it sorts by (primary, departureMs, id). Each leg is its board and
 * index there: the numbers a search needs are in the boards' arrays, and a leg's object is read
 * only for what is shown (or filtered on).
 */
type Candidate = {
  firstBoard: Board;
  firstIndex: number;
  secondBoard: Board | null;
  secondIndex: number;
  price: number;
  seats: number;
  primary: number;
  departureMs: number;
  /** When the last leg lands. */
  arrivalMs: number;
  /** Made when first needed (ties, cursor, answer): most candidates never need it. */
  id?: string;
};

const firstLeg = (candidate: Candidate) => candidate.firstBoard.legs[candidate.firstIndex]!;
const secondLeg = (candidate: Candidate) => candidate.secondBoard?.legs[candidate.secondIndex];
const idOf = (candidate: Candidate) => {
  const second = secondLeg(candidate);
  return (candidate.id ??= second ? `${firstLeg(candidate).id}+${second.id}` : firstLeg(candidate).id);
};
type CursorValue = [string, string, number, number, string];
type BoardLookup = (origin: string, day: number) => Board | undefined;

const isCursor = (value: unknown): value is CursorValue =>
  Array.isArray(value) &&
  value.length === 5 &&
  typeof value[0] === 'string' &&
  typeof value[1] === 'string' &&
  typeof value[2] === 'number' &&
  typeof value[3] === 'number' &&
  typeof value[4] === 'string';

// A connection's second leg leaves 45 min to 12 h after the first one lands, both limits included.
const minConnectionMs = 45 * 60_000;
const maxConnectionMs = 12 * 3600_000;
const zoneReloadMs = 1000;

/** Canonical cache key of a query: same question, same key, whatever the parameter order. */
const cacheKeyOf = (query: SearchQuery) =>
  Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${String(value)}`)
    .join('&');

const byText = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
/**
 * The last tie-break: first leg's id, then second leg's (none sorts first), without building the
 * itinerary id. With flight ids all UUIDs of one length, the same order as the ids' text. Ties on
 * price and departure are common (one first leg, several second legs; with sort=departure, every
 * connection over the same first leg).
 */
const byLegIds = (x: Candidate, firstId: string, secondId: string) =>
  byText(firstLeg(x).id, firstId) || byText(secondLeg(x)?.id ?? '', secondId);
const byIds = (x: Candidate, y: Candidate) => byLegIds(x, firstLeg(y).id, secondLeg(y)?.id ?? '');

const minutesBetween = (fromMs: number, toMs: number) => Math.round((toMs - fromMs) / 60_000);

const text = JSON.stringify;

/**
 * A segment's JSON in a cabin, made once per leg and cabin and kept on its board: segments are most
 * of an answer's text, and the same legs turn up in many answers. Local times come from the zone
 * offset cache. JSON.stringify gives a flat string (a template literal would keep a rope of its pieces).
 */
const segmentJson = (board: Board, index: number, cabin: CabinClass) => {
  const at = cabinIndex[cabin] * board.legs.length + index;
  const made = board.segments[at];
  if (made !== undefined) return made;
  const leg = board.legs[index]!;
  return (board.segments[at] = text({
    id: leg.id,
    flightNumber: leg.flightNumber,
    from: leg.from,
    to: leg.to,
    departureAt: new Date(leg.departureMs).toISOString(),
    arrivalAt: new Date(leg.arrivalMs).toISOString(),
    departureLocal: localDateTimeAt(leg.departureMs, leg.departureTimeZone),
    arrivalLocal: localDateTimeAt(leg.arrivalMs, leg.arrivalTimeZone),
    departureTimeZone: leg.departureTimeZone,
    arrivalTimeZone: leg.arrivalTimeZone,
    durationMinutes: minutesBetween(leg.departureMs, leg.arrivalMs),
    cabin,
    fare: { amount: board.fares[at]!, currency: leg.currency },
  }));
};

function answerJson(query: SearchQuery, page: Candidate[], nextCursor: string | null): string {
  let itineraries = '';
  for (const candidate of page) {
    const { firstBoard, secondBoard, price } = candidate;
    // Ids are UUIDs and the currency an ISO code: nothing in them needs escaping.
    const currency = `,"currency":${text(firstLeg(candidate).currency)}}`;
    itineraries +=
      (itineraries ? ',{"id":"' : '{"id":"') +
      idOf(candidate) +
      '","segments":[' +
      segmentJson(firstBoard, candidate.firstIndex, query.cabin) +
      (secondBoard ? `,${segmentJson(secondBoard, candidate.secondIndex, query.cabin)}],"stops":1` : '],"stops":0') +
      ',"price":{"amount":' +
      price +
      currency +
      ',"totalPrice":{"amount":' +
      price * query.passengers +
      currency +
      ',"durationMinutes":' +
      minutesBetween(candidate.departureMs, candidate.arrivalMs) +
      ',"seatsAvailable":' +
      candidate.seats +
      '}';
  }
  return `{"itineraries":[${itineraries}],"nextCursor":${text(nextCursor)}}`;
}

/** Boards by airport, then UTC day. */
function boardIndex() {
  const byAirport = new Map<string, Map<number, Board>>();
  return {
    put(origin: string, day: number, board: Board) {
      let days = byAirport.get(origin);
      if (!days) byAirport.set(origin, (days = new Map()));
      days.set(day, board);
    },
    lookup: ((origin, day) => byAirport.get(origin)?.get(day)) as BoardLookup,
  };
}

/** Boards built from one search's own rows (cache off): the origin's, and each hub's legs towards `to`. */
function lookupOfLegs(legs: LegRow[]): BoardLookup {
  const grouped = boardIndex();
  const lists = new Map<string, LegRow[]>();
  for (const leg of legs) {
    const key = `${leg.from}|${Math.floor(leg.departureMs / dayMs)}`;
    const list = lists.get(key);
    if (list) list.push(leg);
    else lists.set(key, [leg]);
  }
  for (const list of lists.values()) {
    const first = list[0]!;
    grouped.put(first.from, Math.floor(first.departureMs / dayMs), boardOf(list));
  }
  return grouped.lookup;
}

export function createSearchService({ db, clock, cache, logger }: { db: Db; clock: Clock; cache: ReadCache; logger: Logger }) {
  const boards = createDepartureBoards({ db, cache, logger });

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

  /**
   * A search's view of the boards. Cache off: boards built from one query for this search. Cache on:
   * the boards held, with every slice not held noted in `missing` (the search then loads those and
   * runs again; the boards it loaded serve it even if dropped meanwhile).
   */
  const boardsFor = async (query: SearchQuery, startMs: number, endMs: number) => {
    if (!boards.enabled) {
      const legs = await repo.findSearchLegs(db, {
        from: query.from,
        to: query.to,
        fromMs: startMs,
        toMs: endMs,
        cabin: query.cabin,
        maxStops: query.maxStops,
      });
      return { lookup: lookupOfLegs(legs), missing: [] as BoardSlice[], load: async () => undefined };
    }
    await boards.begin();
    const loaded = boardIndex();
    const missing: BoardSlice[] = [];
    const lookup: BoardLookup = (origin, day) => {
      const board = boards.held(origin, day) ?? loaded.lookup(origin, day);
      if (!board && !missing.some((slice) => slice.origin === origin && slice.day === day)) missing.push({ origin, day });
      return board;
    };
    const load = async () => {
      const slices = missing.splice(0);
      (await boards.get(slices)).forEach((board, i) => loaded.put(slices[i]!.origin, slices[i]!.day, board));
    };
    return { lookup, missing, load };
  };

  /** Direct flights and one-stop connections on the local date with enough seats in the cabin, not yet departed. */
  const candidatesOf = (query: SearchQuery, boardFor: BoardLookup, startMs: number, endMs: number): Candidate[] => {
    const { passengers } = query;
    const cabin = cabinIndex[query.cabin];
    // Not departed: departures are whole milliseconds.
    const fromMs = Math.max(startMs, clock.now().getTime() + 1);
    const found: Candidate[] = [];
    const sort = query.sort;
    const add = (firstBoard: Board, firstIndex: number, secondBoard: Board | null, secondIndex: number, price: number, seats: number) => {
      const departureMs = firstBoard.departures[firstIndex]!;
      const arrivalMs = secondBoard ? secondBoard.arrivals[secondIndex]! : firstBoard.arrivals[firstIndex]!;
      const primary = sort === 'price' ? price : sort === 'duration' ? minutesBetween(departureMs, arrivalMs) : departureMs;
      found.push({ firstBoard, firstIndex, secondBoard, secondIndex, price, seats, primary, departureMs, arrivalMs });
    };

    const towards: (Lane | null | undefined)[] = [];
    for (let day = Math.floor(startMs / dayMs); day <= Math.floor((endMs - 1) / dayMs); day++) {
      const origin = boardFor(query.from, day);
      if (!origin) continue;
      const count = origin.legs.length;
      // First legs hub by hub, so each hub's boards are looked up once for all its first legs.
      for (const firsts of origin.lanes) {
        const hub = firsts.to;
        if (hub !== query.to && query.maxStops < 1) continue;
        // The local date at the origin decides, also across a clock change (half-open day bounds).
        const begin = firstDepartingFrom(firsts, fromMs);
        const end = firstDepartingFrom(firsts, endMs);
        towards.length = 0;
        for (let f = begin; f < end; f++) {
          const firstSeats = origin.seats[cabin * count + f]!;
          if (firstSeats < passengers) continue;
          const firstFare = origin.fares[cabin * count + f]!;
          if (hub === query.to) {
            add(origin, f, null, 0, firstFare, firstSeats);
            continue;
          }
          const arrivalMs = origin.arrivals[f]!;
          const earliest = arrivalMs + minConnectionMs;
          const latest = arrivalMs + maxConnectionMs;
          for (let secondDay = Math.floor(earliest / dayMs); secondDay <= Math.floor(latest / dayMs); secondDay++) {
            // The hub's legs to `to` that day, looked up once per hub (indexed by days after `day`).
            let seconds = towards[secondDay - day];
            if (seconds === undefined) seconds = towards[secondDay - day] = boardFor(hub, secondDay)?.byDestination.get(query.to) ?? null;
            if (!seconds) continue;
            const { board, end: last } = seconds;
            const n = board.legs.length;
            for (let i = firstDepartingFrom(seconds, earliest); i < last && board.departures[i]! <= latest; i++) {
              const seats = board.seats[cabin * n + i]!;
              if (seats >= passengers) add(origin, f, board, i, firstFare + board.fares[cabin * n + i]!, Math.min(firstSeats, seats));
            }
          }
        }
      }
    }
    return found;
  };

  /** Whether a candidate passes the price and local time-of-day filters (After inclusive, Before exclusive). */
  const passesFilters = (query: SearchQuery, candidate: Candidate) => {
    if (query.minPrice !== undefined && candidate.price < query.minPrice) return false;
    if (query.maxPrice !== undefined && candidate.price > query.maxPrice) return false;
    if (query.departAfter || query.departBefore) {
      const departs = localDateTimeAt(candidate.departureMs, firstLeg(candidate).departureTimeZone).slice(11, 16);
      if (query.departAfter && departs < query.departAfter) return false;
      if (query.departBefore && departs >= query.departBefore) return false;
    }
    if (query.arriveAfter || query.arriveBefore) {
      const arrives = localDateTimeAt(candidate.arrivalMs, (secondLeg(candidate) ?? firstLeg(candidate)).arrivalTimeZone).slice(11, 16);
      if (query.arriveAfter && arrives < query.arriveAfter) return false;
      if (query.arriveBefore && arrives >= query.arriveBefore) return false;
    }
    return true;
  };

  /** The answer's JSON text, computed from the boards (or, cache off, from this search's own query). */
  const compute = async (query: SearchQuery): Promise<string> => {
    const [fromZone, toZone] = await Promise.all([zoneOf(query.from), zoneOf(query.to)]);
    if (!fromZone) throw invalid('from', 'is not a known airport');
    if (!toZone) throw invalid('to', 'is not a known airport');
    const cursor = query.cursor ? decodeCursor(query.cursor, isCursor) : undefined;
    if (cursor && (cursor[0] !== query.sort || cursor[1] !== query.order)) throw invalid('cursor', 'belongs to another sort order');

    const [startMs, endMs] = localDateSpan(query.date, fromZone);
    const view = await boardsFor(query, startMs, endMs);
    let found = candidatesOf(query, view.lookup, startMs, endMs);
    // Boards not held yet: load them (once, shared with concurrent searches) and look again. Three
    // rounds at most: the origin's boards, then the hubs' they lead to.
    while (view.missing.length) {
      await view.load();
      found = candidatesOf(query, view.lookup, startMs, endMs);
    }
    // A total order (primary key in the asked direction, then departure, then id) makes keyset pages
    // exact. Only the page is needed, and one more to know whether another page follows: each
    // candidate after the cursor that passes the filters is placed among the best `limit + 1` so far,
    // and most are turned away by one comparison with the last of them.
    const direction = query.order === 'desc' ? -1 : 1;
    const order = (x: Candidate, y: Candidate) => (x.primary - y.primary) * direction || x.departureMs - y.departureMs || byIds(x, y);
    // The cursor names the last itinerary shown: `first` or `first+second` leg ids.
    const [firstAfter = '', secondAfter = ''] = cursor ? cursor[4].split('+') : [];
    const afterCursor = (item: Candidate, [, , primary, departureMs]: CursorValue) =>
      ((item.primary - primary) * direction || item.departureMs - departureMs || byLegIds(item, firstAfter, secondAfter)) > 0;
    const keep = query.limit + 1;
    const best: Candidate[] = [];
    for (const candidate of found) {
      if (best.length === keep && order(candidate, best[keep - 1]!) >= 0) continue;
      if (cursor && !afterCursor(candidate, cursor)) continue;
      if (!passesFilters(query, candidate)) continue;
      let low = 0;
      let high = best.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (order(best[middle]!, candidate) < 0) low = middle + 1;
        else high = middle;
      }
      best.splice(low, 0, candidate);
      if (best.length > keep) best.pop();
    }
    const hasMore = best.length > query.limit;
    const page = hasMore ? best.slice(0, query.limit) : best;
    const last = page[page.length - 1];
    return answerJson(
      query,
      page,
      hasMore && last ? encodeCursor([query.sort, query.order, last.primary, last.departureMs, idOf(last)]) : null,
    );
  };

  return {
    compute,
    /** The answer as JSON text, from the short-lived cache when possible. */
    async search(query: SearchQuery): Promise<string> {
      const key = cacheKeyOf(query);
      const cached = await cache.get('search', key);
      if (cached) return cached;
      const body = await compute(query);
      // The answer need not wait for the cache write (which never fails the request).
      void cache.set('search', key, body);
      return body;
    },
  };
}
export type SearchService = ReturnType<typeof createSearchService>;
