import type { CabinClass } from '@aerofly/contracts';
import type { Queryable } from '@aerofly/platform';

export type LegRow = {
  id: string;
  flightNumber: string;
  from: string;
  to: string;
  departureAt: Date;
  arrivalAt: Date;
  available: number;
  fareAmount: number;
  currency: string;
};
export type CandidateRow = { a: LegRow; b: LegRow | null };

type RawRow = {
  a_id: string;
  a_no: string;
  a_from: string;
  a_to: string;
  a_dep: Date;
  a_arr: Date;
  a_avail: number;
  a_fare: number;
  a_cur: string;
  b_id: string | null;
  b_no: string | null;
  b_from: string | null;
  b_to: string | null;
  b_dep: Date | null;
  b_arr: Date | null;
  b_avail: number | null;
  b_fare: number | null;
  b_cur: string | null;
};

const legA = `f.id AS a_id, f.flight_number AS a_no, f.origin AS a_from, f.destination AS a_to, f.departure_at AS a_dep, f.arrival_at AS a_arr,
  i.available AS a_avail, i.fare_amount AS a_fare, f.currency AS a_cur`;
// The first leg: leaves `from` on the local date (the UTC window is wide enough for any zone; the local date decides).
const firstLegFrom = `FROM flights.flights f
  JOIN flights.inventory i ON i.flight_id = f.id AND i.cabin = $5 AND i.available >= $6
  JOIN flights.airports ao ON ao.code = f.origin`;
const firstLegWhere = `WHERE f.origin = $1 AND f.departure_at >= $3 AND f.departure_at < $4 AND f.departure_at > $7 AND f.status = 'SCHEDULED'
   AND to_char(f.departure_at AT TIME ZONE ao.time_zone, 'YYYY-MM-DD') = $8`;

export const searchRepository = {
  /**
   * Direct flights and one-stop connections (same airport, 45 min to 12 h after landing) with
   * enough seats in the cabin, in one round trip. Both parts use the route/departure indexes.
   */
  async findCandidates(
    db: Queryable,
    q: {
      from: string;
      to: string;
      windowStart: Date;
      windowEnd: Date;
      cabin: CabinClass;
      passengers: number;
      now: Date;
      date: string;
      maxStops: number;
    },
  ): Promise<CandidateRow[]> {
    const { rows } = await db.query<RawRow>(
      `SELECT ${legA}, NULL::uuid AS b_id, NULL::text AS b_no, NULL::text AS b_from, NULL::text AS b_to, NULL::timestamptz AS b_dep,
              NULL::timestamptz AS b_arr, NULL::int AS b_avail, NULL::int AS b_fare, NULL::text AS b_cur
         ${firstLegFrom}
         ${firstLegWhere} AND f.destination = $2
       UNION ALL
       SELECT ${legA}, g.id, g.flight_number, g.origin, g.destination, g.departure_at, g.arrival_at, j.available, j.fare_amount, g.currency
         ${firstLegFrom}
         JOIN flights.flights g ON g.origin = f.destination AND g.destination = $2
              AND g.departure_at >= f.arrival_at + interval '45 minutes' AND g.departure_at <= f.arrival_at + interval '12 hours'
              AND g.status = 'SCHEDULED'
         JOIN flights.inventory j ON j.flight_id = g.id AND j.cabin = $5 AND j.available >= $6
         ${firstLegWhere} AND f.destination <> $2 AND $9::int >= 1`,
      [q.from, q.to, q.windowStart, q.windowEnd, q.cabin, q.passengers, q.now, q.date, q.maxStops],
    );
    return rows.map((r) => ({
      a: {
        id: r.a_id,
        flightNumber: r.a_no,
        from: r.a_from,
        to: r.a_to,
        departureAt: r.a_dep,
        arrivalAt: r.a_arr,
        available: r.a_avail,
        fareAmount: r.a_fare,
        currency: r.a_cur,
      },
      b:
        r.b_id === null
          ? null
          : {
              id: r.b_id,
              flightNumber: r.b_no ?? '',
              from: r.b_from ?? '',
              to: r.b_to ?? '',
              departureAt: r.b_dep as Date,
              arrivalAt: r.b_arr as Date,
              available: r.b_avail ?? 0,
              fareAmount: r.b_fare ?? 0,
              currency: r.b_cur ?? '',
            },
    }));
  },
  async airportZones(db: Queryable) {
    const { rows } = await db.query<{ code: string; timeZone: string }>(`SELECT code, time_zone AS "timeZone" FROM flights.airports`);
    return rows;
  },
};
