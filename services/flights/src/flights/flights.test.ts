import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlightsTestApp, fixtures, type FlightsTestApp } from '../testing/flights-test-app.js';

let t: FlightsTestApp;
let f: ReturnType<typeof fixtures>;

beforeAll(async () => {
  t = await createFlightsTestApp();
  f = fixtures(t);
  await f.airport('JFK', 'America/New_York');
  await f.airport('CDG', 'Europe/Paris');
});
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
});
