import type { CabinClass } from '@aerofly/contracts';
import type { Queryable } from '@aerofly/platform';
import type { CabinLayout } from '../shared/seat-map.js';

/** A flight as a hold shows it: its number, airports, UTC times and the airports' zones. */
type FlightLeg = {
  flightNumber: string;
  from: string;
  to: string;
  departureAt: Date;
  arrivalAt: Date;
  departureTimeZone: string;
  arrivalTimeZone: string;
};
export type HoldSegmentRow = FlightLeg & {
  flightId: string;
  cabin: CabinClass;
  fareAmount: number;
  currency: string;
  seats: { passenger: number; seat: string }[];
};
export type HoldRow = {
  bookingId: string;
  status: 'HELD' | 'SOLD' | 'RELEASED';
  cabin: CabinClass;
  passengers: number;
  expiresAt: Date;
  segments: HoldSegmentRow[];
};
export type BookableFlightRow = FlightLeg & {
  id: string;
  status: 'SCHEDULED' | 'CANCELLED';
  layouts: CabinLayout[];
  available: number | null;
  /** Seats held or sold now; left empty when fewer than the asked seats are available (nothing to pick then). */
  taken: string[];
  /** Status of a hold that already exists for the booking, if any. */
  existingHold: 'HELD' | 'SOLD' | 'RELEASED' | null;
};

/**
 * A hold made, with the fare each segment was held at (read in the same statement as the counter),
 * or why not. The reasons are raised by the statement itself so that all of it (every counter, every
 * seat) rolls back.
 */
export type HoldOutcome =
  { held: true; fares: Map<string, { fareAmount: number; currency: string }> } | { held: false; reason: 'NOT_HELD' | 'SEAT_CONFLICT' };

type Release = { bookingIds?: string[]; dueBefore?: Date; limit?: number; reason: string; now: Date };

/**
 * Releases holds and gives their seats back, each exactly once: the status guard
 * (`HELD`/`SOLD` → `RELEASED`) is the compare-and-swap, and a row locked by another releaser
 * is either waited for (by id) or skipped (sweeper). Rows are locked in key order (holds by
 * booking id, counters by flight and cabin), so releases of overlapping batches wait for each
 * other instead of deadlocking.
 */
const releaseStatement = (selector: string) => `
  WITH released AS (
    UPDATE flights.holds h SET status = 'RELEASED', released_at = $1, release_reason = $2
     WHERE h.booking_id IN (${selector}) AND h.status IN ('HELD', 'SOLD')
    RETURNING h.booking_id
  ), seats AS (
    -- "<> 'RELEASED'", not "IN ('HELD', 'SOLD')": that would match the partial one-owner index's
    -- predicate, and without fresh statistics the planner ANDs that index (every live seat of every
    -- flight) into each booking's look-up: the seats of 1,000 releases took 254 ms instead of 14 ms.
    UPDATE flights.hold_seats s SET status = 'RELEASED'
      FROM released r WHERE s.booking_id = r.booking_id AND s.status <> 'RELEASED'
  ), given_back AS (
    SELECT seg.flight_id, seg.cabin, sum(seg.seat_count)::int AS seats
      FROM flights.hold_segments seg JOIN released r ON r.booking_id = seg.booking_id
     GROUP BY seg.flight_id, seg.cabin
  ), counters_locked AS MATERIALIZED (
    SELECT i.flight_id, i.cabin FROM flights.inventory i
     WHERE (i.flight_id, i.cabin) IN (SELECT flight_id, cabin FROM given_back)
     ORDER BY i.flight_id, i.cabin FOR UPDATE
  ), counters AS (
    UPDATE flights.inventory i SET available = i.available + g.seats
      FROM given_back g JOIN counters_locked l ON l.flight_id = g.flight_id AND l.cabin = g.cabin
     WHERE i.flight_id = g.flight_id AND i.cabin = g.cabin
  )
  SELECT booking_id AS "bookingId" FROM released`;

export const holdsRepository = {
  async find(db: Queryable, bookingId: string): Promise<HoldRow | undefined> {
    const { rows } = await db.query<Omit<HoldRow, 'segments'> & HoldSegmentRow>(
      `SELECT h.booking_id AS "bookingId", h.status, h.cabin, h.passengers, h.expires_at AS "expiresAt",
              seg.flight_id AS "flightId", f.flight_number AS "flightNumber", f.origin AS "from", f.destination AS "to",
              f.departure_at AS "departureAt", f.arrival_at AS "arrivalAt", ao.time_zone AS "departureTimeZone", ad.time_zone AS "arrivalTimeZone",
              seg.fare_amount AS "fareAmount", seg.currency,
              (SELECT coalesce(json_agg(json_build_object('passenger', s.passenger, 'seat', s.seat) ORDER BY s.passenger), '[]'::json)
                 FROM flights.hold_seats s WHERE s.booking_id = h.booking_id AND s.flight_id = seg.flight_id) AS seats
         FROM flights.holds h
         JOIN flights.hold_segments seg ON seg.booking_id = h.booking_id
         JOIN flights.flights f ON f.id = seg.flight_id
         JOIN flights.airports ao ON ao.code = f.origin
         JOIN flights.airports ad ON ad.code = f.destination
        WHERE h.booking_id = $1
        ORDER BY seg.position`,
      [bookingId],
    );
    const first = rows[0];
    if (!first) return undefined;
    return {
      bookingId: first.bookingId,
      status: first.status,
      cabin: first.cabin,
      passengers: first.passengers,
      expiresAt: first.expiresAt,
      segments: rows.map((r) => ({
        flightId: r.flightId,
        flightNumber: r.flightNumber,
        from: r.from,
        to: r.to,
        departureAt: r.departureAt,
        arrivalAt: r.arrivalAt,
        departureTimeZone: r.departureTimeZone,
        arrivalTimeZone: r.arrivalTimeZone,
        cabin: r.cabin,
        fareAmount: r.fareAmount,
        currency: r.currency,
        seats: r.seats,
      })),
    };
  },
  /**
   * What a hold needs to know, in one plain read without locks (the hold statement decides):
   * the flights, their seats taken now, and whether this booking already has a hold.
   */
  async bookableFlights(db: Queryable, flightIds: string[], cabin: CabinClass, bookingId: string | null, passengers: number) {
    // One flight (most holds) is asked for by `=`: PostgreSQL then settles on the statement's generic
    // plan after five runs. With `= ANY($1)` it guesses ten elements for the generic plan, finds
    // the custom one (one element) cheaper and plans this five-table join again on every hold.
    const single = flightIds.length === 1;
    const { rows } = await db.query<BookableFlightRow>(
      `SELECT f.id, f.flight_number AS "flightNumber", f.status, f.origin AS "from", f.destination AS "to",
              f.departure_at AS "departureAt", f.arrival_at AS "arrivalAt",
              ao.time_zone AS "departureTimeZone", ad.time_zone AS "arrivalTimeZone", p.cabins AS layouts, i.available,
              CASE WHEN i.available >= $4
                THEN ARRAY(SELECT s.seat FROM flights.hold_seats s WHERE s.flight_id = f.id AND s.status IN ('HELD', 'SOLD'))
                ELSE '{}'::text[] END AS taken,
              (SELECT h.status FROM flights.holds h WHERE h.booking_id = $3) AS "existingHold"
         FROM flights.flights f
         JOIN flights.airplanes p ON p.id = f.airplane_id
         JOIN flights.airports ao ON ao.code = f.origin
         JOIN flights.airports ad ON ad.code = f.destination
         LEFT JOIN flights.inventory i ON i.flight_id = f.id AND i.cabin = $2
        WHERE ${single ? 'f.id = $1::uuid' : 'f.id = ANY($1::uuid[])'}`,
      [single ? flightIds[0] : flightIds, cabin, bookingId, passengers],
    );
    return rows;
  },
  async takenSeats(db: Queryable, flightIds: string[]) {
    const { rows } = await db.query<{ flightId: string; seat: string }>(
      `SELECT flight_id AS "flightId", seat FROM flights.hold_seats WHERE flight_id = ANY($1::uuid[]) AND status IN ('HELD', 'SOLD')`,
      [flightIds],
    );
    return rows;
  },
  /**
   * The whole hold in ONE statement: decrement every segment's counter where enough seats are
   * left and the flight is bookable, insert the hold, its segments and its seat rows (the partial
   * unique index decides who owns a seat). If any segment or seat is missing the statement raises,
   * so nothing of it stays; the counter row is locked for this one round trip only.
   */
  async hold(
    db: Queryable,
    h: {
      bookingId: string;
      cabin: CabinClass;
      passengers: number;
      expiresAt: Date;
      now: Date;
      flightIds: string[];
      seats: { flightId: string; passenger: number; seat: string }[];
    },
  ): Promise<HoldOutcome> {
    try {
      const { rows } = await db.query<{ fares: { flightId: string; fareAmount: number; currency: string }[] | null }>(
        `WITH decremented AS (
           UPDATE flights.inventory i SET available = i.available - $3
             FROM flights.flights f
            WHERE i.flight_id = ANY($6::uuid[]) AND i.cabin = $2 AND i.available >= $3
              AND f.id = i.flight_id AND f.status = 'SCHEDULED' AND f.departure_at > $5
           RETURNING i.flight_id, i.fare_amount, f.currency
         ), all_held AS (
           SELECT count(*) = $10::bigint AS value FROM decremented
         ), hold AS (
           INSERT INTO flights.holds (booking_id, cabin, passengers, status, expires_at, created_at)
           SELECT $1, $2, $3, 'HELD', $4, $5 WHERE (SELECT value FROM all_held)
           RETURNING booking_id
         ), segments AS (
           INSERT INTO flights.hold_segments (booking_id, flight_id, position, cabin, seat_count, fare_amount, currency)
           SELECT $1, d.flight_id, p.position, $2, $3, d.fare_amount, d.currency
             FROM decremented d JOIN unnest($6::uuid[]) WITH ORDINALITY AS p(flight_id, position) ON p.flight_id = d.flight_id
            WHERE (SELECT value FROM all_held)
           RETURNING flight_id, fare_amount, currency
         ), seats AS (
           INSERT INTO flights.hold_seats (booking_id, flight_id, passenger, seat, cabin, status)
           SELECT $1, s.flight_id, s.passenger, s.seat, $2, 'HELD'
             FROM unnest($7::uuid[], $8::int[], $9::text[]) AS s(flight_id, passenger, seat)
            WHERE (SELECT value FROM all_held)
           ON CONFLICT DO NOTHING
           RETURNING seat
         )
         SELECT CASE
           WHEN NOT (SELECT value FROM all_held) THEN ('NOT_HELD ' || (SELECT count(*) FROM decremented)::text)::int
           WHEN (SELECT count(*) FROM seats) < $11::bigint THEN ('SEAT_CONFLICT ' || (SELECT count(*) FROM seats)::text)::int
           ELSE (SELECT count(*) FROM hold)::int + (SELECT count(*) FROM segments)::int
         END AS held,
         (SELECT json_agg(json_build_object('flightId', flight_id, 'fareAmount', fare_amount, 'currency', currency)) FROM segments) AS fares`,
        [
          h.bookingId,
          h.cabin,
          h.passengers,
          h.expiresAt,
          h.now,
          h.flightIds,
          h.seats.map((s) => s.flightId),
          h.seats.map((s) => s.passenger),
          h.seats.map((s) => s.seat),
          h.flightIds.length,
          h.seats.length,
        ],
      );
      const fares = (rows[0]?.fares ?? []).map(({ flightId, ...fare }) => [flightId, fare] as const);
      return { held: true, fares: new Map(fares) };
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      if ((error as { code?: string }).code === '22P02') {
        if (message.includes('NOT_HELD')) return { held: false, reason: 'NOT_HELD' };
        if (message.includes('SEAT_CONFLICT')) return { held: false, reason: 'SEAT_CONFLICT' };
      }
      throw error;
    }
  },
  /** Keeps a live hold until `until` (never shortens it); refused once it is due. */
  async pin(db: Queryable, bookingId: string, until: Date, now: Date) {
    const { rowCount } = await db.query(
      `UPDATE flights.holds SET expires_at = GREATEST(expires_at, $2) WHERE booking_id = $1 AND status = 'HELD' AND expires_at > $3`,
      [bookingId, until, now],
    );
    return rowCount > 0;
  },
  async confirm(db: Queryable, bookingId: string, now: Date) {
    const { rows } = await db.query<{ sold: number }>(
      `WITH sold AS (
         UPDATE flights.holds SET status = 'SOLD', sold_at = $2 WHERE booking_id = $1 AND status = 'HELD' RETURNING booking_id
       ), seats AS (
         -- NOT IN rather than "= 'HELD'", for the reason given at releaseStatement.
         UPDATE flights.hold_seats s SET status = 'SOLD' FROM sold WHERE s.booking_id = sold.booking_id AND s.status NOT IN ('SOLD', 'RELEASED')
       )
       SELECT count(*)::int AS sold FROM sold`,
      [bookingId, now],
    );
    return (rows[0]?.sold ?? 0) > 0;
  },
  /** Releases the live holds among `bookingIds`; returns the ids this call released. */
  async release(db: Queryable, r: Release & { bookingIds: string[] }) {
    const { rows } = await db.query<{ bookingId: string }>(
      releaseStatement(
        `SELECT booking_id FROM flights.holds WHERE booking_id = ANY($3::uuid[]) AND status IN ('HELD', 'SOLD') ORDER BY booking_id FOR UPDATE`,
      ),
      [r.now, r.reason, r.bookingIds],
    );
    return rows.map((row) => row.bookingId);
  },
  /**
   * Marks bookings whose hold never arrived as released, so a late hold cannot take seats for them;
   * returns the ids that had no row and now have one.
   */
  async insertTombstones(db: Queryable, bookingIds: string[], now: Date): Promise<string[]> {
    const { rows } = await db.query<{ bookingId: string }>(
      `INSERT INTO flights.holds (booking_id, status, expires_at, created_at, released_at, release_reason)
       SELECT id, 'RELEASED', $2, $2, $2, 'released before held' FROM unnest($1::uuid[]) AS id
       ON CONFLICT DO NOTHING
       RETURNING booking_id AS "bookingId"`,
      [bookingIds, now],
    );
    return rows.map((row) => row.bookingId);
  },
  /** Releases up to `limit` holds past their time; several sweepers skip each other's rows. */
  async releaseDue(db: Queryable, r: Release & { dueBefore: Date; limit: number }) {
    const { rows } = await db.query<{ bookingId: string }>(
      releaseStatement(
        `SELECT booking_id FROM flights.holds WHERE status = 'HELD' AND expires_at <= $3 ORDER BY expires_at LIMIT $4 FOR UPDATE SKIP LOCKED`,
      ),
      [r.now, r.reason, r.dueBefore, r.limit],
    );
    return rows.map((row) => row.bookingId);
  },
};
