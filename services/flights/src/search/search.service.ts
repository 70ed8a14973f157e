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
  type BoardLeg,
  type Lane,
} from './departure-boards.js';
import { searchRepository as repo, type LegRow } from './search.repository.js';

/** An itinerary before rendering, with each leg's fare in the cabin; it sorts by (primary, departureMs, id). */
type Candidate = {
  /** Each leg as its board and index there. */
  firstBoard: Board;
  firstIndex: number;
  secondBoard: Board | null;
  secondIndex: number;
  first: BoardLeg;
  second: BoardLeg | null;
  price: number;
  seats: number;
  primary: number;
  departureMs: number;
  /** Made when first needed (ties, cursor, answer): most candidates never need it. */
  id?: string;
};

const idOf = (candidate: Candidate) =>
  (candidate.id ??= candidate.second ? `${candidate.first.id}+${candidate.second.id}` : candidate.first.id);
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

const minutesBetween = (fromMs: number, toMs: number) => Math.round((toMs - fromMs) / 60_000);

const text = JSON.stringify;
const money = (amount: number, currency: string) => `{"amount":${amount},"currency":${text(currency)}}`;

/**
 * A segment's JSON. The part before the cabin is made once per leg and kept on its board: it is
 * most of an answer's text, and the same legs turn up in many answers. Local times come from the
 * zone offset cache.
 */
const segmentJson = (board: Board, index: number, cabin: CabinClass) => {
  const leg = board.legs[index]!;
  // JSON.stringify gives a flat string (a template literal would keep a rope of its pieces).
  const head = (board.heads[index] ??= text({
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
  }).slice(0, -1));
  return `${head},"cabin":"${cabin}","fare":${money(board.fares[cabinIndex[cabin] * board.legs.length + index]!, leg.currency)}}`;
};

function answerJson(query: SearchQuery, page: Candidate[], nextCursor: string | null): string {
  const itineraries = page.map((candidate) => {
    const { first, second, price, seats } = candidate;
    const segments = candidate.secondBoard
      ? `${segmentJson(candidate.firstBoard, candidate.firstIndex, query.cabin)},${segmentJson(candidate.secondBoard, candidate.secondIndex, query.cabin)}`
      : segmentJson(candidate.firstBoard, candidate.firstIndex, query.cabin);
    return (
      `{"id":${JSON.stringify(idOf(candidate))},"segments":[${segments}],"stops":${second ? 1 : 0},` +
      `"price":${money(price, first.currency)},"totalPrice":${money(price * query.passengers, first.currency)},` +
      `"durationMinutes":${minutesBetween(first.departureMs, (second ?? first).arrivalMs)},"seatsAvailable":${seats}}`
    );
  });
  return `{"itineraries":[${itineraries.join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`;
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
    const add = (firstBoard: Board, firstIndex: number, secondBoard: Board | null, secondIndex: number, price: number, seats: number) => {
      const first = firstBoard.legs[firstIndex]!;
      const second = secondBoard ? secondBoard.legs[secondIndex]! : null;
      const primary =
        query.sort === 'price'
          ? price
          : query.sort === 'duration'
            ? minutesBetween(first.departureMs, (second ?? first).arrivalMs)
            : first.departureMs;
      found.push({
        firstBoard,
        firstIndex,
        secondBoard,
        secondIndex,
        first,
        second,
        price,
        seats,
        primary,
        departureMs: first.departureMs,
      });
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
          const arrivalMs = origin.legs[f]!.arrivalMs;
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
      const { first } = candidate;
      const departs = localDateTimeAt(first.departureMs, first.departureTimeZone).slice(11, 16);
      if (query.departAfter && departs < query.departAfter) return false;
      if (query.departBefore && departs >= query.departBefore) return false;
    }
    if (query.arriveAfter || query.arriveBefore) {
      const last = candidate.second ?? candidate.first;
      const arrives = localDateTimeAt(last.arrivalMs, last.arrivalTimeZone).slice(11, 16);
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
    const keyed = found.filter((candidate) => passesFilters(query, candidate));

    // A total order (primary key in the asked direction, then departure, then id) makes keyset pages exact.
    const direction = query.order === 'desc' ? -1 : 1;
    const byId = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    keyed.sort((x, y) => (x.primary - y.primary) * direction || x.departureMs - y.departureMs || byId(idOf(x), idOf(y)));
    let start = 0;
    if (cursor) {
      const [, , primary, departureMs, id] = cursor;
      const next = keyed.findIndex(
        (item) => ((item.primary - primary) * direction || item.departureMs - departureMs || byId(idOf(item), id)) > 0,
      );
      start = next === -1 ? keyed.length : next;
    }
    const page = keyed.slice(start, start + query.limit);
    const last = page[page.length - 1];
    const hasMore = start + query.limit < keyed.length;
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
