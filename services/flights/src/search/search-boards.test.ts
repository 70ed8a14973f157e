import { SearchAnswer } from '@aerofly/contracts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFlightsTestApp, fixtures, type FlightsTestApp } from '../testing/flights-test-app.js';

// The same questions asked of departure boards (cache on) and of one query per search (cache off).
describe.each([
  { mode: 'departure boards', ttl: '15' },
  { mode: 'cache off', ttl: '0' },
])('search from $mode', ({ ttl }) => {
  let t: FlightsTestApp;
  let f: ReturnType<typeof fixtures>;
  const ids: Record<string, string> = {};
  const flight = async (name: string, from: string, to: string, departureAt: string, minutes: number, extra: { economy?: number } = {}) => {
    const arrivalAt = new Date(Date.parse(departureAt) + minutes * 60_000).toISOString();
    ids[name] = (await f.flight({ from, to, departureAt, arrivalAt, ...extra })).id;
  };
  const search = async (query: Record<string, string | number>) => {
    const answer = await t.app.inject({
      url: `/api/v1/flights/search?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()}`,
    });
    expect(answer.statusCode, answer.body).toBe(200);
    // The answer is hand-built JSON text: it must be exactly the contract's shape.
    return SearchAnswer.parse(JSON.parse(answer.body));
  };
  const legsOf = async (query: Record<string, string | number>) =>
    (await search(query)).itineraries.map((i) =>
      i.segments.map((s) => Object.entries(ids).find(([, id]) => id === s.id)?.[0] ?? s.id).join('+'),
    );
  /** Board or per-search queries the service sends from now on. */
  const searchQueries = () => {
    const spy = vi.spyOn(t.db, 'query');
    const texts = () =>
      spy.mock.calls
        .map(([sql, params]) => ({ text: typeof sql === 'string' ? sql : (sql as { text: string }).text, params: params ?? [] }))
        .filter(({ text }) => text.includes('json_agg'));
    return { texts, stop: () => spy.mockRestore() };
  };

  beforeAll(async () => {
    t = await createFlightsTestApp({ env: { SEARCH_CACHE_TTL_SECONDS: ttl } });
    f = fixtures(t);
    await f.airport('ORD', 'America/Chicago');
    await f.airport('JFK', 'America/New_York');
    await f.airport('LHR', 'Europe/London');
    await f.airport('CDG', 'Europe/Paris');
    await f.airport('HND', 'Asia/Tokyo');
    // ORD → LHR lands 04:00Z; second legs 1 s short of 45 min, 45 min, 12 h, 1 s past 12 h.
    await flight('ord-lhr', 'ORD', 'LHR', '2030-03-05T20:00:00Z', 480);
    await flight('44m59s', 'LHR', 'CDG', '2030-03-06T04:44:59Z', 75);
    await flight('45m', 'LHR', 'CDG', '2030-03-06T04:45:00Z', 75);
    await flight('12h', 'LHR', 'CDG', '2030-03-06T16:00:00Z', 75);
    await flight('12h1s', 'LHR', 'CDG', '2030-03-06T16:00:01Z', 75);
  }, 180_000);
  afterAll(() => t.close());

  it('when a connection waits exactly 45 min or 12 h, then it counts; a second less or more, it does not', async () => {
    expect(await legsOf({ from: 'ORD', to: 'CDG', date: '2030-03-05', sort: 'duration' })).toEqual(['ord-lhr+45m', 'ord-lhr+12h']);
  });

  it('when a trip crosses midnight, then connections leaving the next UTC or local day are found', async () => {
    // 18:30 in New York on 7 March, landing 06:30Z on the 8th; the window runs into the 9th UTC.
    await flight('jfk-lhr', 'JFK', 'LHR', '2030-03-07T23:30:00Z', 420);
    await flight('next-day', 'LHR', 'HND', '2030-03-08T07:15:00Z', 720);
    await flight('12h-later', 'LHR', 'HND', '2030-03-08T18:30:00Z', 720);
    await flight('late', 'JFK', 'LHR', '2030-03-08T04:59:00Z', 420); // 23:59 on the 7th in New York
    await flight('after-midnight', 'LHR', 'HND', '2030-03-08T23:59:00Z', 720);
    expect((await legsOf({ from: 'JFK', to: 'HND', date: '2030-03-07' })).sort()).toEqual([
      'jfk-lhr+12h-later',
      'jfk-lhr+next-day',
      'late+12h-later',
      'late+after-midnight',
    ]);
    const [shortest] = (await search({ from: 'JFK', to: 'HND', date: '2030-03-07', sort: 'duration' })).itineraries;
    expect(shortest!.segments.map((s) => [s.departureLocal, s.arrivalLocal])).toEqual([
      ['2030-03-07T18:30:00', '2030-03-08T06:30:00'],
      ['2030-03-08T07:15:00', '2030-03-09T04:15:00'],
    ]);
  });

  it('when the clocks fall back, then the 25-hour local date holds every flight of it and none of the next', async () => {
    // 3 November 2030 in Chicago: 00:00 CDT is 05:00Z, 01:30 comes twice, the date ends at 06:00Z on the 4th.
    await flight('before', 'ORD', 'JFK', '2030-11-03T04:59:59Z', 130);
    await flight('midnight', 'ORD', 'JFK', '2030-11-03T05:00:00Z', 130);
    await flight('first-0130', 'ORD', 'JFK', '2030-11-03T06:30:00Z', 130);
    await flight('second-0130', 'ORD', 'JFK', '2030-11-03T07:30:00Z', 130);
    await flight('235930', 'ORD', 'JFK', '2030-11-04T05:59:30Z', 130);
    await flight('next', 'ORD', 'JFK', '2030-11-04T06:00:00Z', 130);
    const found = await search({ from: 'ORD', to: 'JFK', date: '2030-11-03', sort: 'departure' });
    expect(found.itineraries.map((i) => i.segments[0]!.departureLocal)).toEqual([
      '2030-11-03T00:00:00',
      '2030-11-03T01:30:00',
      '2030-11-03T01:30:00',
      '2030-11-03T23:59:30',
    ]);
    expect(await legsOf({ from: 'ORD', to: 'JFK', date: '2030-11-02' })).toEqual(['before']);
  });

  it('when a leg has fewer seats than travellers, then no itinerary uses it', async () => {
    await flight('ord-lhr-2', 'ORD', 'LHR', '2030-03-05T21:00:00Z', 480);
    const small = await f.flight({
      from: 'LHR',
      to: 'CDG',
      departureAt: '2030-03-06T06:00:00Z',
      arrivalAt: '2030-03-06T07:15:00Z',
      cabins: [{ cabin: 'economy', firstRow: 1, lastRow: 1, seatLetters: 'AB' }],
    });
    const uses = async (passengers: number) =>
      (await search({ from: 'ORD', to: 'CDG', date: '2030-03-05', passengers })).itineraries.some((i) =>
        i.segments.some((s) => s.id === small.id),
      );
    expect([await uses(2), await uses(3)]).toEqual([true, false]);
  });

  it('when an admin adds a second leg or changes its fare, then the next search shows it', async () => {
    const before = await legsOf({ from: 'ORD', to: 'CDG', date: '2030-03-05', maxStops: 1, passengers: 3 });
    await flight('added', 'LHR', 'CDG', '2030-03-06T10:00:00Z', 75, { economy: 100 });
    const after = await search({ from: 'ORD', to: 'CDG', date: '2030-03-05', passengers: 3 });
    expect(after.itineraries[0]!.segments.map((s) => s.id)).toEqual([ids['ord-lhr'], ids['added']]);
    expect(after.itineraries).toHaveLength(before.length + 2);
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/flights/${ids['added']}`,
      headers: t.admin,
      payload: { fares: { economy: { amount: 99_000, currency: 'USD' } } },
    });
    expect(patched.statusCode).toBe(200);
    const repriced = await search({ from: 'ORD', to: 'CDG', date: '2030-03-05', passengers: 3, sort: 'price', order: 'desc' });
    expect(repriced.itineraries[0]!.segments[1]!).toMatchObject({ id: ids['added'], fare: { amount: 99_000 } });
  });

  it('when many different searches arrive together, then each board (or, cache off, each search) reads the database once', async () => {
    // An admin change drops every board first.
    await t.app.inject({ method: 'PATCH', url: '/api/v1/airports/HND', headers: t.admin, payload: { name: 'Haneda' } });
    const queries = searchQueries();
    try {
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          t.app.inject({
            url: `/api/v1/flights/search?from=JFK&to=HND&date=2030-03-07&passengers=${1 + (i % 9)}&sort=${i < 9 ? 'price' : 'duration'}`,
          }),
        ),
      );
      expect(answers.map((a) => a.statusCode)).toEqual(Array(12).fill(200));
      const sent = queries.texts();
      if (ttl === '0') {
        expect(sent).toHaveLength(12);
      } else {
        const boards = sent.map(({ params }) => `${String(params[0])} ${(params[1] as Date).toISOString()}`);
        expect(boards.length).toBeGreaterThan(1); // JFK's departures, then LHR's
        expect(new Set(boards).size).toBe(boards.length);
        // Asked again, nothing is read: the boards (and answers) are held.
        await search({ from: 'JFK', to: 'HND', date: '2030-03-07', passengers: 1, cabin: 'business' });
        expect(queries.texts()).toHaveLength(sent.length);
      }
    } finally {
      queries.stop();
    }
  });

  it('when the cache is off, then every search reads the database, and nothing is counted as a board', async () => {
    await search({ from: 'ORD', to: 'CDG', date: '2030-03-05', cabin: 'business' });
    const queries = searchQueries();
    try {
      for (let i = 0; i < 3; i++) await search({ from: 'ORD', to: 'CDG', date: '2030-03-05' });
      expect(queries.texts()).toHaveLength(ttl === '0' ? 3 : 0);
    } finally {
      queries.stop();
    }
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    expect(/flights_cache_requests_total\{cache="search_board",result="miss"[^}]*\} [1-9]/.test(metrics)).toBe(ttl !== '0');
  });
});
