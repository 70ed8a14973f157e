import { cabinClasses, type CabinClass } from '@aerofly/contracts';
import { createLimiter, type Db, type Logger } from '@aerofly/platform';
import type { ReadCache } from '../shared/read-cache.js';
import { searchRepository as repo, type LegRow } from './search.repository.js';

export const dayMs = 86_400_000;

/** A leg on a board: its seats and fares live in the board's arrays. */
export type BoardLeg = Omit<LegRow, 'cabins'>;

/**
 * The flights leaving one airport in one slice of time, ordered by destination then departure,
 * with departures and per-cabin seats and fares in typed arrays (cabin c of leg i at
 * c * legs.length + i; seats -1 where the cabin is not sold): a search scans numbers laid out
 * together instead of hopping between objects (a search touches dozens of boards, and reading a leg
 * object is a cache miss). `segments` keeps a leg's segment JSON in a cabin (same index) once an
 * answer has shown it (it dies with the board).
 */
export type Board = {
  legs: BoardLeg[];
  departures: Float64Array;
  arrivals: Float64Array;
  seats: Int32Array;
  fares: Int32Array;
  segments: (string | undefined)[];
  lanes: Lane[];
  byDestination: Map<string, Lane>;
};
/** A board's legs to one destination: indexes [start, end), by departure. */
export type Lane = { board: Board; to: string; start: number; end: number };
/** One airport's departures during one UTC day (day = whole days since 1970-01-01). */
export type BoardSlice = { origin: string; day: number };

export const cabinIndex: Record<CabinClass, number> = { economy: 0, premium_economy: 1, business: 2, first: 3 };

/** A board from legs in any order. */
export function boardOf(rows: LegRow[]): Board {
  const sorted = [...rows].sort((x, y) => (x.to < y.to ? -1 : x.to > y.to ? 1 : 0) || x.departureMs - y.departureMs);
  const count = sorted.length;
  const board: Board = {
    legs: [],
    departures: new Float64Array(count),
    arrivals: new Float64Array(count),
    seats: new Int32Array(cabinClasses.length * count).fill(-1),
    fares: new Int32Array(cabinClasses.length * count),
    segments: [],
    lanes: [],
    byDestination: new Map(),
  };
  sorted.forEach(({ cabins, ...leg }, i) => {
    board.legs.push(leg);
    board.departures[i] = leg.departureMs;
    board.arrivals[i] = leg.arrivalMs;
    cabinClasses.forEach((cabin, c) => {
      const sold = cabins[cabin];
      if (!sold) return;
      board.seats[c * count + i] = sold.available;
      board.fares[c * count + i] = sold.fareAmount;
    });
    const lane = board.byDestination.get(leg.to);
    if (lane) {
      lane.end = i + 1;
    } else {
      const added = { board, to: leg.to, start: i, end: i + 1 };
      board.lanes.push(added);
      board.byDestination.set(leg.to, added);
    }
  });
  return board;
}

/**
 * Gives a reloaded board the segment JSON its predecessor made for legs that did not change (same
 * flight, times, zones and fare in that cabin): a board in use is reloaded every TTL, and its legs'
 * texts would all be made again. Measured with a 3 s TTL: 20,000 searches made ~210,000 segment
 * texts without this and 5,000–13,000 with it.
 */
export function keepSegments(from: Board, into: Board): void {
  const count = into.legs.length;
  const before = from.legs.length;
  if (from.segments.length === 0) return;
  // Both are ordered by destination, then departure: walk them together.
  let j = 0;
  for (let i = 0; i < count; i++) {
    const leg = into.legs[i]!;
    while (j < before && (from.legs[j]!.to < leg.to || (from.legs[j]!.to === leg.to && from.departures[j]! < leg.departureMs))) j++;
    if (j === before) return;
    const old = from.legs[j]!;
    const same =
      old.id === leg.id &&
      old.to === leg.to &&
      old.departureMs === leg.departureMs &&
      old.arrivalMs === leg.arrivalMs &&
      old.flightNumber === leg.flightNumber &&
      old.currency === leg.currency &&
      old.departureTimeZone === leg.departureTimeZone &&
      old.arrivalTimeZone === leg.arrivalTimeZone;
    if (!same) continue;
    for (let c = 0; c < cabinClasses.length; c++) {
      const made = from.segments[c * before + j];
      if (made !== undefined && from.fares[c * before + j] === into.fares[c * count + i]) into.segments[c * count + i] = made;
    }
  }
}

/** Index of the first departure at or after `fromMs` in a lane (its departures ascend). */
export function firstDepartingFrom({ board, start, end }: Lane, fromMs: number): number {
  let low = start;
  let high = end;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (board.departures[middle]! < fromMs) low = middle + 1;
    else high = middle;
  }
  return low;
}

// A board of ~80 flights (one of the bench's airports for a day) takes ~20 KB of heap, plus ~0.4 KB
// per leg and cabin an answer has shown: the bench's 1,860 boards (30 airports × 62 days) took 37 MB, 87 MB
// after its 50,000 searches. Bound: 3,000 boards, ≤ ~150 MB; beyond, the least recently used go.
const defaultMaxBoards = 3000;
// A board in use is reloaded in the background once it is 75–95 % through its TTL (spread, so boards
// loaded together are not all reloaded together), so hot boards never make a search wait. A reload
// slower than the rest of the TTL (the database is busy) leaves the board serving for up to a third of
// the TTL more while it runs: without that, every search of the board waited for the slow load, and
// under load the searches piled up behind the board loads (bench:search fell from ~800 to ~200 req/s
// in such runs). None is ever served beyond that.
const refreshFrom = 0.75;
const staleGrace = 1 / 3;
const refreshSpread = 0.2;
const refreshRetryMs = 1000;

type Entry = {
  origin: string;
  day: number;
  board?: Board;
  /** The load in flight: every search that needs the board meanwhile awaits this one query. */
  loading?: Promise<Board>;
  expiresAt: number;
  refreshAt: number;
  /** Looked up since the eviction sweep last passed (second-chance LRU). */
  used: boolean;
};

/** Entries of one cache generation, by airport then day, with their eviction order. */
type Store = { byAirport: Map<string, Map<number, Entry>>; order: Set<Entry> };
const emptyStore = (): Store => ({ byAirport: new Map(), order: new Set() });

/**
 * In-memory departure boards of this instance. A board lives `cache.ttlSeconds` from the moment its
 * query started (a third of that more while its reload runs) and is dropped at once when the cache
 * generation changes (an admin changed a flight, fare, airport or airplane). Availability in search
 * is advisory: bookings never read it.
 */
export function createDepartureBoards(options: {
  db: Db;
  cache: ReadCache;
  logger: Logger;
  maxBoards?: number;
  /** Board queries running at once (4 by default); the others wait their turn in this process. */
  maxConcurrentLoads?: number;
  now?: () => number;
  random?: () => number;
}) {
  const { db, cache, logger } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const maxBoards = options.maxBoards ?? defaultMaxBoards;
  const ttlMs = cache.ttlSeconds * 1000;
  const graceMs = ttlMs * staleGrace;
  let store = emptyStore();
  let generation: string | undefined;
  // A cold instance under load needs hundreds of boards at once. Unlimited, their queries took every
  // pooled connection: loads queued past the pool's 5 s wait failed the searches (503) and holds
  // found no connection either. Limited, they wait here, and the pool keeps room for everything else.
  const limitLoads = createLimiter(options.maxConcurrentLoads ?? 4);

  const remove = (from: Store, entry: Entry) => {
    from.order.delete(entry);
    const days = from.byAirport.get(entry.origin);
    if (days?.get(entry.day) === entry) days.delete(entry.day);
  };

  const evictIfFull = (from: Store) => {
    // Second chance: a board used since the sweep last passed moves to the back once.
    for (const entry of from.order) {
      if (from.order.size <= maxBoards) return;
      from.order.delete(entry);
      if (entry.used) {
        entry.used = false;
        from.order.add(entry);
      } else {
        remove(from, entry);
      }
    }
  };

  const load = (entry: Entry): Promise<Board> => {
    // The board's age counts from its query's start, not from the wait before it.
    let startedAt = 0;
    const loading: Promise<Board> = limitLoads(() => {
      startedAt = now();
      return repo.loadBoard(db, { origin: entry.origin, fromMs: entry.day * dayMs, toMs: (entry.day + 1) * dayMs });
    }).then((legs) => {
      const board = boardOf(legs);
      // Kept only while this load is the entry's current one (a newer load or a drop wins).
      if (entry.loading === loading) {
        if (entry.board) keepSegments(entry.board, board);
        entry.board = board;
        entry.loading = undefined;
        entry.expiresAt = startedAt + ttlMs;
        entry.refreshAt = startedAt + ttlMs * (refreshFrom + refreshSpread * random());
      }
      return board;
    });
    entry.loading = loading;
    return loading;
  };

  /** Reloads a board still in use in the background; the loaded one serves meanwhile. */
  const refresh = (entry: Entry) => {
    const reload = load(entry);
    reload.catch((error: unknown) => {
      if (entry.loading !== reload) return;
      entry.loading = undefined;
      entry.refreshAt = now() + refreshRetryMs;
      logger.warn(
        { err: error, origin: entry.origin, day: entry.day },
        'departure board refresh failed; the loaded one serves until it expires',
      );
    });
  };

  /**
   * The entry's board if it may still serve at `at` (fresh, or in its grace), reloading it in the
   * background when due; undefined when a search must wait for a load.
   */
  const serve = (entry: Entry | undefined, at: number): Board | undefined => {
    if (!entry?.board || at >= entry.expiresAt + graceMs) return undefined;
    entry.used = true;
    if (at >= entry.refreshAt && !entry.loading) {
      cache.count('search_board', 'refresh', 1);
      refresh(entry);
    }
    return entry.board;
  };

  // Lookups served by `held` since the last `begin`, counted into the metric in one go.
  let heldHits = 0;
  let at = 0;

  return {
    /** Whether boards are kept at all (`SEARCH_CACHE_TTL_SECONDS` > 0). */
    enabled: ttlMs > 0,

    /** Starts a search: drops every board if the cache generation changed, and fixes "now" for `held`. */
    async begin(): Promise<void> {
      if (heldHits) cache.count('search_board', 'hit', heldHits);
      heldHits = 0;
      const current = await cache.generation();
      if (current !== generation) {
        store = emptyStore();
        generation = current;
      }
      at = now();
    },

    /**
     * The board of a slice if this instance holds one that may still serve (a hit), without waiting;
     * undefined means `get` must load it. Reloads it in the background when it is due.
     */
    held(origin: string, day: number): Board | undefined {
      const board = serve(store.byAirport.get(origin)?.get(day), at);
      if (board) heldHits += 1;
      return board;
    },

    /** The board of each slice (same order), each loaded at most once while fresh. */
    async get(slices: readonly BoardSlice[]): Promise<Board[]> {
      const into = store;
      const boards = new Array<Board>(slices.length);
      const waiting: Promise<unknown>[] = [];
      let hits = 0;
      let misses = 0;
      slices.forEach(({ origin, day }, index) => {
        let days = into.byAirport.get(origin);
        let entry = days?.get(day);
        const served = serve(entry, now());
        if (served) {
          hits += 1;
          boards[index] = served;
          return;
        }
        if (entry?.loading) {
          hits += 1;
        } else {
          misses += 1;
          if (entry) remove(into, entry);
          if (!days) into.byAirport.set(origin, (days = new Map()));
          const created: Entry = { origin, day, expiresAt: 0, refreshAt: 0, used: false };
          entry = created;
          days.set(day, created);
          into.order.add(created);
          load(created).catch(() => {
            if (!created.board) remove(into, created);
          });
          evictIfFull(into);
        }
        waiting.push(entry.loading!.then((board) => (boards[index] = board)));
      });
      if (hits) cache.count('search_board', 'hit', hits);
      if (misses) cache.count('search_board', 'miss', misses);
      if (waiting.length) await Promise.all(waiting);
      return boards;
    },
  };
}
export type DepartureBoards = ReturnType<typeof createDepartureBoards>;
