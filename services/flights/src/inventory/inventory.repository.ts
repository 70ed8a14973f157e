import type { Queryable } from '@aerofly/platform';

export type ViolationRow = { kind: string; flightId: string | null; cabin: string | null; detail: string };

/**
 * Every invariant of DESIGN.md §3 as one set-based query over the whole inventory (or one
 * flight): counters against the seat map and the active holds, seat rows against their holds,
 * one owner per seat, and holds the sweeper should have released.
 */
const checkSql = `
WITH inv AS (
  SELECT i.flight_id, i.cabin, i.capacity, i.available, f.status, f.departure_at, p.cabins AS layouts
    FROM flights.inventory i JOIN flights.flights f ON f.id = i.flight_id JOIN flights.airplanes p ON p.id = f.airplane_id
   WHERE ($1::uuid IS NULL OR i.flight_id = $1)
), held AS (
  SELECT seg.flight_id, seg.cabin,
         sum(seg.seat_count) FILTER (WHERE h.status = 'HELD')::int AS held,
         sum(seg.seat_count) FILTER (WHERE h.status = 'SOLD')::int AS sold
    FROM flights.hold_segments seg JOIN flights.holds h ON h.booking_id = seg.booking_id
   WHERE h.status IN ('HELD', 'SOLD') AND ($1::uuid IS NULL OR seg.flight_id = $1)
   GROUP BY seg.flight_id, seg.cabin
), map AS (
  SELECT inv.flight_id, inv.cabin,
         ((c->>'lastRow')::int - (c->>'firstRow')::int + 1) * length(c->>'seatLetters') - coalesce(jsonb_array_length(c->'blockedSeats'), 0) AS capacity
    FROM inv CROSS JOIN LATERAL jsonb_array_elements(inv.layouts) c
   WHERE c->>'cabin' = inv.cabin
), seat_rows AS (
  SELECT s.booking_id, s.flight_id, count(*) FILTER (WHERE s.status = h.status)::int AS matching, count(*)::int AS active
    FROM flights.hold_seats s JOIN flights.holds h ON h.booking_id = s.booking_id
   WHERE s.status IN ('HELD', 'SOLD') OR h.status IN ('HELD', 'SOLD')
   GROUP BY s.booking_id, s.flight_id
)
SELECT 'counter_mismatch' AS kind, inv.flight_id AS "flightId", inv.cabin,
       format('available %s + held %s + sold %s <> capacity %s', inv.available, coalesce(held.held, 0), coalesce(held.sold, 0), inv.capacity) AS detail
  FROM inv LEFT JOIN held ON held.flight_id = inv.flight_id AND held.cabin = inv.cabin
 WHERE inv.available + coalesce(held.held, 0) + coalesce(held.sold, 0) <> inv.capacity
UNION ALL
SELECT 'negative_available', flight_id, cabin, format('available is %s', available) FROM inv WHERE available < 0
UNION ALL
SELECT 'capacity_differs_from_seat_map', inv.flight_id, inv.cabin, format('counter capacity %s, seat map %s', inv.capacity, coalesce(map.capacity, 0))
  FROM inv LEFT JOIN map ON map.flight_id = inv.flight_id AND map.cabin = inv.cabin
 WHERE inv.capacity <> coalesce(map.capacity, 0) AND inv.status = 'SCHEDULED'
UNION ALL
SELECT 'seats_disagree_with_hold', seg.flight_id, seg.cabin,
       format('booking %s: %s passenger(s) counted, %s seat row(s) in state %s', seg.booking_id, seg.seat_count, coalesce(sr.matching, 0), h.status)
  FROM flights.hold_segments seg JOIN flights.holds h ON h.booking_id = seg.booking_id
  LEFT JOIN seat_rows sr ON sr.booking_id = seg.booking_id AND sr.flight_id = seg.flight_id
 WHERE ($1::uuid IS NULL OR seg.flight_id = $1)
   AND ((h.status IN ('HELD', 'SOLD') AND (coalesce(sr.matching, 0) <> seg.seat_count OR coalesce(sr.active, 0) <> seg.seat_count))
     OR (h.status = 'RELEASED' AND coalesce(sr.active, 0) > 0))
UNION ALL
SELECT 'seat_with_two_owners', flight_id, cabin, format('seat %s is held or sold %s times', seat, count(*))
  FROM flights.hold_seats WHERE status IN ('HELD', 'SOLD') AND ($1::uuid IS NULL OR flight_id = $1)
 GROUP BY flight_id, cabin, seat HAVING count(*) > 1
UNION ALL
SELECT 'overdue_hold', seg.flight_id, seg.cabin, format('booking %s was due at %s and is still held', h.booking_id, h.expires_at)
  FROM flights.holds h JOIN flights.hold_segments seg ON seg.booking_id = h.booking_id
 WHERE h.status = 'HELD' AND h.expires_at < $2::timestamptz - interval '1 minute' AND ($1::uuid IS NULL OR seg.flight_id = $1)`;

export const inventoryRepository = {
  async check(db: Queryable, flightId: string | undefined, now: Date) {
    const { rows } = await db.query<ViolationRow>(checkSql, [flightId ?? null, now]);
    return rows;
  },
  async countFlights(db: Queryable, flightId: string | undefined) {
    const { rows } = await db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM flights.flights WHERE ($1::uuid IS NULL OR id = $1)`,
      [flightId ?? null],
    );
    return rows[0]?.count ?? 0;
  },
  /** Active holds in booking-id order, a page at a time, for the cross-check with bookings. */
  async activeHolds(db: Queryable, options: { flightId: string | undefined; after: string | null; limit: number; createdBefore: Date }) {
    const { rows } = await db.query<{ bookingId: string; status: string; flightId: string; cabin: string; expiresAt: Date }>(
      `SELECT h.booking_id AS "bookingId", h.status, min(seg.flight_id::text) AS "flightId", h.cabin, h.expires_at AS "expiresAt"
         FROM flights.holds h JOIN flights.hold_segments seg ON seg.booking_id = h.booking_id
        WHERE h.status IN ('HELD', 'SOLD') AND h.created_at < $4
          AND ($1::uuid IS NULL OR seg.flight_id = $1) AND ($2::uuid IS NULL OR h.booking_id > $2)
        GROUP BY h.booking_id ORDER BY h.booking_id LIMIT $3`,
      [options.flightId ?? null, options.after, options.limit, options.createdBefore],
    );
    return rows;
  },
};
