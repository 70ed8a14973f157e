import { randomUUID } from 'node:crypto';
import { bearer, mintUser, silentLogger } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '@aerofly/platform';
import { createFlightsTestApp, fixtures, type FlightsTestApp } from '../testing/flights-test-app.js';
import { holdsRepository } from './holds.repository.js';
import { createHoldsService } from './holds.service.js';

let t: FlightsTestApp;
let f: ReturnType<typeof fixtures>;
const oneSeat = [{ cabin: 'economy' as const, firstRow: 1, lastRow: 1, seatLetters: 'A' }];
const departure = { departureAt: '2030-03-10T10:00:00Z', arrivalAt: '2030-03-10T13:00:00Z' };

beforeAll(async () => {
  t = await createFlightsTestApp();
  f = fixtures(t);
  await f.airport('BOS', 'America/New_York');
  await f.airport('ORD', 'America/Chicago');
  await f.airport('DEN', 'America/Denver');
}, 180_000);
afterAll(() => t.close());

const expiresIn = (seconds: number) => new Date(t.clock.now().getTime() + seconds * 1000).toISOString();
const holdRequest = (
  flightIds: string[],
  options: { passengers?: number; cabin?: string; seats?: Record<string, { passenger: number; seat: string }[]> } = {},
) => ({
  bookingId: randomUUID(),
  cabin: options.cabin ?? 'economy',
  passengers: options.passengers ?? 1,
  bookingExpiresAt: expiresIn(300),
  segments: flightIds.map((flightId) => ({ flightId, seats: options.seats?.[flightId] ?? [] })),
});
const hold = (payload: object) => t.app.inject({ method: 'POST', url: '/internal/v1/holds', headers: t.service, payload });
const action = (bookingId: string, name: string, payload: object = {}) =>
  t.app.inject({ method: 'POST', url: `/internal/v1/holds/${bookingId}/${name}`, headers: t.service, payload });
const releaseMany = (bookingIds: string[], reason?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/internal/v1/holds/release',
    headers: t.service,
    payload: { bookingIds, ...(reason ? { reason } : {}) },
  });
const available = async (flightId: string, cabin = 'economy') => {
  const { rows } = await t.db.query<{ available: number }>(`SELECT available FROM flights.inventory WHERE flight_id = $1 AND cabin = $2`, [
    flightId,
    cabin,
  ]);
  return rows[0]?.available;
};
const check = async (flightId?: string) =>
  (await t.app.inject({ url: `/api/v1/admin/inventory/check${flightId ? `?flightId=${flightId}` : ''}`, headers: t.admin })).json();
const newFlight = (options: Partial<Parameters<typeof f.flight>[0]> = {}) => f.flight({ from: 'BOS', to: 'ORD', ...departure, ...options });

describe('holds', () => {
  it('when seats are held on a connection, then the answer is exactly the hold as flights stores it', async () => {
    const first = await newFlight({ economy: 12_300 });
    const second = await f.flight({
      from: 'ORD',
      to: 'DEN',
      departureAt: '2030-03-10T15:00:00Z',
      arrivalAt: '2030-03-10T17:30:00Z',
      economy: 4_500,
    });
    const request = holdRequest([first.id, second.id], { passengers: 3, seats: { [second.id]: [{ passenger: 2, seat: '5B' }] } });
    const answer = await hold(request);
    expect(answer.statusCode, answer.body).toBe(201);
    const stored = await t.app.inject({ url: `/internal/v1/holds/${request.bookingId}`, headers: t.service });
    expect(answer.json()).toEqual(stored.json());
    expect(answer.json().segments.map((s: { fare: { amount: number } }) => s.fare.amount)).toEqual([12_300, 4_500]);
    expect(answer.json().segments[1].seats).toContainEqual({ passenger: 2, seat: '5B' });
  });

  it('when 200 travellers hold the last seat at once, then exactly one succeeds and the rest get SEATS_UNAVAILABLE', async () => {
    const flight = await newFlight({ cabins: oneSeat });
    const answers = await Promise.all(Array.from({ length: 200 }, () => hold(holdRequest([flight.id]))));
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(199);
    expect(new Set(answers.filter((a) => a.statusCode === 409).map((a) => a.json().code))).toEqual(new Set(['SEATS_UNAVAILABLE']));
    expect(await available(flight.id)).toBe(0);
    expect((await check(flight.id)).ok).toBe(true);
  });

  it('when 100 travellers choose the same seat at once, then exactly one gets it and the rest get SEAT_TAKEN', async () => {
    const flight = await newFlight();
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => hold(holdRequest([flight.id], { seats: { [flight.id]: [{ passenger: 0, seat: '5C' }] } }))),
    );
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode === 409).every((a) => a.json().code === 'SEAT_TAKEN')).toBe(true);
    expect(await available(flight.id)).toBe(58);
    expect((await check(flight.id)).ok).toBe(true);
  });

  it('when many parties hold seats without choosing, then every seat is assigned once and the flight sells out exactly', async () => {
    const flight = await newFlight();
    const answers = await Promise.all(Array.from({ length: 40 }, () => hold(holdRequest([flight.id], { passengers: 2 }))));
    const won = answers.filter((a) => a.statusCode === 201);
    expect(won).toHaveLength(29);
    expect(answers.filter((a) => a.statusCode === 409).every((a) => a.json().code === 'SEATS_UNAVAILABLE')).toBe(true);
    const seats = won.flatMap((a) => a.json().segments[0].seats.map((s: { seat: string }) => s.seat));
    expect(new Set(seats).size).toBe(58);
    expect(await available(flight.id)).toBe(1);
    expect((await check(flight.id)).ok).toBe(true);
  });

  it('when a party of three holds without choosing, then they sit side by side in one row', async () => {
    const flight = await newFlight();
    const answer = await hold(holdRequest([flight.id], { passengers: 3 }));
    expect(answer.statusCode).toBe(201);
    const seats: string[] = answer.json().segments[0].seats.map((s: { seat: string }) => s.seat);
    const rows = new Set(seats.map((s) => s.slice(0, -1)));
    expect(rows.size).toBe(1);
    const letters = seats.map((s) => 'ABCDEF'.indexOf(s.slice(-1))).sort();
    expect(letters[2]! - letters[0]!).toBe(2);
  });

  it('when the same hold is sent twice, then the second answer is the first hold and seats are counted once', async () => {
    const flight = await newFlight();
    const request = holdRequest([flight.id], { passengers: 2 });
    const first = await hold(request);
    const again = await Promise.all([hold(request), hold(request)]);
    expect(first.statusCode).toBe(201);
    for (const answer of again) expect(answer.json()).toEqual(first.json());
    expect(await available(flight.id)).toBe(57);
    const stored = await t.app.inject({ url: `/internal/v1/holds/${request.bookingId}`, headers: t.service });
    expect(stored.json()).toEqual(first.json());
  });

  it('when the second flight of an itinerary is full, then nothing is held on the first', async () => {
    const first = await newFlight();
    const second = await f.flight({
      from: 'ORD',
      to: 'DEN',
      departureAt: '2030-03-10T14:30:00Z',
      arrivalAt: '2030-03-10T17:00:00Z',
      cabins: oneSeat,
    });
    expect((await hold(holdRequest([second.id]))).statusCode).toBe(201);
    const request = holdRequest([first.id, second.id]);
    const answer = await hold(request);
    expect(answer.statusCode).toBe(409);
    expect(answer.json().code).toBe('SEATS_UNAVAILABLE');
    expect(await available(first.id)).toBe(59);
    expect((await t.app.inject({ url: `/internal/v1/holds/${request.bookingId}`, headers: t.service })).statusCode).toBe(404);
    expect((await check()).violations).toEqual([]);
  });

  it('when an itinerary connects, then both flights are held with snapshots and seats', async () => {
    const first = await newFlight();
    const second = await f.flight({ from: 'ORD', to: 'DEN', departureAt: '2030-03-10T14:30:00Z', arrivalAt: '2030-03-10T17:00:00Z' });
    const answer = await hold(
      holdRequest([first.id, second.id], { passengers: 2, seats: { [second.id]: [{ passenger: 1, seat: '4A' }] } }),
    );
    expect(answer.statusCode).toBe(201);
    const body = answer.json();
    expect(body).toMatchObject({ status: 'HELD', cabin: 'economy', passengers: 2 });
    expect(body.segments.map((s: { from: string }) => s.from)).toEqual(['BOS', 'ORD']);
    expect(body.segments[1]).toMatchObject({
      departureLocal: '2030-03-10T09:30:00',
      departureTimeZone: 'America/Chicago',
      fare: { amount: 15000, currency: 'USD' },
    });
    expect(body.segments[1].seats).toContainEqual({ passenger: 1, seat: '4A' });
    expect(new Date(body.expiresAt).getTime()).toBe(t.clock.now().getTime() + (300 + 120) * 1000);
  });

  it('when a request is wrong, then it is refused with the right code and field, never 500', async () => {
    const flight = await newFlight();
    const later = await f.flight({ from: 'ORD', to: 'DEN', departureAt: '2030-03-10T11:00:00Z', arrivalAt: '2030-03-10T12:30:00Z' });
    const elsewhere = await f.flight({ from: 'DEN', to: 'BOS', departureAt: '2030-03-10T18:00:00Z', arrivalAt: '2030-03-10T22:00:00Z' });
    const seat = (s: string, passenger = 0) => ({ seats: { [flight.id]: [{ passenger, seat: s }] } });
    const cases: [object, number, string, string?][] = [
      [holdRequest([randomUUID()]), 404, 'NOT_FOUND'],
      [holdRequest([flight.id], seat('40A')), 400, 'VALIDATION_FAILED', 'segments[0].seats[0].seat'],
      [holdRequest([flight.id], seat('1A')), 400, 'VALIDATION_FAILED', 'segments[0].seats[0].seat'],
      [holdRequest([flight.id], seat('12F')), 400, 'VALIDATION_FAILED', 'segments[0].seats[0].seat'],
      [
        {
          ...holdRequest([flight.id], { passengers: 2 }),
          segments: [
            {
              flightId: flight.id,
              seats: [
                { passenger: 0, seat: '5A' },
                { passenger: 1, seat: '5A' },
              ],
            },
          ],
        },
        400,
        'VALIDATION_FAILED',
        'segments[0].seats[1].seat',
      ],
      [holdRequest([flight.id], seat('5A', 3)), 400, 'VALIDATION_FAILED', 'segments[0].seats[0].passenger'],
      [holdRequest([flight.id], { cabin: 'first' }), 400, 'VALIDATION_FAILED', 'cabin'],
      [holdRequest([flight.id, later.id]), 400, 'VALIDATION_FAILED', 'segments[1].flightId'],
      [holdRequest([flight.id, elsewhere.id]), 400, 'VALIDATION_FAILED', 'segments[1].flightId'],
      [{ ...holdRequest([flight.id]), passengers: 0 }, 400, 'VALIDATION_FAILED', 'passengers'],
      [{ ...holdRequest([flight.id]), passengers: 10 }, 400, 'VALIDATION_FAILED', 'passengers'],
      [{ ...holdRequest([flight.id]), bookingExpiresAt: t.clock.now().toISOString() }, 400, 'VALIDATION_FAILED', 'bookingExpiresAt'],
    ];
    for (const [payload, status, code, field] of cases) {
      const answer = await hold(payload);
      expect({ status: answer.statusCode, code: answer.json().code }).toEqual({ status, code });
      if (field) expect(answer.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(await available(flight.id)).toBe(59);
  });

  it('when a flight is cancelled or has departed, then new holds get FLIGHT_NOT_BOOKABLE', async () => {
    const cancelled = await newFlight();
    expect(
      (await t.app.inject({ method: 'POST', url: `/api/v1/flights/${cancelled.id}/cancel`, headers: t.admin, payload: {} })).statusCode,
    ).toBe(200);
    const answer = await hold(holdRequest([cancelled.id]));
    expect([answer.statusCode, answer.json().code]).toEqual([409, 'FLIGHT_NOT_BOOKABLE']);

    const soon = await f.flight({ from: 'BOS', to: 'DEN', departureAt: '2030-03-01T09:00:00Z', arrivalAt: '2030-03-01T13:00:00Z' });
    t.clock.advance(2 * 3600_000);
    try {
      const departed = await hold(holdRequest([soon.id]));
      expect([departed.statusCode, departed.json().code]).toEqual([409, 'FLIGHT_NOT_BOOKABLE']);
    } finally {
      t.clock.advance(-2 * 3600_000);
    }
  });

  it('when many release the same hold at once, then its seats come back exactly once', async () => {
    const flight = await newFlight();
    const request = holdRequest([flight.id], { passengers: 3 });
    expect((await hold(request)).statusCode).toBe(201);
    const answers = await Promise.all(Array.from({ length: 20 }, () => action(request.bookingId, 'release')));
    expect(answers.every((a) => a.statusCode === 200 && a.json().status === 'RELEASED')).toBe(true);
    expect(await available(flight.id)).toBe(59);
    const confirm = await action(request.bookingId, 'confirm');
    expect([confirm.statusCode, confirm.json().code]).toEqual([409, 'SEATS_UNAVAILABLE']);
    expect((await check(flight.id)).ok).toBe(true);
  });

  it('when a hold is confirmed, then its seats are sold, and a later release gives them back once', async () => {
    const flight = await newFlight();
    const request = holdRequest([flight.id], { seats: { [flight.id]: [{ passenger: 0, seat: '3A' }] } });
    await hold(request);
    const sold = await action(request.bookingId, 'confirm');
    expect([sold.statusCode, sold.json().status]).toEqual([200, 'SOLD']);
    expect((await action(request.bookingId, 'confirm')).json().status).toBe('SOLD');
    const map = (await t.app.inject({ url: `/api/v1/flights/${flight.id}/seats` })).json();
    expect(map.cabins[1].rows[0].seats[0]).toMatchObject({ seat: '3A', status: 'SOLD' });
    expect((await check(flight.id)).ok).toBe(true);
    await Promise.all([action(request.bookingId, 'release'), action(request.bookingId, 'release')]);
    expect(await available(flight.id)).toBe(59);
  });

  it('when a release arrives before its hold, then the late hold takes no seats', async () => {
    const flight = await newFlight();
    const request = holdRequest([flight.id]);
    expect((await action(request.bookingId, 'release')).statusCode).toBe(404);
    const late = await hold(request);
    expect([late.statusCode, late.json().code]).toEqual([409, 'SEATS_UNAVAILABLE']);
    expect(await available(flight.id)).toBe(59);
  });

  it('when many bookings are released in one batch, then each live hold goes back once and the answer sorts every id', async () => {
    const flights = [await newFlight(), await newFlight()];
    const requests = Array.from({ length: 12 }, (_, i) => holdRequest([flights[i % 2]!.id], { passengers: 1 + (i % 3) }));
    for (const request of requests) expect((await hold(request)).statusCode).toBe(201);
    expect((await action(requests[0]!.bookingId, 'release')).statusCode).toBe(200);
    expect((await action(requests[1]!.bookingId, 'confirm')).statusCode).toBe(200);
    const unknown = [randomUUID(), randomUUID()];

    const answer = await releaseMany([...requests.map((r) => r.bookingId), ...unknown], 'expired');
    expect(answer.statusCode).toBe(200);
    const result = answer.json<{ released: string[]; alreadyReleased: string[]; tombstoned: string[] }>();
    expect(new Set(result.released)).toEqual(new Set(requests.slice(1).map((r) => r.bookingId)));
    expect(result.alreadyReleased).toEqual([requests[0]!.bookingId]);
    expect(new Set(result.tombstoned)).toEqual(new Set(unknown));
    expect(await available(flights[0]!.id)).toBe(59);
    expect(await available(flights[1]!.id)).toBe(59);

    const again = (await releaseMany([...requests.map((r) => r.bookingId), ...unknown])).json();
    expect([again.released, again.tombstoned]).toEqual([[], []]);
    expect(again.alreadyReleased).toHaveLength(14);
    expect(await available(flights[0]!.id)).toBe(59);
    const late = await hold({ ...holdRequest([flights[0]!.id]), bookingId: unknown[0] });
    expect([late.statusCode, late.json().code]).toEqual([409, 'SEATS_UNAVAILABLE']);
    expect(await available(flights[0]!.id)).toBe(59);
    expect((await check(flights[0]!.id)).ok).toBe(true);
    expect((await check(flights[1]!.id)).ok).toBe(true);
  });

  it('when a batch release is malformed, then it is refused with 400 and nothing is released', async () => {
    const flight = await newFlight();
    const request = holdRequest([flight.id]);
    await hold(request);
    for (const bookingIds of [[], [request.bookingId, request.bookingId], Array.from({ length: 1001 }, () => randomUUID()), ['nope']]) {
      const answer = await releaseMany(bookingIds);
      expect([answer.statusCode, answer.json().code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect(await available(flight.id)).toBe(58);
  });

  it('when a hold commits between a release finding nothing and its tombstone, then the release still gives its seats back', async () => {
    const flight = await newFlight();
    const request = holdRequest([flight.id], { passengers: 2 });
    const holds = createHoldsService({ db: t.db, clock: t.clock, graceSeconds: 120, logger: silentLogger });
    // The hold request was still in flight: it commits just before the release writes its tombstone.
    let holdLanded = false;
    const releaser = createHoldsService({
      db: {
        ...t.db,
        query: async (text: string, params?: unknown[]) => {
          if (!holdLanded && text.includes('released before held')) {
            holdLanded = true;
            await holds.hold({ ...request, cabin: 'economy' });
          }
          return t.db.query(text, params);
        },
      } as typeof t.db,
      clock: t.clock,
      graceSeconds: 120,
      logger: silentLogger,
    });
    const released = await releaser.release(request.bookingId);
    expect(holdLanded).toBe(true);
    expect(released.status).toBe('RELEASED');
    expect(await available(flight.id)).toBe(59);
    expect((await check(flight.id)).ok).toBe(true);
  });

  it('when batch releases over overlapping ids race each other and single releases, then each hold goes back exactly once', async () => {
    const flights = [await newFlight(), await newFlight(), await newFlight()];
    const requests = Array.from({ length: 60 }, (_, i) => holdRequest([flights[i % 3]!.id], { passengers: 1 + (i % 2) }));
    await Promise.all(requests.map(async (request) => expect((await hold(request)).statusCode).toBe(201)));
    const ids = requests.map((r) => r.bookingId);
    const shuffled = (seed: number) =>
      [...ids].sort((a, b) => ((a.charCodeAt(seed % 36) ^ seed) % 7) - ((b.charCodeAt(seed % 36) ^ seed) % 7));
    // Six batches, each over most of the ids in its own order, plus single releases of some of them.
    const batches = [ids, [...ids].reverse(), ...[3, 5, 7, 11].map((seed) => shuffled(seed).slice(0, 45))];
    const [batchAnswers, singleAnswers] = await Promise.all([
      Promise.all(batches.map((batch) => releaseMany(batch))),
      Promise.all(ids.filter((_, i) => i % 4 === 0).map((id) => action(id, 'release'))),
    ]);
    expect(batchAnswers.map((a) => a.statusCode)).toEqual(batches.map(() => 200));
    expect(singleAnswers.every((a) => a.statusCode === 200 && a.json().status === 'RELEASED')).toBe(true);
    const results = batchAnswers.map((a) => a.json<{ released: string[]; alreadyReleased: string[]; tombstoned: string[] }>());
    const releasedByBatches = results.flatMap((r) => r.released);
    expect(new Set(releasedByBatches).size).toBe(releasedByBatches.length); // one winner per id
    for (const [i, result] of results.entries()) {
      expect(result.tombstoned).toEqual([]);
      expect(new Set([...result.released, ...result.alreadyReleased])).toEqual(new Set(batches[i]));
    }
    for (const flight of flights) {
      expect(await available(flight.id)).toBe(59);
      expect((await check(flight.id)).ok).toBe(true);
    }
  });

  it('when holds pass their time, then two sweepers release each exactly once, and a pinned hold stays', async () => {
    const flight = await newFlight();
    const due = holdRequest([flight.id], { passengers: 2 });
    const pinned = holdRequest([flight.id]);
    await hold(due);
    await hold(pinned);
    const pin = await action(pinned.bookingId, 'pin', { until: expiresIn(900) });
    expect(pin.statusCode).toBe(200);
    expect(await available(flight.id)).toBe(56);

    t.clock.advanceSeconds(300 + 120 + 1);
    const sweepers = [1, 2].map(() => createHoldsService({ db: t.db, clock: t.clock, graceSeconds: 120, logger: silentLogger }));
    // Two sweepers and a release by bookings race for the same hold (other tests' holds are due too).
    await Promise.all([...sweepers.map((s) => s.releaseExpiredHolds()), action(due.bookingId, 'release')]);
    expect(await available(flight.id)).toBe(58);
    expect((await t.app.inject({ url: `/internal/v1/holds/${due.bookingId}`, headers: t.service })).json().status).toBe('RELEASED');
    expect((await action(due.bookingId, 'pin', { until: expiresIn(60) })).json().code).toBe('SEATS_UNAVAILABLE');

    t.clock.advanceSeconds(900);
    expect(await sweepers[0]!.releaseExpiredHolds()).toBeGreaterThanOrEqual(1);
    expect(await available(flight.id)).toBe(59);
    expect((await check(flight.id)).ok).toBe(true);
  });

  it('when the counters are corrupted, then the inventory check names the flight and cabin', async () => {
    const flight = await newFlight();
    await hold(holdRequest([flight.id]));
    await t.db.query(`UPDATE flights.inventory SET available = available - 2 WHERE flight_id = $1 AND cabin = 'economy'`, [flight.id]);
    const answer = await check(flight.id);
    expect(answer.ok).toBe(false);
    expect(answer.flightsChecked).toBe(1);
    expect(answer.violations).toContainEqual(expect.objectContaining({ kind: 'counter_mismatch', flightId: flight.id, cabin: 'economy' }));
    await t.db.query(`UPDATE flights.inventory SET available = available + 2 WHERE flight_id = $1 AND cabin = 'economy'`, [flight.id]);
    expect((await check(flight.id)).ok).toBe(true);
  });

  it('when a traveller calls the internal routes, then they are refused', async () => {
    const user = bearer((await mintUser()).token);
    const answer = await t.app.inject({ method: 'POST', url: '/internal/v1/holds', headers: user, payload: {} });
    expect(answer.statusCode).toBe(401);
    const release = await t.app.inject({
      method: 'POST',
      url: '/internal/v1/holds/release',
      headers: user,
      payload: { bookingIds: [randomUUID()] },
    });
    expect(release.statusCode).toBe(401);
    const check = await t.app.inject({ url: '/api/v1/admin/inventory/check', headers: user });
    expect(check.statusCode).toBe(403);
  });
});

describe('plans of the statements that change seat rows', () => {
  it('when the seat table has many live seats and no statistics, then selling or releasing a booking reads only its own seat rows', async () => {
    const flight = await newFlight();
    // 3,000 live seats on one flight, written directly, and no statistics for the table: what a busy
    // database looks like before (or without) autovacuum's ANALYZE.
    const { rows } = await t.db.query<{ bookingId: string }>(
      `WITH h AS (
         INSERT INTO flights.holds (booking_id, cabin, passengers, status, expires_at, created_at)
         SELECT gen_random_uuid(), 'economy', 1, 'HELD', now() + interval '1 hour', now() FROM generate_series(1, 3000)
         RETURNING booking_id
       ), s AS (
         INSERT INTO flights.hold_seats (booking_id, flight_id, passenger, seat, cabin, status)
         SELECT booking_id, $1, 0, 'X' || row_number() OVER (), 'economy', 'HELD' FROM h
       )
       SELECT booking_id AS "bookingId" FROM h`,
      [flight.id],
    );
    const bookingIds = rows.map((row) => row.bookingId);
    await t.db.query(`DELETE FROM pg_statistic WHERE starelid IN ('flights.hold_seats'::regclass, 'flights.holds'::regclass)`);
    try {
      const plans: string[] = [];
      const explaining: Queryable = {
        async query(text, params) {
          const { rows: plan } = await t.db.query(`EXPLAIN (FORMAT JSON) ${text}`, params);
          plans.push(JSON.stringify(plan));
          return { rows: [], rowCount: 0 };
        },
      };
      const now = t.clock.now();
      await holdsRepository.confirm(explaining, bookingIds[0]!, now);
      await holdsRepository.release(explaining, { bookingIds: bookingIds.slice(0, 500), reason: 'expired', now });
      expect(plans).toHaveLength(2);
      // The one-owner index holds every live seat of every flight; a look-up by booking must not scan it.
      for (const plan of plans) expect(plan).not.toContain('hold_seats_one_owner_idx');
    } finally {
      await t.db.query(`DELETE FROM flights.hold_seats WHERE booking_id = ANY($1::uuid[])`, [bookingIds]);
      await t.db.query(`DELETE FROM flights.holds WHERE booking_id = ANY($1::uuid[])`, [bookingIds]);
    }
  });
});
