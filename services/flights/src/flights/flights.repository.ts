import type { CabinClass } from '@aerofly/contracts';
import type { Queryable } from '@aerofly/platform';

export type CabinInventoryRow = { cabin: CabinClass; capacity: number; available: number; fareAmount: number };
export type FlightRow = {
  id: string;
  flightNumber: string;
  airplaneId: string;
  airplaneModel: string;
  from: string;
  to: string;
  departureAt: Date;
  arrivalAt: Date;
  departureTimeZone: string;
  arrivalTimeZone: string;
  status: 'SCHEDULED' | 'CANCELLED';
  currency: string;
  cabins: CabinInventoryRow[];
  createdAt: Date;
  updatedAt: Date;
};

const select = `SELECT f.id, f.flight_number AS "flightNumber", f.airplane_id AS "airplaneId", p.model AS "airplaneModel",
    f.origin AS "from", f.destination AS "to", f.departure_at AS "departureAt", f.arrival_at AS "arrivalAt",
    ao.time_zone AS "departureTimeZone", ad.time_zone AS "arrivalTimeZone", f.status, f.currency,
    f.created_at AS "createdAt", f.updated_at AS "updatedAt",
    (SELECT coalesce(json_agg(json_build_object('cabin', i.cabin, 'capacity', i.capacity, 'available', i.available, 'fareAmount', i.fare_amount)
                     ORDER BY array_position(ARRAY['first','business','premium_economy','economy'], i.cabin)), '[]'::json)
       FROM flights.inventory i WHERE i.flight_id = f.id) AS cabins
  FROM flights.flights f
  JOIN flights.airplanes p ON p.id = f.airplane_id
  JOIN flights.airports ao ON ao.code = f.origin
  JOIN flights.airports ad ON ad.code = f.destination`;

export type FlightWrite = {
  id: string;
  flightNumber: string;
  airplaneId: string;
  from: string;
  to: string;
  departureAt: Date;
  arrivalAt: Date;
  currency: string;
  cabins: { cabin: CabinClass; capacity: number; fareAmount: number }[];
  now: Date;
};

export const flightsRepository = {
  async find(db: Queryable, id: string) {
    const { rows } = await db.query<FlightRow>(`${select} WHERE f.id = $1`, [id]);
    return rows[0];
  },
  async list(
    db: Queryable,
    options: {
      limit: number;
      after?: [string, string] | undefined;
      from?: string | undefined;
      to?: string | undefined;
      date?: string | undefined;
      status?: string | undefined;
      airplaneId?: string | undefined;
    },
  ) {
    const { rows } = await db.query<FlightRow>(
      `${select}
       WHERE ($2::timestamptz IS NULL OR (f.departure_at, f.id) > ($2::timestamptz, $3::uuid))
         AND ($4::text IS NULL OR f.origin = $4) AND ($5::text IS NULL OR f.destination = $5)
         AND ($6::text IS NULL OR to_char(f.departure_at AT TIME ZONE ao.time_zone, 'YYYY-MM-DD') = $6)
         AND ($7::text IS NULL OR f.status = $7) AND ($8::uuid IS NULL OR f.airplane_id = $8)
       ORDER BY f.departure_at, f.id LIMIT $1`,
      [
        options.limit,
        options.after?.[0] ?? null,
        options.after?.[1] ?? null,
        options.from ?? null,
        options.to ?? null,
        options.date ?? null,
        options.status ?? null,
        options.airplaneId ?? null,
      ],
    );
    return rows;
  },
  /** Id of a scheduled flight of this airplane overlapping the given time, if any. */
  async findOverlapping(db: Queryable, airplaneId: string, departureAt: Date, arrivalAt: Date, exceptId: string) {
    const { rows } = await db.query<{ flightNumber: string }>(
      `SELECT flight_number AS "flightNumber" FROM flights.flights
        WHERE airplane_id = $1 AND status = 'SCHEDULED' AND id <> $4 AND departure_at < $3 AND arrival_at > $2 LIMIT 1`,
      [airplaneId, departureAt, arrivalAt, exceptId],
    );
    return rows[0];
  },
  /** The flight and its per-cabin counters, in one statement. */
  async insert(db: Queryable, flight: FlightWrite) {
    await db.query(
      `WITH created AS (
         INSERT INTO flights.flights (id, flight_number, airplane_id, origin, destination, departure_at, arrival_at, currency, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id)
       INSERT INTO flights.inventory (flight_id, cabin, capacity, available, fare_amount)
       SELECT created.id, c.cabin, c.capacity, c.capacity, c.fare_amount
         FROM created, unnest($10::text[], $11::int[], $12::int[]) AS c(cabin, capacity, fare_amount)`,
      [
        flight.id,
        flight.flightNumber,
        flight.airplaneId,
        flight.from,
        flight.to,
        flight.departureAt,
        flight.arrivalAt,
        flight.currency,
        flight.now,
        flight.cabins.map((c) => c.cabin),
        flight.cabins.map((c) => c.capacity),
        flight.cabins.map((c) => c.fareAmount),
      ],
    );
  },
  /** Locks the flight's counters, so no hold lands while its airplane or schedule changes. */
  async lockInventory(tx: Queryable, id: string) {
    await tx.query(`SELECT 1 FROM flights.inventory WHERE flight_id = $1 FOR UPDATE`, [id]);
  },
  async hasActiveSeats(db: Queryable, id: string) {
    const { rows } = await db.query<{ active: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM flights.hold_seats WHERE flight_id = $1 AND status IN ('HELD', 'SOLD')) AS active`,
      [id],
    );
    return rows[0]?.active ?? false;
  },
  async update(tx: Queryable, flight: Omit<FlightWrite, 'currency'>, replaceInventory: boolean) {
    await tx.query(
      `UPDATE flights.flights SET flight_number = $2, airplane_id = $3, origin = $4, destination = $5, departure_at = $6, arrival_at = $7, updated_at = $8
        WHERE id = $1`,
      [flight.id, flight.flightNumber, flight.airplaneId, flight.from, flight.to, flight.departureAt, flight.arrivalAt, flight.now],
    );
    const cabins = [flight.cabins.map((c) => c.cabin), flight.cabins.map((c) => c.capacity), flight.cabins.map((c) => c.fareAmount)];
    if (replaceInventory) {
      await tx.query(`DELETE FROM flights.inventory WHERE flight_id = $1`, [flight.id]);
      await tx.query(
        `INSERT INTO flights.inventory (flight_id, cabin, capacity, available, fare_amount)
         SELECT $1, c.cabin, c.capacity, c.capacity, c.fare_amount FROM unnest($2::text[], $3::int[], $4::int[]) AS c(cabin, capacity, fare_amount)`,
        [flight.id, ...cabins],
      );
    } else {
      await tx.query(
        `UPDATE flights.inventory i SET fare_amount = c.fare_amount
           FROM unnest($2::text[], $3::int[], $4::int[]) AS c(cabin, capacity, fare_amount)
          WHERE i.flight_id = $1 AND i.cabin = c.cabin`,
        [flight.id, ...cabins],
      );
    }
  },
  /** Cancels a scheduled flight; null when it was not scheduled (already cancelled or unknown). */
  async cancel(tx: Queryable, id: string, now: Date) {
    const { rows } = await tx.query<{ id: string }>(
      `UPDATE flights.flights SET status = 'CANCELLED', cancelled_at = $2, updated_at = $2 WHERE id = $1 AND status = 'SCHEDULED' RETURNING id`,
      [id, now],
    );
    return rows[0] ?? null;
  },
  /** Deletes a flight that never had a hold (its counters go with it). */
  async delete(db: Queryable, id: string) {
    const { rows } = await db.query<{ deleted: number; used: boolean }>(
      `WITH used AS (SELECT EXISTS (SELECT 1 FROM flights.hold_segments WHERE flight_id = $1) AS value),
            gone AS (DELETE FROM flights.flights WHERE id = $1 AND NOT (SELECT value FROM used) RETURNING id)
       SELECT (SELECT count(*) FROM gone)::int AS deleted, (SELECT value FROM used) AS used`,
      [id],
    );
    return rows[0] as { deleted: number; used: boolean };
  },
  async takenSeats(db: Queryable, id: string) {
    const { rows } = await db.query<{ seat: string; status: 'HELD' | 'SOLD' }>(
      `SELECT seat, status FROM flights.hold_seats WHERE flight_id = $1 AND status IN ('HELD', 'SOLD')`,
      [id],
    );
    return rows;
  },
};
