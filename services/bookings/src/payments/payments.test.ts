import { randomUUID } from 'node:crypto';
import { AppError, createRedisKv } from '@aerofly/platform';
import { bearer, createCapturingLogger, hasServers, mintUser, startTcpProxy, testServers, type TestUser } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { book, createHarness, goodCard, passengers, pay, type Harness } from '../../test/harness.js';
import { testCards } from './test-processor.js';

const captured = createCapturingLogger('bookings');
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ logger: captured.logger });
});
afterAll(async () => {
  await h.close();
});

async function pendingBooking(user?: TestUser) {
  const owner = user ?? (await mintUser());
  const flightId = h.holds.addFlight({ capacity: 9, fare: { amount: 15_000, currency: 'USD' } });
  const answer = await book(h.app, owner, { flightIds: [flightId], cabin: 'economy', passengers: passengers(2) });
  expect(answer.statusCode).toBe(201);
  return { user: owner, flightId, booking: answer.json<{ id: string; totalPrice: { amount: number; currency: string } }>() };
}

const chargesFor = async (bookingId: string) => {
  const { rows } = await h.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM bookings.test_processor_charges c JOIN bookings.payments p ON c.idempotency_key = p.id::text
      WHERE p.booking_id = $1 AND c.status = 'SUCCEEDED'`,
    [bookingId],
  );
  return rows[0]?.n ?? 0;
};

const total = { amount: 30_000, currency: 'USD' };

describe('paying a booking', () => {
  it('when the owner pays the total with a good card, then CONFIRMED, seats sold, brand and last4 kept, booking.confirmed written', async () => {
    const { user, booking } = await pendingBooking();
    const answer = await pay(h.app, user, booking.id, { card: goodCard, amount: total });
    expect(answer.statusCode).toBe(201);
    expect(answer.json()).toMatchObject({
      status: 'CONFIRMED',
      payment: { status: 'SUCCEEDED', brand: 'visa', last4: '4242', amount: total },
    });
    expect(h.holds.status(booking.id)).toBe('SOLD');
    expect(await chargesFor(booking.id)).toBe(1);
    const confirmed = (await h.events('booking.confirmed')).filter((e) => (e.data as { bookingId: string }).bookingId === booking.id);
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]?.data).toMatchObject({ status: 'CONFIRMED', payment: { brand: 'visa', last4: '4242' } });
    const stored = await h.db.query(`SELECT * FROM bookings.payments WHERE booking_id = $1`, [booking.id]);
    expect(JSON.stringify(stored.rows)).not.toContain('4242424242424242');
  });

  it('when 100 payments with the same key arrive at once, then the card is charged once and every answer is a 201 or in-use', async () => {
    const { user, booking } = await pendingBooking();
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => pay(h.app, user, booking.id, { card: goodCard, amount: total }, key)),
    );
    expect(await chargesFor(booking.id)).toBe(1);
    const ok = answers.filter((a) => a.statusCode === 201);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ok.map((a) => a.json().payment.id)).size).toBe(1);
    for (const answer of answers.filter((a) => a.statusCode !== 201)) {
      expect(answer.statusCode).toBe(409);
      expect(answer.json().code).toBe('IDEMPOTENCY_KEY_IN_USE');
      expect(answer.headers['retry-after']).toBeDefined();
    }
  });

  it('when a payment is retried with its key, then the same answer is replayed; with another amount, 422', async () => {
    const { user, booking } = await pendingBooking();
    const key = randomUUID();
    const first = await pay(h.app, user, booking.id, { card: goodCard, amount: total }, key);
    const retry = await pay(h.app, user, booking.id, { card: goodCard, amount: total }, key);
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json().payment).toEqual(first.json().payment);
    const other = await pay(h.app, user, booking.id, { card: goodCard, amount: { amount: 1, currency: 'USD' } }, key);
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('IDEMPOTENCY_KEY_MISMATCH');
    const newKey = await pay(h.app, user, booking.id, { card: goodCard, amount: total });
    expect(newKey.json().code).toBe('BOOKING_ALREADY_PAID');
    expect(await chargesFor(booking.id)).toBe(1);
  });

  it('when 20 payments with different keys race, then exactly one charge', async () => {
    const { user, booking } = await pendingBooking();
    const answers = await Promise.all(Array.from({ length: 20 }, () => pay(h.app, user, booking.id, { card: goodCard, amount: total })));
    expect(await chargesFor(booking.id)).toBe(1);
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1);
    for (const answer of answers.filter((a) => a.statusCode !== 201)) {
      expect(answer.statusCode).toBe(409);
      expect(['INVALID_BOOKING_STATE', 'BOOKING_ALREADY_PAID']).toContain(answer.json().code);
    }
  });

  it('when the card is declined, then 402 kept for the key, the booking PENDING again, and another card may pay', async () => {
    const { user, booking } = await pendingBooking();
    const key = randomUUID();
    const declined = await pay(h.app, user, booking.id, { card: { ...goodCard, number: testCards.declined }, amount: total }, key);
    expect(declined.statusCode).toBe(402);
    expect(declined.json().code).toBe('PAYMENT_DECLINED');
    const replay = await pay(h.app, user, booking.id, { card: { ...goodCard, number: testCards.declined }, amount: total }, key);
    expect(replay.statusCode).toBe(402);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const poor = await pay(h.app, user, booking.id, { card: { ...goodCard, number: testCards.insufficientFunds }, amount: total });
    expect(poor.json().code).toBe('INSUFFICIENT_FUNDS');
    const view = await h.app.inject({ method: 'GET', url: `/api/v1/bookings/${booking.id}`, headers: bearer(user.token) });
    expect(view.json().status).toBe('PENDING');
    const paid = await pay(h.app, user, booking.id, { card: goodCard, amount: total });
    expect(paid.statusCode).toBe(201);
    expect(await chargesFor(booking.id)).toBe(1);
  });

  it('when the amount is not the total, then 422 AMOUNT_MISMATCH, kept for the key, nothing charged', async () => {
    const { user, booking } = await pendingBooking();
    const key = randomUUID();
    const wrong = await pay(h.app, user, booking.id, { card: goodCard, amount: { amount: 100, currency: 'USD' } }, key);
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().code).toBe('AMOUNT_MISMATCH');
    const again = await pay(h.app, user, booking.id, { card: goodCard, amount: { amount: 100, currency: 'USD' } }, key);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const currency = await pay(h.app, user, booking.id, { card: goodCard, amount: { amount: 30_000, currency: 'EUR' } });
    expect(currency.json().code).toBe('AMOUNT_MISMATCH');
    expect(await chargesFor(booking.id)).toBe(0);
  });

  it.each([
    ['a number failing Luhn', { number: '4242424242424241' }, 'card.number'],
    ['an expired card', { expMonth: 12, expYear: 2029 }, 'card.expYear'],
    ['a two-digit CVC', { cvc: '12' }, 'card.cvc'],
    ['a month 13', { expMonth: 13 }, 'card.expMonth'],
    ['letters in the number', { number: '4242abcd42424242' }, 'card.number'],
  ])('when the card has %s, then 400 naming the field and no key is taken', async (_name, patch, field) => {
    const { user, booking } = await pendingBooking();
    const key = randomUUID();
    const answer = await pay(h.app, user, booking.id, { card: { ...goodCard, ...patch }, amount: total }, key);
    expect(answer.statusCode).toBe(400);
    expect(answer.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    const fixed = await pay(h.app, user, booking.id, { card: goodCard, amount: total }, key);
    expect(fixed.statusCode).toBe(201);
  });

  it("when someone pays another traveller's booking, then 404 and nothing charged; without a key, 400", async () => {
    const { booking, user } = await pendingBooking();
    const stranger = await pay(h.app, await mintUser(), booking.id, { card: goodCard, amount: total });
    expect(stranger.statusCode).toBe(404);
    const keyless = await pay(h.app, user, booking.id, { card: goodCard, amount: total }, null);
    expect(keyless.json().code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    expect(await chargesFor(booking.id)).toBe(0);
  });

  it('when the booking has expired, then 409 BOOKING_EXPIRED and nothing is charged', async () => {
    const { user, booking } = await pendingBooking();
    h.clock.advanceSeconds(301);
    try {
      const answer = await pay(h.app, user, booking.id, { card: goodCard, amount: total });
      expect(answer.statusCode).toBe(409);
      expect(answer.json().code).toBe('BOOKING_EXPIRED');
      expect(await chargesFor(booking.id)).toBe(0);
    } finally {
      h.clock.advanceSeconds(-301);
    }
  });

  it('when a paid booking is cancelled, then the charge is refunded once and booking.cancelled carries the refund', async () => {
    const { user, booking } = await pendingBooking();
    await pay(h.app, user, booking.id, { card: goodCard, amount: total });
    const cancel = await h.app.inject({
      method: 'POST',
      url: `/api/v1/bookings/${booking.id}/cancel`,
      headers: bearer(user.token),
      payload: {},
    });
    expect(cancel.json()).toMatchObject({
      status: 'CANCELLED',
      refund: { amount: total, status: 'SUCCEEDED' },
      payment: { status: 'REFUNDED' },
    });
    expect(h.holds.releaseCount(booking.id)).toBe(1);
    const ledger = await h.db.query<{ refunded: number }>(
      `SELECT refunded_amount AS refunded FROM bookings.test_processor_charges c JOIN bookings.payments p ON c.idempotency_key = p.id::text WHERE p.booking_id = $1`,
      [booking.id],
    );
    expect(ledger.rows).toEqual([{ refunded: 30_000 }]);
    const event = (await h.events('booking.cancelled')).find((e) => (e.data as { bookingId: string }).bookingId === booking.id);
    expect(event?.data).toMatchObject({ refund: total, reason: 'customer' });
  });
});

describe('unknown outcomes and crashes', () => {
  it('when the provider times out, then 504, the booking stays PAYING, and the reconciler confirms it with one charge after a restart', async () => {
    const { user, booking } = await pendingBooking();
    const key = randomUUID();
    const answer = await pay(h.app, user, booking.id, { card: { ...goodCard, number: testCards.timesOut }, amount: total }, key);
    expect(answer.statusCode).toBe(504);
    expect(answer.json().code).toBe('PAYMENT_PROVIDER_TIMEOUT');
    const retry = await pay(h.app, user, booking.id, { card: { ...goodCard, number: testCards.timesOut }, amount: total }, key);
    expect(retry.statusCode).toBe(409);
    expect(retry.headers['retry-after']).toBeDefined();
    // The process "crashed" here: another instance picks the booking up once the lease ended.
    const restarted = await h.restart();
    await restarted.core.sweeper.runOnce(); // lease still running: nothing happens
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/bookings/${booking.id}`, headers: bearer(user.token) })).json().status).toBe(
      'PAYING',
    );
    h.clock.advanceSeconds(31);
    await restarted.core.sweeper.runOnce();
    const view = await restarted.app.inject({ method: 'GET', url: `/api/v1/bookings/${booking.id}`, headers: bearer(user.token) });
    expect(view.json()).toMatchObject({ status: 'CONFIRMED', payment: { status: 'SUCCEEDED' } });
    expect(await chargesFor(booking.id)).toBe(1);
    expect(h.holds.status(booking.id)).toBe('SOLD');
  });

  it('when the provider times out and the seats are gone by reconciliation, then the booking is EXPIRED and the charge refunded', async () => {
    const { user, booking } = await pendingBooking();
    const answer = await pay(h.app, user, booking.id, { card: { ...goodCard, number: testCards.timesOut }, amount: total });
    expect(answer.statusCode).toBe(504);
    h.clock.advanceSeconds(3600); // bookings was down long after the pin and the hold ran out
    h.holds.expireDueHolds();
    await h.core.sweeper.runOnce();
    const view = await h.app.inject({ method: 'GET', url: `/api/v1/bookings/${booking.id}`, headers: bearer(user.token) });
    expect(view.json()).toMatchObject({
      status: 'EXPIRED',
      refund: { amount: total, status: 'SUCCEEDED' },
      payment: { status: 'REFUNDED' },
    });
    const refunded = (await h.events('booking.payment_refunded')).filter((e) => (e.data as { bookingId: string }).bookingId === booking.id);
    expect(refunded).toHaveLength(1);
  });

  it('when the process dies between charge and confirmation, then the reconciler confirms with exactly one charge', async () => {
    const { user, booking } = await pendingBooking();
    h.holds.failNext('confirm', new AppError('UPSTREAM_UNAVAILABLE', 'flights is unreachable'));
    const answer = await pay(h.app, user, booking.id, { card: goodCard, amount: total });
    expect(answer.statusCode).toBe(502);
    h.clock.advanceSeconds(31);
    await h.core.sweeper.runOnce();
    const view = await h.app.inject({ method: 'GET', url: `/api/v1/bookings/${booking.id}`, headers: bearer(user.token) });
    expect(view.json().status).toBe('CONFIRMED');
    expect(await chargesFor(booking.id)).toBe(1);
    const confirmed = (await h.events('booking.confirmed')).filter((e) => (e.data as { bookingId: string }).bookingId === booking.id);
    expect(confirmed).toHaveLength(1);
  });

  it('never writes a card number or CVC to the logs', () => {
    const all = captured.lines.join('\n');
    expect(captured.lines.length).toBeGreaterThan(0);
    for (const number of [goodCard.number, testCards.declined, testCards.timesOut, testCards.insufficientFunds, '4242424242424241']) {
      expect(all).not.toContain(number);
    }
    expect(all).not.toMatch(/"cvc"\s*:\s*"\d/);
  });
});

describe.skipIf(!hasServers('bookings payments with Redis cut', ['redis']))('when Redis goes away mid-test', () => {
  it('then payments still charge at most once and answer as DESIGN.md §4 says', async () => {
    const target = new URL(testServers.redisUrl as string);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    const viaProxy = new URL(testServers.redisUrl as string);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const kv = createRedisKv({
      url: viaProxy.toString(),
      logger: captured.logger,
      keyPrefix: `test:${randomUUID()}:`,
      commandTimeoutMs: 100,
    });
    const cut = await createHarness({ kv });
    try {
      const user = await mintUser();
      const flightId = cut.holds.addFlight({ capacity: 5, fare: { amount: 15_000, currency: 'USD' } });
      const booking = (await book(cut.app, user, { flightIds: [flightId], cabin: 'economy', passengers: passengers(2) })).json();
      const key = randomUUID();
      const body = { card: goodCard, amount: total };
      const racing = Promise.all(Array.from({ length: 20 }, () => pay(cut.app, user, booking.id, body, key)));
      proxy.cut();
      const answers = await racing;
      const later = await Promise.all(Array.from({ length: 10 }, () => pay(cut.app, user, booking.id, body, key)));
      for (const answer of [...answers, ...later]) {
        expect([201, 409, 503]).toContain(answer.statusCode);
        if (answer.statusCode === 409) expect(answer.json().code).toBe('IDEMPOTENCY_KEY_IN_USE');
      }
      // With Redis gone the claim and the replay come from PostgreSQL.
      expect(later.every((a) => a.statusCode === 201 && a.headers['idempotent-replayed'] === 'true')).toBe(true);
      const otherKey = await pay(cut.app, user, booking.id, body);
      expect(otherKey.json().code).toBe('BOOKING_ALREADY_PAID');
      const { rows } = await cut.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM bookings.test_processor_charges WHERE status = 'SUCCEEDED'`,
      );
      expect(rows[0]?.n).toBe(1);
      proxy.restore();
    } finally {
      await cut.close();
      await proxy.close();
    }
  });
});
