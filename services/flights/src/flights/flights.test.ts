import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlightsTestApp, fixtures, type FlightsTestApp } from '../testing/flights-test-app.js';

let t: FlightsTestApp;
let f: ReturnType<typeof fixtures>;

beforeAll(async () => {
  t = await createFlightsTestApp();
  f = fixtures(t);
  await f.airport('JFK', 'America/New_York');
  await f.airport('CDG', 'Europe/Paris');
}, 180_000);
afterAll(() => t.close());

describe('flights', () => {
  it('when an admin schedules a flight, then it shows local times, fares and per-cabin capacity from the seat map', async () => {
    const flight = await f.flight({ from: 'JFK', to: 'CDG', departureAt: '2030-03-10T22:30:00Z', arrivalAt: '2030-03-11T05:55:00Z' });
    expect(flight).toMatchObject({
      from: 'JFK',
      to: 'CDG',
      departureLocal: '2030-03-10T18:30:00',
      departureTimeZone: 'America/New_York',
      arrivalLocal: '2030-03-11T06:55:00',
      arrivalTimeZone: 'Europe/Paris',
      durationMinutes: 445,
      status: 'SCHEDULED',
      fares: { economy: { amount: 15000, currency: 'USD' }, business: { amount: 60000, currency: 'USD' } },
    });
    expect(flight.availability).toEqual(
      expect.arrayContaining([
        { cabin: 'economy', capacity: 59, available: 59, fare: { amount: 15000, currency: 'USD' } },
        { cabin: 'business', capacity: 8, available: 8, fare: { amount: 60000, currency: 'USD' } },
      ]),
    );
    const seats = await t.app.inject({ url: `/api/v1/flights/${flight.id}/seats` });
    expect(seats.statusCode).toBe(200);
    const economy = seats.json().cabins.find((c: { cabin: string }) => c.cabin === 'economy');
    const row8 = economy.rows.find((r: { row: number }) => r.row === 8);
    expect(row8.seats[0]).toEqual({ seat: '8A', status: 'AVAILABLE', window: true, aisle: false, exit: true });
    expect(row8.seats[2]).toMatchObject({ seat: '8C', aisle: true, window: false });
    const row12 = economy.rows.find((r: { row: number }) => r.row === 12);
    expect(row12.seats[5]).toMatchObject({ seat: '12F', status: 'BLOCKED' });
  });

  it('when a flight is nonsense, then it is refused with 400 and the field, never 500', async () => {
    const airplane = await f.airplane();
    const base = {
      flightNumber: 'YF900',
      airplaneId: airplane.id,
      from: 'JFK',
      to: 'CDG',
      departureAt: '2030-03-20T22:00:00Z',
      arrivalAt: '2030-03-21T05:30:00Z',
      fares: { economy: { amount: 20000, currency: 'USD' }, business: { amount: 90000, currency: 'USD' } },
    };
    await f.post('/api/v1/flights', base);
    const cases: [object, string][] = [
      [{ ...base, to: 'JFK' }, 'to'],
      [{ ...base, from: 'XXX' }, 'from'],
      [{ ...base, from: 'jfk' }, 'from'],
      [{ ...base, airplaneId: randomUUID() }, 'airplaneId'],
      [{ ...base, arrivalAt: '2030-03-20T21:00:00Z' }, 'arrivalAt'],
      [{ ...base, arrivalAt: '2030-03-22T21:00:00Z' }, 'arrivalAt'],
      [{ ...base, departureAt: '2030-02-01T10:00:00Z', arrivalAt: '2030-02-01T17:00:00Z' }, 'departureAt'],
      [{ ...base, departureAt: 'tomorrow' }, 'departureAt'],
      [{ ...base, fares: { ...base.fares, economy: { amount: 20000, currency: 'EUR' } } }, 'fares.economy.currency'],
      [{ ...base, fares: { ...base.fares, economy: { amount: -5, currency: 'USD' } } }, 'fares.economy.amount'],
      [{ ...base, fares: { ...base.fares, economy: { amount: 0, currency: 'USD' } } }, 'fares.economy.amount'],
      [{ ...base, fares: { ...base.fares, economy: { amount: 12.5, currency: 'USD' } } }, 'fares.economy.amount'],
      [{ ...base, fares: { economy: base.fares.economy } }, 'fares.business'],
      [{ ...base, fares: { ...base.fares, first: { amount: 1, currency: 'USD' } } }, 'fares.first'],
      [{ ...base, flightNumber: 'Y9' }, 'flightNumber'],
      [{ ...base, flightNumber: 'YF901', departureAt: '2030-03-21T01:00:00Z', arrivalAt: '2030-03-21T08:00:00Z' }, 'airplaneId'],
      [{ ...base, unknown: true }, ''],
    ];
    for (const [payload, field] of cases) {
      const answer = await t.app.inject({ method: 'POST', url: '/api/v1/flights', headers: t.admin, payload });
      expect({ payload, status: answer.statusCode, code: answer.json().code }).toEqual({ payload, status: 400, code: 'VALIDATION_FAILED' });
      if (field) expect(answer.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/flights',
      headers: t.admin,
      payload: { ...base, airplaneId: (await f.airplane()).id },
    });
    expect([again.statusCode, again.json().errors[0].field]).toEqual([400, 'flightNumber']);
  });

  it('when a flight changes, then PATCH answers 200, DELETE 204, and both are refused once seats are held', async () => {
    const flight = await f.flight({ from: 'JFK', to: 'CDG', departureAt: '2030-03-25T22:00:00Z', arrivalAt: '2030-03-26T05:30:00Z' });
    const moved = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/flights/${flight.id}`,
      headers: t.admin,
      payload: { departureAt: '2030-03-25T23:00:00Z', arrivalAt: '2030-03-26T06:30:00Z' },
    });
    expect([moved.statusCode, moved.json().departureLocal]).toEqual([200, '2030-03-25T19:00:00']);
    const other = await f.airplane([{ cabin: 'economy', firstRow: 1, lastRow: 10, seatLetters: 'ABCD' }]);
    const swapped = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/flights/${flight.id}`,
      headers: t.admin,
      payload: { airplaneId: other.id, fares: { economy: { amount: 17000, currency: 'USD' } } },
    });
    expect(swapped.statusCode).toBe(200);
    expect(swapped.json().availability).toEqual([
      { cabin: 'economy', capacity: 40, available: 40, fare: { amount: 17000, currency: 'USD' } },
    ]);

    const hold = await t.app.inject({
      method: 'POST',
      url: '/internal/v1/holds',
      headers: t.service,
      payload: {
        bookingId: randomUUID(),
        cabin: 'economy',
        passengers: 1,
        bookingExpiresAt: '2030-03-01T08:05:00Z',
        segments: [{ flightId: flight.id }],
      },
    });
    expect(hold.statusCode).toBe(201);
    const refused = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/flights/${flight.id}`,
      headers: t.admin,
      payload: { airplaneId: (await f.airplane()).id },
    });
    expect(refused.json().code).toBe('RESOURCE_IN_USE');
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/flights/${flight.id}`, headers: t.admin })).json().code).toBe(
      'RESOURCE_IN_USE',
    );
    const repriced = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/flights/${flight.id}`,
      headers: t.admin,
      payload: { fares: { economy: { amount: 19000, currency: 'USD' } } },
    });
    expect([repriced.statusCode, repriced.json().fares.economy.amount]).toEqual([200, 19000]);

    const unused = await f.flight({ from: 'CDG', to: 'JFK', departureAt: '2030-03-27T10:00:00Z', arrivalAt: '2030-03-27T18:00:00Z' });
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/flights/${unused.id}`, headers: t.admin })).statusCode).toBe(204);
    expect((await t.app.inject({ url: `/api/v1/flights/${unused.id}` })).statusCode).toBe(404);
  });

  it('when an admin cancels a flight twice, then it is CANCELLED and flight.cancelled is in the outbox once', async () => {
    const flight = await f.flight({ from: 'CDG', to: 'JFK', departureAt: '2030-03-28T10:00:00Z', arrivalAt: '2030-03-28T18:00:00Z' });
    const answers = await Promise.all(
      [1, 2].map(() => t.app.inject({ method: 'POST', url: `/api/v1/flights/${flight.id}/cancel`, headers: t.admin, payload: {} })),
    );
    expect(answers.map((a) => [a.statusCode, a.json().status])).toEqual([
      [200, 'CANCELLED'],
      [200, 'CANCELLED'],
    ]);
    const { rows } = await t.db.query<{ type: string; data: { flightId: string; flightNumber: string } }>(
      `SELECT type, data FROM flights.outbox WHERE data->>'flightId' = $1`,
      [flight.id],
    );
    expect(rows).toEqual([
      { type: 'flight.cancelled', data: expect.objectContaining({ flightId: flight.id, flightNumber: flight.flightNumber }) },
    ]);
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/flights/${flight.id}`,
      headers: t.admin,
      payload: { fares: { economy: { amount: 1000, currency: 'USD' } } },
    });
    expect(patch.json().code).toBe('FLIGHT_NOT_BOOKABLE');
  });

  it('when listing flights by route and local date, then pages follow departure order without repeats', async () => {
    const day = await Promise.all(
      ['2030-04-02T12:00:00Z', '2030-04-02T15:00:00Z', '2030-04-02T18:00:00Z'].map((at) =>
        f.flight({ from: 'CDG', to: 'JFK', departureAt: at, arrivalAt: new Date(Date.parse(at) + 8 * 3600_000).toISOString() }),
      ),
    );
    const first = (await t.app.inject({ url: '/api/v1/flights?from=CDG&to=JFK&date=2030-04-02&limit=2' })).json();
    const second = (
      await t.app.inject({ url: `/api/v1/flights?from=CDG&to=JFK&date=2030-04-02&limit=2&cursor=${first.nextCursor}` })
    ).json();
    expect([...first.items, ...second.items].map((i: { id: string }) => i.id).sort()).toEqual(day.map((d) => d.id).sort());
    expect(second.nextCursor).toBeNull();
    expect((await t.app.inject({ url: '/api/v1/flights?status=LANDED' })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/v1/flights/not-a-uuid' })).statusCode).toBe(400);
  });
});
