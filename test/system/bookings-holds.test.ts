import { randomUUID } from 'node:crypto';
import { bearer, mintUser, type TestUser } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lapseClaims, unstoreBooking } from '../../services/bookings/test/crashed-run.js';
import { startSystem, type System } from './system-harness.js';

let system: System;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(async () => {
  await system?.close();
});

const departure = { departureAt: '2099-06-01T08:00:00.000Z', arrivalAt: '2099-06-01T10:00:00.000Z' };
const traveller = [{ firstName: 'Grace', lastName: 'Hopper' }];

async function book(user: TestUser, body: Record<string, unknown>) {
  return system.bookings.app.inject({
    method: 'POST',
    url: '/api/v1/bookings',
    headers: { ...bearer(user.token), 'idempotency-key': randomUUID() },
    payload: body,
  });
}

describe('bookings holding seats in flights', () => {
  it('when 200 travellers book the last seat at once, then exactly one 201 and the rest 409 SEATS_UNAVAILABLE', async () => {
    const flightId = await system.flight({ from: 'JFK', to: 'BOS', ...departure });
    const early = await book(await mintUser(), { flightIds: [flightId], cabin: 'economy', passengers: [...traveller, ...traveller] });
    expect(early.statusCode).toBe(201);
    expect(await system.available(flightId)).toBe(1);
    const users = await Promise.all(Array.from({ length: 200 }, () => mintUser()));
    const answers = await Promise.all(users.map((user) => book(user, { flightIds: [flightId], cabin: 'economy', passengers: traveller })));
    const codes = answers.map((a) => a.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode !== 201).every((a) => a.statusCode === 409 && a.json().code === 'SEATS_UNAVAILABLE')).toBe(
      true,
    );
    expect(await system.available(flightId)).toBe(0);
    expect(await system.inventoryOk(flightId)).toMatchObject({ ok: true });
  }, 120_000);

  it('when 100 travellers choose the same seat at once, then exactly one gets it', async () => {
    const flightId = await system.flight({ from: 'JFK', to: 'ORD', ...departure, rows: 3 });
    const users = await Promise.all(Array.from({ length: 100 }, () => mintUser()));
    const answers = await Promise.all(
      users.map((user) =>
        book(user, { flightIds: [flightId], cabin: 'economy', passengers: traveller, seats: [{ flightId, passenger: 0, seat: '2B' }] }),
      ),
    );
    const won = answers.filter((a) => a.statusCode === 201);
    expect(won).toHaveLength(1);
    expect(won[0]?.json().segments[0].seats).toEqual([{ passenger: 0, seat: '2B' }]);
    expect(answers.filter((a) => a.statusCode !== 201).every((a) => a.statusCode === 409)).toBe(true);
    expect(await system.available(flightId)).toBe(8);
    expect(await system.inventoryOk(flightId)).toMatchObject({ ok: true });
  }, 120_000);

  it('when the second flight of an itinerary is full, then nothing is held on the first', async () => {
    const first = await system.flight({ from: 'JFK', to: 'MIA', ...departure });
    const second = await system.flight({
      from: 'MIA',
      to: 'SJU',
      departureAt: '2099-06-01T12:00:00.000Z',
      arrivalAt: '2099-06-01T15:00:00.000Z',
    });
    const filler = await book(await mintUser(), {
      flightIds: [second],
      cabin: 'economy',
      passengers: [...traveller, ...traveller, ...traveller],
    });
    expect(filler.statusCode).toBe(201);
    const answer = await book(await mintUser(), { flightIds: [first, second], cabin: 'economy', passengers: traveller });
    expect(answer.statusCode).toBe(409);
    expect(answer.json().code).toBe('SEATS_UNAVAILABLE');
    expect(await system.available(first)).toBe(3);
    expect(await system.inventoryOk(first)).toMatchObject({ ok: true });
  });

  it('when bookings crashes after flights held the seats and the client retries with its key, then one booking on those seats', async () => {
    const flightId = await system.flight({ from: 'JFK', to: 'PHL', ...departure });
    const user = await mintUser();
    const key = randomUUID();
    const keyed = () =>
      system.bookings.app.inject({
        method: 'POST',
        url: '/api/v1/bookings',
        headers: { ...bearer(user.token), 'idempotency-key': key },
        payload: { flightIds: [flightId], cabin: 'economy', passengers: traveller },
      });
    const first = await keyed();
    expect(first.statusCode).toBe(201);
    // The state a crash between the hold and the booking's insert leaves, found by a new instance
    // once the claim's lease has run out: seats held in flights, no booking, no recorded answer.
    await system.stopBookings();
    await unstoreBooking(system.db, first.json().id);
    await lapseClaims(system.db, system.kv, user.id);
    await system.startBookings();

    const retry = await keyed();
    expect(retry.statusCode).toBe(201);
    expect(retry.json().id).toBe(first.json().id);
    expect(retry.json().segments[0].seats).toEqual(first.json().segments[0].seats);
    expect(await system.available(flightId)).toBe(2);
    const { rows } = await system.db.query(`SELECT id FROM bookings.bookings WHERE user_id = $1`, [user.id]);
    expect(rows).toHaveLength(1);
    expect(await system.inventoryOk(flightId)).toMatchObject({ ok: true });
  });

  it('when a traveller books, pays and cancels, then the seats are sold, then back, and the inventory adds up at each step', async () => {
    const flightId = await system.flight({ from: 'BOS', to: 'ORD', ...departure });
    const user = await mintUser();
    const booking = (await book(user, { flightIds: [flightId], cabin: 'economy', passengers: traveller })).json<{ id: string }>();
    const paid = await system.bookings.app.inject({
      method: 'POST',
      url: `/api/v1/bookings/${booking.id}/payments`,
      headers: { ...bearer(user.token), 'idempotency-key': randomUUID() },
      payload: {
        card: { number: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' },
        amount: { amount: 12_000, currency: 'USD' },
      },
    });
    expect(paid.statusCode).toBe(201);
    expect(paid.json().status).toBe('CONFIRMED');
    expect(await system.available(flightId)).toBe(2);
    expect(await system.inventoryOk(flightId)).toMatchObject({ ok: true });
    const cancelled = await system.bookings.app.inject({
      method: 'POST',
      url: `/api/v1/bookings/${booking.id}/cancel`,
      headers: bearer(user.token),
      payload: {},
    });
    expect(cancelled.json()).toMatchObject({ status: 'CANCELLED', refund: { status: 'SUCCEEDED' } });
    expect(await system.available(flightId)).toBe(3);
    expect(await system.inventoryOk(flightId)).toMatchObject({ ok: true });
  });
});
