import { randomUUID } from 'node:crypto';
import { FakeClock, bearer, mintUser, waitFor, type TestUser } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type System } from './system-harness.js';

const clock = new FakeClock(new Date());
let system: System;
beforeAll(async () => {
  system = await startSystem({ clock, env: { SWEEPER_INTERVAL_MS: '100', HOLD_SWEEP_INTERVAL_MS: '100' } });
});
afterAll(async () => {
  await system?.close();
});

const departure = { departureAt: '2099-06-01T08:00:00.000Z', arrivalAt: '2099-06-01T10:00:00.000Z' };

async function book(user: TestUser, flightId: string) {
  const answer = await system.bookings.app.inject({
    method: 'POST',
    url: '/api/v1/bookings',
    headers: { ...bearer(user.token), 'idempotency-key': randomUUID() },
    payload: { flightIds: [flightId], cabin: 'economy', passengers: [{ firstName: 'Alan', lastName: 'Turing' }] },
  });
  expect(answer.statusCode).toBe(201);
  return answer.json<{ id: string }>();
}

const bookingState = async (id: string) =>
  (
    await system.db.query<{ status: string; released: Date | null }>(
      `SELECT status, seats_released_at AS released FROM bookings.bookings WHERE id = $1`,
      [id],
    )
  ).rows[0];
const holdStatus = async (id: string) =>
  (await system.db.query<{ status: string }>(`SELECT status FROM flights.holds WHERE booking_id = $1`, [id])).rows[0]?.status;

describe('expiry across flights and bookings', () => {
  it('when a booking passes its 5 minutes, then the sweeper expires it and flights has its seats back', async () => {
    const flightId = await system.flight({ from: 'JFK', to: 'BOS', ...departure });
    const booking = await book(await mintUser(), flightId);
    expect(await system.available(flightId)).toBe(2);
    clock.advanceSeconds(301);
    await waitFor(async () => (await bookingState(booking.id))?.released != null, { what: 'seats released', timeoutMs: 20_000 });
    expect((await bookingState(booking.id))?.status).toBe('EXPIRED');
    expect(await holdStatus(booking.id)).toBe('RELEASED');
    expect(await system.available(flightId)).toBe(3);
    expect(await system.inventoryOk(flightId)).toMatchObject({ ok: true });
    const paid = await system.bookings.app.inject({
      method: 'POST',
      url: `/api/v1/bookings/${booking.id}/payments`,
      headers: { ...bearer((await mintUser()).token), 'idempotency-key': randomUUID() },
      payload: {
        card: { number: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' },
        amount: { amount: 12_000, currency: 'USD' },
      },
    });
    expect(paid.statusCode).toBe(404); // someone else's, and expired anyway: never charged
  }, 60_000);

  it('when bookings is down at the deadline, then after its restart the booking is expired and released once', async () => {
    const flightId = await system.flight({ from: 'JFK', to: 'ORD', ...departure });
    const user = await mintUser();
    const booking = await book(user, flightId);
    await system.stopBookings();
    clock.advanceSeconds(301);
    await system.startBookings();
    await waitFor(async () => (await bookingState(booking.id))?.released != null, {
      what: 'seats released after restart',
      timeoutMs: 20_000,
    });
    expect(await system.available(flightId)).toBe(3);
    const events = await system.db.query(`SELECT id FROM bookings.outbox WHERE type = 'booking.expired' AND data->>'bookingId' = $1`, [
      booking.id,
    ]);
    expect(events.rowCount).toBe(1);
  }, 60_000);

  it('when bookings stays down past the hold grace, then flights gives the seats back by itself and bookings agrees later', async () => {
    const flightId = await system.flight({ from: 'BOS', to: 'MIA', ...departure });
    const booking = await book(await mintUser(), flightId);
    await system.stopBookings();
    clock.advanceSeconds(301 + 3600);
    await waitFor(async () => (await system.available(flightId)) === 3, { what: 'flights released its own hold', timeoutMs: 20_000 });
    await system.startBookings();
    await waitFor(async () => (await bookingState(booking.id))?.released != null, { what: 'bookings caught up', timeoutMs: 20_000 });
    expect((await bookingState(booking.id))?.status).toBe('EXPIRED');
    expect(await system.available(flightId)).toBe(3);
    expect(await system.inventoryOk(flightId)).toMatchObject({ ok: true });
  }, 60_000);
});
