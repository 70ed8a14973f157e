import { silentLogger } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlightsTestApp, type FlightsTestApp } from '../testing/flights-test-app.js';
import { seedDemoData } from './demo-seed.js';

let t: FlightsTestApp;

beforeAll(async () => {
  t = await createFlightsTestApp();
}, 180_000);
afterAll(() => t.close());

describe('demo data', () => {
  it('when the service starts on an empty database, then demo data makes a first search useful, and a restart seeds nothing more', async () => {
    const options = { clock: t.clock, currency: 'USD', days: 10, logger: silentLogger };
    await seedDemoData(t.db, options);
    const count = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM flights.flights')).rows[0]?.n ?? 0;
    const flights = await count();
    expect(flights).toBeGreaterThan(500);
    await seedDemoData(t.db, options);
    expect(await count()).toBe(flights);

    const airports = (await t.app.inject({ url: '/api/v1/airports?limit=100' })).json().items;
    expect(airports.length).toBeGreaterThanOrEqual(30);
    expect(new Set(airports.map((a: { timeZone: string }) => a.timeZone)).size).toBeGreaterThan(20);
    const answer = await t.app.inject({ url: '/api/v1/flights/search?from=JFK&to=LHR&date=2030-03-03' });
    expect(answer.statusCode).toBe(200);
    expect(answer.json().itineraries.length).toBeGreaterThan(0);
    const connecting = await t.app.inject({ url: '/api/v1/flights/search?from=BOS&to=LHR&date=2030-03-03' });
    expect(connecting.json().itineraries.some((i: { stops: number }) => i.stops === 1)).toBe(true);
    const check = (await t.app.inject({ url: '/api/v1/admin/inventory/check', headers: t.admin })).json();
    expect([check.ok, check.flightsChecked]).toEqual([true, flights]);
  });
});
