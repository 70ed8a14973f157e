import { randomUUID } from 'node:crypto';
import { AppError, createEvent } from '@aerofly/platform';
import { bearer, mintUser } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { book, createHarness, goodCard, passengers, pay, type Harness } from '../../test/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

async function newBooking(seats = 1) {
  const user = await mintUser();
  const flightId = h.holds.addFlight({ capacity: 6, fare: { amount: 5_000, currency: 'USD' } });
  const answer = await book(h.app, user, { flightIds: [flightId], cabin: 'economy', passengers: passengers(seats) });
  expect(answer.statusCode).toBe(201);
  return { user, flightId, booking: answer.json<{ id: string; expiresAt: string }>() };
}

const statusOf = async (id: string) =>
  (await h.db.query<{ status: string }>(`SELECT status FROM bookings.bookings WHERE id = $1`, [id])).rows[0]?.status;
const eventsFor = async (type: string, id: string) =>
  (await h.events(type)).filter((e) => (e.data as { bookingId: string }).bookingId === id);

describe('expiry', () => {
  it('when a booking passes its expiry, then two sweepers and a racing cancel release its seats exactly once', async () => {
    const { user, flightId, booking } = await newBooking(2);
    const second = await h.restart(); // another instance with its own sweeper
    await h.core.sweeper.runOnce();
    expect(await statusOf(booking.id)).toBe('PENDING');
    h.clock.set(booking.expiresAt);
    const [, , cancel] = await Promise.all([
      h.core.sweeper.runOnce(),
      second.core.sweeper.runOnce(),
      h.app.inject({ method: 'POST', url: `/api/v1/bookings/${booking.id}/cancel`, headers: bearer(user.token), payload: {} }),
    ]);
    const final = await statusOf(booking.id);
    expect(['EXPIRED', 'CANCELLED']).toContain(final);
    if (final === 'EXPIRED') expect(cancel.statusCode).toBe(409);
    expect(h.holds.releaseCount(booking.id)).toBe(1);
    expect(h.holds.available(flightId)).toBe(6);
    expect((await eventsFor('booking.expired', booking.id)).length + (await eventsFor('booking.cancelled', booking.id)).length).toBe(1);
    await h.core.sweeper.runOnce();
    expect(h.holds.releaseCount(booking.id)).toBe(1);
  });

  it('when the release fails right after expiry (a crash in between), then the next pass finishes it', async () => {
    const { flightId, booking } = await newBooking();
    h.clock.set(booking.expiresAt);
    h.holds.failNext('release', new AppError('UPSTREAM_UNAVAILABLE', 'flights is down'));
    await h.core.sweeper.runOnce();
    expect(await statusOf(booking.id)).toBe('EXPIRED');
    expect(h.holds.available(flightId)).toBe(5);
    const marker = await h.db.query<{ pending: boolean }>(`SELECT release_pending AS pending FROM bookings.bookings WHERE id = $1`, [
      booking.id,
    ]);
    expect(marker.rows[0]?.pending).toBe(true);
    const restarted = await h.restart();
    h.clock.advanceSeconds(2); // a failed release is retried after a short pause
    await restarted.core.sweeper.runOnce();
    expect(h.holds.available(flightId)).toBe(6);
    expect(h.holds.releaseCount(booking.id)).toBe(1);
    expect(await eventsFor('booking.expired', booking.id)).toHaveLength(1);
  });

  it('when paying after expiry or cancelling an expired booking, then 409 and nothing is charged', async () => {
    const { user, booking } = await newBooking();
    h.clock.set(booking.expiresAt);
    await h.core.sweeper.runOnce();
    const paid = await pay(h.app, user, booking.id, { card: goodCard, amount: { amount: 5_000, currency: 'USD' } });
    expect(paid.json().code).toBe('BOOKING_EXPIRED');
    const cancel = await h.app.inject({
      method: 'POST',
      url: `/api/v1/bookings/${booking.id}/cancel`,
      headers: bearer(user.token),
      payload: {},
    });
    expect(cancel.json().code).toBe('INVALID_BOOKING_STATE');
    expect(await h.processor.getAttempt(randomUUID())).toEqual({ status: 'not_found' });
  });

  it('when a payment races the sweeper at the deadline, then it is either confirmed and kept or expired and not charged (30 runs)', async () => {
    const outcomes = { CONFIRMED: 0, EXPIRED: 0 };
    for (let run = 0; run < 30; run += 1) {
      const { user, flightId, booking } = await newBooking();
      // Around the deadline: a millisecond before, at it, or a millisecond after.
      h.clock.set(new Date(new Date(booking.expiresAt).getTime() + (run % 3) - 1));
      const [paid] = await Promise.all([
        pay(h.app, user, booking.id, { card: goodCard, amount: { amount: 5_000, currency: 'USD' } }),
        h.core.sweeper.runOnce(),
      ]);
      await h.core.sweeper.runOnce();
      const status = await statusOf(booking.id);
      const charged = (
        await h.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM bookings.test_processor_charges c JOIN bookings.payments p ON c.idempotency_key = p.id::text
            WHERE p.booking_id = $1 AND c.status = 'SUCCEEDED'`,
          [booking.id],
        )
      ).rows[0]?.n;
      if (status === 'CONFIRMED') {
        expect(paid.statusCode).toBe(201);
        expect(charged).toBe(1);
        expect(h.holds.status(booking.id)).toBe('SOLD');
        outcomes.CONFIRMED += 1;
      } else {
        expect(status).toBe('EXPIRED');
        expect(paid.json().code).toBe('BOOKING_EXPIRED');
        expect(charged).toBe(0);
        expect(h.holds.available(flightId)).toBe(6);
        outcomes.EXPIRED += 1;
      }
    }
    expect(outcomes.CONFIRMED + outcomes.EXPIRED).toBe(30);
    expect(outcomes.CONFIRMED).toBeGreaterThan(0);
    expect(outcomes.EXPIRED).toBeGreaterThan(0);
  });
});

describe('flight cancelled', () => {
  it('when flights cancels a flight, then each pending and paid booking on it is cancelled once, paid ones refunded', async () => {
    const flightId = h.holds.addFlight({ capacity: 6, fare: { amount: 5_000, currency: 'USD' } });
    const alice = await mintUser();
    const bob = await mintUser();
    const pending = (await book(h.app, alice, { flightIds: [flightId], cabin: 'economy', passengers: passengers(1) })).json();
    const paid = (await book(h.app, bob, { flightIds: [flightId], cabin: 'economy', passengers: passengers(1) })).json();
    expect((await pay(h.app, bob, paid.id, { card: goodCard, amount: { amount: 5_000, currency: 'USD' } })).statusCode).toBe(201);
    const event = createEvent('flight.cancelled', {
      flightId,
      flightNumber: 'AF100',
      departureAt: '2030-03-01T08:00:00.000Z',
      cancelledAt: h.clock.now().toISOString(),
    });
    await h.core.onFlightCancelled(event);
    await h.core.onFlightCancelled(event); // redelivered
    expect(await statusOf(pending.id)).toBe('CANCELLED');
    expect(await statusOf(paid.id)).toBe('CANCELLED');
    const cancelled = [...(await eventsFor('booking.cancelled', pending.id)), ...(await eventsFor('booking.cancelled', paid.id))];
    expect(cancelled).toHaveLength(2);
    expect(cancelled.map((e) => (e.data as { reason: string }).reason)).toEqual(['flight_cancelled', 'flight_cancelled']);
    expect((cancelled[1]?.data as { refund: unknown }).refund).toEqual({ amount: 5_000, currency: 'USD' });
    const view = await h.app.inject({ method: 'GET', url: `/api/v1/bookings/${paid.id}`, headers: bearer(bob.token) });
    expect(view.json()).toMatchObject({ refund: { status: 'SUCCEEDED' }, payment: { status: 'REFUNDED' } });
    expect(h.holds.releaseCount(pending.id)).toBe(1);
    expect(h.holds.releaseCount(paid.id)).toBe(1);
  });

  it('when a booking on the cancelled flight is mid-payment, then the event is retried until it is settled', async () => {
    const flightId = h.holds.addFlight({ capacity: 6, fare: { amount: 5_000, currency: 'USD' } });
    const user = await mintUser();
    const booking = (await book(h.app, user, { flightIds: [flightId], cabin: 'economy', passengers: passengers(1) })).json();
    await pay(h.app, user, booking.id, { card: { ...goodCard, number: '4000000000000119' }, amount: { amount: 5_000, currency: 'USD' } });
    const event = createEvent('flight.cancelled', {
      flightId,
      flightNumber: 'AF1',
      departureAt: '2030-03-01T08:00:00.000Z',
      cancelledAt: h.clock.now().toISOString(),
    });
    await expect(h.core.onFlightCancelled(event)).rejects.toThrow(/mid-payment/);
    h.clock.advanceSeconds(31);
    await h.core.sweeper.runOnce(); // reconciled: CONFIRMED
    await h.core.onFlightCancelled(event);
    expect(await statusOf(booking.id)).toBe('CANCELLED');
    expect(await eventsFor('booking.cancelled', booking.id)).toHaveLength(1);
  });
});
