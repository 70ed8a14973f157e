import { randomUUID } from 'node:crypto';
import { AppError } from '@aerofly/platform';
import { bearer, mintAdmin, mintServiceToken, mintUser } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lapseClaims, unstoreBooking } from '../../test/crashed-run.js';
import { book, createHarness, passengers, type Harness } from '../../test/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

describe('creating a booking', () => {
  it('when a traveller books two seats, then the booking is PENDING, priced from the fares, with a 5-minute countdown', async () => {
    const flightId = h.holds.addFlight({ capacity: 12, fare: { amount: 10_000, currency: 'USD' } });
    const user = await mintUser();
    const answer = await book(h.app, user, { flightIds: [flightId], cabin: 'economy', passengers: passengers(2) });
    expect(answer.statusCode).toBe(201);
    const booking = answer.json();
    expect(booking).toMatchObject({
      status: 'PENDING',
      contactEmail: user.email,
      totalPrice: { amount: 20_000, currency: 'USD' },
      expiresAt: '2030-01-15T10:05:00.000Z',
      serverTime: '2030-01-15T10:00:00.000Z',
      payment: null,
    });
    expect(booking.reference).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$/);
    expect(booking.segments[0]).toMatchObject({ id: flightId, flightId, cabin: 'economy', fare: { amount: 10_000 } });
    expect(booking.segments[0].seats).toHaveLength(2);
    expect(h.holds.available(flightId)).toBe(10);
    const created = (await h.events('booking.created')).filter((e) => (e.data as { bookingId: string }).bookingId === booking.id);
    expect(created).toHaveLength(1);
    expect(created[0]?.data).toMatchObject({ reference: booking.reference, contactEmail: user.email, segments: [{ flightId }] });
  });

  it('when the same request is retried with its key, then it is replayed and nothing more is held', async () => {
    const flightId = h.holds.addFlight({ capacity: 5 });
    const user = await mintUser();
    const key = randomUUID();
    const body = { flightIds: [flightId], cabin: 'economy', passengers: passengers(1), contactEmail: 'trip@example.com' };
    const first = await book(h.app, user, body, key);
    const second = await book(h.app, user, body, key);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().id).toBe(first.json().id);
    expect(h.holds.available(flightId)).toBe(4);
    const other = await book(h.app, await mintUser(), body, key);
    expect(other.json().id).not.toBe(first.json().id); // another user's identical key is independent
  });

  it('when the key is missing or malformed, then 400 and nothing is held', async () => {
    const flightId = h.holds.addFlight({ capacity: 5 });
    const user = await mintUser();
    const body = { flightIds: [flightId], cabin: 'economy', passengers: passengers(1) };
    const missing = await book(h.app, user, body, null);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    const long = await book(h.app, user, body, 'k'.repeat(256));
    expect(long.statusCode).toBe(400);
    expect(long.json().errors[0].field).toBe('Idempotency-Key');
    const alt = await h.app.inject({
      method: 'POST',
      url: '/api/v1/bookings',
      headers: { ...bearer(user.token), 'x-idempotency-key': 'alt-header-key' },
      payload: body,
    });
    expect(alt.statusCode).toBe(201);
    expect(h.holds.available(flightId)).toBe(4);
  });

  it('when 50 travellers book the last seat at once, then exactly one gets it', async () => {
    const flightId = h.holds.addFlight({ capacity: 1 });
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () =>
        book(h.app, await mintUser(), { flightIds: [flightId], cabin: 'economy', passengers: passengers(1) }),
      ),
    );
    const codes = answers.map((a) => a.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode === 409).every((a) => a.json().code === 'SEATS_UNAVAILABLE')).toBe(true);
    expect(h.holds.available(flightId)).toBe(0);
  });

  it.each([
    ['no passengers', { passengers: [] }, 'passengers'],
    ['ten passengers', { passengers: passengers(9).concat(passengers(1)) }, 'passengers'],
    ['a missing last name', { passengers: [{ firstName: 'Ada', lastName: '' }] }, 'passengers[0].lastName'],
    ['an unknown field', { passengers: passengers(1), upgrade: true }, '(body)'],
    ['an unknown cabin', { passengers: passengers(1), cabin: 'cargo' }, 'cabin'],
    ['five flights', { passengers: passengers(1), flightIds: Array.from({ length: 5 }, () => randomUUID()) }, 'flightIds'],
  ])('when the body has %s, then 400 naming the field', async (_name, patch, field) => {
    const flightId = h.holds.addFlight({ capacity: 5 });
    const answer = await book(h.app, await mintUser(), { flightIds: [flightId], cabin: 'economy', ...patch });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().code).toBe('VALIDATION_FAILED');
    expect(answer.json().errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('when the same seat is chosen twice or for a passenger who does not exist, then 400', async () => {
    const flightId = h.holds.addFlight({ capacity: 5 });
    const twice = await book(h.app, await mintUser(), {
      flightIds: [flightId],
      cabin: 'economy',
      passengers: passengers(2),
      seats: [
        { flightId, passenger: 0, seat: '1A' },
        { flightId, passenger: 1, seat: '1A' },
      ],
    });
    expect(twice.statusCode).toBe(400);
    const ghost = await book(h.app, await mintUser(), {
      flightIds: [flightId],
      cabin: 'economy',
      passengers: passengers(1),
      seats: [{ flightId, passenger: 3, seat: '1A' }],
    });
    expect(ghost.statusCode).toBe(400);
    expect(h.holds.available(flightId)).toBe(5);
  });

  it('when the flight is unknown, cancelled, the seat is not on it or taken, then 4xx with its code and nothing held', async () => {
    const user = await mintUser();
    const unknown = await book(h.app, user, { flightIds: [randomUUID()], cabin: 'economy', passengers: passengers(1) });
    expect(unknown.statusCode).toBe(404);
    const cancelledId = h.holds.addFlight({ capacity: 5 });
    h.holds.cancelFlight(cancelledId);
    const cancelled = await book(h.app, user, { flightIds: [cancelledId], cabin: 'economy', passengers: passengers(1) });
    expect(cancelled.json().code).toBe('FLIGHT_NOT_BOOKABLE');
    const flightId = h.holds.addFlight({ capacity: 5 });
    const noSeat = await book(h.app, user, {
      flightIds: [flightId],
      cabin: 'economy',
      passengers: passengers(1),
      seats: [{ flightId, passenger: 0, seat: '40A' }],
    });
    expect(noSeat.statusCode).toBe(400);
    const taken1 = await book(h.app, user, {
      flightIds: [flightId],
      cabin: 'economy',
      passengers: passengers(1),
      seats: [{ flightId, passenger: 0, seat: '1C' }],
    });
    expect(taken1.statusCode).toBe(201);
    const taken2 = await book(h.app, user, {
      flightIds: [flightId],
      cabin: 'economy',
      passengers: passengers(1),
      seats: [{ flightId, passenger: 0, seat: '1C' }],
    });
    expect(taken2.json().code).toBe('SEAT_TAKEN');
    const wrongCabin = await book(h.app, user, { flightIds: [flightId], cabin: 'first', passengers: passengers(1) });
    expect(wrongCabin.statusCode).toBe(409);
    expect(h.holds.available(flightId)).toBe(4);
  });

  it('when the flights do not connect, then 400 and the hold is given back', async () => {
    const first = h.holds.addFlight({ capacity: 5, from: 'LIS', to: 'BER' });
    const second = h.holds.addFlight({
      capacity: 5,
      from: 'MAD',
      to: 'ROM',
      departureAt: '2030-03-01T12:00:00.000Z',
      arrivalAt: '2030-03-01T14:00:00.000Z',
    });
    const answer = await book(h.app, await mintUser(), { flightIds: [first, second], cabin: 'economy', passengers: passengers(1) });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().errors[0].field).toBe('flightIds');
    expect(h.holds.available(first)).toBe(5);
    expect(h.holds.available(second)).toBe(5);
  });

  it('when flights is unreachable, then 502 and no booking is stored', async () => {
    const flightId = h.holds.addFlight({ capacity: 5 });
    h.holds.failNext('hold', new AppError('UPSTREAM_UNAVAILABLE', 'flights is unreachable'));
    const user = await mintUser();
    const answer = await book(h.app, user, { flightIds: [flightId], cabin: 'economy', passengers: passengers(1) });
    expect(answer.statusCode).toBe(502);
    const mine = await h.app.inject({ method: 'GET', url: '/api/v1/bookings', headers: bearer(user.token) });
    expect(mine.json().items).toHaveLength(0);
  });
});

describe('reading bookings', () => {
  it("when a traveller lists bookings, then only their own come back, page by page, and someone else's is 404", async () => {
    const flightId = h.holds.addFlight({ capacity: 20 });
    const alice = await mintUser();
    const bob = await mintUser();
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push((await book(h.app, alice, { flightIds: [flightId], cabin: 'economy', passengers: passengers(1) })).json().id);
      h.clock.advance(1000);
    }
    const bobs = (await book(h.app, bob, { flightIds: [flightId], cabin: 'economy', passengers: passengers(1) })).json();
    const page1 = await h.app.inject({ method: 'GET', url: '/api/v1/bookings?limit=2', headers: bearer(alice.token) });
    expect(page1.json().items.map((b: { id: string }) => b.id)).toEqual([ids[2], ids[1]]);
    const page2 = await h.app.inject({
      method: 'GET',
      url: `/api/v1/bookings?limit=2&cursor=${page1.json().nextCursor}`,
      headers: bearer(alice.token),
    });
    expect(page2.json()).toMatchObject({ items: [{ id: ids[0] }], nextCursor: null });
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/bookings/${ids[0]}`, headers: bearer(alice.token) })).statusCode).toBe(200);
    const idor = await h.app.inject({ method: 'GET', url: `/api/v1/bookings/${bobs.id}`, headers: bearer(alice.token) });
    expect(idor.statusCode).toBe(404);
    const badCursor = await h.app.inject({ method: 'GET', url: '/api/v1/bookings?cursor=nonsense', headers: bearer(alice.token) });
    expect(badCursor.statusCode).toBe(400);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/bookings' })).statusCode).toBe(401);
  });

  it('when an admin lists bookings by flight and status, then every matching booking comes back; customers get 403', async () => {
    const flightId = h.holds.addFlight({ capacity: 20 });
    await book(h.app, await mintUser(), { flightIds: [flightId], cabin: 'economy', passengers: passengers(1) });
    await book(h.app, await mintUser(), { flightIds: [flightId], cabin: 'economy', passengers: passengers(2) });
    const admin = await mintAdmin();
    const all = await h.app.inject({
      method: 'GET',
      url: `/api/v1/admin/bookings?flightId=${flightId}&status=PENDING`,
      headers: bearer(admin.token),
    });
    expect(all.statusCode).toBe(200);
    expect(all.json().items).toHaveLength(2);
    const none = await h.app.inject({
      method: 'GET',
      url: `/api/v1/admin/bookings?flightId=${flightId}&status=CONFIRMED`,
      headers: bearer(admin.token),
    });
    expect(none.json().items).toHaveLength(0);
    const customer = await h.app.inject({ method: 'GET', url: '/api/v1/admin/bookings', headers: bearer((await mintUser()).token) });
    expect(customer.statusCode).toBe(403);
  });

  it('when flights asks which bookings are live, then only bookings that still own seats are named, and only to services', async () => {
    const flightId = h.holds.addFlight({ capacity: 5 });
    const user = await mintUser();
    const live = (await book(h.app, user, { flightIds: [flightId], cabin: 'economy', passengers: passengers(1) })).json();
    const gone = (await book(h.app, user, { flightIds: [flightId], cabin: 'economy', passengers: passengers(1) })).json();
    await h.app.inject({ method: 'POST', url: `/api/v1/bookings/${gone.id}/cancel`, headers: bearer(user.token), payload: {} });
    const answer = await h.app.inject({
      method: 'POST',
      url: '/internal/v1/bookings/live',
      headers: bearer(await mintServiceToken('bookings', 'flights')),
      payload: { bookingIds: [live.id, gone.id, randomUUID()] },
    });
    expect(answer.json()).toEqual({ live: [live.id] });
    const asUser = await h.app.inject({
      method: 'POST',
      url: '/internal/v1/bookings/live',
      headers: bearer(user.token),
      payload: { bookingIds: [] },
    });
    expect(asUser.statusCode).toBe(401);
  });
});

describe('cancelling', () => {
  it('when the owner cancels, then seats go back once, booking.cancelled is written, and a second cancel is 409', async () => {
    const flightId = h.holds.addFlight({ capacity: 5 });
    const user = await mintUser();
    const booking = (await book(h.app, user, { flightIds: [flightId], cabin: 'economy', passengers: passengers(2) })).json();
    const cancel = () =>
      h.app.inject({ method: 'POST', url: `/api/v1/bookings/${booking.id}/cancel`, headers: bearer(user.token), payload: {} });
    const first = await cancel();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ status: 'CANCELLED', cancelReason: 'customer' });
    expect(h.holds.available(flightId)).toBe(5);
    const again = await cancel();
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('INVALID_BOOKING_STATE');
    expect(h.holds.releaseCount(booking.id)).toBe(1);
    const events = (await h.events('booking.cancelled')).filter((e) => (e.data as { bookingId: string }).bookingId === booking.id);
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({ reason: 'customer', refund: null });
  });

  it('when someone else tries to cancel, then 404; an admin may', async () => {
    const flightId = h.holds.addFlight({ capacity: 5 });
    const owner = await mintUser();
    const booking = (await book(h.app, owner, { flightIds: [flightId], cabin: 'economy', passengers: passengers(1) })).json();
    const stranger = await h.app.inject({
      method: 'POST',
      url: `/api/v1/bookings/${booking.id}/cancel`,
      headers: bearer((await mintUser()).token),
      payload: {},
    });
    expect(stranger.statusCode).toBe(404);
    const admin = await h.app.inject({
      method: 'POST',
      url: `/api/v1/bookings/${booking.id}/cancel`,
      headers: bearer((await mintAdmin()).token),
    });
    expect(admin.statusCode).toBe(200);
    expect(admin.json().cancelReason).toBe('admin');
  });
});

describe('a sold-out flight', () => {
  it('when flights has just refused a flight, then the next requests for it are refused here without asking flights or taking a key', async () => {
    const flightId = h.holds.addFlight({ capacity: 2 });
    const body = (count: number) => ({ flightIds: [flightId], cabin: 'economy', passengers: passengers(count) });
    const owner = await mintUser();
    const held = await book(h.app, owner, body(2));
    expect(held.statusCode).toBe(201);
    const refusedByFlights = await book(h.app, await mintUser(), body(1));
    expect(refusedByFlights.json().code).toBe('SEATS_UNAVAILABLE');
    const asked = h.holds.calls.hold;
    const user = await mintUser();
    const key = randomUUID();
    const refusedHere = await book(h.app, user, body(1), key);
    expect(refusedHere.statusCode).toBe(409);
    expect(refusedHere.json().code).toBe('SEATS_UNAVAILABLE');
    expect(h.holds.calls.hold).toBe(asked);
    // Nothing was recorded under the key: once the moment has passed and a seat is back, the same key books.
    h.clock.advance(1500);
    const cancel = await h.app.inject({
      method: 'POST',
      url: `/api/v1/bookings/${held.json().id}/cancel`,
      headers: bearer(owner.token),
      payload: {},
    });
    expect(cancel.statusCode).toBe(200);
    const again = await book(h.app, user, body(1), key);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });

  it('when a booking is retried with its key after the flight sold out, then its stored answer comes back, not the quick refusal', async () => {
    const flightId = h.holds.addFlight({ capacity: 1 });
    const body = { flightIds: [flightId], cabin: 'economy', passengers: passengers(1) };
    const user = await mintUser();
    const key = randomUUID();
    const first = await book(h.app, user, body, key);
    expect(first.statusCode).toBe(201);
    expect((await book(h.app, await mintUser(), body)).json().code).toBe('SEATS_UNAVAILABLE');
    const retried = await book(h.app, user, body, key);
    expect(retried.statusCode).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect(retried.json().id).toBe(first.json().id);
  });
});

describe('a create retried after its run crashed without recording its answer', () => {
  const body = (flightId: string) => ({ flightIds: [flightId], cabin: 'economy', passengers: passengers(1) });
  const crashedRun = (user: { id: string }) => lapseClaims(h.db, h.kv, user.id);
  const unstore = (bookingId: string) => unstoreBooking(h.db, bookingId);
  const bookingsOf = async (user: { id: string }) =>
    (await h.db.query<{ id: string }>(`SELECT id FROM bookings.bookings WHERE user_id = $1`, [user.id])).rows.map((r) => r.id);
  const createdEvents = async (bookingId: string) =>
    (await h.events('booking.created')).filter((e) => (e.data as { bookingId: string }).bookingId === bookingId);

  it('when the booking was stored, then the retry answers with that booking and nothing more is held', async () => {
    const flightId = h.holds.addFlight({ capacity: 5 });
    const user = await mintUser();
    const key = randomUUID();
    const first = await book(h.app, user, body(flightId), key);
    expect(first.statusCode).toBe(201);
    await crashedRun(user);

    const retry = await book(h.app, user, body(flightId), key);
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(retry.json()).toMatchObject({ id: first.json().id, reference: first.json().reference, status: 'PENDING' });
    expect(await bookingsOf(user)).toEqual([first.json().id]);
    expect(h.holds.available(flightId)).toBe(4);
    expect(await createdEvents(first.json().id)).toHaveLength(1);
    // Its answer is recorded now: the next retry is a plain replay.
    const replay = await book(h.app, user, body(flightId), key);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().id).toBe(first.json().id);
  });

  it('when only the seats were held, then the retry stores the booking on those seats', async () => {
    const flightId = h.holds.addFlight({ capacity: 5 });
    const user = await mintUser();
    const key = randomUUID();
    const first = await book(h.app, user, body(flightId), key);
    const seat = first.json().segments[0].seats[0].seat;
    await unstore(first.json().id);
    await crashedRun(user);

    const retry = await book(h.app, user, body(flightId), key);
    expect(retry.statusCode).toBe(201);
    expect(retry.json().id).toBe(first.json().id);
    expect(retry.json().segments[0].seats[0].seat).toBe(seat);
    expect(await bookingsOf(user)).toEqual([first.json().id]);
    expect(h.holds.available(flightId)).toBe(4);
    expect(h.holds.releaseCount(first.json().id)).toBe(0);
    expect(await createdEvents(first.json().id)).toHaveLength(1);
  });

  it('when the seats that run held were released since, then the retry holds afresh under a new id', async () => {
    const flightId = h.holds.addFlight({ capacity: 5 });
    const user = await mintUser();
    const key = randomUUID();
    const first = await book(h.app, user, body(flightId), key);
    await unstore(first.json().id);
    await h.holds.client.release(first.json().id);
    await crashedRun(user);

    const retry = await book(h.app, user, body(flightId), key);
    expect(retry.statusCode).toBe(201);
    expect(retry.json().id).not.toBe(first.json().id);
    expect(await bookingsOf(user)).toEqual([retry.json().id]);
    expect(h.holds.available(flightId)).toBe(4);
  });

  it('when the key was given back (the run failed cleanly) or is new, then the claim is a first run with an id of its own', async () => {
    const meta = { userId: 'u', method: 'POST', path: '/api/v1/bookings' };
    const scope = randomUUID();
    const first = await h.core.idempotency.claim(scope, 'hash', meta);
    if (first.kind !== 'claimed') throw new Error(`not claimed: ${first.kind}`);
    expect(first.rerun).toBe(false);
    await h.core.idempotency.abandon(scope, first.token, 'hash');
    const again = await h.core.idempotency.claim(scope, 'hash', meta);
    if (again.kind !== 'claimed') throw new Error(`not claimed: ${again.kind}`);
    expect(again).toMatchObject({ rerun: false });
    expect(again.resourceId).not.toBe(first.resourceId);
    // Another body under a lapsed claim is still refused, and takes nothing over.
    await crashedRun({ id: 'u' });
    expect(await h.core.idempotency.claim(scope, 'other hash', meta)).toEqual({ kind: 'mismatch' });
    const takenOver = await h.core.idempotency.claim(scope, 'hash', meta);
    expect(takenOver).toMatchObject({ kind: 'claimed', resourceId: again.resourceId, rerun: true });
  });
});
