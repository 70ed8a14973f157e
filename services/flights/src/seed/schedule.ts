import type { Queryable } from '@aerofly/platform';

/**
 * One scheduled leg repeated every day: it departs at `localTime` in `zone` (plus `offsetMinutes`,
 * for the return of an out-and-back rotation), so daylight-saving changes move the UTC time.
 */
export type DailyLeg = {
  flightNumber: string;
  airplaneId: string;
  origin: string;
  destination: string;
  minutes: number;
  zone: string;
  localTime: string;
  offsetMinutes: number;
  economyFare: number;
};

const capacitySql = `((c->>'lastRow')::int - (c->>'firstRow')::int + 1) * length(c->>'seatLetters') - coalesce(jsonb_array_length(c->'blockedSeats'), 0)`;

/**
 * Inserts the legs' flights for days [dayFrom, dayTo) after `startDate`, with their per-cabin
 * counters, in one set-based statement. Fares vary a little by flight, as real fares do.
 */
export async function insertDailyLegs(
  db: Queryable,
  legs: DailyLeg[],
  options: { startDate: string; dayFrom: number; dayTo: number; currency: string; now: Date },
): Promise<number> {
  const { rows } = await db.query<{ flights: number }>(
    `WITH legs AS (
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::int[], $9::int[])
         AS l(flight_number, airplane_id, origin, destination, minutes, zone, local_time, offset_minutes, economy_fare)
     ), created AS (
       INSERT INTO flights.flights (id, flight_number, airplane_id, origin, destination, departure_at, arrival_at, currency, created_at, updated_at)
       SELECT gen_random_uuid(), l.flight_number, l.airplane_id, l.origin, l.destination, dep.at, dep.at + make_interval(mins => l.minutes), $12, $13, $13
         FROM generate_series($10::int, $11::int - 1) AS d(day)
        CROSS JOIN legs l
        CROSS JOIN LATERAL (
          SELECT ((($14::date + d.day) + l.local_time::time) AT TIME ZONE l.zone) + make_interval(mins => l.offset_minutes) AS at
        ) dep
       ON CONFLICT DO NOTHING
       RETURNING id, airplane_id, flight_number, origin, destination
     ), counters AS (
       INSERT INTO flights.inventory (flight_id, cabin, capacity, available, fare_amount)
       SELECT f.id, c->>'cabin', ${capacitySql}, ${capacitySql},
              (ceil(l.economy_fare
                    * CASE c->>'cabin' WHEN 'first' THEN 6.5 WHEN 'business' THEN 3.6 WHEN 'premium_economy' THEN 1.8 ELSE 1 END
                    * (1 + (abs(hashtext(f.id::text)) % 9) * 0.05) / 100) * 100 - 1)::int
         FROM created f
         JOIN flights.airplanes p ON p.id = f.airplane_id
         JOIN legs l ON l.flight_number = f.flight_number AND l.origin = f.origin
        CROSS JOIN LATERAL jsonb_array_elements(p.cabins) c
       RETURNING flight_id
     )
     SELECT (SELECT count(*) FROM created)::int AS flights, (SELECT count(*) FROM counters)::int AS counters`,
    [
      legs.map((l) => l.flightNumber),
      legs.map((l) => l.airplaneId),
      legs.map((l) => l.origin),
      legs.map((l) => l.destination),
      legs.map((l) => l.minutes),
      legs.map((l) => l.zone),
      legs.map((l) => l.localTime),
      legs.map((l) => l.offsetMinutes),
      legs.map((l) => l.economyFare),
      options.dayFrom,
      options.dayTo,
      options.currency,
      options.now,
      options.startDate,
    ],
  );
  return rows[0]?.flights ?? 0;
}

/** Cities and airports of the reference list, skipping those that exist. */
export async function insertAirports(
  db: Queryable,
  airports: readonly { code: string; name: string; city: string; country: string; tz: string; lat: number; lon: number }[],
) {
  // One array per column, unnested by both statements below.
  const columns = [
    airports.map((a) => a.code),
    airports.map((a) => a.name),
    airports.map((a) => a.city),
    airports.map((a) => a.country),
    airports.map((a) => a.tz),
    airports.map((a) => a.lat),
    airports.map((a) => a.lon),
  ];
  await db.query(
    `WITH a AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[])
         AS a(code, name, city, country, tz, lat, lon)
     ), cities AS (
       INSERT INTO flights.cities (id, name, country_code)
       SELECT gen_random_uuid(), city, country FROM (SELECT DISTINCT city, country FROM a) d
       ON CONFLICT DO NOTHING
     )
     SELECT 1`,
    columns,
  );
  await db.query(
    `INSERT INTO flights.airports (id, code, name, city_id, time_zone, latitude, longitude)
     SELECT gen_random_uuid(), a.code, a.name, c.id, a.tz, a.lat, a.lon
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[]) AS a(code, name, city, country, tz, lat, lon)
       JOIN flights.cities c ON c.name = a.city AND c.country_code = a.country
     ON CONFLICT DO NOTHING`,
    columns,
  );
}

/** Airplanes with the given registrations and seat maps; returns registration → id. */
export async function insertAirplanes(db: Queryable, airplanes: { registration: string; model: string; cabins: unknown }[], now: Date) {
  await db.query(
    `INSERT INTO flights.airplanes (id, model, registration, cabins, created_at, updated_at)
     SELECT gen_random_uuid(), a.model, a.registration, a.cabins::jsonb, $4, $4
       FROM unnest($1::text[], $2::text[], $3::text[]) AS a(registration, model, cabins)
     ON CONFLICT DO NOTHING`,
    [airplanes.map((a) => a.registration), airplanes.map((a) => a.model), airplanes.map((a) => JSON.stringify(a.cabins)), now],
  );
  const { rows } = await db.query<{ id: string; registration: string }>(
    `SELECT id, registration FROM flights.airplanes WHERE registration = ANY($1::text[])`,
    [airplanes.map((a) => a.registration)],
  );
  return new Map(rows.map((r) => [r.registration, r.id]));
}
