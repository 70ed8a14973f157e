import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlightsTestApp, fixtures, type FlightsTestApp } from '../testing/flights-test-app.js';

let t: FlightsTestApp;
let f: ReturnType<typeof fixtures>;
type Itinerary = {
  id: string;
  segments: { id: string; departureAt: string; departureLocal: string; arrivalLocal: string; fare: { amount: number } }[];
  price: { amount: number };
  totalPrice: { amount: number };
  durationMinutes: number;
  seatsAvailable: number;
  stops: number;
};

const search = async (query: Record<string, string | number>) => {
  const params = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
  return t.app.inject({ url: `/api/v1/flights/search?${params.toString()}` });
};
const itineraries = async (query: Record<string, string | number>): Promise<Itinerary[]> => {
  const answer = await search(query);
  expect(answer.statusCode, answer.body).toBe(200);
  return answer.json().itineraries;
};

let direct: { id: string };
let toLondon: { id: string };
const connections: Record<string, { id: string }> = {};

beforeAll(async () => {
  t = await createFlightsTestApp();
  f = fixtures(t);
  await f.airport('JFK', 'America/New_York');
  await f.airport('LHR', 'Europe/London');
  await f.airport('CDG', 'Europe/Paris');
  await f.airport('ORD', 'America/Chicago');
  await f.airport('SYD', 'Australia/Sydney');
  direct = await f.flight({
    from: 'JFK',
    to: 'CDG',
    departureAt: '2030-03-05T23:00:00Z',
    arrivalAt: '2030-03-06T06:30:00Z',
    economy: 40000,
  });
  toLondon = await f.flight({
    from: 'JFK',
    to: 'LHR',
    departureAt: '2030-03-05T22:00:00Z',
    arrivalAt: '2030-03-06T05:00:00Z',
    economy: 20000,
  });
  // Second legs: 30 min (too short), 45 min and 12 h (the limits), 12 h 05 (too long).
  for (const [name, departureAt, arrivalAt] of [
    ['30m', '2030-03-06T05:30:00Z', '2030-03-06T06:45:00Z'],
    ['45m', '2030-03-06T05:45:00Z', '2030-03-06T07:00:00Z'],
    ['12h', '2030-03-06T17:00:00Z', '2030-03-06T18:15:00Z'],
    ['12h05', '2030-03-06T17:05:00Z', '2030-03-06T18:20:00Z'],
  ] as const) {
    connections[name] = await f.flight({ from: 'LHR', to: 'CDG', departureAt, arrivalAt, economy: name === '45m' ? 5000 : 6000 });
  }
}, 180_000);
afterAll(() => t.close());

describe('search', () => {
  it('when travellers search a route, then they get direct flights and one-stop connections of 45 min to 12 h', async () => {
    const found = await itineraries({ from: 'JFK', to: 'CDG', date: '2030-03-05' });
    expect(found.map((i) => i.segments.map((s) => s.id))).toEqual([
      [toLondon.id, connections['45m']!.id],
      [toLondon.id, connections['12h']!.id],
      [direct.id],
    ]);
    const [cheapest] = found;
    expect(cheapest).toMatchObject({
      stops: 1,
      price: { amount: 25000, currency: 'USD' },
      totalPrice: { amount: 25000 },
      durationMinutes: 540,
      seatsAvailable: 59,
    });
    expect(cheapest!.segments[0]).toMatchObject({
      departureLocal: '2030-03-05T17:00:00',
      arrivalLocal: '2030-03-06T05:00:00',
      fare: { amount: 20000 },
    });
    expect(cheapest!.segments[1]).toMatchObject({
      departureLocal: '2030-03-06T05:45:00',
      arrivalLocal: '2030-03-06T08:00:00',
      fare: { amount: 5000 },
    });

    expect((await itineraries({ from: 'JFK', to: 'CDG', date: '2030-03-05', maxStops: 0 })).map((i) => i.id)).toEqual([direct.id]);
  });

  it('when several passengers travel, then prices are per passenger with a total, and flights without enough seats are left out', async () => {
    const small = await f.flight({
      from: 'JFK',
      to: 'CDG',
      departureAt: '2030-03-05T20:00:00Z',
      arrivalAt: '2030-03-06T03:30:00Z',
      economy: 1000,
      cabins: [{ cabin: 'economy', firstRow: 1, lastRow: 1, seatLetters: 'AB' }],
    });
    const three = await itineraries({ from: 'JFK', to: 'CDG', date: '2030-03-05', passengers: 3, maxStops: 0 });
    expect(three.map((i) => i.id)).toEqual([direct.id]);
    expect(three[0]).toMatchObject({ price: { amount: 40000 }, totalPrice: { amount: 120000 } });
    const two = await itineraries({ from: 'JFK', to: 'CDG', date: '2030-03-05', passengers: 2, maxStops: 0 });
    expect(two.map((i) => i.id)).toEqual([small.id, direct.id]);
    await t.app.inject({ method: 'DELETE', url: `/api/v1/flights/${small.id}`, headers: t.admin });
  });

  it('when filtering by cabin, price and local times, then each bound applies (After inclusive, Before exclusive)', async () => {
    const q = { from: 'JFK', to: 'CDG', date: '2030-03-05' };
    expect((await itineraries({ ...q, cabin: 'business' })).every((i) => i.price.amount >= 60000)).toBe(true);
    expect((await itineraries({ ...q, minPrice: 26001 })).map((i) => i.id)).toEqual([direct.id]);
    expect((await itineraries({ ...q, maxPrice: 25000 })).every((i) => i.price.amount === 25000)).toBe(true);
    expect((await itineraries({ ...q, minPrice: 40000, maxPrice: 40000 })).map((i) => i.id)).toEqual([direct.id]);
    // Direct leaves 18:00 New York time, the connections 17:00.
    expect((await itineraries({ ...q, departAfter: '18:00' })).map((i) => i.id)).toEqual([direct.id]);
    expect((await itineraries({ ...q, departBefore: '18:00' })).every((i) => i.stops === 1)).toBe(true);
    // Final arrivals in Paris: 07:30 (direct), 08:00 and 19:15 (connections).
    expect((await itineraries({ ...q, arriveBefore: '08:00' })).map((i) => i.id)).toEqual([direct.id]);
    expect((await itineraries({ ...q, arriveAfter: '08:00', arriveBefore: '19:15' })).map((i) => i.segments[1]?.id)).toEqual([
      connections['45m']!.id,
    ]);
  });

  it('when sorting by departure or duration in either order, then the order is total and stable', async () => {
    const q = { from: 'JFK', to: 'CDG', date: '2030-03-05' };
    const byDeparture = await itineraries({ ...q, sort: 'departure' });
    expect(byDeparture.map((i) => i.segments[0]!.departureAt)).toEqual([
      '2030-03-05T22:00:00.000Z',
      '2030-03-05T22:00:00.000Z',
      '2030-03-05T23:00:00.000Z',
    ]);
    const byDuration = await itineraries({ ...q, sort: 'duration' });
    expect(byDuration.map((i) => i.durationMinutes)).toEqual([450, 540, 1215]);
    const longestFirst = await itineraries({ ...q, sort: 'duration', order: 'desc' });
    expect(longestFirst.map((i) => i.durationMinutes)).toEqual([1215, 540, 450]);
    const dearestFirst = await itineraries({ ...q, sort: 'price', order: 'desc' });
    expect(dearestFirst[0]!.id).toBe(direct.id);
  });

  it('when a flight leaves at 23:59:30 local time, then it belongs to that date, also across a daylight-saving change', async () => {
    const lateNight = await f.flight({ from: 'ORD', to: 'JFK', departureAt: '2030-03-06T05:59:30Z', arrivalAt: '2030-03-06T08:10:00Z' });
    expect((await itineraries({ from: 'ORD', to: 'JFK', date: '2030-03-05' })).map((i) => i.id)).toEqual([lateNight.id]);
    expect(await itineraries({ from: 'ORD', to: 'JFK', date: '2030-03-06' })).toEqual([]);
    // 10 March 2030: Chicago jumps from 02:00 CST to 03:00 CDT. 01:30 CST and 03:30 CDT are an hour apart in UTC.
    const beforeJump = await f.flight({ from: 'ORD', to: 'JFK', departureAt: '2030-03-10T07:30:00Z', arrivalAt: '2030-03-10T09:40:00Z' });
    const afterJump = await f.flight({ from: 'ORD', to: 'JFK', departureAt: '2030-03-10T08:30:00Z', arrivalAt: '2030-03-10T10:40:00Z' });
    const lastOfDay = await f.flight({ from: 'ORD', to: 'JFK', departureAt: '2030-03-11T04:59:00Z', arrivalAt: '2030-03-11T07:10:00Z' });
    const found = await itineraries({ from: 'ORD', to: 'JFK', date: '2030-03-10', sort: 'departure' });
    expect(found.map((i) => i.id)).toEqual([beforeJump.id, afterJump.id, lastOfDay.id]);
    expect(found.map((i) => i.segments[0]!.departureLocal)).toEqual(['2030-03-10T01:30:00', '2030-03-10T03:30:00', '2030-03-10T23:59:00']);
    // A flight crossing midnight and the date line arrives on the local next-next day.
    const sydney = await f.flight({ from: 'ORD', to: 'SYD', departureAt: '2030-03-12T03:00:00Z', arrivalAt: '2030-03-12T20:00:00Z' });
    const [toSydney] = await itineraries({ from: 'ORD', to: 'SYD', date: '2030-03-11' });
    expect(toSydney).toMatchObject({ id: sydney.id, durationMinutes: 1020 });
    expect(toSydney!.segments[0]).toMatchObject({ departureLocal: '2030-03-11T22:00:00', arrivalLocal: '2030-03-13T07:00:00' });
  });

  it('when paging with a cursor, then pages never repeat or skip a result, even when a flight is added between pages', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const at = new Date(Date.UTC(2030, 2, 7, 12 + i));
      ids.push(
        (
          await f.flight({
            from: 'LHR',
            to: 'JFK',
            departureAt: at.toISOString(),
            arrivalAt: new Date(at.getTime() + 8 * 3600_000).toISOString(),
            economy: 30000 + (i % 3) * 1000,
          })
        ).id,
      );
    }
    for (const sort of ['price', 'departure', 'duration']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const answer = await search({ from: 'LHR', to: 'JFK', date: '2030-03-07', sort, limit: 3, ...(cursor ? { cursor } : {}) });
        expect(answer.statusCode).toBe(200);
        seen.push(...answer.json().itineraries.map((i: Itinerary) => i.id));
        cursor = answer.json().nextCursor;
        if (pages++ === 0 && sort === 'price') {
          // A cheaper flight appearing mid-way sorts before the cursor: it does not shift the next pages.
          ids.push(
            (
              await f.flight({
                from: 'LHR',
                to: 'JFK',
                departureAt: '2030-03-07T10:00:00Z',
                arrivalAt: '2030-03-07T18:00:00Z',
                economy: 100,
              })
            ).id,
          );
        }
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(sort === 'price' ? 7 : 8);
    }
    const first = await search({ from: 'LHR', to: 'JFK', date: '2030-03-07', sort: 'price', limit: 2 });
    const wrong = await search({ from: 'LHR', to: 'JFK', date: '2030-03-07', sort: 'duration', cursor: first.json().nextCursor });
    expect([wrong.statusCode, wrong.json().errors[0].field]).toEqual([400, 'cursor']);
  });

  it('when a query is wrong, then it is refused with 400 naming the field', async () => {
    const base = { from: 'JFK', to: 'CDG', date: '2030-03-05' };
    const cases: [Record<string, string | number>, string][] = [
      [{ ...base, to: 'JFK' }, 'to'],
      [{ ...base, sort: 'cheapest' }, 'sort'],
      [{ ...base, minPrice: 500, maxPrice: 100 }, 'minPrice'],
      [{ ...base, date: '2030-02-30' }, 'date'],
      [{ ...base, date: '05/03/2030' }, 'date'],
      [{ ...base, passengers: 0 }, 'passengers'],
      [{ ...base, passengers: 10 }, 'passengers'],
      [{ ...base, limit: 101 }, 'limit'],
      [{ ...base, departAfter: '25:00' }, 'departAfter'],
      [{ ...base, maxStops: 2 }, 'maxStops'],
      [{ ...base, cabin: 'galley' }, 'cabin'],
      [{ ...base, from: 'XXX' }, 'from'],
      [{ ...base, cursor: 'not-a-cursor' }, 'cursor'],
      [{ from: 'JFK', to: 'CDG' }, 'date'],
    ];
    for (const [query, field] of cases) {
      const answer = await search(query);
      expect({ query, status: answer.statusCode, code: answer.json().code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
      expect(answer.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });

  it('when an admin changes a fare or cancels a flight, then the next search and detail show it at once, and the cache counts hits', async () => {
    const q = { from: 'JFK', to: 'CDG', date: '2030-03-05', maxStops: 0 };
    expect((await itineraries(q))[0]!.price.amount).toBe(40000);
    expect((await itineraries(q))[0]!.price.amount).toBe(40000);
    expect((await t.app.inject({ url: `/api/v1/flights/${direct.id}` })).json().fares.economy.amount).toBe(40000);
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/flights/${direct.id}`,
      headers: t.admin,
      payload: { fares: { economy: { amount: 35000, currency: 'USD' } } },
    });
    expect(patched.statusCode).toBe(200);
    expect((await itineraries(q))[0]!.price.amount).toBe(35000);
    expect((await t.app.inject({ url: `/api/v1/flights/${direct.id}` })).json().fares.economy.amount).toBe(35000);
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/flights_cache_requests_total\{cache="search",result="hit"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/flights_cache_requests_total\{cache="search",result="miss"[^}]*\} [1-9]/);

    const cancelled = await t.app.inject({ method: 'POST', url: `/api/v1/flights/${direct.id}/cancel`, headers: t.admin, payload: {} });
    expect(cancelled.json().status).toBe('CANCELLED');
    expect(await itineraries(q)).toEqual([]);
  });

  it('when a flight has departed, then search leaves it out', async () => {
    const soon = await f.flight({ from: 'CDG', to: 'LHR', departureAt: '2030-03-01T09:00:00Z', arrivalAt: '2030-03-01T10:15:00Z' });
    expect((await itineraries({ from: 'CDG', to: 'LHR', date: '2030-03-01' })).map((i) => i.id)).toEqual([soon.id]);
    t.clock.advance(3600_000);
    try {
      await t.app.inject({ method: 'PATCH', url: `/api/v1/airports/CDG`, headers: t.admin, payload: { name: 'Paris Charles de Gaulle' } });
      expect(await itineraries({ from: 'CDG', to: 'LHR', date: '2030-03-01' })).toEqual([]);
    } finally {
      t.clock.advance(-3600_000);
    }
  });
});
