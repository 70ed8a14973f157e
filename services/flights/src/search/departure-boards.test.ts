import type { Db } from '@aerofly/platform';
import { silentLogger } from '@aerofly/testing';
import { describe, expect, it } from 'vitest';
import type { CacheKind, CacheResult, ReadCache } from '../shared/read-cache.js';
import { boardOf, createDepartureBoards, dayMs, keepSegments } from './departure-boards.js';
import type { LegRow } from './search.repository.js';

const day = Math.floor(Date.parse('2030-03-05T00:00:00Z') / dayMs);

/** A database whose board queries the test answers (or fails) one by one. */
function fakeDb() {
  const queries: { origin: string; fromMs: number; answer: (legs: unknown[]) => void; fail: (error: Error) => void }[] = [];
  const db = {
    kind: 'pglite',
    query: (_text: string, params: unknown[]) =>
      new Promise((resolve, reject) => {
        queries.push({
          origin: params[0] as string,
          fromMs: (params[1] as Date).getTime(),
          answer: (legs) => resolve({ rows: [{ legs: JSON.stringify(legs) }], rowCount: 1 }),
          fail: reject,
        });
      }),
  } as unknown as Db;
  const leg = (origin: string, to: string, departureIso: string) => [
    `id-${origin}-${to}-${departureIso}`,
    'AF1',
    origin,
    to,
    Date.parse(departureIso),
    Date.parse(departureIso) + 3 * 3600_000,
    'USD',
    'UTC',
    'UTC',
    [['economy', 10, 15000]],
  ];
  return { db, queries, leg };
}

function fakeCache(ttlSeconds = 10) {
  let generation = '1';
  const counts: Record<string, number> = {};
  const cache: ReadCache = {
    ttlSeconds,
    get: async () => null,
    set: async () => undefined,
    invalidate: async () => undefined,
    generation: async () => generation,
    count: (kind: CacheKind, result: CacheResult, times: number) => {
      counts[`${kind}:${result}`] = (counts[`${kind}:${result}`] ?? 0) + times;
    },
  };
  return { cache, counts, setGeneration: (value: string) => (generation = value) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Boards on a clock the test moves, with JFK's board for `day` loaded at the start (one leg). */
async function withJfkBoard(ttlSeconds: number) {
  const { db, queries, leg } = fakeDb();
  const { cache, counts } = fakeCache(ttlSeconds);
  const clock = { now: 1_000_000 };
  const boards = createDepartureBoards({ db, cache, logger: silentLogger, now: () => clock.now, random: () => 0 });
  await boards.begin();
  const loading = boards.get([{ origin: 'JFK', day }]);
  await settle();
  queries[0]!.answer([leg('JFK', 'LHR', '2030-03-05T09:00:00Z')]);
  const [board] = await loading;
  return { boards, queries, leg, counts, clock, board };
}

describe('departure boards', () => {
  it('when many searches need a board being loaded, then one query serves them all', async () => {
    const { db, queries, leg } = fakeDb();
    const { cache, counts } = fakeCache();
    const boards = createDepartureBoards({ db, cache, logger: silentLogger });
    await boards.begin();
    const searches = Array.from({ length: 10 }, () => boards.get([{ origin: 'JFK', day }]));
    await settle();
    expect(queries.map((q) => [q.origin, q.fromMs])).toEqual([['JFK', day * dayMs]]);
    queries[0]!.answer([leg('JFK', 'LHR', '2030-03-05T09:00:00Z'), leg('JFK', 'CDG', '2030-03-05T10:00:00Z')]);
    const got = await Promise.all(searches);
    expect(new Set(got.map(([board]) => board)).size).toBe(1);
    const board = got[0]![0]!;
    const toParis = board.byDestination.get('CDG')!;
    expect(board.legs.slice(toParis.start, toParis.end).map((leg) => leg.to)).toEqual(['CDG']);
    expect([...board.seats.subarray(0, board.legs.length)]).toEqual([10, 10]); // economy seats of both legs
    expect(counts).toEqual({ 'search_board:miss': 1, 'search_board:hit': 9 });
    expect(boards.held('JFK', day)).toBe(got[0]![0]);
  });

  it('when a cold instance needs many boards at once, then at most four queries run at a time and every board arrives', async () => {
    const { db, queries, leg } = fakeDb();
    const { cache } = fakeCache();
    const boards = createDepartureBoards({ db, cache, logger: silentLogger });
    await boards.begin();
    const origins = ['JFK', 'LHR', 'CDG', 'AMS', 'FRA', 'MAD', 'FCO', 'ORD', 'LAX', 'SFO'];
    const search = boards.get(origins.map((origin) => ({ origin, day })));
    await settle();
    expect(queries.map((q) => q.origin)).toEqual(origins.slice(0, 4));
    for (let answered = 0; answered < origins.length; answered += 1) {
      queries[answered]!.answer([leg(origins[answered]!, 'BOS', '2030-03-05T09:00:00Z')]);
      await settle();
      expect(queries.length - (answered + 1)).toBeLessThanOrEqual(4);
    }
    const got = await search;
    expect(got.map((board) => board.legs[0]!.from)).toEqual(origins);
  });

  it('when the cache generation changes, then every board is dropped at once, also one still loading', async () => {
    const { db, queries, leg } = fakeDb();
    const { cache, setGeneration } = fakeCache();
    const boards = createDepartureBoards({ db, cache, logger: silentLogger });
    await boards.begin();
    const first = boards.get([{ origin: 'JFK', day }]);
    const loading = boards.get([{ origin: 'LHR', day }]);
    await settle();
    queries[0]!.answer([leg('JFK', 'LHR', '2030-03-05T09:00:00Z')]);
    await first;

    setGeneration('2');
    queries[1]!.answer([leg('LHR', 'CDG', '2030-03-05T09:00:00Z')]);
    await loading;
    await boards.begin();
    expect(boards.held('JFK', day)).toBeUndefined();
    expect(boards.held('LHR', day)).toBeUndefined();
    const again = boards.get([{ origin: 'JFK', day }]);
    await settle();
    expect(queries).toHaveLength(3);
    queries[2]!.answer([]);
    expect((await again)[0]!.legs).toEqual([]);
  });

  it('when a board is near the end of its TTL, then searches get it at once while it reloads; past the TTL, never', async () => {
    const { boards, queries, leg, counts, clock, board } = await withJfkBoard(10);

    clock.now += 7_400; // before 75 % of the TTL: nothing happens
    await boards.begin();
    expect(boards.held('JFK', day)).toBe(board);
    expect(queries).toHaveLength(1);

    clock.now += 200; // 76 %: served at once, reloaded in the background, once
    await boards.begin();
    expect(boards.held('JFK', day)).toBe(board);
    expect(boards.held('JFK', day)).toBe(board);
    expect(queries).toHaveLength(2);
    expect(counts['search_board:refresh']).toBe(1);
    queries[1]!.answer([leg('JFK', 'LHR', '2030-03-05T09:00:00Z'), leg('JFK', 'LHR', '2030-03-05T19:00:00Z')]);
    await settle();
    await boards.begin();
    const reloaded = boards.held('JFK', day);
    expect(reloaded?.legs).toHaveLength(2);

    // The reload started at +7.6 s: it expires 10 s later; past that it serves only while its own
    // reload runs, for a third of the TTL at most, and is then never served.
    clock.now += 10_000;
    await boards.begin();
    expect(boards.held('JFK', day)).toBe(reloaded);
    expect(queries).toHaveLength(3);
    clock.now += 3_400;
    await boards.begin();
    expect(boards.held('JFK', day)).toBeUndefined();
  });

  it('when a reload is slower than the rest of the TTL, then searches keep the loaded board for a third of the TTL, then wait for the reload', async () => {
    const { boards, queries, leg, clock, board } = await withJfkBoard(9);

    clock.now += 7_000; // reload due; the database takes its time
    await boards.begin();
    expect(boards.held('JFK', day)).toBe(board);
    expect(queries).toHaveLength(2);
    clock.now += 4_000; // 2 s past the TTL, the reload still running: the loaded board serves, no second reload
    await boards.begin();
    expect(boards.held('JFK', day)).toBe(board);
    expect(await boards.get([{ origin: 'JFK', day }])).toEqual([board]);
    expect(queries).toHaveLength(2);

    clock.now += 1_500; // 3.5 s past the TTL, beyond the grace of 3 s: searches wait for the reload
    await boards.begin();
    expect(boards.held('JFK', day)).toBeUndefined();
    const waiting = boards.get([{ origin: 'JFK', day }]);
    let answered = false;
    void waiting.then(() => (answered = true));
    await settle();
    expect(answered).toBe(false);
    expect(queries).toHaveLength(2);
    queries[1]!.answer([leg('JFK', 'LHR', '2030-03-05T09:00:00Z'), leg('JFK', 'LHR', '2030-03-05T19:00:00Z')]);
    const [reloaded] = await waiting;
    expect(reloaded?.legs).toHaveLength(2);
  });

  it('when more boards than the bound are held, then the least recently used go first', async () => {
    const { db, queries } = fakeDb();
    const { cache } = fakeCache();
    const boards = createDepartureBoards({ db, cache, logger: silentLogger, maxBoards: 2 });
    const load = async (origin: string) => {
      const loading = boards.get([{ origin, day }]);
      await settle();
      queries.at(-1)!.answer([]);
      return loading;
    };
    await boards.begin();
    await load('JFK');
    await load('LHR');
    expect(boards.held('JFK', day)).toBeDefined(); // JFK used again: LHR goes first
    await load('CDG');
    await boards.begin();
    expect([boards.held('JFK', day), boards.held('LHR', day), boards.held('CDG', day)].map(Boolean)).toEqual([true, false, true]);
  });

  it('when a board fails to load, then the searches waiting for it fail and the next one tries again', async () => {
    const { db, queries } = fakeDb();
    const { cache } = fakeCache();
    const boards = createDepartureBoards({ db, cache, logger: silentLogger });
    await boards.begin();
    const failing = [boards.get([{ origin: 'JFK', day }]), boards.get([{ origin: 'JFK', day }])];
    await settle();
    queries[0]!.fail(new Error('connection lost'));
    for (const search of failing) await expect(search).rejects.toThrow('connection lost');
    const retry = boards.get([{ origin: 'JFK', day }]);
    await settle();
    expect(queries).toHaveLength(2);
    queries[1]!.answer([]);
    expect((await retry)[0]!.legs).toEqual([]);
  });

  it('when a board is reloaded, then it keeps the segment text of the legs that did not change, and only theirs', () => {
    const row = (id: string, to: string, departureIso: string, economyFare: number, businessFare = 90_000): LegRow => ({
      id,
      flightNumber: `AF${id}`,
      from: 'JFK',
      to,
      departureMs: Date.parse(departureIso),
      arrivalMs: Date.parse(departureIso) + 7 * 3600_000,
      currency: 'USD',
      departureTimeZone: 'America/New_York',
      arrivalTimeZone: 'Europe/London',
      cabins: {
        economy: { available: 10, fareAmount: economyFare },
        premium_economy: null,
        business: { available: 2, fareAmount: businessFare },
        first: null,
      },
    });
    const before = boardOf([
      row('1', 'CDG', '2030-03-05T09:00:00Z', 500),
      row('2', 'LHR', '2030-03-05T08:00:00Z', 400),
      row('3', 'LHR', '2030-03-05T18:00:00Z', 450),
    ]);
    const economy = 0;
    const business = 2;
    // Segment text made for every leg in economy, and for legs 2 and 3 in business (index = cabin * legs + leg).
    before.legs.forEach((leg, i) => (before.segments[economy * 3 + i] = `economy ${leg.id}`));
    before.segments[business * 3 + 1] = 'business 2';
    before.segments[business * 3 + 2] = 'business 3';

    const after = boardOf([
      row('1', 'CDG', '2030-03-05T09:00:00Z', 500),
      row('4', 'LHR', '2030-03-05T07:00:00Z', 300), // new
      row('2', 'LHR', '2030-03-05T08:00:00Z', 420), // economy fare changed
      row('3', 'LHR', '2030-03-05T18:30:00Z', 450), // departure moved
    ]);
    keepSegments(before, after);

    expect(after.legs.map((leg) => leg.id)).toEqual(['1', '4', '2', '3']);
    expect(after.segments[economy * 4 + 0]).toBe('economy 1');
    expect(after.segments[economy * 4 + 1]).toBeUndefined();
    expect(after.segments[economy * 4 + 2]).toBeUndefined();
    expect(after.segments[business * 4 + 2]).toBe('business 2'); // its business fare did not change
    expect(after.segments[economy * 4 + 3]).toBeUndefined();
    expect(after.segments[business * 4 + 3]).toBeUndefined();
    expect(after.segments.filter((text) => text !== undefined)).toHaveLength(2);
  });
});
