import type { CabinClass } from '@aerofly/contracts';
import type { Db } from '@aerofly/platform';

/** A scheduled flight as search sees it, with seats left and fare for every cabin it sells. */
export type LegRow = {
  id: string;
  flightNumber: string;
  from: string;
  to: string;
  departureMs: number;
  arrivalMs: number;
  currency: string;
  departureTimeZone: string;
  arrivalTimeZone: string;
  /** Every cabin, null where the flight does not sell it (one object shape for all legs). */
  cabins: Record<CabinClass, CabinSeats | null>;
};
export type CabinSeats = { available: number; fareAmount: number };

type RawLeg = [string, string, string, string, number, number, string, string, string, [CabinClass, number, number][] | null];

// One JSON value per query: parsing it costs a third of what pg's per-row, per-column parsing of
// the same legs does. Instants are epoch ms, truncated like pg's Date parsing.
const legJson = (f: string, cabinFilter = '') => `json_build_array(
    ${f}.id, ${f}.flight_number, ${f}.origin, ${f}.destination,
    floor(extract(epoch FROM ${f}.departure_at) * 1000), floor(extract(epoch FROM ${f}.arrival_at) * 1000),
    ${f}.currency, ao.time_zone, ad.time_zone,
    (SELECT json_agg(json_build_array(i.cabin, i.available, i.fare_amount)) FROM flights.inventory i WHERE i.flight_id = ${f}.id ${cabinFilter}))`;

const boardSql = `SELECT coalesce(json_agg(${legJson('f')} ORDER BY f.departure_at, f.id), '[]')::text AS legs
  FROM flights.flights f
  JOIN flights.airports ao ON ao.code = f.origin
  JOIN flights.airports ad ON ad.code = f.destination
 WHERE f.origin = $1 AND f.departure_at >= $2 AND f.departure_at < $3 AND f.status = 'SCHEDULED'`;

// Without the cache: the origin's departures in the window and, for a connection, only the legs
// from its destinations to the searched one that can follow one of them (45 min to 12 h).
const searchLegsSql = `WITH first AS (
    SELECT f.* FROM flights.flights f
     WHERE f.origin = $1 AND f.departure_at >= $3 AND f.departure_at < $4 AND f.status = 'SCHEDULED'
  ), legs AS (
    SELECT * FROM first
    UNION ALL
    SELECT g.* FROM flights.flights g
     WHERE $6::int >= 1 AND g.destination = $2 AND g.status = 'SCHEDULED'
       AND g.origin IN (SELECT destination FROM first WHERE destination <> $2)
       AND g.departure_at >= (SELECT min(arrival_at) FROM first) + interval '45 minutes'
       AND g.departure_at <= (SELECT max(arrival_at) FROM first) + interval '12 hours'
  )
  SELECT coalesce(json_agg(${legJson('l', 'AND i.cabin = $5')}), '[]')::text AS legs
    FROM legs l
    JOIN flights.airports ao ON ao.code = l.origin
    JOIN flights.airports ad ON ad.code = l.destination`;

// Airport codes, zones and currencies repeat on every leg: one string each instead of a copy per leg.
const shared = new Map<string, string>();
const intern = (value: string) => {
  const known = shared.get(value);
  if (known !== undefined) return known;
  if (shared.size < 10_000) shared.set(value, value);
  return value;
};

const toLegs = (json: string | undefined): LegRow[] =>
  (JSON.parse(json ?? '[]') as RawLeg[]).map(
    ([id, flightNumber, from, to, departureMs, arrivalMs, currency, departureTimeZone, arrivalTimeZone, sold]) => {
      const cabins: LegRow['cabins'] = { economy: null, premium_economy: null, business: null, first: null };
      for (const [cabin, available, fareAmount] of sold ?? []) cabins[cabin] = { available, fareAmount };
      return {
        id,
        flightNumber,
        from: intern(from),
        to: intern(to),
        departureMs,
        arrivalMs,
        currency: intern(currency),
        departureTimeZone: intern(departureTimeZone),
        arrivalTimeZone: intern(arrivalTimeZone),
        cabins,
      };
    },
  );

export const searchRepository = {
  /** Every scheduled flight leaving `origin` in [fromMs, toMs), with all its cabins, by departure. */
  async loadBoard(db: Db, q: { origin: string; fromMs: number; toMs: number }): Promise<LegRow[]> {
    const { rows } = await db.query<{ legs: string }>(boardSql, [q.origin, new Date(q.fromMs), new Date(q.toMs)]);
    return toLegs(rows[0]?.legs);
  },

  /**
   * What one search needs when nothing is cached, in one round trip: flights leaving `from` in
   * [fromMs, toMs), and (maxStops ≥ 1) flights into `to` from their destinations that can connect.
   * Only `cabin` is read from the inventory.
   */
  async findSearchLegs(
    db: Db,
    q: { from: string; to: string; fromMs: number; toMs: number; cabin: CabinClass; maxStops: number },
  ): Promise<LegRow[]> {
    const { rows } = await db.query<{ legs: string }>(searchLegsSql, [
      q.from,
      q.to,
      new Date(q.fromMs),
      new Date(q.toMs),
      q.cabin,
      q.maxStops,
    ]);
    return toLegs(rows[0]?.legs);
  },

  async airportZones(db: Db) {
    const { rows } = await db.query<{ code: string; timeZone: string }>(`SELECT code, time_zone AS "timeZone" FROM flights.airports`);
    return rows;
  },
};
