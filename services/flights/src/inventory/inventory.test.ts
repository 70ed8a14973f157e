import { randomUUID } from 'node:crypto';
import { AppError, type ServiceClient } from '@aerofly/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlightsTestApp, fixtures, type FlightsTestApp } from '../testing/flights-test-app.js';

let live = new Set<string>();
let bookingsUp = true;
const asked: string[][] = [];
// Stands in for bookings' POST /internal/v1/bookings/live, as the service client would see it.
const bookings: ServiceClient = {
  async request(_method, _path, options) {
    if (!bookingsUp) throw new AppError('UPSTREAM_UNAVAILABLE', 'bookings is unreachable');
    const ids = (options.body as { bookingIds: string[] }).bookingIds;
    asked.push(ids);
    return options.response.parse({ live: ids.filter((id) => live.has(id)) });
  },
};

let t: FlightsTestApp;
let f: ReturnType<typeof fixtures>;

beforeAll(async () => {
  t = await createFlightsTestApp({ bookingsClient: bookings });
  f = fixtures(t);
  await f.airport('SFO', 'America/Los_Angeles');
  await f.airport('PHX', 'America/Phoenix');
}, 180_000);
afterAll(() => t.close());

const check = async () => (await t.app.inject({ url: '/api/v1/admin/inventory/check', headers: t.admin })).json();
const hold = (flightId: string) => {
  const bookingId = randomUUID();
  return t.app
    .inject({
      method: 'POST',
      url: '/internal/v1/holds',
      headers: t.service,
      payload: {
        bookingId,
        cabin: 'economy',
        passengers: 1,
        bookingExpiresAt: new Date(t.clock.now().getTime() + 300_000).toISOString(),
        segments: [{ flightId }],
      },
    })
    .then(() => bookingId);
};

describe('inventory check', () => {
  it('when a hold has no live booking in bookings, then the check names it; a fresh hold is given time for its booking', async () => {
    const flight = await f.flight({ from: 'SFO', to: 'PHX', departureAt: '2030-03-20T16:00:00Z', arrivalAt: '2030-03-20T17:45:00Z' });
    const kept = await hold(flight.id);
    const orphan = await hold(flight.id);
    live = new Set([kept]);
    expect((await check()).ok).toBe(true);

    t.clock.advanceSeconds(61);
    const answer = await check();
    expect(answer).toMatchObject({ ok: false, bookingsCrossChecked: true, holdsChecked: 2 });
    expect(answer.violations).toEqual([
      expect.objectContaining({ kind: 'hold_without_live_booking', flightId: flight.id, cabin: 'economy' }),
    ]);
    expect(answer.violations[0].detail).toContain(orphan);
    expect(asked.at(-1)?.sort()).toEqual([kept, orphan].sort());
  });

  it('when bookings is unreachable, then the check still runs and says the cross-check was not done', async () => {
    bookingsUp = false;
    try {
      const answer = await check();
      expect(answer).toMatchObject({ ok: true, bookingsCrossChecked: false, crossCheckError: 'bookings is unreachable' });
      expect(answer.flightsChecked).toBeGreaterThan(0);
    } finally {
      bookingsUp = true;
    }
  });
});
