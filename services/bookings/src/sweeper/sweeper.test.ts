import { randomUUID } from 'node:crypto';
import { AppError, createEvent } from '@aerofly/platform';
import { bearer, createCapturingLogger, mintUser, silentLogger, type TestUser } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { book, createHarness, goodCard, passengers, pay, type Harness } from '../../test/harness.js';
import { createSettlement } from '../bookings/settlement.js';
import { createSweeper } from './sweeper.js';

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

/** `count` one-seat bookings spread over flights of six seats; the clock is left where all of them are due. */
async function dueBookings(count: number) {
  const user: TestUser = await mintUser();
  const flightIds = Array.from({ length: Math.ceil(count / 6) }, () =>
    h.holds.addFlight({ capacity: 6, fare: { amount: 5_000, currency: 'USD' } }),
  );
  const bookings: { id: string; expiresAt: string }[] = [];
  for (let i = 0; i < count; i += 1) {
    const answer = await book(h.app, user, { flightIds: [flightIds[i % flightIds.length]], cabin: 'economy', passengers: passengers(1) });
    expect(answer.statusCode).toBe(201);
    bookings.push(answer.json());
  }
  h.clock.set(bookings.at(-1)!.expiresAt);
  return { flightIds, ids: bookings.map((b) => b.id) };
}

/** A sweeper on the harness's database and flights with small batches, so a few dozen bookings make several. */
function smallBatchSweeper(options: { logger?: Parameters<typeof createSweeper>[0]['logger'] } = {}) {
  const logger = options.logger ?? silentLogger;
  const settlement = createSettlement({ db: h.db, holds: h.holds.client, provider: h.core.provider, clock: h.clock, logger });
  return createSweeper({
    db: h.db,
    clock: h.clock,
    logger,
    settlement,
    flow: h.core.payments,
    afterCommit: () => undefined,
    batchSize: 25,
    releaseChunkSize: 10,
    releaseConcurrency: 3,
  });
}

const releaseMarkers = async (ids: string[]) =>
  (
    await h.db.query<{ pending: boolean; releasedAt: Date | null; status: string }>(
      `SELECT release_pending AS pending, seats_released_at AS "releasedAt", status FROM bookings.bookings WHERE id = ANY($1::uuid[])`,
      [ids],
    )
  ).rows;

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
    h.holds.failNext('releaseMany', new AppError('UPSTREAM_UNAVAILABLE', 'flights is down'));
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

  it('when 60 bookings fall due at once, then one pass expires them in batches and gives their seats back in chunks, each once', async () => {
    const { flightIds, ids } = await dueBookings(60);
    const singleReleases = h.holds.calls.release;
    const batchesBefore = h.holds.batchSizes().length;
    const pass = await smallBatchSweeper().runOnce();
    expect(pass.expired).toBe(60);
    const markers = await releaseMarkers(ids);
    expect(markers.every((m) => m.status === 'EXPIRED' && !m.pending && m.releasedAt !== null)).toBe(true);
    expect(ids.map((id) => h.holds.releaseCount(id))).toEqual(ids.map(() => 1));
    expect(flightIds.map((id) => h.holds.available(id))).toEqual(flightIds.map(() => 6));
    const batches = h.holds.batchSizes().slice(batchesBefore);
    expect(batches.reduce((sum, n) => sum + n, 0)).toBe(60);
    expect(Math.max(...batches)).toBeLessThanOrEqual(10);
    expect(h.holds.calls.release).toBe(singleReleases); // no booking went one at a time
    const expired = (await h.events('booking.expired')).filter((e) => ids.includes((e.data as { bookingId: string }).bookingId));
    expect(expired).toHaveLength(60);
  });

  it('when one chunk of releases fails, then it is logged once, retried by a later pass, and nothing goes back twice', async () => {
    const { flightIds, ids } = await dueBookings(30);
    const { logger, lines } = createCapturingLogger();
    const sweeper = smallBatchSweeper({ logger });
    h.holds.failNext('releaseMany', new AppError('UPSTREAM_UNAVAILABLE', 'flights is down'));
    await sweeper.runOnce();
    const owed = (await releaseMarkers(ids)).filter((m) => m.pending);
    expect(owed).toHaveLength(10);
    const failures = lines.filter((line) => line.includes('release seats'));
    expect(failures).toHaveLength(1);
    expect(JSON.parse(failures[0]!)).toMatchObject({ bookings: 10, what: 'release seats' });

    await sweeper.runOnce(); // the failed chunk waits a moment rather than being retried at once
    expect((await releaseMarkers(ids)).filter((m) => m.pending)).toHaveLength(10);
    h.clock.advanceSeconds(2);
    // Flights does the work but its answer is lost: the pass after that learns it was already done.
    h.holds.loseNextAnswer('releaseMany', new AppError('UPSTREAM_TIMEOUT', 'flights did not answer in time'));
    await sweeper.runOnce();
    expect((await releaseMarkers(ids)).filter((m) => m.pending)).toHaveLength(10);
    h.clock.advanceSeconds(2);
    await sweeper.runOnce();
    expect((await releaseMarkers(ids)).filter((m) => m.pending)).toHaveLength(0);
    expect(ids.map((id) => h.holds.releaseCount(id))).toEqual(ids.map(() => 1));
    expect(flightIds.map((id) => h.holds.available(id))).toEqual(flightIds.map(() => 6));
  });

  it("when two sweepers and the instances' own sweepers run at once over many due bookings, then each booking is expired and released once", async () => {
    const { flightIds, ids } = await dueBookings(48);
    const second = await h.restart();
    const passes = await Promise.all([
      smallBatchSweeper().runOnce(),
      smallBatchSweeper().runOnce(),
      h.core.sweeper.runOnce(),
      second.core.sweeper.runOnce(),
    ]);
    expect(passes.reduce((sum, pass) => sum + pass.expired, 0)).toBe(48);
    expect((await releaseMarkers(ids)).every((m) => m.status === 'EXPIRED' && !m.pending)).toBe(true);
    expect(ids.map((id) => h.holds.releaseCount(id))).toEqual(ids.map(() => 1));
    expect(flightIds.map((id) => h.holds.available(id))).toEqual(flightIds.map(() => 6));
    const expired = (await h.events('booking.expired')).filter((e) => ids.includes((e.data as { bookingId: string }).bookingId));
    expect(expired).toHaveLength(48);
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
